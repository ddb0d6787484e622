#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# HP-UX's union inquiry_data and union sense_data read the right bits on
# a little-endian and on a big-endian machine: bitfields.c built with
# -I include/hpux alone, run natively and, cross-compiled for s390x
# (big-endian), under qemu-user. TAP on stdout; exit 0 when both pass,
# 1 on a failure, 4 (skip) when the cross compiler or qemu is missing
# (selftests/testbed/deps.sh installs them).
#
# Usage: check-bitfields.sh [WORKDIR]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=${1:-$(mktemp -d)}
[ $# -ge 1 ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"

cross="s390x-linux-gnu-gcc"
qemu="qemu-s390x"
for t in "$cross" "$qemu"; do
	if ! command -v "$t" >/dev/null; then
		echo "1..0 # SKIP no $t (apt-get install gcc-s390x-linux-gnu qemu-user)"
		exit 4
	fi
done

flags=(-std=c99 -pedantic -O2 -Wall -Wextra -Werror -I"$top/include/hpux")
echo "1..2"
rc=0
run() {
	local n=$1 what=$2
	local log=$work/bitfields-$n.log
	shift 2
	if "$@" >"$log" 2>&1; then
		echo "ok $n $what: $(tail -n 1 "$log" | sed 's/^# //')"
	else
		sed 's/^/# /' "$log" | grep -E '^# (not ok|#)' | head -n 40
		echo "not ok $n $what: $(tail -n 1 "$log" | sed 's/^# //')"
		rc=1
	fi
}

if gcc "${flags[@]}" "$here/bitfields.c" -o "$work/bitfields" 2>"$work/cc.log"; then
	run 1 "$(uname -m), native" "$work/bitfields"
else
	sed 's/^/# /' "$work/cc.log"
	echo "not ok 1 $(uname -m), native: does not build"
	rc=1
fi
if "$cross" "${flags[@]}" -static "$here/bitfields.c" -o "$work/bitfields-s390x" \
	2>"$work/cross.log"; then
	run 2 "s390x under $qemu" "$qemu" "$work/bitfields-s390x"
else
	sed 's/^/# /' "$work/cross.log"
	echo "not ok 2 s390x: does not build"
	rc=1
fi
exit $rc
