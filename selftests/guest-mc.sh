#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest: mc(1M), the HP-UX example, autoch-inventory and the
# udev rules against tgt's changer in its initial state (selftests/testbed:
# transport 1; import/export 16-17, 16 holding ACT013; drives 256-257,
# empty; storage 1024-1047, 1024-1035 holding ACT001-ACT012). Prints TAP;
# exits 0 when everything passed or skipped, 1 otherwise.
#
# Expects in its directory (/autoch): autoch.ko, mc, hpux-example,
# autoch-inventory, 60-autoch.rules, 61-autoch-drives.rules,
# autoch-drive-names. Optional, else those tests skip:
#   - udevadm and /usr/lib/udev/scsi_id (run-guest.sh's AUTOCH_GUEST_BINS),
#     for the udev rules, checked with `udevadm test` (no udevd runs);
#   - tgt's tape LU 1 (the drive at element 256) as a second LUN of the
#     guest (AUTOCH_QEMU_ARGS), for the drive's devices: the driver's
#     match (mc -n and -a, autoch-inventory, the drives' udev names).
# Media are moved and put back: the changer ends as it started.

cd "$(dirname "$0")" || exit 1
dir=$(pwd)
dev=/dev/autoch0
tmp=/tmp/guest-mc
mkdir -p "$tmp"
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }

# Run a command; its output (stdout and stderr) is in $tmp/got, its exit
# status in $rc.
run() {
	"$@" >"$tmp/got" 2>&1
	rc=$?
}

# expect DESC RC -- CMD...: CMD exits with RC and prints exactly what is
# on stdin.
expect() {
	desc=$1
	want_rc=$2
	shift 3
	cat >"$tmp/want"
	run "$@"
	if [ "$rc" = "$want_rc" ] && cmp -s "$tmp/want" "$tmp/got"; then
		ok "$desc"
	else
		not_ok "$desc"
		echo "# \$ $* (exit $rc, expected $want_rc)"
		diff -u "$tmp/want" "$tmp/got" | sed 's/^/# /'
	fi
}

wait_for() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$1" ]
}

echo "TAP version 13"
echo "1..36"

if insmod ./autoch.ko && wait_for $dev; then
	ok "insmod autoch.ko: $dev appears"
else
	not_ok "insmod autoch.ko: $dev appears"
	echo "Bail out! no $dev"
	exit 1
fi

expect "mc -r DSIM: the initial inventory" 0 -- ./mc -p $dev -r DSIM <<'EOF'
DT_slot_1 EMPTY
DT_slot_2 EMPTY
ST_slot_1 FULL
ST_slot_2 FULL
ST_slot_3 FULL
ST_slot_4 FULL
ST_slot_5 FULL
ST_slot_6 FULL
ST_slot_7 FULL
ST_slot_8 FULL
ST_slot_9 FULL
ST_slot_10 FULL
ST_slot_11 FULL
ST_slot_12 FULL
ST_slot_13 EMPTY
ST_slot_14 EMPTY
ST_slot_15 EMPTY
ST_slot_16 EMPTY
ST_slot_17 EMPTY
ST_slot_18 EMPTY
ST_slot_19 EMPTY
ST_slot_20 EMPTY
ST_slot_21 EMPTY
ST_slot_22 EMPTY
ST_slot_23 EMPTY
ST_slot_24 EMPTY
IE_slot_1 FULL
IE_slot_2 EMPTY
MT_slot_1 EMPTY
EOF
# What the changer must show again each time media were put back.
sed -n '/^\(DT\|ST\)_/p' "$tmp/got" >"$tmp/initial.DS"
expect_initial() {
	desc=$1
	shift
	expect "$desc" 0 -- "$@" <"$tmp/initial.DS"
}

expect "mc -e IDSM: element counts in the order asked" 0 -- ./mc -p $dev -e IDSM <<'EOF'
IE: 2
DT: 2
ST: 24
MT: 1
EOF

expect "mc -q: vendor, product, revision from SIOC_INQUIRY" 0 -- ./mc -p $dev -q <<'EOF'
Vendor ID: IET
Product ID: VIRTUAL-CHANGER
Product Revision: 0001
EOF

# tgt's page 1Fh allows every move
expect "mc -c DS: DT->ST: TRUE (page 1Fh)" 0 -- ./mc -p $dev -c DS <<'EOF'
DT->ST: TRUE
EOF

expect "mc -s S1 -d D1, then -r D: the drive is full" 0 -- \
	sh -c "./mc -p $dev -s S1 -d D1 && ./mc -p $dev -r D" <<'EOF'
DT_slot_1 FULL
DT_slot_2 EMPTY
EOF

expect_initial "mc -s D1 -d S1: the move back" \
	sh -c "./mc -p $dev -s D1 -d S1 && ./mc -p $dev -r DS"

expect "destination full: the HP-UX ERROR line, exit -1" 255 -- \
	./mc -p $dev -s S2 -d S1 <<'EOF'
ERROR: 0x5 Illegal Request: 0x3b0d Medium Destination element full
EOF

expect "source empty: ERROR 0x3b0e, exit -1" 255 -- \
	./mc -p $dev -s S13 -d S14 <<'EOF'
ERROR: 0x5 Illegal Request: 0x3b0e Medium Source element empty
EOF

expect "a slot the changer lacks: ERROR: Invalid argument, nothing sent" 255 -- \
	./mc -p $dev -s S25 -d S13 <<'EOF'
ERROR: Invalid argument
EOF

expect_initial "the failed moves changed nothing" ./mc -p $dev -r DS

expect "LIBRARY=$dev mc -r D: the device without -p" 0 -- \
	env LIBRARY=$dev ./mc -r D <<'EOF'
DT_slot_1 EMPTY
DT_slot_2 EMPTY
EOF

expect "neither -p nor LIBRARY: ERROR: No such file or directory" 255 -- \
	env -u LIBRARY ./mc -r D <<'EOF'
ERROR: No such file or directory
EOF

expect "two moves in one call: -s S1 -d D1 -s S2 -d D2" 0 -- \
	sh -c "./mc -p $dev -s S1 -d D1 -s S2 -d D2 -r D" <<'EOF'
DT_slot_1 FULL
DT_slot_2 FULL
EOF

expect_initial "two moves back in one call: -s D1 -d S1 -s D2 -d S2" \
	sh -c "./mc -p $dev -s D1 -d S1 -s D2 -d S2 && ./mc -p $dev -r DS"

# The first move is made, the second fails, the run stops there.
expect "a call whose second move fails: the first stays done" 255 -- \
	sh -c "./mc -p $dev -s S3 -d D1 -s S4 -d D1 -r D" <<'EOF'
ERROR: 0x5 Illegal Request: 0x3b0d Medium Destination element full
EOF
expect_initial "the medium of that first move is put back" \
	sh -c "./mc -p $dev -s D1 -d S3 && ./mc -p $dev -r DS"

# tgt has no RESERVE; the driver then holds the unit reservation for the
# open file itself, and mc reports success.
run sh -c "./mc -p $dev -b 1 -r M && ./mc -p $dev -b 0"
if [ "$rc" = 0 ]; then
	ok "mc -b 1, mc -b 0: reserve and release the unit"
else
	not_ok "mc -b 1, mc -b 0: reserve and release the unit (exit $rc)"
	sed 's/^/# /' "$tmp/got"
fi

# tgt rejects PREVENT ALLOW MEDIUM REMOVAL
expect "mc -l 1 on tgt: its ILLEGAL REQUEST 20/00, exit -1" 255 -- \
	./mc -p $dev -l 1 <<'EOF'
ERROR: 0x5 Illegal Request: 0x2000 Invalid command operation code
EOF

# tgt has neither OPEN/CLOSE IMPORT/EXPORT ELEMENT nor POSITION TO
# ELEMENT: each is sent (the ERROR line is the changer's) and refused
expect "mc -o 1 on tgt: the mail slot, its 20/00, exit -1" 255 -- \
	./mc -p $dev -o 1 <<'EOF'
ERROR: 0x5 Illegal Request: 0x2000 Invalid command operation code
EOF
expect "mc -k 1 on tgt: its 20/00, exit -1" 255 -- ./mc -p $dev -k 1 <<'EOF'
ERROR: 0x5 Illegal Request: 0x2000 Invalid command operation code
EOF
expect "mc -t S2 on tgt: POSITION TO ELEMENT, its 20/00, exit -1" 255 -- \
	./mc -p $dev -t S2 <<'EOF'
ERROR: 0x5 Illegal Request: 0x2000 Invalid command operation code
EOF
expect "mc -o 3: a mail slot tgt lacks, nothing sent" 255 -- \
	./mc -p $dev -o 3 <<'EOF'
ERROR: Invalid argument
EOF

# tgt's tape LU 1, the drive at 256, when the guest has it (its sysfs
# directory, address and sg node): mc -a and -n add its devices
tape=
for d in /sys/bus/scsi/devices/*:*:*:*; do
	[ "$(cat "$d/type" 2>/dev/null)" = 1 ] && tape=$d
done
devline=
if [ -n "$tape" ]; then
	for g in "$tape"/scsi_generic/sg*; do sg=${g##*/}; done
	devline="DT_slot_1: ${tape##*/} /dev/$sg"
fi

# tgt reports no SCSI ID for its drives (byte 6 of the descriptor is 0)
# (expect reads what it wants from a file: in a pipe it would count in a
# subshell)
{ [ -z "$devline" ] || echo "$devline"
	echo "ERROR: DT_slot_1: the changer reports no SCSI bus address"; } >"$tmp/want-a"
expect "mc -a 1: no bus address from tgt, exit -1${tape:+, with the devices of the drive}" 255 -- \
	./mc -p $dev -a 1 <"$tmp/want-a"

# tgt's DVCID is a T10 vendor ID: vendor, product, then the serial of the
# tape LU, beaf<tid><lun>
{ echo beaf11; [ -z "$devline" ] || echo "$devline"; } >"$tmp/want-n"
expect "mc -n 1: the serial number of drive 1 (DVCID)${tape:+, its devices}" 0 -- \
	./mc -p $dev -n 1 <"$tmp/want-n"

expect "hpux-example (built with -I include/hpux alone): drive status" 0 -- \
	./hpux-example $dev <<'EOF'
2 drive(s), elements 256-257
drive 1: element 256 EMPTY bus address unknown
drive 2: element 257 EMPTY bus address unknown
EOF

# udev: no udevd here; `udevadm test` applies the rules to the real sysfs
# device and makes the links. The guest is not usrmerged: udev looks for
# scsi_id in /lib/udev.
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
	for want in /dev/rchgr/autoch0 '/dev/autoch/by-path/pci-*-scsi-0:0:0:0' \
		'/dev/autoch/by-id/scsi-SIET_VIRTUAL-CHANGER_*' \
		'/dev/autoch/by-id/scsi-3*'; do
		found=
		for l in $links; do
			# shellcheck disable=SC2254  # $want is a pattern
			case $l in $want) found=$l ;; esac
		done
		[ -n "$found" ] || { echo "# no link $want"; return 1; }
		[ "$(readlink -f "$found")" = $dev ] ||
			{ echo "# $found does not lead to $dev"; return 1; }
	done
	[ "$(stat -c '%a %g' $dev)" = "660 26" ] ||
		{ echo "# $dev: mode and group $(stat -c '%a %g' $dev)"; return 1; }
}
if ! command -v udevadm >/dev/null 2>&1 || [ ! -x /usr/lib/udev/scsi_id ]; then
	skip "udev rules: /dev/rchgr/autoch0, by-id, by-path, group tape" \
		"no udevadm and scsi_id in the guest (AUTOCH_GUEST_BINS)"
	skip "udev rules on a change event" "no udevadm in the guest"
	skip "udev rules on a change event with an empty database" "no udevadm in the guest"
	skip "hpux-example on /dev/rchgr/autoch0" "no udev links"
elif udev_links; then
	ok "udev rules: /dev/rchgr/autoch0, by-id, by-path, group tape"
	# autoch's event uevents are "change": the same links, from the
	# database, without a command to the changer
	before=$links
	if udevadm test --action=change /sys/class/autoch/autoch0 \
		>"$tmp/udev.log" 2>&1 &&
		links=$(sed -n 's/^DEVLINKS=//p' "$tmp/udev.log") &&
		[ "$(echo "$links" | tr ' ' '\n' | sort)" = \
			"$(echo "$before" | tr ' ' '\n' | sort)" ] &&
		! grep -q "Starting 'scsi_id" "$tmp/udev.log"; then
		ok "udev rules on a change event: the same links, no scsi_id"
	else
		not_ok "udev rules on a change event: the same links, no scsi_id"
		echo "# DEVLINKS=$links"
		grep -E 'LINK|scsi_id|rror' "$tmp/udev.log" | sed 's/^/# /'
	fi
	# rules installed after the changer appeared: udev's database has
	# no identifiers, and `udevadm trigger` sends "change"
	rm -f /run/udev/data/c*
	if udevadm test --action=change /sys/class/autoch/autoch0 \
		>"$tmp/udev.log" 2>&1 &&
		links=$(sed -n 's/^DEVLINKS=//p' "$tmp/udev.log") &&
		[ "$(echo "$links" | tr ' ' '\n' | sort)" = \
			"$(echo "$before" | tr ' ' '\n' | sort)" ] &&
		grep -q "Starting 'scsi_id" "$tmp/udev.log"; then
		ok "udev rules on a change event with an empty database: the same links"
	else
		not_ok "udev rules on a change event with an empty database: the same links"
		echo "# DEVLINKS=$links"
		grep -E 'LINK|scsi_id|rror' "$tmp/udev.log" | sed 's/^/# /'
	fi
	expect "hpux-example on /dev/rchgr/autoch0, its default device" 0 -- \
		./hpux-example <<'EOF'
2 drive(s), elements 256-257
drive 1: element 256 EMPTY bus address unknown
drive 2: element 257 EMPTY bus address unknown
EOF
else
	not_ok "udev rules: /dev/rchgr/autoch0, by-id, by-path, group tape"
	grep -E 'LINK|DEVLINKS|rules|scsi_id|rror' "$tmp/udev.log" | sed 's/^/# /'
	skip "udev rules on a change event" "no links to begin with"
	skip "udev rules on a change event with an empty database" "no links to begin with"
	skip "hpux-example on /dev/rchgr/autoch0" "no udev links"
fi

# autoch-inventory: JSON with barcodes; with tgt's tape LU 1 in the guest,
# the drive at 256 is matched to its /dev/nstN by serial number.
run ./autoch-inventory -j $dev
if [ "$rc" = 0 ] &&
	grep -q '"type": "import_export", "address": 16, "slot": 1, "full": true, "barcode": "ACT013"' "$tmp/got" &&
	grep -q '"address": 1035, "slot": 12, "full": true, "barcode": "ACT012"' "$tmp/got"; then
	ok "autoch-inventory -j: elements with barcodes"
else
	not_ok "autoch-inventory -j: elements with barcodes (exit $rc)"
	sed 's/^/# /' "$tmp/got"
fi
if [ -z "$tape" ]; then
	skip "autoch-inventory: drive 256 is its /dev/nstN" \
		"no tape LU in the guest (AUTOCH_QEMU_ARGS)"
	skip "udev: the drive's nst is /dev/autoch/autoch0/drive1 and by-id" \
		"no tape LU in the guest (AUTOCH_QEMU_ARGS)"
	skip "udev: the drive's sg is /dev/autoch/autoch0/drive1-sg" \
		"no tape LU in the guest (AUTOCH_QEMU_ARGS)"
elif ! modprobe st || ! wait_for /sys/class/scsi_tape/nst0; then
	not_ok "autoch-inventory: drive 256 is its /dev/nstN (st does not attach)"
	skip "udev: the drive's nst is /dev/autoch/autoch0/drive1 and by-id" "st does not attach"
	skip "udev: the drive's sg is /dev/autoch/autoch0/drive1-sg" "st does not attach"
else
	nst=
	for t in "$tape"/scsi_tape/nst*; do
		case ${t##*/} in nst*[!0-9]*) ;; *) nst=${t##*/} ;; esac
	done
	run ./autoch-inventory -j $dev
	if grep -q "\"address\": 256, .*\"serial\": \"beaf11\", \"tape\": \"/dev/$nst\", \"sg\": \"/dev/$sg\", \"scsi_address\": \"${tape##*/}\"" "$tmp/got"; then
		ok "autoch-inventory: drive 256 is /dev/$nst and /dev/$sg (serial beaf11)"
	elif grep -q '"address": 256, .*"serial": null' "$tmp/got" &&
		./mc -p $dev -n 1 2>&1 | grep -qx 'ERROR: Inappropriate ioctl for device'; then
		skip "autoch-inventory: drive 256 is its /dev/nstN" \
			"the driver has no AUTOCH_DRIVE_ID"
	else
		not_ok "autoch-inventory: drive 256 is /dev/$nst"
		grep '"data_transfer"' "$tmp/got" | sed 's/^/# /'
	fi
	# the drives' udev names (61-autoch-drives.rules), as udev gives
	# them on the node's add event: the changer's link drive1 is there
	if ! command -v udevadm >/dev/null 2>&1; then
		skip "udev: the drive's nst is /dev/autoch/autoch0/drive1 and by-id" \
			"no udevadm in the guest (AUTOCH_GUEST_BINS)"
		skip "udev: the drive's sg is /dev/autoch/autoch0/drive1-sg" \
			"no udevadm in the guest (AUTOCH_GUEST_BINS)"
	else
		mkdir -p /etc/udev/rules.d /lib/udev
		cp "$dir/61-autoch-drives.rules" /etc/udev/rules.d/
		cp "$dir/autoch-drive-names" /lib/udev/
		cserial=$(printf '%s' "$(cat /sys/class/autoch/autoch0/serial)" |
			tr -c 'A-Za-z0-9._-' '_')
		# drive_links NODE LINK...: udev gives NODE each LINK
		drive_links() {
			node=$1
			shift
			udevadm test --action=add "$(readlink -f /sys/dev/char/"$(cat "$tape"/*/"$node"/dev)")" \
				>"$tmp/udev-$node.log" 2>&1 || return 1
			links=$(sed -n 's/^DEVLINKS=//p' "$tmp/udev-$node.log")
			echo "# $node: DEVLINKS=$links"
			for want in "$@"; do
				case " $links " in *" $want "*) ;; *)
					echo "# no link $want"
					return 1 ;;
				esac
				[ "$(readlink -f "$want")" = "/dev/$node" ] ||
					{ echo "# $want does not lead to /dev/$node"; return 1; }
			done
		}
		if drive_links "$nst" /dev/autoch/autoch0/drive1 \
			"/dev/autoch/by-id/$cserial/drive1"; then
			ok "udev: the drive's $nst is /dev/autoch/autoch0/drive1 and by-id/$cserial/drive1"
		else
			not_ok "udev: the drive's nst is /dev/autoch/autoch0/drive1 and by-id"
			grep -E 'autoch-drive-names|LINK|rror' "$tmp/udev-$nst.log" | sed 's/^/# /'
		fi
		if drive_links "$sg" /dev/autoch/autoch0/drive1-sg; then
			ok "udev: the drive's $sg is /dev/autoch/autoch0/drive1-sg"
		else
			not_ok "udev: the drive's sg is /dev/autoch/autoch0/drive1-sg"
			grep -E 'autoch-drive-names|LINK|rror' "$tmp/udev-$sg.log" | sed 's/^/# /'
		fi
	fi
fi

expect_initial "the changer is back in its initial state" ./mc -p $dev -r DS

if rmmod autoch; then
	ok "rmmod autoch"
else
	not_ok "rmmod autoch"
fi
exit $failed
