#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the debug kernel's guest (make check-debug), on the emulated changer
# (selftests/emul): the conformance checks and the kselftest suite on the
# library profile with two hosts (fault matrix, malformed replies, unit
# attentions, two initiators, info leaks), then the ioctl fuzzer on the
# library's two hosts (reservations of both kinds, EXCHANGE, PREVENT,
# resets; half the processes without CAP_SYS_ADMIN), again under
# failslab, then hot-unplug during each kind of call with the race proven
# (unplug.c: the emulation fails the commands in flight when the LU goes),
# then the flap soak of AUTOCH_SOAK_SECONDS (90) with 32 processes on the
# 1,000-slot library (autoch multipath=1, the active path of the two
# taken down every 2 to 5 s: guest-soak.sh), then a kmemleak scan with
# both modules gone.
# Prints TAP; each program's own output is indented with "# ". The host
# checks the kernel log.
#
# Environment (from the kernel command line): AUTOCH_SOAK_SECONDS,
# AUTOCH_FUZZ_EMUL_CALLS (200000), AUTOCH_FAULT_EMUL_CALLS (20000, under
# failslab), AUTOCH_FUZZ_LIMIT (seconds per fuzzer run, 600),
# AUTOCH_UNPLUG_EMUL_ROUNDS (5 removals per kind of call).

cd "$(dirname "$0")" || exit 1
# shellcheck source=SCRIPTDIR/guest-lib.sh
. ./guest-lib.sh

# TAP counts of /tmp/out, the programs' summaries left out (check.sh's
# count_tap)
counts() {
	p=$(grep -cE '^(# )?ok [0-9]+ ' /tmp/out)
	s=$(grep -cE '^(# )?ok [0-9]+ .*# SKIP' /tmp/out)
	f=$(grep -cE '^(# )?not ok [0-9]+ ' /tmp/out)
	p=$((p - $(grep -cE '^ok [0-9]+ selftests: ' /tmp/out) - s))
	f=$((f - $(grep -cE '^not ok [0-9]+ selftests: ' /tmp/out)))
	echo "$p passed, $f failed, $s skipped"
}

echo "TAP version 13"
echo "1..7"
mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
kmemleak_clear

run sh ./guest-emul.sh both library hosts=2 slots=1000
rmmod autoch 2>/dev/null
if [ "$rc" -eq 0 ]; then
	ok "emulated library: conformance and kselftest suite: $(counts)"
else
	not_ok "emulated library: conformance and kselftest suite: $(counts), exit $rc"
fi

# --- The ioctl fuzzer on the library, one process of four per host and
# file kind; then with 5 % of its own allocations failing.
# /dev/autoch0 up to the node of host $1 - 1 (two hosts unless told)
wait_nodes() {
	last=/dev/autoch$((${1:-2} - 1))
	w=0
	while { [ ! -c /dev/autoch0 ] || [ ! -c "$last" ]; } && [ $w -lt 300 ]; do
		sleep 0.1
		w=$((w + 1))
	done
	[ -c /dev/autoch0 ] && [ -c "$last" ]
}
event=/sys/kernel/debug/autoch_emul/event
if insmod ./autoch_emul.ko profile=library hosts=2 && insmod ./autoch.ko && wait_nodes; then
	run ./fuzz -d /dev/autoch0 -d /dev/autoch1 -u -r $event \
		-n "${AUTOCH_FUZZ_EMUL_CALLS:-200000}" -p 4 -t "${AUTOCH_FUZZ_LIMIT:-600}"
	if [ "$rc" -eq 0 ]; then
		ok "ioctl fuzzer on the library's two hosts, with resets: $(fuzz_rate), every errno in its ioctl's set, floors reached, guards intact"
	else
		not_ok "ioctl fuzzer on the library's two hosts, exit $rc"
	fi
	if [ -d $fs ]; then
		fuzz_failslab "ioctl fuzzer on the library under failslab" \
			-d /dev/autoch0 -d /dev/autoch1 -r $event \
			-n "${AUTOCH_FAULT_EMUL_CALLS:-20000}" -p 4 -t "${AUTOCH_FUZZ_LIMIT:-600}"
	else
		not_ok "ioctl fuzzer on the library under failslab: no $fs"
	fi
else
	not_ok "ioctl fuzzer on the library's two hosts: the modules did not load or the nodes did not appear"
	not_ok "ioctl fuzzer on the library under failslab: not run"
fi
rmmod autoch 2>/dev/null
rmmod autoch_emul 2>/dev/null

# --- Hot-unplug during each kind of call (status, move, exchange,
# reserve, PR OUT, PREVENT, XSENSE, close while holding, ...): commands
# take 200 ms while the workers run, cache_ms is 0, and the emulation's
# "event remove fail" fails what is in flight; each kind must have lost a
# command of its own and seen a call fail across the removal.
if insmod ./autoch_emul.ko profile=library && insmod ./autoch.ko cmd_timeout=5 \
	move_timeout=10 init_timeout=10 && wait_nodes 1; then
	run ./unplug -d /dev/autoch0 -r "${AUTOCH_UNPLUG_EMUL_ROUNDS:-5}"
	if [ "$rc" -eq 0 ]; then
		ok "hot-unplug on the library during each kind of call, commands in flight failed: $(sed -n 's/^# unplug: //p' /tmp/out)"
	else
		not_ok "hot-unplug on the library during each kind of call, exit $rc"
	fi
else
	not_ok "hot-unplug on the library: the modules did not load or the node did not appear"
fi
rmmod autoch 2>/dev/null
rmmod autoch_emul 2>/dev/null

run sh ./guest-soak.sh "${AUTOCH_SOAK_SECONDS:-90}" flap
soak=$(sed -n 's/^SOAK //p' /tmp/out | head -n 1)
flaps=$(sed -n 's/^FIGURES //p' /tmp/out | head -n 1)
if [ "$rc" -eq 0 ]; then
	ok "flap soak of ${AUTOCH_SOAK_SECONDS:-90} s, 32 processes: ${soak:-no figures}; ${flaps:-no failover figures}"
else
	not_ok "flap soak of ${AUTOCH_SOAK_SECONDS:-90} s: $(counts), exit $rc"
fi

if lsmod | grep -qE '^autoch(_emul)? '; then
	not_ok "autoch and autoch_emul unloaded"
else
	ok "autoch and autoch_emul unloaded"
fi

kmemleak_check 60
exit $failed
