# shellcheck shell=sh disable=SC2034  # failed: the sourcing script exits with it
# SPDX-License-Identifier: GPL-2.0
#
# What the debug kernel's guest scripts share (guest-debug.sh and
# guest-debug-emul.sh source it from their directory): TAP results
# (testbed/guest-tap.sh, which run-guest.sh puts beside it), a program run
# with its output indented, the ioctl fuzzer under failslab, the kmemleak
# scan. Written for the guest's busybox sh.

# shellcheck source=SCRIPTDIR/../testbed/guest-tap.sh
. ./guest-tap.sh

kmemleak=/sys/kernel/debug/kmemleak
fs=/sys/kernel/debug/failslab

# Run "$@" with its output indented; its exit status in $rc (ash has no
# pipefail).
run() {
	{ "$@" 2>&1; echo $? >/tmp/rc; } | tee /tmp/out | sed 's/^/# /'
	rc=$(cat /tmp/rc)
}

# "N calls in T s (R calls/s)" from the fuzzer's output
fuzz_rate() {
	sed -n 's/^# fuzz: \([0-9]* calls in [0-9.]* s ([0-9]* calls\/s)\).*/\1/p' /tmp/out
}

# fuzz_failslab WHAT ARGS...: ./fuzz -f ARGS with 5 % of its own
# allocations failing, and one result named WHAT: a clean exit with at
# least one failure injected. Only the tasks that ask fail (make-it-fail),
# sleeping allocations too, with no stack trace in the log for each.
fuzz_failslab() {
	what=$1
	shift
	echo Y >$fs/task-filter
	echo N >$fs/ignore-gfp-wait
	echo 0 >$fs/verbose
	# times counts down with every failure injected: the count
	echo 100000000 >$fs/times
	echo 1 >$fs/interval
	echo 5 >$fs/probability
	run ./fuzz -f "$@"
	echo 0 >$fs/probability
	injected=$((100000000 - $(cat $fs/times)))
	echo -1 >$fs/times
	enomem=$(sed -n 's/^# fuzz: ENOMEM \([0-9]*\) times.*/\1/p' /tmp/out)
	if [ "$rc" -eq 0 ] && [ "$injected" -gt 0 ]; then
		ok "$what: $(fuzz_rate), $injected allocations failed, ENOMEM ${enomem:-?} times, every errno in its ioctl's set"
	else
		not_ok "$what, exit $rc, $injected allocations failed, ENOMEM ${enomem:-?} times"
	fi
}

# Suspects from the boot are not ours: find them now, forget them.
kmemleak_clear() {
	if [ -w "$kmemleak" ]; then
		echo scan >"$kmemleak"
		echo clear >"$kmemleak"
	fi
}

# kmemleak_check [LINES]: one result, with at most LINES lines of the
# report (all by default). Objects younger than 5 s are not reported:
# wait, and scan twice.
kmemleak_check() {
	if [ -w "$kmemleak" ]; then
		sleep 6
		echo scan >"$kmemleak"
		sleep 2
		echo scan >"$kmemleak"
		cat "$kmemleak" >/tmp/leaks
		if [ -s /tmp/leaks ]; then
			sed 's/^/# /' /tmp/leaks | head -n "${1:-1000000}"
			not_ok "kmemleak: $(grep -c 'unreferenced object' /tmp/leaks) leaks"
		else
			ok "kmemleak: no leaks"
		fi
	else
		not_ok "kmemleak: $kmemleak missing"
	fi
}
