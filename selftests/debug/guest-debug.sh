#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the debug kernel's guest (make check-debug), against tgt's changer:
# the KUnit suite (it runs when autoch.ko is loaded), the kselftest suite
# (guest-check.sh), the ch/autoch bind test, the ioctl fuzzer, the fuzzer
# again with failslab on its own allocations, the hot-unplug test, probe
# under failslab, rmmod, then kmemleak. Prints TAP; each program's own output is indented with
# "# ". The host checks the kernel log afterwards.
#
# Usage: guest-debug.sh
# Environment (from the kernel command line): AUTOCH_PROFILE (tgt24),
# AUTOCH_FUZZ_CALLS (1000000), AUTOCH_FAULT_CALLS (100000; calls under
# failslab), AUTOCH_FUZZ_PROCS (4), AUTOCH_FUZZ_LIMIT (seconds, 600),
# AUTOCH_UNPLUG_ROUNDS (100), AUTOCH_PROBE_ROUNDS (30; binds to autoch
# whose allocations fail).

cd "$(dirname "$0")" || exit 1
# shellcheck source=SCRIPTDIR/guest-lib.sh
. ./guest-lib.sh
dev=/dev/autoch0

# (its counter is local: callers count rounds in variables of their own)
wait_node() {
	local w=0
	while [ ! -c "$dev" ] && [ $w -lt 300 ]; do
		sleep 0.1
		w=$((w + 1))
	done
	[ -c "$dev" ]
}

echo "TAP version 13"
echo "1..10"

kmemleak_clear

# --- KUnit: the suite runs when the module comes, KTAP goes to dmesg.
# fuzz=1: with its fuzz cases, a million replies to the parsers (the
# other loads of the module skip them).
before=$(dmesg | wc -l)
t0=$(cut -d. -f1 /proc/uptime)
if insmod ./autoch.ko fuzz=1 ${AUTOCH_FUZZ_SEED:+fuzz_seed=$AUTOCH_FUZZ_SEED}; then
	kunit_s=$(($(cut -d. -f1 /proc/uptime) - t0))
	dmesg | tail -n +$((before + 1)) | sed 's/^\[[ 0-9.]*\] //' |
		sed -n '/# Subtest: autoch$/,/^ok [0-9]* autoch$\|^not ok [0-9]* autoch$/p' \
			>/tmp/ktap
	# the one suite taken from the kernel's KTAP, with its plan
	{ echo "1..1"; cat /tmp/ktap; } | sed 's/^/# /'
	cases=$(grep -cE '^ +ok [0-9]+ ' /tmp/ktap)
	bad=$(grep -cE '^ +not ok [0-9]+ ' /tmp/ktap)
	# "fuzz: N replies (READ ELEMENT STATUS N, ...), seed S"
	fuzzed=$(sed -n 's/^ *# autoch_test_fuzz_total: fuzz: //p' /tmp/ktap | head -n 1)
	if ! rmmod autoch; then
		not_ok "KUnit: rmmod after the KUnit run failed"
	elif grep -qE '^ok [0-9]+ autoch$' /tmp/ktap && [ "$bad" -eq 0 ] &&
		[ "$cases" -gt 0 ] && [ -n "$fuzzed" ] && ! grep -q '# SKIP' /tmp/ktap; then
		ok "KUnit: $cases cases of the autoch suite pass in $kunit_s s; fuzzed: $fuzzed"
	elif [ -z "$fuzzed" ] || grep -q '# SKIP' /tmp/ktap; then
		not_ok "KUnit: the fuzz cases did not run (or a case skipped); $bad of $((cases + bad)) cases fail"
	else
		not_ok "KUnit: $bad of $((cases + bad)) cases fail${fuzzed:+; fuzzed: $fuzzed}"
	fi
else
	not_ok "KUnit: insmod autoch.ko failed"
fi

# --- The kselftest suite, as make check runs it.
run sh ./guest-check.sh "${AUTOCH_PROFILE:-tgt24}"
# the programs' own subtests, as check.sh counts them
p=$(grep -cE '^# ok [0-9]+ ' /tmp/out)
s=$(grep -cE '^# ok [0-9]+ .*# SKIP' /tmp/out)
f=$(grep -cE '^# not ok [0-9]+ ' /tmp/out)
counts="$((p - s)) passed, $f failed, $s skipped"
if [ "$rc" -eq 0 ]; then
	ok "kselftest suite (guest-check.sh): $counts"
else
	not_ok "kselftest suite (guest-check.sh): $counts, exit $rc"
fi

# --- Linux's ch and autoch on one changer: unbind and bind.
if [ -x ./autoch-demo ] && [ -f ./guest-bind.sh ]; then
	run sh ./guest-bind.sh
	# it leaves the changer to ch
	rmmod autoch 2>/dev/null
	if ! rmmod ch; then
		not_ok "ch/autoch bind test: rmmod ch failed"
	elif [ "$rc" -eq 0 ]; then
		ok "ch/autoch bind test (guest-bind.sh)"
	else
		not_ok "ch/autoch bind test (guest-bind.sh), exit $rc"
	fi
else
	skip "ch/autoch bind test: no autoch-demo"
fi

# --- The fuzzer; then again with 5 % of its own kernel allocations failing.
if insmod ./autoch.ko && wait_node; then
	run ./fuzz -d "$dev" -u -n "${AUTOCH_FUZZ_CALLS:-1000000}" \
		-p "${AUTOCH_FUZZ_PROCS:-4}" -t "${AUTOCH_FUZZ_LIMIT:-600}"
	if [ "$rc" -eq 0 ]; then
		ok "ioctl fuzzer: $(fuzz_rate), every errno in its ioctl's set, floors reached, guards intact"
	else
		not_ok "ioctl fuzzer, exit $rc"
	fi
else
	not_ok "ioctl fuzzer: autoch.ko did not load or $dev did not appear"
fi

if [ -d $fs ] && [ -c "$dev" ]; then
	fuzz_failslab "ioctl fuzzer under failslab" -d "$dev" \
		-n "${AUTOCH_FAULT_CALLS:-100000}" -p "${AUTOCH_FUZZ_PROCS:-4}" \
		-t "${AUTOCH_FUZZ_LIMIT:-600}"
else
	not_ok "ioctl fuzzer under failslab: no $fs or no $dev"
fi

# --- Hot-unplug during each ioctl; short command timeouts.
for p in cmd_timeout:5 move_timeout:10 init_timeout:10; do
	echo "${p#*:}" >"/sys/module/autoch/parameters/${p%:*}"
done
if wait_node; then
	run ./unplug -d "$dev" -r "${AUTOCH_UNPLUG_ROUNDS:-100}"
	if [ "$rc" -eq 0 ]; then
		ok "hot-unplug during each ioctl: $(sed -n 's/^# unplug: //p' /tmp/out)"
	else
		not_ok "hot-unplug during each ioctl, exit $rc"
	fi
else
	not_ok "hot-unplug: $dev missing"
fi

# --- Probe under failslab: autoch's own probe, run by a bind through
# sysfs in a task whose allocations fail at 5 %. The probe either binds
# and the changer answers, or fails cleanly (no node, nothing leaked) and
# a bind without faults brings /dev/autoch0 back, answering.
# AUTOCH_PROBE_ROUNDS (30). A rescan of the whole host under failslab is
# not used: 6.1's scan path trips BUG_ON(starget->state == STARGET_DEL) in
# scsi_target_reap() when scsi_alloc_target() fails, with no autoch code
# involved.
probe_rounds=${AUTOCH_PROBE_ROUNDS:-30}
drv=/sys/bus/scsi/drivers/autoch
sysdev=$(readlink -f /sys/class/autoch/autoch0/device 2>/dev/null)
if [ -d $fs ] && [ -n "$sysdev" ] && [ -x ./autoch-demo ]; then
	hctl=${sysdev##*/}
	up=0 down=0 bad=0
	i=0
	while [ $i -lt "$probe_rounds" ]; do
		i=$((i + 1))
		echo "$hctl" >$drv/unbind
		if [ -e "$dev" ]; then
			bad=$((bad + 1))
			echo "# round $i: $dev still there after the unbind"
			break
		fi
		echo 5 >$fs/probability
		sh -c "echo 1 >/proc/self/make-it-fail; echo $hctl >$drv/bind" 2>/dev/null
		echo 0 >$fs/probability
		if [ -e "$drv/$hctl" ]; then
			if wait_node && ./autoch-demo -l "$dev" >/dev/null 2>&1; then
				up=$((up + 1))
				continue
			fi
			bad=$((bad + 1))
			echo "# round $i: bound under faults, but $dev does not answer"
			break
		fi
		down=$((down + 1))
		if [ -e "$dev" ]; then
			bad=$((bad + 1))
			echo "# round $i: the probe failed but left $dev"
			break
		fi
		echo "$hctl" >$drv/bind
		if ! wait_node || ! ./autoch-demo -l "$dev" >/dev/null 2>&1; then
			bad=$((bad + 1))
			echo "# round $i: $dev did not come back after a clean bind"
			break
		fi
	done
	if [ "$bad" -eq 0 ]; then
		ok "probe under failslab: $i binds, $up came up under faults, $down failed cleanly and came back"
	else
		not_ok "probe under failslab: round $i, see above"
	fi
else
	not_ok "probe under failslab: no $fs, no $dev or no autoch-demo"
fi

# --- The module goes.
if rmmod autoch; then
	ok "rmmod autoch"
else
	not_ok "rmmod autoch"
fi

# --- kmemleak, the whole report
# shellcheck disable=SC2119  # no LINES: every line
kmemleak_check

# --- What the guest's kernel said; the host greps all of it again.
pattern='BUG:|WARNING:|KASAN|UBSAN|ODEBUG|Call Trace|possible circular locking|possible recursive locking|inconsistent lock state|blocked for more than|hung_task'
if dmesg | grep -E "$pattern" >/tmp/splats; then
	sed 's/^/# /' /tmp/splats | head -n 40
	not_ok "kernel log clean"
else
	ok "kernel log clean"
fi
exit $failed
