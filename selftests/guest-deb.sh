#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest (selftests/deb-check.sh), booted on the kernel the
# packages were built for, against tgt's changer: the minimal Debian 12
# system where autoch-dkms and autoch-tools were installed, shared by the
# host over 9p (mount tag debroot). Its own systemd-udevd, with the
# package's rules, loads the module that DKMS built there (by the changer's
# modalias, through its modprobe.d) and names the node; its tools drive
# the changer, as root and as a user in group tape. Prints TAP; exits 0
# when everything passed, 1 otherwise.

r=/debroot
dev=/dev/autoch0
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
# A command of the Debian system, with its own environment; udevadm
# refuses to act in a chroot unless told that this one is the system.
inr() {
	chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		SYSTEMD_IGNORE_CHROOT=1 "$@"
}

wait_for() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$1" ]
}

echo "TAP version 13"
echo "1..6"

mkdir -p "$r"
if modprobe 9pnet_virtio && modprobe 9p &&
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 debroot "$r" &&
	mount -o rbind /dev "$r/dev" && mount -t proc proc "$r/proc" &&
	mount -t sysfs sysfs "$r/sys" && mount -t tmpfs tmpfs "$r/run" &&
	mount -t tmpfs tmpfs "$r/tmp" && [ -x "$r/bin/udevadm" ]; then
	ok "the Debian 12 system is mounted over 9p ($(sed -n 's/^PRETTY_NAME=//p' "$r/etc/os-release"))"
else
	not_ok "the Debian 12 system is mounted over 9p"
	echo "Bail out! no Debian system"
	exit 1
fi

if inr /lib/systemd/systemd-udevd --daemon >/tmp/udevd.log 2>&1; then
	ok "its systemd-udevd runs ($(inr udevadm --version))"
else
	not_ok "its systemd-udevd runs"
	sed 's/^/# /' /tmp/udevd.log
	echo "Bail out! no udevd"
	exit 1
fi

# The changer's add event, as at boot: udev loads the module by modalias.
lsmod | grep -q '^autoch ' && echo "# autoch already loaded"
inr udevadm trigger --action=add --subsystem-match=scsi >/dev/null 2>&1
inr udevadm settle --timeout=60
ko=$(inr modinfo -F filename autoch 2>/dev/null)
drv=$(readlink -f /sys/class/autoch/autoch0/device/driver 2>/dev/null)
if wait_for $dev && [ "${drv##*/}" = autoch ] &&
	[ "$ko" = "/lib/modules/$(uname -r)/updates/dkms/autoch.ko" ]; then
	ok "udev loaded the DKMS-built $ko for the changer: $dev, bound to autoch"
else
	not_ok "udev loaded the DKMS-built autoch.ko for the changer (module $ko, driver $drv)"
	lsmod | sed 's/^/# /'
	dmesg | tail -n 20 | sed 's/^/# /'
fi
if lsmod | grep -q '^ch '; then
	not_ok "ch is not loaded"
else
	ok "ch is not loaded"
fi

inr udevadm settle --timeout=60
tape=$(sed -n 's/^tape:[^:]*:\([0-9]*\):.*/\1/p' "$r/etc/group")
names() {
	[ -n "$tape" ] || { echo "# no group tape in /etc/group"; return 1; }
	[ "$(stat -c '%a %g' $dev)" = "660 $tape" ] ||
		{ echo "# $dev: mode and group $(stat -c '%a %g' $dev), tape is $tape"; return 1; }
	for want in /dev/rchgr/autoch0 '/dev/autoch/by-path/*' \
		'/dev/autoch/by-id/scsi-S*' '/dev/autoch/by-id/scsi-3*'; do
		found=
		for l in $want; do
			[ -L "$l" ] && [ "$(readlink -f "$l")" = $dev ] && found=$l
		done
		[ -n "$found" ] || { echo "# no link $want to $dev"; return 1; }
		echo "# $found -> $(readlink "$found")"
	done
}
if names; then
	ok "the package's udev rules: group tape, mode 0660, /dev/rchgr/autoch0, by-id, by-path"
else
	not_ok "the package's udev rules: group tape, mode 0660, /dev/rchgr/autoch0, by-id, by-path"
	inr udevadm info $dev 2>&1 | sed 's/^/# /'
fi

# The tools, as root and as a user whose only right is group tape; a
# user without it is refused.
tools() {
	inr autoch-inventory $dev >/tmp/inv.out 2>&1 || { sed 's/^/# /' /tmp/inv.out; return 1; }
	head -n 3 /tmp/inv.out | sed 's/^/# /'
	inr setpriv --reuid=65534 --regid=65534 --groups="$tape" \
		autoch-mc -p $dev -e IDSM >/tmp/mc.out 2>&1 || { sed 's/^/# /' /tmp/mc.out; return 1; }
	sed 's/^/# tape user: /' /tmp/mc.out
	if inr setpriv --reuid=65534 --regid=65534 --clear-groups \
		autoch-mc -p $dev -e IDSM >/tmp/mc2.out 2>&1; then
		echo "# a user without group tape could use $dev"
		return 1
	fi
}
if tools; then
	ok "autoch-inventory as root, autoch-mc as a user in group tape (and not without it)"
else
	not_ok "autoch-inventory as root, autoch-mc as a user in group tape (and not without it)"
fi

inr udevadm control --exit 2>/dev/null
exit $failed
