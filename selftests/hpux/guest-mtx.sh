#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest: mtx's HP-UX port (mtx-hpux, built by build-mtx.sh),
# which sends every command with SIOC_IO, on /dev/autoch0, against
# Debian's mtx through sg on the same changer (the sg node of the same
# SCSI device). One TAP stream; exit 0 when every check passed.
#
#   status: the two print the same (but for the device's name), before
#     and after every step;
#   mtx-hpux's exit status says little: mtx's HP-UX backend (scsi_hpux.c)
#     returns sense_status, which is GOOD after a CHECK CONDITION whose
#     sense was read, so a refused command "succeeds"; what happened is
#     read from the element views;
#   load, unload, transfer (storage and import/export), exchange (two
#     and three elements) where the changer has EXCHANGE MEDIUM, mtx's
#     eepos and position: each done by mtx-hpux and seen at once, element
#     by element (full or empty, barcode), by the driver's
#     SIOC_ELEMENT_STATUS (hpux-elements) and by mtx through sg. Where
#     the changer lacks a command, both mtx refuse it and nothing moves.
#
# "At once": autoch.ko is loaded with cache_ms=600000, so the driver's
# status cache (filled by the view before each step) goes only when the
# driver drops it; a control move through sg, behind the driver's back,
# shows that a stale cache would fail these checks.
#
# Which commands the changer has: AUTOCH_EMUL_PROFILE (the emulation's
# profile: library has EXCHANGE MEDIUM, superloader and library POSITION
# TO ELEMENT, every profile with import/export elements takes mtx's eepos
# tray move); unset means the test bed's tgt changer (none of them).
#
# Files beside it: autoch.ko, mtx-hpux, hpux-elements. Run as the
# guest's script by selftests/check.sh (tgt) and from
# selftests/emul/guest-emul.sh (the emulation's profiles).
cd "$(dirname "$0")" || exit 1
profile=${AUTOCH_EMUL_PROFILE:-test-bed-tgt}
echo "TAP version 13"
echo "# mtx's HP-UX port on /dev/autoch0, profile $profile"
# ok, not_ok (failed=1): testbed/guest-tap.sh, which run-guest.sh puts
# beside this script
# shellcheck source=SCRIPTDIR/../testbed/guest-tap.sh
. ./guest-tap.sh
bail() {
	echo "Bail out! $*"
	rmmod autoch 2>/dev/null
	exit 1
}
check() {
	what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

insmod ./autoch.ko cache_ms=600000 || bail "insmod autoch.ko failed"
i=0
while [ ! -e /dev/autoch0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
# the sg node of the SCSI device behind /dev/autoch0
sg=
for g in /sys/class/autoch/autoch0/device/scsi_generic/sg*; do
	[ -e "$g" ] && sg=/dev/${g##*/}
done
[ -n "$sg" ] || sg=${AUTOCH_CHANGERS%% *}
[ -c "$sg" ] || bail "no sg node for /dev/autoch0"
echo "# /dev/autoch0 is $sg"

# mtx status through sg, one line per drive and slot in hpux-elements'
# format: "drive N Full|Empty [BARCODE]", "slot N Full|Empty [BARCODE]"
sg_view() {
	awk '
	/^Data Transfer Element [0-9]+:/ { kind = "drive" }
	/^ *Storage Element [0-9]+[ :]/ { kind = "slot" }
	kind != "" {
		line = $0
		match(line, /Element [0-9]+/)
		num = substr(line, RSTART + 8, RLENGTH - 8)
		state = line ~ /:Full/ ? "Full" : "Empty"
		tag = ""
		if (match(line, /:VolumeTag ?= ?[^:]*/)) {
			tag = substr(line, RSTART, RLENGTH)
			sub(/^:VolumeTag ?= ?/, "", tag)
			sub(/ +$/, "", tag)
		}
		print kind, num, state (tag != "" ? " " tag : "")
		kind = ""
	}' "$1"
}

# Both mtx's status (the device's name taken out of the first line) and
# both views: hpux.out, sg.out, drv.view, sg.view. Checks that the two
# mtx print the same and that the driver's view is mtx's through sg.
views() {
	./mtx-hpux -f /dev/autoch0 status 2>&1 |
		sed 's#^\(  Storage Changer \)[^:]*:#\1DEV:#' >hpux.out
	./hpux-elements /dev/autoch0 >drv.view 2>&1
	mtx -f "$sg" status 2>&1 |
		sed 's#^\(  Storage Changer \)[^:]*:#\1DEV:#' >sg.out
	sg_view sg.out >sg.view
	if cmp -s hpux.out sg.out; then
		ok "$1: mtx-hpux status on /dev/autoch0 = mtx status on $sg"
	else
		diff hpux.out sg.out | sed 's/^/# /'
		not_ok "$1: mtx-hpux status on /dev/autoch0 = mtx status on $sg"
	fi
	if [ -s sg.view ] && cmp -s drv.view sg.view; then
		ok "$1: SIOC_ELEMENT_STATUS = mtx through sg, all $(wc -l <sg.view) drives and slots"
	else
		diff drv.view sg.view | sed 's/^/# /'
		not_ok "$1: SIOC_ELEMENT_STATUS = mtx through sg, all $(wc -l <sg.view) drives and slots"
	fi
}
# "Full BARCODE" or "Empty" of KIND N in view file F
state_in() {
	awk -v k="$2" -v n="$3" '$1 == k && $2 == n { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$1"
}
# expect KIND N STATE: the driver and mtx through sg both say so
expect() {
	check "$label: $1 $2 $3 for SIOC_ELEMENT_STATUS" [ "$(state_in drv.view "$1" "$2")" = "$3" ]
	check "$label: $1 $2 $3 for mtx through sg" [ "$(state_in sg.view "$1" "$2")" = "$3" ]
}
# step LABEL ARGS...: mtx-hpux ARGS must succeed; then the views
step() {
	label=$1
	shift
	if ./mtx-hpux -f /dev/autoch0 "$@" >step.out 2>&1; then
		ok "mtx-hpux $*"
	else
		sed 's/^/# /' step.out
		not_ok "mtx-hpux $* (exit status)"
	fi
	views "after $label"
}
# refused LABEL ARGS...: a command the changer lacks. mtx through sg
# fails; mtx-hpux cannot tell (scsi_hpux.c returns sense_status, GOOD
# after a CHECK CONDITION with sense, and never looks at cdb_status), so
# its exit status is only shown; nothing changes for either view.
refused() {
	label=$1
	shift
	cp drv.view before.view
	./mtx-hpux -f /dev/autoch0 "$@" >step.out 2>&1
	echo "# mtx-hpux $*: exit $? (the changer lacks it)"
	check "mtx $* through sg is refused ($profile lacks it)" \
		sh -c "! mtx -f $sg $* >/dev/null 2>&1"
	views "after $label"
	check "$label: nothing moved" cmp -s before.view drv.view
}
tag_of() { state_in sg.view slot "$1" | cut -d' ' -f2; }

# The changer's power-on unit attention is for the first command of this
# initiator. SIOC_IO hands it to the caller (cdb_status CHECK CONDITION),
# and mtx's HP-UX backend returns sense_status, not cdb_status, so mtx
# would parse an empty reply: the driver's own commands take it first.
./hpux-elements /dev/autoch0 >/dev/null 2>&1
views "before"
# storage slots (not import/export), full and empty; import/export slots
full=$(awk '/Storage Element [0-9]+:Full/ { sub(/:.*/, "", $3); print $3 }' sg.out)
empty=$(awk '/Storage Element [0-9]+:Empty/ { sub(/:.*/, "", $3); print $3 }' sg.out)
ie_empty=$(awk '/Storage Element [0-9]+ IMPORT\/EXPORT:Empty/ { print $3 }' sg.out | head -n 1)
ie_any=$(awk '/Storage Element [0-9]+ IMPORT\/EXPORT:/ { print $3 }' sg.out | head -n 1)
slot=$(echo "$full" | head -n 1)
slot2=$(echo "$full" | sed -n 2p)
free=$(echo "$empty" | head -n 1)
if [ -z "$slot" ] || [ -z "$slot2" ] || [ -z "$free" ] ||
	[ "$(state_in sg.view drive 0)" != Empty ]; then
	bail "needs two full and an empty slot and an empty drive 0"
fi
tag=$(tag_of "$slot")
tag2=$(tag_of "$slot2")
ft="Full${tag:+ $tag}" ft2="Full${tag2:+ $tag2}"
echo "# slots: full $slot ($tag) and $slot2 ($tag2), empty $free; import/export: ${ie_any:-none}"

step "load $slot 0" load "$slot" 0
expect drive 0 "$ft"
expect slot "$slot" Empty
step "unload $slot 0" unload "$slot" 0
expect drive 0 Empty
expect slot "$slot" "$ft"
step "transfer $slot $free" transfer "$slot" "$free"
expect slot "$free" "$ft"
expect slot "$slot" Empty
step "transfer $free $slot" transfer "$free" "$slot"
expect slot "$slot" "$ft"
expect slot "$free" Empty
if [ -n "$ie_empty" ]; then
	step "transfer $slot $ie_empty (import/export)" transfer "$slot" "$ie_empty"
	expect slot "$ie_empty" "$ft"
	expect slot "$slot" Empty
	step "transfer $ie_empty $slot (import/export)" transfer "$ie_empty" "$slot"
	expect slot "$slot" "$ft"
fi

if [ "$profile" = library ]; then
	step "exchange $slot $slot2" exchange "$slot" "$slot2"
	expect slot "$slot" "$ft2"
	expect slot "$slot2" "$ft"
	step "exchange $slot $slot2 (back)" exchange "$slot" "$slot2"
	expect slot "$slot" "$ft"
	expect slot "$slot2" "$ft2"
	# first to second, second to third: a rotation into an empty slot
	step "exchange $slot $slot2 $free" exchange "$slot" "$slot2" "$free"
	expect slot "$slot" Empty
	expect slot "$slot2" "$ft"
	expect slot "$free" "$ft2"
	step "exchange $free $slot2 $slot" exchange "$free" "$slot2" "$slot"
	expect slot "$slot" "$ft"
	expect slot "$slot2" "$ft2"
	expect slot "$free" Empty
else
	refused "exchange $slot $slot2" exchange "$slot" "$slot2"
fi

case $profile in
library | superloader)
	cp drv.view before.view
	step "position $slot" position "$slot"
	check "position $slot: nothing moved" cmp -s before.view drv.view
	check "position $slot through sg succeeds too" mtx -f "$sg" position "$slot"
	;;
*) refused "position $slot" position "$slot" ;;
esac

# eepos: the tray of an import/export element, source = destination.
# The emulation takes it as a tray operation; tgt refuses the move.
if [ -n "$ie_any" ] && [ -n "${AUTOCH_EMUL_PROFILE:-}" ]; then
	cp drv.view before.view
	step "eepos 1 transfer $ie_any $ie_any" eepos 1 transfer "$ie_any" "$ie_any"
	check "eepos 1 transfer $ie_any $ie_any: nothing moved" cmp -s before.view drv.view
	check "eepos 1 transfer through sg succeeds too" mtx -f "$sg" eepos 1 transfer "$ie_any" "$ie_any"
elif [ -n "$ie_any" ]; then
	refused "eepos 1 transfer $ie_any $ie_any" eepos 1 transfer "$ie_any" "$ie_any"
fi

# Control: a move through sg, behind the driver's back, stays unseen by
# SIOC_ELEMENT_STATUS while the cache holds, so the checks above can fail.
cp drv.view before.view
if mtx -f "$sg" transfer "$slot" "$free" >step.out 2>&1; then
	./hpux-elements /dev/autoch0 >drv.view 2>&1
	mtx -f "$sg" status >sg.out 2>&1
	sg_view sg.out >sg.view
	check "control: a move through sg is not in the driver's cache (cache_ms=600000)" \
		sh -c "cmp -s before.view drv.view && ! cmp -s sg.view drv.view"
	mtx -f "$sg" transfer "$free" "$slot" >step.out 2>&1 ||
		bail "the control move through sg could not be undone"
else
	sed 's/^/# /' step.out
	not_ok "control: a move through sg"
fi

echo "1..$n"
rmmod autoch
exit $failed
