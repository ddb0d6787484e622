#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest: the soak on the emulated library (1,000 slots, two
# hosts, delays), then the invariant against the emulation's own state:
# the same volume tags before and after, none twice, and the driver's
# view equal to the library's. Prints TAP.
#
# Usage: guest-soak.sh SECONDS [flap|plain]
#   flap   (the default) autoch with multipath=1: the two hosts are two
#          paths of one /dev/autoch0, and soak -f takes the active one
#          down every 2 to 5 s (soak.c); then also every held reservation
#          held or reported lost, every move_unknown EIO the soak saw
#          counted by the driver (moves_cut_unknown), and the driver's
#          failover figures (FIGURES line)
#   plain  two nodes, /dev/autoch0 and /dev/autoch1, one per host
cd "$(dirname "$0")" || exit 1
secs=${1:-60}
mode=${2:-flap}
ctl=/sys/kernel/debug/autoch_emul
state=$ctl/state
n=0
failed=0
t() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi
}
wait_for() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}
# address and barcode of every full element, sorted
tags() { awk '!/^#/ && $3 == 1 && $4 != "-" { print $1, $4 }' $state | sort; }
# the number of paths/ of /dev/autoch0
npaths() { find /sys/class/autoch/autoch0/paths -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

echo "TAP version 13"
mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
emul="profile=library slots=1000 hosts=2 latency_ms=1 move_ms=20 init_ms=50"
if [ "$mode" = flap ]; then
	# shellcheck disable=SC2086 # the parameters are words
	insmod ./autoch.ko multipath=1 && insmod ./autoch_emul.ko $emul &&
		wait_for /dev/autoch0 && wait_for /sys/class/autoch/autoch0/paths
	rc=$?
	i=0
	while [ "$(npaths)" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$rc" = 0 ] && [ "$(npaths)" = 2 ] && [ ! -e /dev/autoch1 ]
	t $? "autoch (multipath=1) and the emulated library (1,000 slots): one node, two paths"
	devs=/dev/autoch0
else
	# shellcheck disable=SC2086
	insmod ./autoch.ko && insmod ./autoch_emul.ko $emul &&
		wait_for /dev/autoch0 && wait_for /dev/autoch1
	t $? "autoch and the emulated library (1,000 slots, 2 hosts) load"
	devs="/dev/autoch0 /dev/autoch1"
fi
tags >/tmp/before
awk '{ print $2 }' /tmp/before | sort >/tmp/tags.before
echo "# $(wc -l </tmp/before) cartridges, $mode soak of $secs s with 32 processes"

if [ "$mode" = flap ]; then
	./soak -f $ctl "$secs" 32 "$devs" >/tmp/soak.out 2>/tmp/soak.err
else
	# shellcheck disable=SC2086
	./soak "$secs" 32 $devs >/tmp/soak.out 2>/tmp/soak.err
fi
rc=$?
cat /tmp/soak.out
head -n 20 /tmp/soak.err | sed 's/^/# /'
if [ "$mode" = flap ]; then
	t $rc "32 processes, the active path flapping: every call answered as documented, every reserved move seen done, none sent twice, every held reservation held or reported lost"
else
	t $rc "32 processes: every call answered as documented, every reserved move seen done"
fi

tags >/tmp/after
awk '{ print $2 }' /tmp/after | sort >/tmp/tags.after
cmp -s /tmp/tags.before /tmp/tags.after
t $? "no cartridge lost or duplicated (the emulation's own state)"
dups=$(uniq -d /tmp/tags.after | wc -l)
[ "$dups" -eq 0 ]
t $? "no volume tag twice"

sleep 1.2	# past cache_ms: the driver reads the library again
./soak inventory /dev/autoch0 | sort >/tmp/driver
cmp -s /tmp/after /tmp/driver
t $? "the driver's inventory equals the library's"
if [ "$mode" = flap ]; then
	sys=/sys/class/autoch/autoch0
	fig() { cat "$sys/$1" 2>/dev/null || echo '?'; }
	echo "FIGURES failovers=$(fig failovers) failover_max_ms=$(fig failover_max_ms)" \
		"moves_cut_total=$(fig moves_cut_total) done=$(fig moves_cut_done)" \
		"resent=$(fig moves_cut_resent) unknown=$(fig moves_cut_unknown)" \
		"reservations_retaken=$(fig reservations_retaken)" \
		"reservations_lost=$(fig reservations_lost)"
	flaps=$(sed -n 's/^FLAP flaps=\([0-9]*\) .*/\1/p' /tmp/soak.out)
	[ "${flaps:-0}" -gt 0 ] && [ "$(fig failovers)" -ge "$flaps" ]
	t $? "every flap a failover (flaps ${flaps:-none}, failovers $(fig failovers))"
	seen=$(sed -n 's/^FLAP .* unknown=\([0-9]*\) .*/\1/p' /tmp/soak.out)
	[ "${seen:-x}" = "$(fig moves_cut_unknown)" ]
	t $? "every move_unknown EIO the soak saw is one the driver counted (${seen:-?} and $(fig moves_cut_unknown))"
	tot=$(fig moves_cut_total)
	[ "$tot" -gt 0 ] &&
		[ "$tot" = $(($(fig moves_cut_done) + $(fig moves_cut_resent) + $(fig moves_cut_unknown))) ]
	t $? "moves cut off ($tot), each resolved as done, sent again or unknown"
	npaths=$(npaths)
	[ "$npaths" = 2 ]
	t $? "both paths still there ($npaths)"
else
	./soak inventory /dev/autoch1 | sort >/tmp/driver1
	cmp -s /tmp/after /tmp/driver1
	t $? "so does the other host's"
fi

rmmod autoch && rmmod autoch_emul
t $? "both modules unload"
! dmesg | grep -E 'blocked for more than|hung_task|INFO: task' >/dev/null
t $? "no hung task"
echo "1..$n"
exit $failed
