#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest: Linux's ch driver and autoch both want every type-08h
# device. Check the documented way of giving a changer to autoch while ch
# is loaded (unbind from ch, bind to autoch through sysfs), then that
# autoch answers through the new node, then the way back. Prints TAP.

cd "$(dirname "$0")" || exit 1
n=0
failed=0
t() {
	n=$((n + 1))
	desc=$1
	shift
	if "$@" >/tmp/bind.out 2>&1; then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		sed 's/^/# /' /tmp/bind.out
		failed=1
	fi
}

wait_for() {
	i=0
	# generous: a loaded machine runs the guest slowly
	while [ ! -e "$1" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$1" ]
}

sdev=$(basename "$(dirname "$(dirname "$(readlink -f /sys/class/scsi_generic/sg0)")")")
echo "TAP version 13"
echo "1..8"
echo "# changer $sdev"

load_ch() {
	modprobe ch && wait_for /dev/sch0
}
load_autoch_beside_ch() {
	insmod ./autoch.ko && sleep 0.2 && [ ! -e /dev/autoch0 ] &&
		[ -e "/sys/bus/scsi/drivers/ch/$sdev" ]
}
unbind_ch() {
	echo "$sdev" >/sys/bus/scsi/drivers/ch/unbind &&
		[ ! -e "/sys/bus/scsi/drivers/ch/$sdev" ]
}
bind_autoch() {
	echo "$sdev" >/sys/bus/scsi/drivers/autoch/bind && wait_for /dev/autoch0
}
unbind_autoch() {
	echo "$sdev" >/sys/bus/scsi/drivers/autoch/unbind && sleep 0.2 &&
		[ ! -e /dev/autoch0 ]
}
rebind_ch() {
	echo "$sdev" >/sys/bus/scsi/drivers/ch/bind &&
		[ -e "/sys/bus/scsi/drivers/ch/$sdev" ]
}

t "ch binds the changer when loaded first" load_ch
t "autoch loads beside ch and leaves the device to it" load_autoch_beside_ch
t "unbind the changer from ch" unbind_ch
t "bind it to autoch: /dev/autoch0 appears" bind_autoch
t "autoch answers after the bind" ./autoch-demo -l /dev/autoch0
t "unbind from autoch removes the node" unbind_autoch
t "ch takes the changer back" rebind_ch
t "autoch unloads" rmmod autoch
exit $failed
