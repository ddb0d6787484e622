#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest, against tgt's changer: time a full inventory through
# autoch (the HP-UX per-element loop and the range ioctl), mtx through sg
# and Linux's ch (CHIOGSTATUS, the CHIOGELEM loop), with an INQUIRY
# marker around each operation so the host can count the commands each
# one cost in QEMU's trace. The autoch and mtx inventories run REPS times
# (at most 9: a marker is one byte), ch's once. Prints a "PHASE NAME K"
# line for the markers K and K+1 around each run, and RESULT lines.
# Usage: guest-bench-tgt.sh [REPS]
cd "$(dirname "$0")" || exit 1
sg=${AUTOCH_CHANGERS%% *}
b=./autoch-bench
# shellcheck source=SCRIPTDIR/guest-bench-lib.sh
. ./guest-bench-lib.sh
sdev=$(basename "$(dirname "$(dirname "$(readlink -f "/sys/class/scsi_generic/${sg##*/}")")")")

# The first command of the iSCSI login meets UNIT ATTENTION 29/00.
sg_turs "$sg" >/dev/null 2>&1
insmod ./autoch.ko || exit 1
wait_for /dev/autoch0 100 || exit 1
# load the element map, so that it is not counted in the first operation
cat /sys/class/autoch/autoch0/num_storages >/dev/null

reps=${1:-5}
k=1
phase() {	# NAME COMMAND...: between markers k and k+1
	name=$1
	shift
	$b mark "$sg" $k || exit 1
	echo "PHASE $name $k"
	"$@" || exit 1
	$b mark "$sg" $((k + 1)) || exit 1
	k=$((k + 2))
}
inventories phase "$sg"

to_ch "$sdev" 100
phase ch_gstatus $b ch-status /dev/sch0
phase ch_gelem $b ch-elem /dev/sch0
