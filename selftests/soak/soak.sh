#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make soak: 32 processes for SECONDS (default 600) on the emulated
# 1,000-slot library through two hosts, in a guest; prints the guest's
# TAP, the operation counts and (flap) the failover figures. MODE flap
# (the default): the two hosts are two paths of one node, the active one
# flapping every 2 to 5 s; plain: two nodes, no flaps (guest-soak.sh).
# make check runs a 60 s flap soak in the emulation's library guest,
# make check-debug one under the debug kernel.
#
# Usage: soak.sh [SECONDS [flap|plain]]
# Environment: KDIR, AUTOCH_CACHE.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
testbed=$top/selftests/testbed
secs=${1:-600}
mode=${2:-flap}

"$testbed/deps.sh" >/dev/null
KDIR=${KDIR:-$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort -V | tail -n 1)}
work=$(mktemp -d)
guest=
# shellcheck disable=SC2317  # run from the trap
cleanup() {
	# a TERM stops the guest at once (run-guest.sh kills its QEMU)
	if [ -n "$guest" ]; then
		kill "$guest" 2>/dev/null || true
		wait "$guest" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/src" "$work/guest"
cp -r "$top/Kbuild" "$top/driver" "$top/include" "$work/src/"
emul=$("$top/selftests/emul/sources.sh" "$work/emul")
make -s -C "$KDIR" M="$work/src" modules >/dev/null 2>&1
make -s -C "$KDIR" M="$emul" modules >/dev/null 2>&1
cc -O2 -Wall -Wextra -Werror -static -I "$top/include/uapi" \
	-o "$work/guest/soak" "$top/selftests/soak/soak.c"
cp "$work/src/driver/autoch.ko" "$emul/autoch_emul.ko" \
	"$top/selftests/soak/guest-soak.sh" "$work/guest/"
printf '#!/bin/sh\nexec sh /autoch/guest-soak.sh %s %s\n' "$secs" "$mode" >"$work/run.sh"

start=$(date +%s)
rc=0
# in the background, so that bash runs the TERM trap while it waits
AUTOCH_GUEST_TIMEOUT=$((secs + 600)) "$testbed/run-guest.sh" --kdir "$KDIR" \
	--script "$work/run.sh" --file "$work/guest/guest-soak.sh" \
	--file "$work/guest/soak" --file "$work/guest/autoch.ko" \
	--file "$work/guest/autoch_emul.ko" --log "$work/console" \
	>"$work/out" 2>&1 &
guest=$!
wait "$guest" || rc=$?
guest=
grep -E '^(not )?ok |^SOAK|^FLAP|^FIGURES|^# ' "$work/out"
echo "soak ($mode): $secs s requested, guest wall time $(($(date +%s) - start)) s, exit $rc"
[ "$rc" -eq 0 ] || tail -n 20 "$work/out"
exit "$rc"
