#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the debug kernel's guest (make check-debug): every kind of call runs
# in a loop while the host cuts the changer off for a while (when the
# marker line AUTOCH-CUT-CHANGER-NOW appears on the console it drops the
# iSCSI connection and refuses logins). With short command timeouts every
# call must come back with a documented errno, the driver must have seen
# the connection go (a call failed after the marker, or a reset event
# reached a poller: a cut that cut nothing fails), the changer must answer
# again afterwards (past the reset the new login brings) and the module
# must unload. Prints TAP.
#
# Environment (from the kernel command line): AUTOCH_LOSS_SECONDS (60).

cd "$(dirname "$0")" || exit 1
dev=/dev/autoch0

echo "TAP version 13"
echo "1..2"
if ! insmod ./autoch.ko cmd_timeout=5 move_timeout=10 init_timeout=10 \
	event_poll_ms=500; then
	echo "Bail out! insmod autoch.ko failed"
	exit 1
fi
i=0
while [ ! -c "$dev" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done

# the marker comes on stderr, straight to the console: not held in a pipe
{ ./unplug -d "$dev" -s "${AUTOCH_LOSS_SECONDS:-60}" 2>/dev/console; echo $? >/tmp/rc; } |
	sed 's/^/# /'
if [ "$(cat /tmp/rc)" -eq 0 ]; then
	echo "ok 1 calls come back after the changer is cut off, the loss seen; it answers again"
	rc=0
else
	echo "not ok 1 calls come back after the changer is cut off, the loss seen; it answers again"
	rc=1
fi
if rmmod autoch; then
	echo "ok 2 rmmod autoch after the loss"
else
	echo "not ok 2 rmmod autoch after the loss"
	rc=1
fi
exit $rc
