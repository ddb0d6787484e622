#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest: load the emulated changer and run tests against it.
#
# Usage: guest-emul.sh WHAT PROFILE [PARAM=VALUE]...
#   WHAT     suite        the driver's kselftests (guest-check.sh)
#            conformance  guest-conformance.sh (SMC/SPC answers, faults)
#            both         conformance, then the suite
#   PROFILE  superloader, library or tgt (profile= of autoch_emul.ko)
#   PARAM    further module parameters: hosts=2 slots=5000 ...
#
# AUTOCH_TESTS (the suite's programs to run, default all) also leaves out
# mtx's HP-UX port, the mc checks and the soak: a guest for a few
# programs. AUTOCH_SOAK_SECONDS (library profile): after everything, the
# flap soak of that many seconds (../soak/guest-soak.sh, with soak and
# guest-soak.sh in its directory), which loads the modules itself.
#
# Expects in its own directory: autoch_emul.ko, guest-conformance.sh and,
# for the suite, what guest-check.sh needs (autoch.ko, the test programs,
# kselftest-list.txt). The suite runs with AUTOCH_PROFILE=tgt24 on the tgt
# profile and without a profile elsewhere. After the suite, mtx's HP-UX
# port against mtx through sg (guest-mtx.sh, with mtx-hpux and
# hpux-elements; a skip without them). Unloads the module at the end:
# a module that does not unload fails the run. Prints TAP; exits 0 when
# everything passed.

dir=$(cd "$(dirname "$0")" && pwd)
what=${1:-}
profile=${2:-}
[ $# -ge 2 ] && shift 2
case $what in
suite | conformance | both) ;;
*)
	echo "usage: guest-emul.sh suite|conformance|both PROFILE [PARAM=VALUE]..." >&2
	exit 2
	;;
esac

# Changers on the emulation's hosts, one sg node per host, in host order.
emul_changers() {
	for d in /sys/bus/scsi/devices/*:*:*:*; do
		[ "$(cat "$d/type" 2>/dev/null)" = 8 ] || continue
		h=${d##*/}
		h=${h%%:*}
		[ "$(cat "/sys/class/scsi_host/host$h/proc_name" 2>/dev/null)" = autoch_emul ] ||
			continue
		for g in "$d"/scsi_generic/sg*; do
			[ -c "/dev/${g##*/}" ] && echo "$h /dev/${g##*/}"
		done
	done | sort -n | cut -d' ' -f2
}

[ -d /sys/kernel/debug/autoch_emul ] ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

hosts=1
for a in "$@"; do
	case $a in hosts=*) hosts=${a#hosts=} ;; esac
done
echo "# insmod autoch_emul.ko profile=$profile $*"
if ! insmod "$dir/autoch_emul.ko" "profile=$profile" "$@"; then
	echo "Bail out! insmod autoch_emul.ko failed"
	exit 1
fi
i=0
while [ "$(emul_changers | wc -l)" -lt "$hosts" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ]; then
		echo "Bail out! the emulated changer did not appear within 30 s"
		exit 1
	fi
	sleep 0.1
done
AUTOCH_CHANGERS=$(emul_changers | tr '\n' ' ')
AUTOCH_CHANGERS=${AUTOCH_CHANGERS% }
export AUTOCH_CHANGERS AUTOCH_EMUL_PROFILE="$profile"
echo "# emulated changers: $AUTOCH_CHANGERS"

rc=0
if [ "$what" != suite ]; then
	sh "$dir/guest-conformance.sh" || rc=1
fi
if [ "$what" != conformance ]; then
	ksft_profile=
	[ "$profile" = tgt ] && ksft_profile=tgt24
	sh "$dir/guest-check.sh" $ksft_profile || rc=1
	# mtx's HP-UX port (SIOC_IO) against mtx through sg: a stream of its own
	if [ -n "${AUTOCH_TESTS:-}" ]; then
		: # only the programs named
	elif [ -x "$dir/mtx-hpux" ] && [ -x "$dir/hpux-elements" ] && [ -f "$dir/guest-mtx.sh" ]; then
		sh "$dir/guest-mtx.sh" || rc=1
	else
		echo "TAP version 13"
		echo "1..0 # SKIP mtx's HP-UX port: no mtx-hpux or hpux-elements in $dir"
	fi
fi

# Our own results: a TAP stream of their own, after the suite's.
echo "TAP version 13"
# ok, not_ok (failed=1): testbed/guest-tap.sh, which run-guest.sh puts
# beside this script
# shellcheck source=SCRIPTDIR/../testbed/guest-tap.sh
. "$dir/guest-tap.sh"

# mc says that it waits: during a long move, and while the changer
# becomes ready, with the progress the changer reports.
if [ -n "${AUTOCH_TESTS:-}" ]; then
	: # only the programs named
elif [ "$what" != conformance ] && [ -x "$dir/mc" ] && [ "$profile" = library ]; then
	P=/sys/module/autoch_emul/parameters
	insmod "$dir/autoch.ko" 2>/dev/null
	i=0
	while [ ! -c /dev/autoch0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	export LIBRARY=/dev/autoch0
	"$dir/mc" -r S >/tmp/mc.slots
	full=$(sed -n 's/^ST_slot_\([0-9]*\) FULL$/\1/p' /tmp/mc.slots | head -n 1)
	empty=$(sed -n 's/^ST_slot_\([0-9]*\) EMPTY$/\1/p' /tmp/mc.slots | head -n 1)
	echo 3000 >$P/move_ms
	"$dir/mc" -s "S$full" -d "S$empty" 2>/tmp/mc.err
	mrc=$?
	echo 0 >$P/move_ms
	sed 's/^/# /' /tmp/mc.err
	if [ "$mrc" -eq 0 ] && grep -q '^mc: waiting for the changer (2 s)$' /tmp/mc.err; then
		ok "mc: a 3 s move says it waits # emul"
	else
		not_ok "mc: a 3 s move says it waits (exit $mrc) # emul"
	fi
	"$dir/mc" -s "S$empty" -d "S$full" 2>/dev/null
	echo 8000 >$P/ready_ms
	echo reset >/sys/kernel/debug/autoch_emul/event
	"$dir/mc" -r D >/dev/null 2>/tmp/mc.err
	mrc=$?
	echo 0 >$P/ready_ms
	sed 's/^/# /' /tmp/mc.err
	if [ "$mrc" -eq 0 ] &&
		grep -qE '^mc: waiting for the changer \([0-9]+ s, becoming ready, [0-9]+ %\)$' /tmp/mc.err; then
		ok "mc: while the changer becomes ready it says so, with progress # emul"
	else
		not_ok "mc: while the changer becomes ready it says so, with progress (exit $mrc) # emul"
	fi
	unset LIBRARY
	rmmod autoch
elif [ "$what" != conformance ] && [ "$profile" = library ]; then
	ok "mc says that it waits # SKIP no mc in $dir"
fi

# The module unloads with its hosts present and nothing left behind.
if rmmod autoch_emul; then
	ok "rmmod autoch_emul # emul"
else
	not_ok "rmmod autoch_emul # emul"
fi
echo "1..$n"
[ "$failed" -eq 0 ] || rc=1

# The flap soak's short form (make check): a stream of its own.
if [ -n "${AUTOCH_TESTS:-}" ] || [ -z "${AUTOCH_SOAK_SECONDS:-}" ] ||
	[ "$profile" != library ]; then
	: # not asked for
elif [ -x "$dir/soak" ] && [ -f "$dir/guest-soak.sh" ]; then
	sh "$dir/guest-soak.sh" "$AUTOCH_SOAK_SECONDS" flap || rc=1
else
	echo "TAP version 13"
	echo "1..0 # SKIP the flap soak: no soak or guest-soak.sh in $dir"
fi
exit $rc
