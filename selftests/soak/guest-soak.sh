#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest: the soak on the emulated library (1,000 slots, two
# hosts, delays), then the invariant against the emulation's own state:
# the same volume tags before and after, none twice, and the driver's
# view equal to the library's. Prints TAP. Usage: guest-soak.sh SECONDS
cd "$(dirname "$0")" || exit 1
secs=${1:-60}
state=/sys/kernel/debug/autoch_emul/state
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

echo "TAP version 13"
insmod ./autoch.ko && insmod ./autoch_emul.ko profile=library slots=1000 hosts=2 \
	latency_ms=1 move_ms=20 init_ms=50 &&
	wait_for /dev/autoch0 && wait_for /dev/autoch1
t $? "autoch and the emulated library (1,000 slots, 2 hosts) load"
tags >/tmp/before
awk '{ print $2 }' /tmp/before | sort >/tmp/tags.before
echo "# $(wc -l </tmp/before) cartridges, soak of $secs s with 32 processes"

./soak "$secs" 32 /dev/autoch0 /dev/autoch1 >/tmp/soak.out 2>/tmp/soak.err
rc=$?
cat /tmp/soak.out
head -n 20 /tmp/soak.err | sed 's/^/# /'
t $rc "32 processes: every call answered as documented, every reserved move seen done"

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
./soak inventory /dev/autoch1 | sort >/tmp/driver1
cmp -s /tmp/after /tmp/driver1
t $? "so does the other host's"

rmmod autoch && rmmod autoch_emul
t $? "both modules unload"
! dmesg | grep -E 'blocked for more than|hung_task|INFO: task' >/dev/null
t $? "no hung task"
echo "1..$n"
exit $failed
