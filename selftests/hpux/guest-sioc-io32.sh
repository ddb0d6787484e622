#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest: SIOC_IO from a 32-bit program (sioc_io32, built with
# i686-linux-gnu-gcc -static) on the 64-bit kernel. Files beside it:
# autoch.ko, sioc_io32, autoch-inventory. Exit status of sioc_io32 (0
# pass, 1 fail, 4 skip).
cd "$(dirname "$0")" || exit 1
insmod ./autoch.ko || exit 1
i=0
while [ ! -e /dev/autoch0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
./autoch-inventory /dev/autoch0 >/dev/null 2>&1	# takes the power-on notice
./sioc_io32 /dev/autoch0
rc=$?
rmmod autoch
exit $rc
