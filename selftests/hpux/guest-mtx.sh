#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest: mtx's HP-UX port (mtx-hpux, built by build-mtx.sh),
# which sends every command with SIOC_IO, on /dev/autoch0, against
# Debian's mtx through sg on the same changer. TAP; exit 0 when every
# check passed.
#   status: the two print the same (but for the device's name);
#   load, unload, transfer by mtx-hpux: each seen at once by the
#   driver's element status (autoch-inventory) and by mtx through sg.
#
# Files beside it: autoch.ko, mtx-hpux, autoch-inventory.
cd "$(dirname "$0")" || exit 1
insmod ./autoch.ko || exit 1
i=0
while [ ! -e /dev/autoch0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
sg=${AUTOCH_CHANGERS%% *}
n=0 rc=0
ok() {
	n=$((n + 1))
	echo "ok $n $*"
}
notok() {
	n=$((n + 1))
	echo "not ok $n $*"
	rc=1
}
check() {
	what=$1
	shift
	if "$@"; then ok "$what"; else notok "$what"; fi
}
# both mtx outputs, the device's name taken out of the first line
statuses() {
	./mtx-hpux -f /dev/autoch0 status 2>&1 |
		sed 's#^\(  Storage Changer \)[^:]*:#\1DEV:#' >hpux.out
	mtx -f "$sg" status 2>&1 |
		sed 's#^\(  Storage Changer \)[^:]*:#\1DEV:#' >sg.out
	if cmp -s hpux.out sg.out; then
		ok "$1: mtx-hpux status on /dev/autoch0 = mtx status on $sg"
	else
		diff hpux.out sg.out | sed 's/^/# /'
		notok "$1: mtx-hpux status on /dev/autoch0 = mtx status on $sg"
	fi
}
# FULL or EMPTY: storage slot N or drive N (mtx's numbering) as the
# driver reports it (element status, AUTOCH_ELEMENT_STATUS_RANGE)
driver_says() {
	./autoch-inventory /dev/autoch0 2>/dev/null | awk -v t="$1" -v n="$2" '
		t == "slot" && $1 == "storage" && $3 == n { print $4 }
		t == "drive" && $1 == "data" && $4 == n + 1 { print $5 }'
}
sg_says() {
	case $1 in
	slot) grep -q "Storage Element $2:Full" sg.out ;;
	drive) grep -q "Data Transfer Element $2:Full" sg.out ;;
	esac && echo FULL || echo EMPTY
}
expect() {
	check "$3 $1 $2 $4 for the driver" [ "$(driver_says "$1" "$2")" = "$4" ]
	check "$3 $1 $2 $4 for mtx through sg" [ "$(sg_says "$1" "$2")" = "$4" ]
}
step() {
	what=$1
	shift
	if ./mtx-hpux -f /dev/autoch0 "$@" >step.out 2>&1; then
		ok "mtx-hpux $what"
	else
		sed 's/^/# /' step.out
		notok "mtx-hpux $what"
	fi
	statuses "after $what"
}

# The changer's power-on unit attention is for the first command of this
# initiator. SIOC_IO hands it to the caller (cdb_status CHECK CONDITION),
# and mtx's HP-UX backend returns sense_status, not cdb_status, so mtx
# would parse an empty reply: the driver's own commands take it first.
./autoch-inventory /dev/autoch0 >/dev/null 2>&1
statuses "before"
slot=$(awk '/Storage Element [0-9]+:Full/ { sub(/:.*/, "", $3); print $3; exit }' sg.out)
empty=$(awk '/Storage Element [0-9]+:Empty/ { sub(/:.*/, "", $3); print $3; exit }' sg.out)
if [ -z "$slot" ] || [ -z "$empty" ] || grep -q 'Data Transfer Element 0:Full' sg.out; then
	echo "Bail out! needs a full and an empty slot and an empty drive 0"
	exit 1
fi
step "load $slot 0" load "$slot" 0
expect drive 0 after-load FULL
expect slot "$slot" after-load EMPTY
step "unload $slot 0" unload "$slot" 0
expect drive 0 after-unload EMPTY
expect slot "$slot" after-unload FULL
step "transfer $slot $empty" transfer "$slot" "$empty"
expect slot "$empty" after-transfer FULL
expect slot "$slot" after-transfer EMPTY
step "transfer $empty $slot" transfer "$empty" "$slot"
expect slot "$slot" after-transfer-back FULL
echo "1..$n"
rmmod autoch
exit $rc
