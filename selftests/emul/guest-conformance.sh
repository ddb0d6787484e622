#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest: drive the emulated changer through /dev/sgN with
# independent clients (mtx, sg3-utils) and check that what it answers is
# what SMC-3/SPC-4 (or, for the tgt profile, tgt) says; then its timing,
# events, faults and malformed replies. Run by guest-emul.sh, with
# autoch_emul.ko loaded and nothing else bound to the changer.
#
# Environment: AUTOCH_CHANGERS (the sg node of each host, host order),
# AUTOCH_EMUL_PROFILE (superloader, library or tgt). Prints TAP; exits 0
# when every check passed.

set -u
prof=${AUTOCH_EMUL_PROFILE:-library}
D=/sys/kernel/debug/autoch_emul
P=/sys/module/autoch_emul/parameters
tmp=/tmp/conf.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

# ok, not_ok (failed=1), skip: testbed/guest-tap.sh, beside this script
# in the guest (run-guest.sh puts it there)
# shellcheck source=SCRIPTDIR/../testbed/guest-tap.sh
. "$(dirname "$0")/guest-tap.sh"
# check DESC CMD...: CMD's status decides; its output shows on failure.
check() {
	desc=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/# /' "$tmp/out" | tail -n 20
	fi
}
# says PATTERN CMD...: CMD fails and its output matches PATTERN (grep -i).
says() {
	pat=$1
	shift
	"$@" >"$tmp/says" 2>&1 && { cat "$tmp/says"; return 1; }
	grep -qi -- "$pat" "$tmp/says" || { cat "$tmp/says"; return 1; }
}
# Unsigned big-endian integer of N bytes at OFF in FILE.
be() {
	v=0
	for b in $(od -An -tu1 -v -j "$2" -N "$3" "$1"); do
		v=$((v * 256 + b))
	done
	echo $v
}
# ASCII bytes of FILE from OFF, N long.
text() {
	dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null
}
now_cs() {
	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}"
}
hex4() {
	printf '%02x %02x' $(($1 >> 8)) $(($1 & 255))
}

set -- $AUTOCH_CHANGERS
sg0=${1:-}
sg1=${2:-}
echo "TAP version 13"
echo "# profile $prof, changers: $AUTOCH_CHANGERS"
[ -c "$sg0" ] || {
	echo "Bail out! no changer"
	exit 1
}
[ -w $D/event ] || mount -t debugfs debugfs /sys/kernel/debug

# ---- unit attention after load: once per initiator, before anything ----
for sg in $AUTOCH_CHANGERS; do
	check "first command on $sg: UNIT ATTENTION 29/00" \
		says 'power on, reset' sg_turs -v "$sg"
	check "second command on $sg: no unit attention" sg_turs "$sg"
done

# ---- the element map (MODE SENSE 1Dh) ----
sg_raw -r 64 -o "$tmp/1d" "$sg0" 1a 08 1d 00 40 00 >/dev/null 2>&1
mt=$(be "$tmp/1d" 6 2)
nmt=$(be "$tmp/1d" 8 2)
st=$(be "$tmp/1d" 10 2)
nst=$(be "$tmp/1d" 12 2)
ie=$(be "$tmp/1d" 14 2)
nie=$(be "$tmp/1d" 16 2)
dt=$(be "$tmp/1d" 18 2)
ndt=$(be "$tmp/1d" 20 2)
echo "# map: transport $mt+$nmt storage $st+$nst i/e $ie+$nie drives $dt+$ndt"
layout() {
	case $prof in
	superloader) [ "$mt $nmt $st $nst $nie $dt $ndt" = "0 1 256 16 0 32 1" ] ;;
	tgt) [ "$mt $nmt $st $nst $ie $nie $dt $ndt" = "1 1 1024 24 16 2 256 2" ] ;;
	library) [ "$mt $st $ie $dt" = "1 4096 16 256" ] &&
		[ "$nmt $nst $nie $ndt" = "$(cat $P/transports) $(cat $P/slots) $(cat $P/ie) $(cat $P/drives)" ] ;;
	esac
}
check "page 1Dh: the profile's element map" layout
pages_3f() {
	sg_raw -r 255 -o "$tmp/3f" "$sg0" 5a 08 3f 00 00 00 00 00 ff 00 || return 1
	len=$(be "$tmp/3f" 0 2)
	[ "$(be "$tmp/3f" 8 1) $(be "$tmp/3f" 28 1) $(be "$tmp/3f" $((30 + 2 * nmt)) 1)" = "29 30 31" ] &&
		[ "$len" -eq $((6 + 20 + 2 + 2 * nmt + 20)) ]
}
check "MODE SENSE(10) page 3Fh: pages 1Dh, 1Eh, 1Fh, lengths right" pages_3f
rotate() {
	want=0
	[ "$prof" = library ] && want=1
	[ "$(be "$tmp/3f" 30 1)" = $want ]
}
check "page 1Eh: the first transport rotates on library only" rotate
exchange_caps() {
	caps=$(be "$tmp/3f" $((30 + 2 * nmt + 12)) 4)
	case $prof in
	superloader) [ "$caps" = 0 ] ;;
	library) [ "$caps" = $((0x0e0e0e0e)) ] ;;
	tgt) [ "$caps" = $((0x0f0f0f0f)) ] ;;
	esac
}
check "page 1Fh: exchange capabilities as the profile says" exchange_caps
check "MODE SENSE saved values: 39/00" \
	says 'saving parameters not supported' sg_raw -r 64 "$sg0" 1a 08 dd 00 40 00
check "MODE SENSE of an unknown page: 24/00" \
	says 'invalid field in cdb' sg_raw -r 64 "$sg0" 1a 08 0a 00 40 00

# ---- identity ----
inquiry() {
	sg_inq "$sg0" >"$tmp/inq" || return 1
	grep -q 'medium changer' "$tmp/inq" || return 1
	case $prof in
	superloader) grep -q 'QUANTUM' "$tmp/inq" && grep -q SuperLoader3 "$tmp/inq" ;;
	tgt) grep -q 'IET' "$tmp/inq" && grep -q VIRTUAL-CHANGER "$tmp/inq" ;;
	library) grep -q 'EMUL-LIBRARY' "$tmp/inq" ;;
	esac
}
check "INQUIRY: a medium changer, the profile's identity" inquiry
vpd() {
	s0=$(sg_inq -p 0x80 "$sg0" | sed -n 's/.*Unit serial number: //p')
	[ -n "$s0" ] || return 1
	sg_inq -p 0x83 "$sg0" >"$tmp/83.0" || return 1
	grep -q 'NAA 3' "$tmp/83.0" && grep -q "vendor specific: $s0" "$tmp/83.0" &&
		grep -q 'Relative target port: 0x1' "$tmp/83.0" || return 1
	[ -n "$sg1" ] || return 0
	# the same logical unit through another port
	[ "$(sg_inq -p 0x80 "$sg1" | sed -n 's/.*Unit serial number: //p')" = "$s0" ] || return 1
	sg_inq -p 0x83 "$sg1" >"$tmp/83.1" || return 1
	grep -q 'Relative target port: 0x2' "$tmp/83.1" &&
		[ "$(grep -A1 'NAA 3' "$tmp/83.0" | tail -n 1)" = "$(grep -A1 'NAA 3' "$tmp/83.1" | tail -n 1)" ]
}
check "VPD 80h/83h: one serial and NAA name, one relative port per host" vpd
opcodes() {
	sg_opcodes "$sg0" >"$tmp/ops" || return 1
	has() { grep -qE "^ $1 " "$tmp/ops"; }
	has a5 && has b8 && has 12 && has 00 && has a3 || return 1
	case $prof in
	library) has a6 && has 37 && has 5e && has 5f && has 16 && has 2b && has 1b ;;
	superloader) ! has a6 && ! has 37 && has 5e && has 5f && has 16 && has 2b && ! has 1b ;;
	tgt) ! has a6 && ! has 5e && ! has 16 && ! has 1e && ! has 2b && ! has 1b ;;
	esac
}
check "REPORT SUPPORTED OPERATION CODES: exactly the profile's commands" opcodes
one_opcode() {
	sg_opcodes -o 0xa5 "$sg0" | grep -qi 'supported' || return 1
	if [ "$prof" = library ]; then
		sg_opcodes -o 0xa6 "$sg0" | grep -qi 'supported'
	else
		sg_opcodes -o 0xa6 "$sg0" | grep -qi 'not supported'
	fi
}
check "REPORT SUPPORTED OPERATION CODES, one command" one_opcode
check "unknown opcode C0h: 20/00" \
	says 'invalid command operation code' sg_raw "$sg0" c0 00 00 00 00 00
check "REPORT LUNS: LUN 0 only" sh -c "sg_luns $sg0 | grep -q '    0000000000000000'"

# ---- READ ELEMENT STATUS ----
res() { # TYPE START COUNT ALLOC BYTE1FLAGS BYTE6 [DEV] -> $tmp/res
	sg_raw -r "$4" -o "$tmp/res" "${7:-$sg0}" b8 $(printf '%02x' $(($1 | $5))) \
		$(hex4 "$2") $(hex4 "$3") $(printf '%02x' "$6") \
		$(printf '%02x %02x %02x' $(($4 >> 16)) $((($4 >> 8) & 255)) $(($4 & 255))) 00 00
}
first_page_ok() { # TYPE: one page of TYPE, complete descriptors
	[ "$(be "$tmp/res" 8 1)" = "$1" ]
}
count_honoured() {
	res 2 "$st" 3 4096 16 0 || return 1
	first_page_ok 2 || return 1
	if [ "$prof" = tgt ]; then
		# tgt ignores the count: every storage element from the start
		[ "$(be "$tmp/res" 2 2)" = "$nst" ]
	else
		[ "$(be "$tmp/res" 2 2)" = 3 ] && [ "$(be "$tmp/res" 0 2)" = "$st" ]
	fi
}
check "READ ELEMENT STATUS: starting address and count" count_honoured
alloc_honoured() {
	res 2 "$st" 10 16 16 0 || return 1
	[ "$(wc -c <"$tmp/res")" -le 16 ] || return 1
	dlen=$(be "$tmp/res" 10 2)
	cnt=10
	extra=0
	# tgt: every element from the start; its own header counted too
	[ "$prof" = tgt ] && cnt=$nst && extra=8
	echo "# header $(be "$tmp/res" 5 3), page $(be "$tmp/res" 13 3), dlen $dlen"
	[ "$(be "$tmp/res" 5 3)" = $((8 + cnt * dlen + extra)) ] &&
		[ "$(be "$tmp/res" 13 3)" = $((cnt * dlen)) ]
}
check "READ ELEMENT STATUS: 16-byte allocation, full byte counts in the headers" alloc_honoured
voltags() {
	res 2 "$st" 1 4096 16 0 || return 1
	flags=$(be "$tmp/res" 9 1)
	dlen=$(be "$tmp/res" 10 2)
	tag=$(text "$tmp/res" 28 8)
	case $prof in
	library) [ "$flags" = 192 ] && [ "$dlen" = 88 ] && [ "$tag" = E00001L8 ] &&
		[ "$(text "$tmp/res" 64 8)" = ALT00001 ] ;;
	superloader) [ "$flags" = 128 ] && [ "$dlen" = 48 ] && [ "$tag" = S00001L6 ] ;;
	tgt) [ "$flags" = 128 ] && [ "$(text "$tmp/res" 28 6)" = ACT001 ] ;;
	esac
}
check "VOLTAG: primary tags, alternate tags where configured" voltags
access_bit() {
	res 2 "$st" 1 4096 0 0 || return 1
	a=$(($(be "$tmp/res" 18 1) & 8))
	if [ "$prof" = tgt ]; then [ $a = 0 ]; else [ $a = 8 ]; fi
}
check "Access bit (tgt: never set)" access_bit
dvcid() {
	case $prof in
	superloader)
		says 'invalid field in cdb' res 4 "$dt" 1 256 0 1
		return
		;;
	esac
	res 4 "$dt" 1 256 0 1 || return 1
	dlen=$(be "$tmp/res" 10 2)
	idlen=$(be "$tmp/res" 31 1)
	echo "# descriptor length $dlen, identifier length $idlen"
	if [ "$prof" = tgt ]; then
		[ "$idlen" = 34 ] && [ "$(text "$tmp/res" 32 20)" = "IET     VIRTUAL-TAPE" ]
	else
		[ "$dlen" = 32 ] && [ "$idlen" = 16 ] &&
			[ "$(text "$tmp/res" 32 16)" = EMULDRV000000001 ]
	fi
}
check "DVCID: drive identifiers (superloader: 24/00)" dvcid
all_types() {
	res 0 0 65535 1048576 0 0 || return 1
	[ "$prof" = tgt ] && return 0	# tgt: type 0 is corrupt
	# pages in address order, every element once
	[ "$(be "$tmp/res" 2 2)" = $((nmt + nst + nie + ndt)) ] || return 1
	[ "$(wc -c <"$tmp/res")" = $(($(be "$tmp/res" 5 3) + 8)) ] || return 1
	off=8
	types=
	while [ $off -lt $(($(be "$tmp/res" 5 3) + 8)) ] && [ ${#types} -lt 5 ]; do
		types="$types$(be "$tmp/res" $off 1)"
		off=$((off + 8 + $(be "$tmp/res" $((off + 5)) 3)))
	done
	case $prof in
	library) [ "$types" = 1342 ] ;;
	superloader) [ "$types" = 142 ] ;;
	esac
}
check "element type 0: every element, pages in address order" all_types
bad_start() {
	if [ "$prof" = tgt ]; then
		res 2 65000 10 4096 0 0 && [ "$(be "$tmp/res" 2 2)" = 0 ]
	else
		says 'invalid element address' res 2 65000 10 4096 0 0
	fi
}
check "no element at or above the start: 21/01 (tgt: empty reply)" bad_start
if [ "$prof" = tgt ]; then
	check "tgt: allocation length past the buffer: 24/00" \
		says 'invalid field in cdb' sg_raw -r 64 "$sg0" b8 02 04 00 00 01 00 00 10 00 00 00
fi

# ---- moves through mtx ----
sl_first=1
full_slot=1
empty_slot=$((nst / 2 + 1))
[ "$prof" = superloader ] && empty_slot=5
tag_of() { # ADDRESS -> barcode from the state file
	awk -v a="$1" '$1 == a { print $4 }' $D/state
}
snapshot() {
	awk '!/^#/ { print $1, $3, $4 }' $D/state >"$1"
}
snapshot "$tmp/state.start"
check "mtx status: element counts" sh -c "mtx -f $sg0 status | grep -q ': *$ndt Drives, $((nst + nie)) Slots ( $nie Import/Export )'"
load_unload() {
	t=$(tag_of "$st")
	mtx -f "$sg0" load $sl_first 0 || return 1
	[ "$(tag_of "$dt")" = "$t" ] || return 1
	awk -v a="$dt" -v s="$st" '$1 == a && $5 == s { f = 1 } END { exit !f }' $D/state || return 1
	mtx -f "$sg0" unload $sl_first 0 && [ "$(tag_of "$st")" = "$t" ]
}
check "mtx load/unload: the drive holds the cartridge, its source is the slot" load_unload
transfer() {
	mtx -f "$sg0" transfer $full_slot $empty_slot &&
		mtx -f "${sg1:-$sg0}" status | grep -q "Storage Element $empty_slot:Full" &&
		mtx -f "$sg0" transfer $empty_slot $full_slot
}
check "mtx transfer and back; the other host sees the move" transfer
exchange() {
	a=$(tag_of "$st")
	b=$(tag_of $((st + 1)))
	if [ "$prof" != library ]; then
		mtx -f "$sg0" exchange 1 2 && return 1
		[ "$(tag_of "$st")" = "$a" ]
		return
	fi
	mtx -f "$sg0" exchange 1 2 && [ "$(tag_of "$st")" = "$b" ] &&
		[ "$(tag_of $((st + 1)))" = "$a" ] && mtx -f "$sg0" exchange 1 2 &&
		[ "$(tag_of "$st")" = "$a" ]
}
check "mtx exchange: swaps on library, refused elsewhere" exchange
exchange_20() {
	says 'invalid command operation code' sg_raw "$sg0" a6 00 $(hex4 "$mt") \
		$(hex4 "$st") $(hex4 $((st + 1))) $(hex4 "$st") 00 00
}
[ "$prof" = library ] || check "EXCHANGE MEDIUM: 20/00" exchange_20
eepos() {
	[ "$nie" -gt 0 ] || return 0
	mtx -f "$sg0" eepos 1 transfer $((nst + 1)) $((nst + 1))
}
check "mtx eepos: tray operation on an import/export element" eepos
move() { # SRC DST [BYTE10] [TRANSPORT]
	sg_raw "$sg0" a5 00 $(hex4 "${4:-$mt}") $(hex4 "$1") $(hex4 "$2") 00 00 \
		"${3:-00}" 00
}
check "MOVE MEDIUM from an empty slot: 3B/0E" \
	says 'medium source element empty' move $((st + nst - 1)) $((st + nst - 2))
check "MOVE MEDIUM to a full slot: 3B/0D" \
	says 'medium destination element full' move "$st" $((st + 1))
bad_address() {
	if [ "$prof" = tgt ]; then
		says 'invalid field in cdb' move 65000 "$st"
	else
		says 'invalid element address' move 65000 "$st"
	fi
}
check "MOVE MEDIUM with no such element: 21/01 (tgt: 24/00)" bad_address
invert() {
	case $prof in
	library)
		move "$st" $((st + nst - 1)) 01 && move $((st + nst - 1)) "$st" 01 &&
			says 'invalid field in cdb' move "$st" $((st + nst - 1)) 01 $((mt + 1))
		;;
	superloader) says 'invalid field in cdb' move "$st" $((st + nst - 1)) 01 ;;
	tgt) move "$st" $((st + nst - 1)) 01 && move $((st + nst - 1)) "$st" 01 ;;
	esac
}
check "Invert: on a rotating transport only (tgt: accepted anyway)" invert
if [ "$prof" = tgt ]; then
	check "tgt: a cartridge without a tape image into a drive: 04/15/01" \
		says 'mechanical positioning error' move $((st + 4)) "$dt"
fi
position() {
	if [ "$prof" = tgt ]; then
		says 'invalid command operation code' sg_raw "$sg0" 2b 00 $(hex4 "$mt") $(hex4 "$st") 00 00 00 00
	else
		sg_raw "$sg0" 2b 00 $(hex4 "$mt") $(hex4 "$st") 00 00 00 00 &&
			says 'invalid element address' sg_raw "$sg0" 2b 00 $(hex4 "$mt") $(hex4 65000) 00 00 00 00
	fi
}
check "POSITION TO ELEMENT (tgt: 20/00)" position
# OPEN/CLOSE IMPORT/EXPORT ELEMENT (SMC-3 6.7): 1Bh, element address in
# bytes 2-3, action code in byte 4 (00h open, 01h close)
ie_cmd() { # ADDRESS ACTION
	sg_raw "$sg0" 1b 00 $(hex4 "$1") "$2" 00
}
ie_access() { # the Access bit of the first import/export element: 8 or 0
	res 3 "$ie" 1 4096 0 0 || return 1
	echo $(($(be "$tmp/res" 18 1) & 8))
}
open_close() {
	if [ "$prof" != library ]; then
		says 'invalid command operation code' ie_cmd "${ie:-0}" 00
		return
	fi
	[ "$(ie_access)" = 8 ] || return 1
	ie_cmd "$ie" 00 && ie_cmd "$ie" 00 || return 1
	[ "$(ie_access)" = 0 ] || return 1
	says 'magazine removed' move "$ie" $((st + nst - 1)) || return 1
	says 'invalid field in cdb' ie_cmd "$ie" 02 || return 1
	says 'invalid field in cdb' ie_cmd "$ie" 20 || return 1
	says 'invalid element address' ie_cmd "$st" 00 || return 1
	ie_cmd "$ie" 01 && ie_cmd "$ie" 01 || return 1
	[ "$(ie_access)" = 8 ] || return 1
	# PREVENT MEDIUM REMOVAL: opening is 53/02, closing is not
	sg_raw "$sg0" 1e 00 00 00 01 00 || return 1
	says 'medium removal prevented' ie_cmd "$ie" 00 || return 1
	ie_cmd "$ie" 01 || return 1
	sg_raw "$sg0" 1e 00 00 00 00 00
}
check "OPEN/CLOSE IMPORT/EXPORT ELEMENT (library; others 20/00)" open_close
init_status() {
	sg_raw "$sg0" 07 00 00 00 00 00 || return 1
	if [ "$prof" = library ]; then
		sg_raw "$sg0" 37 01 $(hex4 "$st") 00 00 00 0a 00 00 &&
			says 'invalid element address' sg_raw "$sg0" 37 01 $(hex4 65000) 00 00 00 0a 00 00
	else
		says 'invalid command operation code' sg_raw "$sg0" 37 00 00 00 00 00 00 00 00 00
	fi
}
check "INITIALIZE ELEMENT STATUS; WITH RANGE on library only" init_status

# ---- reservations ----
if [ "$prof" = tgt ]; then
	check "tgt: RESERVE(6) 20/00" says 'invalid command operation code' sg_raw "$sg0" 16 00 00 00 00 00
	check "tgt: PERSISTENT RESERVE IN 20/00" says 'command not supported' sg_persist --in -k "$sg0"
	check "tgt: PREVENT ALLOW MEDIUM REMOVAL 20/00" says 'invalid command operation code' sg_raw "$sg0" 1e 00 00 00 01 00
elif [ -n "$sg1" ]; then
	unit_res() {
		sg_raw "$sg0" 16 00 00 00 00 00 || return 1
		says 'reservation conflict' sg_turs "$sg1" || return 1
		sg_inq "$sg1" >/dev/null || return 1
		sg_raw "$sg0" 17 00 00 00 00 00 && sg_turs "$sg1"
	}
	check "RESERVE(6) unit: the other host conflicts until RELEASE(6)" unit_res
	# one element list descriptor: reserved, count 1, the first slot
	printf "$(printf '\\000\\000\\000\\001\\%03o\\%03o' $((st >> 8)) $((st & 255)))" >"$tmp/elist"
	elem_res() {
		if [ "$prof" = superloader ]; then
			says 'invalid field in cdb' sg_raw -s 6 -i "$tmp/elist" "$sg0" 16 01 05 00 06 00
			return
		fi
		sg_raw -s 6 -i "$tmp/elist" "$sg0" 16 01 05 00 06 00 || return 1
		grep -q "^# $st reserved by 0 id 5" $D/state || return 1
		says 'reservation conflict' sg_raw "$sg1" a5 00 $(hex4 "$mt") $(hex4 "$st") $(hex4 $((st + nst - 1))) 00 00 00 00 || return 1
		sg_raw "$sg0" 17 01 05 00 00 00 || return 1
		sg_raw "$sg1" a5 00 $(hex4 "$mt") $(hex4 "$st") $(hex4 $((st + nst - 1))) 00 00 00 00 &&
			sg_raw "$sg1" a5 00 $(hex4 "$mt") $(hex4 $((st + nst - 1))) $(hex4 "$st") 00 00 00 00
	}
	check "RESERVE(6) element (superloader: 24/00, unit only)" elem_res
	pr() {
		sg_persist -n --out --register --param-sark=0x1111 "$sg0" || return 1
		sg_persist -n --out --register --param-sark=0x2222 "$sg1" || return 1
		sg_persist -n --in -k "$sg1" >"$tmp/keys" || return 1
		grep -q 0x1111 "$tmp/keys" && grep -q 0x2222 "$tmp/keys" || return 1
		echo "# registered, nothing reserved: RESERVE and RELEASE conflict (SPC-2 5.5.1)"
		says 'reservation conflict' sg_raw "$sg0" 16 00 00 00 00 00 || return 1
		says 'reservation conflict' sg_raw "$sg1" 17 00 00 00 00 00 || return 1
		sg_persist -n --out --reserve --param-rk=0x1111 --prout-type=1 "$sg0" || return 1
		echo "# the holder's RESERVE(6)/RELEASE(6): GOOD, nothing changes (CRH, SPC-4 5.13.3)"
		sg_raw "$sg0" 16 00 00 00 00 00 || return 1
		grep -q 'unit reserved by -1, persistent reservation by 0 type 1, aptpl [01]$' $D/state || return 1
		sg_raw "$sg0" 17 00 00 00 00 00 || return 1
		grep -q 'persistent reservation by 0 type 1, aptpl [01]$' $D/state || return 1
		echo "# a registrant that does not hold it: SPC-2's conflict"
		says 'reservation conflict' sg_raw "$sg1" 17 00 00 00 00 00 || return 1
		sg_persist -n --in -r "$sg1" | grep -q 'Key=0x1111' || return 1
		sg_persist -n --in -r "$sg1" | grep -qi 'write exclusive' || return 1
		echo "# write exclusive: the other host reads but does not move"
		mtx -f "$sg1" status >/dev/null || return 1
		says 'reservation conflict' sg_raw "$sg1" a5 00 $(hex4 "$mt") $(hex4 "$st") $(hex4 $((st + nst - 1))) 00 00 00 00 || return 1
		says 'reservation conflict' sg_persist -n --out --reserve --param-rk=0x2222 --prout-type=1 "$sg1" || return 1
		echo "# a wrong key, preempting a key nobody registered"
		says 'reservation conflict' sg_persist -n --out --register --param-rk=0xdead --param-sark=0x3333 "$sg1" || return 1
		says 'reservation conflict' sg_persist -n --out --preempt --param-rk=0x2222 --param-sark=0x9999 --prout-type=3 "$sg1" || return 1
		echo "# preempt into exclusive access: the holder lost both, 2A/05 (SPC-4 5.13.11.2.4.3 e)"
		sg_persist -n --out --preempt --param-rk=0x2222 --param-sark=0x1111 --prout-type=3 "$sg1" || return 1
		says 'registrations preempted' sg_turs -v "$sg0" || return 1
		sg_turs "$sg1" || return 1
		says 'reservation conflict' sg_raw -r 64 "$sg0" b8 02 $(hex4 "$st") 00 01 00 00 00 40 00 00 || return 1
		sg_persist -n --in -r "$sg0" | grep -q 'Key=0x2222' || return 1
		sg_persist -n --in -k "$sg0" | grep -q 0x1111 && return 1
		echo "# preempt and abort, register and ignore, clear"
		sg_persist -n --out --register-ignore --param-sark=0x4444 "$sg0" || return 1
		sg_persist -n --out --preempt-abort --param-rk=0x4444 --param-sark=0x2222 --prout-type=1 "$sg0" || return 1
		says 'registrations preempted' sg_turs -v "$sg1" || return 1
		sg_persist -n --in -r "$sg1" | grep -q 'Key=0x4444' || return 1
		sg_persist -n --out --release --param-rk=0x4444 --prout-type=1 "$sg0" || return 1
		echo "# clear: the other registrants get 2A/03 (SPC-4 5.13.11.2.7 e)"
		sg_persist -n --out --register --param-sark=0x5555 "$sg1" || return 1
		sg_persist -n --out --clear --param-rk=0x4444 "$sg0" || return 1
		sg_persist -n --in -k "$sg0" | grep -qE '^ +0x' && return 1
		says 'reservations preempted' sg_turs -v "$sg1" || return 1
		sg_turs "$sg1"
	}
	check "PERSISTENT RESERVE: register, reserve, conflicts, preempt, clear" pr
	prevent() {
		sg_raw "$sg0" 1e 00 00 00 01 00 || return 1
		echo "door open" >$D/event 2>/dev/null && return 1
		if [ "$nie" -gt 0 ]; then
			says 'medium removal prevented' move $((st + nst / 2 - 1)) $((ie + nie - 1)) || return 1
		fi
		sg_raw "$sg0" 1e 00 00 00 00 00
	}
	check "PREVENT MEDIUM REMOVAL: 53/02 to import/export, the door stays shut" prevent
fi

# ---- operator events ----
events() {
	echo "door open" >$D/event || return 1
	says 'manual intervention required' move "$st" $((st + nst - 1)) || return 1
	echo "door close" >$D/event || return 1
	for sg in $AUTOCH_CHANGERS; do
		says 'medium may have changed' sg_turs -v "$sg" || return 1
	done
	if [ "$prof" = superloader ]; then
		echo "magazine1 out" >$D/event || return 1
		sg_turs "$sg0" >/dev/null 2>&1
		res 2 $((st + 8)) 1 256 16 0 "$sg1" || res 2 $((st + 8)) 1 256 16 0 "$sg1" || return 1
		[ $(($(be "$tmp/res" 18 1) & 9)) = 0 ] || return 1
		says 'magazine removed' move $((st + 8)) $((st + 4)) || return 1
		echo "magazine1 in" >$D/event || return 1
		sg_turs "$sg0" || sg_turs "$sg0"
	elif [ "$nie" -gt 1 ]; then
		# the operator at a mail slot: 28/01, not 28/00 (SPC-4 4.5.6)
		echo "import $((ie + 1)) NEWTAPE1" >$D/event || return 1
		for sg in $AUTOCH_CHANGERS; do
			says 'import or export element accessed' sg_turs -v "$sg" || return 1
		done
		mtx -f "$sg0" status | grep -q 'NEWTAPE1' || return 1
		echo "take $((ie + 1))" >$D/event || return 1
		says 'import or export element accessed' sg_turs -v "$sg0" || return 1
		sg_turs "$sg0"
	fi
}
check "events: door, magazine 28/00, mail slot 28/01, for every initiator" events
# wait_ready SG: until TEST UNIT READY passes, for a minute at most
wait_ready() {
	i=0
	while ! sg_turs "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 600 ] || return 1
		sleep 0.1
	done
}
reset_event() {
	# long enough for the three commands below on a loaded machine
	echo 5000 >$P/ready_ms
	echo reset >$D/event || return 1
	says 'power on, reset' sg_turs -v "$sg0" || return 1
	says 'becoming ready' sg_turs -v "$sg0" || return 1
	sg_inq "$sg0" >/dev/null || return 1
	# the sense carries the progress: sg_requests may show only that
	sg_requests "$sg0" >"$tmp/req" 2>&1
	grep -qiE 'becoming ready|progress indication' "$tmp/req" ||
		{ cat "$tmp/req"; return 1; }
	# and ready in the end
	wait_ready "$sg0"
}
check "reset: 29/00, then NOT READY 04/01 for ready_ms" reset_event
echo 0 >$P/ready_ms
# ready again whatever the check did, before the next one
wait_ready "$sg0"
[ -n "$sg1" ] && { sg_turs "$sg1" >/dev/null 2>&1; sg_turs "$sg1" >/dev/null 2>&1; }

# ---- timing: a long move does not hold up a status read ----
# moves MOVE MEDIUM (A5h) received so far, from the counters
moves() {
	awk '$1 == "a5" { print $2; f = 1 } END { if (!f) print 0 }' $D/counters
}
timing() {
	echo 6000 >$P/move_ms
	echo 0 >$D/counters || return 1
	t0=$(now_cs)
	mtx -f "$sg0" transfer $full_slot $empty_slot &
	bg=$!
	# the changer has the move (its counters say so), not a sleep
	i=0
	while [ "$(moves)" = 0 ]; do
		i=$((i + 1))
		[ $i -lt 600 ] || return 1
		sleep 0.1
	done
	res 2 "$st" 4 4096 16 0 "${sg1:-$sg0}" || return 1
	t1=$(now_cs)
	# the read came back while the move was still going on
	kill -0 $bg 2>/dev/null
	during=$?
	wait $bg || return 1
	t2=$(now_cs)
	echo 0 >$P/move_ms
	mtx -f "$sg0" transfer $empty_slot $full_slot || return 1
	echo "# status read after $((t1 - t0)) cs, move done after $((t2 - t0)) cs"
	[ $during = 0 ] && [ $((t2 - t0)) -ge 595 ]
}
check "move_ms: a 6 s move; READ ELEMENT STATUS meanwhile answers before it ends" timing
echo 0 >$P/move_ms
latency() {
	echo 300 >$P/latency_ms
	t0=$(now_cs)
	sg_turs "$sg0"
	r=$?
	t1=$(now_cs)
	echo 0 >$P/latency_ms
	[ $r = 0 ] && [ $((t1 - t0)) -ge 28 ]
}
check "latency_ms: every command takes that long" latency
echo 0 >$P/latency_ms

# ---- faults ----
fault() { echo "$*" >$D/fault; }
tur_count() { awk '$1 == "00" { print $3 }' $D/counters; }
f_sense() {
	fault opcode=00 count=1 fault=sense key=4 asc=15 ascq=01
	says 'mechanical positioning error' sg_turs -v "$sg0" && sg_turs "$sg0"
}
check "fault sense: HARDWARE ERROR 15/01 once" f_sense
f_busy() {
	echo 0 >$D/counters
	fault opcode=00 count=1 fault=busy
	sg_turs "$sg0" && [ "$(tur_count)" = 2 ]
}
check "fault busy: the midlayer retries, the command succeeds" f_busy
f_tsf() {
	echo 0 >$D/counters
	fault opcode=00 count=1 fault=tsf
	sg_turs "$sg0" && [ "$(tur_count)" = 2 ]
}
check "fault tsf: TASK SET FULL, retried" f_tsf
check "fault conflict: RESERVATION CONFLICT" sh -c \
	"echo 'opcode=00 fault=conflict' >$D/fault; sg_turs -v $sg0 2>&1 | grep -qi 'reservation conflict'"
# The midlayer asks for the missing sense data itself (REQUEST SENSE).
f_nosense() {
	echo 0 >$D/counters
	fault opcode=00 fault=nosense
	sg_turs -v "$sg0" 2>&1 | grep -qi 'no sense' || return 1
	[ "$(awk '$1 == "03" { print $3 }' $D/counters)" = 1 ] && sg_turs "$sg0"
}
check "fault nosense: CHECK CONDITION without sense; the midlayer asks for it" f_nosense
f_skip() {
	fault opcode=00 skip=1 count=1 fault=sense key=2 asc=04 ascq=02
	sg_turs "$sg0" && says 'initializing command required' sg_turs -v "$sg0" &&
		sg_turs "$sg0"
}
check "fault skip=1: the second command fails" f_skip
f_host() {
	[ -n "$sg1" ] || return 0
	fault opcode=any host=1 count=1 fault=sense key=5 asc=26 ascq=00
	sg_turs "$sg0" && says 'invalid field in parameter list' sg_turs -v "$sg1"
}
check "fault host=1 opcode=any: only the second host" f_host
f_short() {
	fault opcode=12 count=1 fault=short bytes=10
	sg_raw -r 36 -o "$tmp/inq" "$sg0" 12 00 00 00 24 00 || return 1
	[ "$(wc -c <"$tmp/inq")" = 10 ]
}
check "fault short: 10 of 36 bytes, with a residual" f_short
f_did() {
	fault opcode=00 count=3 fault=did did=error
	# sg_turs reports transport errors with exit status 0: sg_raw does not
	says 'DID_ERROR' sg_raw "$sg0" 00 00 00 00 00 00 || return 1
	fault clear
	sg_turs "$sg0"
}
check "fault did=error: a host byte error fails the command" f_did
f_show() {
	fault opcode=a5 count=2 fault=sense key=4 asc=15 ascq=01
	grep -q '^opcode=a5 host=any skip=0 count=2 fault=sense key=4 asc=15 ascq=01' $D/fault || return 1
	fault clear
	[ ! -s $D/fault ]
}
check "fault file: shows what is armed; clear disarms" f_show
f_timeout() {
	fault opcode=00 count=1 fault=timeout
	t0=$(now_cs)
	sg_raw -t 2 "$sg0" 00 00 00 00 00 00 && return 1
	echo "# timed out after $(($(now_cs) - t0)) cs"
	sg_turs "$sg0" || sg_turs "$sg0"
}
check "fault timeout: the midlayer aborts it; the device carries on" f_timeout
f_hostreset() {
	fault opcode=00 count=1 fault=hostreset
	sg_raw -t 2 "$sg0" 00 00 00 00 00 00 && return 1
	# the host reset's 29/07 first, then ready
	wait_ready "$sg0" || return 1
	dmesg | grep -q 'autoch_emul' || true
	grep -q running "/sys/class/scsi_generic/${sg0#/dev/}/device/state"
}
check "fault hostreset: abort and LU reset fail, a host reset recovers" f_hostreset
counters() {
	echo 0 >$D/counters
	sg_turs "$sg0" && sg_turs "$sg0" || return 1
	[ "$(awk '$1 == "00"' $D/counters)" = "00 2 2${sg1:+ 0}" ]
}
check "counters: per opcode, total and per host; 0 resets" counters

# ---- malformed replies ----
mal() {
	echo "truncated res" >$D/malformed || return 1
	res 2 "$st" 4 4096 16 0 || return 1
	got=$(wc -c <"$tmp/res")
	[ "$got" -lt $(($(be "$tmp/res" 5 3) + 8)) ] 2>/dev/null || [ "$got" -lt 16 ] || return 1
	echo "pagetype mode" >$D/malformed
	sg_raw -r 64 -o "$tmp/1d" "$sg0" 1a 08 1d 00 40 00 || return 1
	[ "$(be "$tmp/1d" 4 1)" = 28 ] || return 1
	echo "random any count=2" >$D/malformed
	res 2 "$st" 4 4096 16 0
	sg_raw -r 64 -o "$tmp/1d" "$sg0" 1a 08 1d 00 40 00
	grep -q none $D/malformed
}
check "malformed: truncated, wrong page type, random replies, once each" mal

# ---- nothing lost, nothing duplicated ----
invariants() {
	snapshot "$tmp/state.end"
	diff "$tmp/state.start" "$tmp/state.end" || return 1
	dup=$(awk '!/^#/ && $3 == 1 { print $4 }' $D/state | sort | uniq -d)
	[ -z "$dup" ]
}
check "state: every cartridge where it started, no barcode twice" invariants

# ---- hot unplug ----
f_remove() {
	fault opcode=00 count=1 fault=remove
	says 'DID_NO_CONNECT' sg_raw "$sg0" 00 00 00 00 00 00 || return 1
	i=0
	while [ -c "$sg0" ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ ! -c "$sg0" ] || return 1
	echo add >$D/event || return 1
	i=0
	while [ "$(ls -d /sys/bus/scsi/devices/*/scsi_generic/sg* 2>/dev/null | wc -l)" -lt "$#" ] &&
		[ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo remove >$D/event || return 1
	[ -z "$(ls /sys/class/scsi_generic/ 2>/dev/null)" ] || return 1
	echo add >$D/event
}
check "fault remove: the LU goes while a command is in flight; event add" f_remove $AUTOCH_CHANGERS

echo "1..$n"
exit $failed
