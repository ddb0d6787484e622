#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest, against the emulated library (selftests/emul) with
# latency_ms per command: the same operations as guest-bench-tgt.sh, plus
# status queries while a move_ms MOVE MEDIUM is in flight, through autoch,
# through ch, and one mtx status while mtx's own move runs. READ ELEMENT
# STATUS counts come from the emulation's
# own counters. The autoch and mtx inventories run REPS times at each
# latency, the rest once (ch's loops at the first latency).
# Usage: guest-bench-emul.sh SLOTS LATENCY_MS[,LATENCY_MS...] MOVE_MS [REPS
#        [DRIVES IE [CH]]]
#   MOVE_MS 0 leaves out the moves; CH "elem" runs ch's CHIOGELEM loop
#   alone (CHIOGSTATUS costs two commands an element), "all" both.
# The inventories' RESULT and WIRE lines are named NAME@LATENCY.
cd "$(dirname "$0")" || exit 1
slots=$1 latencies=$(echo "$2" | tr ',' ' ') move=$3 reps=${4:-5}
drives=${5:-4} ie=${6:-4} ch=${7:-all}
b=./autoch-bench
dbg=/sys/kernel/debug/autoch_emul
# shellcheck source=SCRIPTDIR/guest-bench-lib.sh
. ./guest-bench-lib.sh
res() { awk '$1 == "b8" { print $2 }' $dbg/counters; }
phase() {	# NAME COMMAND...: run it, print the READ ELEMENT STATUS it cost
	name=$1
	shift
	before=$(res)
	"$@" || exit 1
	echo "WIRE $name $(($(res) - before))"
}

insmod ./autoch.ko || exit 1
insmod ./autoch_emul.ko profile=library slots="$slots" drives="$drives" ie="$ie" || exit 1
wait_for /dev/autoch0 300 || exit 1
sg=$(ls /sys/class/autoch/autoch0/device/scsi_generic)
sdev=$(basename "$(readlink -f /sys/class/autoch/autoch0/device)")
a=/sys/class/autoch/autoch0
map="$(cat $a/first_transport),$(cat $a/num_transports),$(cat $a/first_storage),$(cat $a/num_storages),$(cat $a/first_import_export),$(cat $a/num_import_exports),$(cat $a/first_data_transfer),$(cat $a/num_data_transfers)"
src=$(cat $a/first_storage)
dst=$((src + $(cat $a/num_storages) - 1))
echo "# map $map, moving $src -> $dst"
# NAME COMMAND...: phase NAME@$lat, its RESULT line named so too
at_lat() {
	op=$1	# phase() sets name
	shift
	phase "$op@$lat" "$@" >/tmp/phase.out
	sed "s/^RESULT $op /RESULT $op@$lat /" /tmp/phase.out
}

for lat in $latencies; do
	echo "$lat" >/sys/module/autoch_emul/parameters/latency_ms
	inventories at_lat "/dev/$sg"
done
lat=${latencies%% *}
echo "$lat" >/sys/module/autoch_emul/parameters/latency_ms
[ "$move" -gt 0 ] || {
	to_ch "$sdev" 300
	[ "$ch" = elem ] || at_lat ch_gstatus $b ch-status /dev/sch0
	at_lat ch_gelem $b ch-elem /dev/sch0
	exit 0
}
echo "$move" >/sys/module/autoch_emul/parameters/move_ms
sleep 1.2
phase autoch_during_move $b during-move /dev/autoch0 "$src" "$dst"
echo 0 >/sys/module/autoch_emul/parameters/move_ms
$b during-move /dev/autoch0 "$dst" "$src" >/dev/null || exit 1

# mtx through sg: one full status while its own MOVE MEDIUM is in flight
mtx_during() {
	$b time mtx -f "/dev/$sg" status | sed 's/^RESULT mtx /RESULT mtx_during_move /'
}
# the same two slots as above, numbered from 1 as mtx numbers storage
mtx_src=1 mtx_dst=$((dst - src + 1))
echo "$move" >/sys/module/autoch_emul/parameters/move_ms
mtx -f "/dev/$sg" transfer "$mtx_src" "$mtx_dst" >/dev/null &
mpid=$!
sleep 2
phase mtx_during_move mtx_during
wait $mpid || exit 1
echo 0 >/sys/module/autoch_emul/parameters/move_ms
mtx -f "/dev/$sg" transfer "$mtx_dst" "$mtx_src" >/dev/null || exit 1

to_ch "$sdev" 300
[ "$ch" = elem ] || at_lat ch_gstatus $b ch-status /dev/sch0
at_lat ch_gelem $b ch-elem /dev/sch0
echo "$move" >/sys/module/autoch_emul/parameters/move_ms
export AUTOCH_BENCH_MAP="$map"
phase ch_during_move $b during-move /dev/sch0 "$src" "$dst"
echo 0 >/sys/module/autoch_emul/parameters/move_ms
