#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest (selftests/deb-check.sh): the module that DKMS built
# from the autoch-dkms package and the package's udev rules, against tgt's
# changer. Prints TAP; exits 0 when everything passed, 1 otherwise.
#
# Expects in its directory (/autoch): autoch.ko (from
# /lib/modules/RELEASE/updates/dkms) and 60-autoch.rules (from
# /lib/udev/rules.d), and udevadm and /usr/lib/udev/scsi_id in the guest
# (run-guest.sh's AUTOCH_GUEST_BINS); no udevd runs: `udevadm test`
# applies the rules to the real sysfs device and makes the nodes' links.

cd "$(dirname "$0")" || exit 1
dir=$(pwd)
dev=/dev/autoch0
tmp=/tmp/guest-deb
mkdir -p "$tmp"
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }

wait_for() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$1" ]
}

echo "TAP version 13"
echo "1..3"

if insmod ./autoch.ko && wait_for $dev; then
	ok "insmod of the DKMS-built autoch.ko: $dev appears"
else
	not_ok "insmod of the DKMS-built autoch.ko: $dev appears"
	echo "Bail out! no $dev"
	exit 1
fi

drv=$(readlink -f /sys/class/autoch/autoch0/device/driver)
if [ "${drv##*/}" = autoch ] && dmesg | grep -q 'Attached autochanger autoch0'; then
	ok "the changer is bound to autoch ($drv), dmesg says so"
else
	not_ok "the changer is bound to autoch (driver: $drv)"
	dmesg | tail -n 20 | sed 's/^/# /'
fi

udev_links() {
	mkdir -p /etc/udev/rules.d /lib/udev &&
		ln -sf /usr/lib/udev/scsi_id /lib/udev/scsi_id &&
		cp "$dir/60-autoch.rules" /etc/udev/rules.d/ &&
		{ grep -q '^tape:' /etc/group 2>/dev/null ||
			echo 'tape:x:26:' >>/etc/group; } &&
		udevadm test --action=add /sys/class/autoch/autoch0 \
			>"$tmp/udev.log" 2>&1 || return 1
	links=$(sed -n 's/^DEVLINKS=//p' "$tmp/udev.log")
	echo "# DEVLINKS=$links"
	for want in /dev/rchgr/autoch0 '/dev/autoch/by-path/*' \
		'/dev/autoch/by-id/scsi-S*' '/dev/autoch/by-id/scsi-3*'; do
		found=
		for l in $links; do
			# shellcheck disable=SC2254  # $want is a pattern
			case $l in $want) found=$l ;; esac
		done
		[ -n "$found" ] || { echo "# no link $want"; return 1; }
		[ "$(readlink -f "$found")" = $dev ] ||
			{ echo "# $found does not lead to $dev"; return 1; }
	done
	gid=$(sed -n 's/^tape:[^:]*:\([0-9]*\):.*/\1/p' /etc/group)
	[ "$(stat -c '%a %g' $dev)" = "660 $gid" ] ||
		{ echo "# $dev: mode and group $(stat -c '%a %g' $dev), tape is $gid"; return 1; }
}
if ! command -v udevadm >/dev/null 2>&1 || [ ! -x /usr/lib/udev/scsi_id ]; then
	not_ok "the package's udev rules: no udevadm and scsi_id in the guest"
elif udev_links; then
	ok "the package's udev rules: group tape, mode 0660, /dev/rchgr/autoch0, by-id, by-path"
else
	not_ok "the package's udev rules: group tape, mode 0660, /dev/rchgr/autoch0, by-id, by-path"
	grep -E 'LINK|GROUP|MODE|rror' "$tmp/udev.log" | sed 's/^/# /'
fi

exit $failed
