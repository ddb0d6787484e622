#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest: one full inventory through /dev/autoch0 and nothing
# else, so that the host can count the commands it cost on the wire.
cd "$(dirname "$0")" || exit 1
insmod ./autoch.ko || exit 1
i=0
while [ ! -e /dev/autoch0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "AUTOCH-INVENTORY-BEGIN"
./autoch-demo -l /dev/autoch0 || exit 1
echo "AUTOCH-INVENTORY-END"
