#!/bin/bash
# End-to-end check of the test bed: tgt's changer, seen by a guest
# through QEMU's iSCSI initiator, answers mtx and sg_inq.
# Usage: smoke.sh [KDIR]    (default: Debian's 6.1 headers)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

kdir=${1:-$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort -V | tail -n 1)}
[ -n "$kdir" ] || die "no Debian 6.1 headers: run deps.sh"
tmp=$(mktemp -d)
cleanup() {
	[ ! -f "$tmp/tgt/env" ] || "$here/tgt-changer.sh" stop "$tmp/tgt"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir "$tmp/tgt"
"$here/tgt-changer.sh" start "$tmp/tgt"

cat >"$tmp/guest.sh" <<'GUEST'
set -e
echo "changers: $AUTOCH_CHANGERS"
# Debian's kernel has no /proc/scsi/scsi; lsscsi reads sysfs (by path:
# busybox sh would run its own lsscsi applet).
cat /proc/scsi/scsi 2>/dev/null || /usr/bin/lsscsi -g
sg=${AUTOCH_CHANGERS%% *}
# The first command of a new iSCSI login gets UNIT ATTENTION 29/00.
sg_turs -v "$sg" || sg_turs -v "$sg"
mtx -f "$sg" status | tee /tmp/status
sg_inq "$sg"
dmesg | grep -q 'Medium Changer *IET *VIRTUAL-CHANGER'
grep -q '2 Drives, 26 Slots ( 2 Import/Export )' /tmp/status
grep -q 'Storage Element 24:Empty' /tmp/status
grep -q 'Storage Element 1:Full :VolumeTag=ACT001' /tmp/status
grep -q 'Storage Element 25 IMPORT/EXPORT:Full :VolumeTag=ACT013' /tmp/status
echo "smoke: ok"
GUEST

time "$here/run-guest.sh" --kdir "$kdir" --tgt-state "$tmp/tgt" \
	--script "$tmp/guest.sh" --log "${AUTOCH_SMOKE_LOG:-$tmp/console.log}"
