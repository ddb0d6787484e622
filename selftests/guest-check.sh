#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the autoch selftests inside the test guest (busybox ash, POSIX sh).
#
# Usage: guest-check.sh [PROFILE]
#
# Expects, in the directory of this script (/autoch in the guest):
# autoch.ko, the test programs, and kselftest-list.txt as written by
# `make -C selftests install`: the programs are TEST_GEN_PROGS of
# selftests/Makefile, named nowhere else.
# Loads autoch.ko, waits for the device node, runs each test program with
# AUTOCH_PROFILE exported (PROFILE, else $AUTOCH_PROFILE; tgt24 for the
# test bed's tgt changer), unloads the module and checks the kernel log.
# Prints TAP in the shape of the kernel's kselftest runner (each program's
# own TAP indented with "# "). Exits 0 when everything passed or skipped,
# 1 otherwise.
#
# Environment: AUTOCH_DEV (default /dev/autoch0), AUTOCH_TIMEOUT (seconds
# per program; default: timeout= in settings, else 600), AUTOCH_TESTS (the
# programs to run, of those in kselftest-list.txt; default all). A profile can
# reach a guest whose init passes no arguments through the kernel command
# line: an unknown NAME=value there (AUTOCH_PROFILE=tgt24) is put in
# init's environment.

dir=$(cd "$(dirname "$0")" && pwd)
AUTOCH_PROFILE=${1:-${AUTOCH_PROFILE:-}}
AUTOCH_DEV=${AUTOCH_DEV:-/dev/autoch0}
export AUTOCH_PROFILE AUTOCH_DEV

tests=$(sed -n 's/^autoch://p' "$dir/kselftest-list.txt" 2>/dev/null)
if [ -n "${AUTOCH_TESTS:-}" ]; then
	only=
	for t in $AUTOCH_TESTS; do
		found=
		for u in $tests; do [ "$u" = "$t" ] && found=1; done
		if [ -n "$found" ]; then
			only="$only $t"
		else
			echo "# AUTOCH_TESTS: $t is not in kselftest-list.txt"
		fi
	done
	tests=$only
fi

timeout=${AUTOCH_TIMEOUT:-}
if [ -z "$timeout" ] && [ -f "$dir/settings" ]; then
	timeout=$(sed -n 's/^timeout=//p' "$dir/settings")
fi
timeout=${timeout:-600}

kmemleak=/sys/kernel/debug/kmemleak
tmp=${TMPDIR:-/tmp}/autoch-check.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT

count=0
for t in $tests; do count=$((count + 1)); done
# module load and the tests, then module unload and the kernel log.
plan=$((count + 2))
# ok, not_ok (failed=1), n: testbed/guest-tap.sh, which run-guest.sh
# puts beside this script
# shellcheck source=SCRIPTDIR/testbed/guest-tap.sh
. "$dir/guest-tap.sh"

bail() {
	echo "Bail out! $*"
	exit 1
}

echo "TAP version 13"
echo "1..$plan"
echo "# profile: ${AUTOCH_PROFILE:-none}, device: $AUTOCH_DEV"
[ -n "$tests" ] ||
	bail "no programs: $dir/kselftest-list.txt is missing or empty (make -C selftests install)"

# Linux's ch driver (module or built in) binds to every changer and
# would take this one.
if [ -d /sys/bus/scsi/drivers/ch ]; then
	bail "the ch driver is loaded; it takes the changer from autoch"
fi

[ -d /sys/kernel/debug ] && ! [ -e "$kmemleak" ] &&
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# Forget what was reported before the module came; report only new leaks.
[ -w "$kmemleak" ] && echo clear > "$kmemleak"

log_start=$(dmesg | wc -l)
insmod "$dir/autoch.ko" || bail "insmod $dir/autoch.ko failed"

i=0
while ! [ -c "$AUTOCH_DEV" ]; do
	i=$((i + 1))
	[ $i -gt 300 ] && bail "$AUTOCH_DEV did not appear within 30 s"
	sleep 0.1
done
echo "# $AUTOCH_DEV is there after $i tenths of a second"

if command -v timeout >/dev/null 2>&1; then
	run_with_timeout="timeout $timeout"
else
	run_with_timeout=
fi

for t in $tests; do
	echo "# selftests: autoch: $t"
	if ! [ -x "$dir/$t" ]; then
		not_ok "selftests: autoch: $t # missing"
		continue
	fi
	# ash has no pipefail: the exit status goes through a file.
	{ $run_with_timeout "$dir/$t" 2>&1; echo $? > "$tmp/rc"; } |
		sed 's/^/# /'
	rc=$(cat "$tmp/rc")
	case $rc in
	0) ok "selftests: autoch: $t" ;;
	4) ok "selftests: autoch: $t # SKIP" ;;
	124 | 143) not_ok "selftests: autoch: $t # TIMEOUT $timeout seconds" ;;
	*) not_ok "selftests: autoch: $t # exit=$rc" ;;
	esac
done

if rmmod autoch; then
	ok "rmmod autoch"
else
	not_ok "rmmod autoch"
fi

# A warning, a sanitizer report or a leak fails the run even when every
# test said ok. kmemleak only reports objects older than about 5 s.
if [ -w "$kmemleak" ]; then
	sleep 6
	echo scan > "$kmemleak"
	cat "$kmemleak" > "$tmp/leaks"
fi
dmesg | tail -n +$((log_start + 1)) > "$tmp/log"
pattern='BUG:|WARNING:|Oops|KASAN|UBSAN|general protection|Call Trace|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|scheduling while atomic|sleeping function called from invalid context|hung_task|blocked for more than'
if grep -E "$pattern" "$tmp/log" > "$tmp/splats" ||
   [ -s "$tmp/leaks" ]; then
	sed 's/^/# /' "$tmp/splats"
	[ -s "$tmp/leaks" ] && sed 's/^/# /' "$tmp/leaks"
	not_ok "kernel log clean"
else
	ok "kernel log clean"
fi

exit $failed
