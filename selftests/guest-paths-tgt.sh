#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest, on tgt's changer reached through two portals
# (run-guest.sh --two-portals --control testbed/tgt-path-ctl.sh): one
# changer, two iSCSI paths that nobody here wrote. With multipath=1 autoch
# gives it one node with two paths; then the host cuts the active path
# (tgt-changer.sh cut: its portal removed and its connection closed, so
# that QEMU's initiator cannot log in again) during
#   (a) a loop of SIOC_ELEMENT_STATUS calls: none may fail;
#   (b) a SIOC_MOVE_MEDIUM: its result must be where the cartridge is,
#       as mtx through the other path's sg node reads it;
#   (c) a SIOC_RESERVE held across the cut: the holder's next move works
#       (reservations kept or taken again) or fails once with ECONNRESET.
# Each cut is restored before the next. tgt has no EXCHANGE MEDIUM and no
# (persistent) reservations on the changer: those parts skip, with the
# reason. Prints TAP and the figures (failovers, failover_max_ms, the
# longest call its caller timed, how the cut move was resolved); exits 0
# when everything passed.
#
# Expects in its directory (/autoch): autoch.ko and path_caller.
# Environment (the kernel command line): AUTOCH_PATHS_ARGS, extra
# insmod parameters (a deliberate failure: multipath=0).

cd "$(dirname "$0")" || exit 1
# ok, not_ok (failed=1), skip, n: testbed/guest-tap.sh, which
# run-guest.sh puts beside this script
# shellcheck source=SCRIPTDIR/testbed/guest-tap.sh
. ./guest-tap.sh
tmp=/tmp/paths-tgt
mkdir -p "$tmp"
note() { echo "# $*"; }
up() { cut -d' ' -f1 /proc/uptime; }

# wait_until SECONDS CMD...: poll CMD (a shell function: no fork) every
# 0.1 s until it succeeds or SECONDS of the guest's uptime have passed;
# bounds are generous and one-sided (a loaded machine runs the guest
# slowly).
uptime_s() { read -r u _ </proc/uptime; echo "${u%.*}"; }
wait_until() {
	end=$(($(uptime_s) + $1))
	shift
	until "$@"; do
		[ "$(uptime_s)" -lt $end ] || return 1
		sleep 0.1
	done
}

echo "TAP version 13"
echo "1..13"

# shellcheck disable=SC2086  # one word per changer
set -- $AUTOCH_CHANGERS
sg0=$1 sg1=${2:-}
if [ -z "$sg1" ] || [ -z "$AUTOCH_CTL" ]; then
	echo "Bail out! needs run-guest.sh --two-portals --control (changers: '$AUTOCH_CHANGERS', control: '$AUTOCH_CTL')"
	exit 1
fi

# The control channel to the host: one request line, one reply line.
stty -F "$AUTOCH_CTL" raw -echo 2>/dev/null
exec 3<>"$AUTOCH_CTL"
ctl() {
	echo "$*" >&3
	# shellcheck disable=SC3045  # busybox read has -t
	if ! read -r -t 120 reply <&3; then
		reply="err no reply from the host to '$*'"
	fi
	note "host: $* -> $reply"
	case $reply in ok*) return 0 ;; *) return 1 ;; esac
}

# The SCSI address (h:c:t:l) of an sg node, and the host (0, 1) of an
# address.
addr_of_sg() { basename "$(readlink -f "/sys/class/scsi_generic/${1#/dev/}/device")"; }
a0=$(addr_of_sg "$sg0") a1=$(addr_of_sg "$sg1")
host_of() {
	case $1 in "$a0") echo 0 ;; "$a1") echo 1 ;; *) echo '?' ;; esac
}
sg_of() { if [ "$1" = 0 ]; then echo "$sg0"; else echo "$sg1"; fi; }

# shellcheck disable=SC2086  # parameters are words
if insmod ./autoch.ko multipath=1 cache_ms=0 ${AUTOCH_PATHS_ARGS:-} &&
	wait_until 30 test -e /dev/autoch0 && sleep 1 && [ ! -e /dev/autoch1 ]; then
	ok "multipath=1: one node, /dev/autoch0, for the two iSCSI paths"
else
	not_ok "multipath=1: one node for the two paths ($(echo /dev/autoch*))"
fi
sys=/sys/class/autoch/autoch0
npaths=0
for p in "$sys"/paths/*; do [ ! -d "$p" ] || npaths=$((npaths + 1)); done
active() {
	for p in "$sys"/paths/*; do
		[ "$(cat "$p/state")" = active ] && basename "$p"
	done
}
states() {
	for p in "$sys"/paths/*; do
		printf '%s=%s(%s) ' "$(basename "$p")" "$(cat "$p/state")" \
			"$(cat "$p/errors" 2>/dev/null)"
	done
}
if [ "$npaths" = 2 ] && [ -n "$(active)" ]; then
	ok "two paths under $sys/paths: $(states)"
else
	not_ok "two paths under $sys/paths (found $npaths: $(states))"
	echo "Bail out! no node with two paths"
	exit 1
fi
fig() { cat "$sys/$1"; }
figures() {
	note "figures: failovers=$(fig failovers) failover_max_ms=$(fig failover_max_ms)" \
		"moves_cut_total=$(fig moves_cut_total) done=$(fig moves_cut_done)" \
		"resent=$(fig moves_cut_resent) unknown=$(fig moves_cut_unknown)" \
		"reservations_retaken=$(fig reservations_retaken) lost=$(fig reservations_lost)"
	note "paths: $(states)"
}

# Cut the active path; echo its host number. Restored with restore_path.
cut_active() {
	ah=$(host_of "$(active)")
	note "$(up)s: cutting the active path $(active) (host $ah)" >&2
	ctl cut "$ah" >&2 || return 1
	echo "$ah"
}
# Put host $1's portal back, then make its path a standby again (autoch
# sends nothing of its own to a failed path).
restore_path() {
	ctl restore "$1"
	for p in "$sys"/paths/*; do
		[ "$(host_of "$(basename "$p")")" = "$1" ] && echo enable >"$p/state"
	done
	note "$(up)s: host $1 restored: $(states)"
}
# The three below are called through wait_until.
# shellcheck disable=SC2317
more_failovers() { read -r v <"$sys/failovers"; [ "$v" -gt "$1" ]; }
# shellcheck disable=SC2317
more_calls() {
	v=0
	[ ! -e "$tmp/calls" ] || read -r v <"$tmp/calls"
	[ "$v" -ge "$1" ]
}
# shellcheck disable=SC2317
gone() { ! kill -0 "$1" 2>/dev/null; }

# How long a cut lasts when nothing fails over: QEMU's initiator may hold
# the command (below); the host then restores the path and the command
# completes there.
hold=${AUTOCH_PATHS_HOLD:-20}
held_reason="QEMU's iSCSI initiator (libiscsi) holds the command while it tries to log in again, and virtio-scsi never times a command out (the host does): the guest saw no transport error, so no failover"

# A status loop in the background, until loop_end; after its first 5 calls.
loop_start() {
	rm -f "$tmp/calls" "$tmp/stop"
	./path_caller status /dev/autoch0 1024 "$tmp/calls" "$tmp/stop" >"$tmp/loop" 2>&1 &
	loop=$!
	wait_until 60 more_calls 5
}
# 20 more calls, then the loop stops; its status in rc
loop_end() {
	read -r c <"$tmp/calls"
	wait_until 120 more_calls $((c + 20))
	touch "$tmp/stop"
	wait $loop
	rc=$?
	note "caller: $(cat "$tmp/loop")"
}

# --- (a) a status loop across the cut
f0=$(fig failovers)
loop_start
cut_host=$(cut_active)
if wait_until "$hold" more_failovers "$f0"; then
	note "$(up)s: failover: $(states)"
else
	note "$(up)s: no failover within $hold s of the cut: $(states)"
fi
[ -z "$cut_host" ] || restore_path "$cut_host"
loop_end
max_ms=$(sed -n 's/.*max_ms=\([0-9]*\).*/\1/p' "$tmp/loop")
if [ $rc -eq 0 ] && [ -n "$cut_host" ]; then
	ok "status loop across a cut of the active path: no call failed ($(cat "$tmp/loop"))"
else
	not_ok "status loop across a cut of the active path (exit $rc, cut of host '$cut_host')"
fi
if more_failovers "$f0"; then
	ok "the cut status call failed over (failovers $(fig failovers), failover_max_ms $(fig failover_max_ms))"
elif [ "${max_ms:-0}" -ge $(((hold - 2) * 1000)) ]; then
	skip "failover of a status call cut off on tgt: $held_reason; one call waited ${max_ms} ms, until the path came back"
else
	not_ok "the cut status call neither failed over nor waited for the path (longest call ${max_ms:-?} ms)"
fi
figures

# --- (b) a move across the cut: cut first (tgt completes a move at
# once, so a cut cannot land in the middle of one), then move; its result
# must be where mtx through the other path says the cartridge is.
f1=$(fig failovers) m1=$(fig moves_cut_total)
cut_host=$(cut_active)
other=$((1 - ${cut_host:-0}))
./path_caller move /dev/autoch0 1024 1036 >"$tmp/move" 2>&1 &
mover=$!
held=no
if ! wait_until "$hold" gone $mover; then
	held=yes
	note "$(up)s: the move still waits after $hold s"
fi
[ -z "$cut_host" ] || restore_path "$cut_host"
wait_until 120 gone $mover
wait $mover
rc=$?
note "caller: $(cat "$tmp/move")"
mtx -f "$(sg_of "$other")" status >"$tmp/mtx" 2>&1
moved=no
grep -q 'Storage Element 1:Empty' "$tmp/mtx" &&
	grep -q 'Storage Element 13:Full' "$tmp/mtx" && moved=yes
note "mtx through host $other: $(grep -o 'Storage Element 1:[A-Za-z]*' "$tmp/mtx"), $(grep -o 'Storage Element 13:[A-Za-z]*' "$tmp/mtx")"
if { [ $rc -eq 0 ] && [ $moved = yes ]; } || { [ $rc -ne 0 ] && [ $moved = no ]; }; then
	ok "move across a cut: the call (exit $rc) agrees with mtx through the other path (moved: $moved)"
else
	not_ok "move across a cut: the call (exit $rc) disagrees with mtx (moved: $moved)"
	sed 's/^/# /' "$tmp/mtx"
fi
if [ "$(fig moves_cut_total)" -gt "$m1" ]; then
	ok "the cut move was resolved through the other path: done $(fig moves_cut_done), resent $(fig moves_cut_resent), unknown $(fig moves_cut_unknown)"
elif [ $held = yes ] && [ $rc -eq 0 ]; then
	skip "a move cut off on tgt: $held_reason; the move waited ($(cat "$tmp/move")) and was carried out once on its own path when it came back (moves_cut_total $(fig moves_cut_total))"
else
	not_ok "the cut move: neither resolved nor held (exit $rc, failovers $f1 -> $(fig failovers))"
fi
figures
# back where it was, for (c)
[ $moved = no ] || ./path_caller move /dev/autoch0 1036 1024 >/dev/null 2>&1

# --- (c) a reservation held across the cut
rm -f "$tmp/ready" "$tmp/go"
./path_caller reserve /dev/autoch0 1024 1036 "$tmp/ready" "$tmp/go" >"$tmp/resv" 2>&1 &
holder=$!
cut_host=''
if wait_until 60 test -e "$tmp/ready"; then
	cut_host=$(cut_active)
	touch "$tmp/go"
	wait_until "$hold" gone $holder || note "$(up)s: the holder's move still waits after $hold s"
	[ -z "$cut_host" ] || restore_path "$cut_host"
fi
wait_until 120 gone $holder || kill $holder 2>/dev/null
wait $holder
rc=$?
note "caller: $(cat "$tmp/resv")"
if [ $rc -eq 0 ] && [ -n "$cut_host" ]; then
	ok "reservation across a cut: the holder's move works, or fails once with ECONNRESET ($(cat "$tmp/resv"))"
else
	not_ok "reservation across a cut (exit $rc)"
fi
mtx -f "$sg0" status >"$tmp/mtx" 2>&1
if grep -q 'Storage Element 1:Empty' "$tmp/mtx" && grep -q 'Storage Element 13:Full' "$tmp/mtx"; then
	ok "mtx: the reserved move was carried out once (storage 13 full, 1 empty)"
else
	not_ok "mtx after the reserved move"
	sed 's/^/# /' "$tmp/mtx"
fi
figures
./path_caller move /dev/autoch0 1036 1024 >/dev/null 2>&1

# --- (d) what a cut cannot show through QEMU: the active path's SCSI
# device taken offline in the guest (as the midlayer does to a device
# its error handler gave up on), during a status loop and then under a
# move. Its commands fail at once with DID_NO_CONNECT, a transport error.
sdev_state() { echo "$2" >"/sys/bus/scsi/devices/$1/state"; }
f3=$(fig failovers)
loop_start
off=$(active)
note "$(up)s: setting the active path $off offline"
sdev_state "$off" offline
wait_until "$hold" more_failovers "$f3"
loop_end
if [ $rc -eq 0 ] && more_failovers "$f3"; then
	ok "status loop, active path offline: no call failed, one failover ($(cat "$tmp/loop"); failover_max_ms $(fig failover_max_ms))"
else
	not_ok "status loop, active path offline (exit $rc, failovers $f3 -> $(fig failovers))"
fi
figures
# the same path active again, offline again, then a move. With two paths
# a move first reads its source and destination (autoch_path.c,
# autoch_cut_before()): that READ ELEMENT STATUS meets the offline path
# and fails over, so the move itself goes on the other path, uncut.
sdev_state "$off" running
echo active >"$sys/paths/$off/state"
m3=$(fig moves_cut_total)
f4=$(fig failovers)
sdev_state "$off" offline
./path_caller move /dev/autoch0 1024 1036 >"$tmp/move" 2>&1
rc=$?
note "caller: $(cat "$tmp/move")"
mtx -f "$sg0" status >"$tmp/mtx0" 2>&1
mtx -f "$sg1" status >"$tmp/mtx1" 2>&1
mtx_of_other=$tmp/mtx1
[ "$(host_of "$off")" = 1 ] && mtx_of_other=$tmp/mtx0
if [ $rc -eq 0 ] && more_failovers "$f4" &&
	[ "$(fig moves_cut_total)" -eq "$m3" ] &&
	grep -q 'Storage Element 1:Empty' "$mtx_of_other" &&
	grep -q 'Storage Element 13:Full' "$mtx_of_other"; then
	ok "move, active path offline: its elements read first failed over, the move went on the other path uncut, carried out once as mtx reads it"
else
	not_ok "move, active path offline (exit $rc, failovers $f4 -> $(fig failovers), moves_cut_total $m3 -> $(fig moves_cut_total))"
	sed 's/^/# /' "$mtx_of_other"
fi
sdev_state "$off" running
echo enable >"$sys/paths/$off/state"
figures

skip "EXCHANGE MEDIUM cut off: tgt's changer answers 20/00 to EXCHANGE MEDIUM (the emulation covers it: paths exchange_cut_after)"
skip "reservations taken again on the changer: tgt answers 20/00 to RESERVE/RELEASE and PERSISTENT RESERVE (the superloader profile covers it: paths reservation_retaken)"

if rmmod autoch && [ ! -e /dev/autoch0 ]; then
	ok "rmmod autoch"
else
	not_ok "rmmod autoch"
fi
exit "$failed"
