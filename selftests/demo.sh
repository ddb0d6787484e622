#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: install what is missing, build the module and the demo
# against Debian's 6.1 kernel, start tgt's emulated changer, boot that
# kernel in QEMU with the changer passed through, load autoch and run
# userspace-examples/autoch-demo against /dev/autoch0.
#
# Environment: KDIR (default: Debian's newest 6.1 headers), AUTOCH_CACHE.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
testbed=$top/selftests/testbed

"$testbed/deps.sh"
KDIR=${KDIR:-$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort -V | tail -n 1)}
[ -d "$KDIR" ] || { echo "demo: no Debian 6.1 kernel headers" >&2; exit 1; }

work=$(mktemp -d)
# shellcheck disable=SC2317  # run from the trap
cleanup() {
	[ ! -f "$work/tgt/env" ] || "$testbed/tgt-changer.sh" stop "$work/tgt"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/src" "$work/tgt" "$work/guest"
cp -r "$top/Kbuild" "$top/driver" "$top/include" "$work/src/"
make -s -C "$KDIR" M="$work/src" modules
make -s -C "$top/userspace-examples" OUTPUT="$work/guest"
cp "$work/src/driver/autoch.ko" "$work/guest/"

cat >"$work/guest/demo.sh" <<'GUEST'
cd /autoch || exit 1
insmod ./autoch.ko || exit 1
i=0
while [ ! -e /dev/autoch0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
dmesg | grep -i 'autoch'
echo
echo '$ autoch-demo /dev/autoch0'
./autoch-demo /dev/autoch0
GUEST

"$testbed/tgt-changer.sh" start "$work/tgt"
"$testbed/run-guest.sh" --kdir "$KDIR" --tgt-state "$work/tgt" \
	--script "$work/guest/demo.sh" --file "$work/guest/autoch.ko" \
	--file "$work/guest/autoch-demo" --log "$work/console.log" |
	sed -n '/^\[.*autoch\|^\$ autoch-demo/,/^AUTOCH-GUEST-EXIT/p'
