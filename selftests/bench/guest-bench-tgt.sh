#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest, against tgt's changer: time a full inventory through
# autoch (the HP-UX per-element loop and the range ioctl), mtx through sg
# and Linux's ch (CHIOGSTATUS, the CHIOGELEM loop), with an INQUIRY
# marker around each operation so the host can count the commands each
# one cost in QEMU's trace. Prints RESULT lines.
cd "$(dirname "$0")" || exit 1
sg=${AUTOCH_CHANGERS%% *}
b=./autoch-bench
wait_for() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}
sdev=$(basename "$(dirname "$(dirname "$(readlink -f /sys/class/scsi_generic/${sg##*/})")")")

# The first command of the iSCSI login meets UNIT ATTENTION 29/00.
sg_turs "$sg" >/dev/null 2>&1
insmod ./autoch.ko || exit 1
wait_for /dev/autoch0 || exit 1
# load the element map, so that it is not counted in the first operation
cat /sys/class/autoch/autoch0/num_storages >/dev/null
sleep 1.2

$b mark "$sg" 1 && $b loop /dev/autoch0 && $b mark "$sg" 2 || exit 1
sleep 1.2	# let the status cache (cache_ms) expire
$b mark "$sg" 3 && $b range /dev/autoch0 && $b mark "$sg" 4 || exit 1
$b mark "$sg" 5 && $b time mtx -f "$sg" status && $b mark "$sg" 6 || exit 1

echo "$sdev" >/sys/bus/scsi/drivers/autoch/unbind
modprobe ch || exit 1
wait_for /dev/sch0 || exit 1
$b mark "$sg" 7 && $b ch-status /dev/sch0 && $b mark "$sg" 8 || exit 1
$b mark "$sg" 9 && $b ch-elem /dev/sch0 && $b mark "$sg" 10 || exit 1
