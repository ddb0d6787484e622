#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest, against the emulated library (selftests/emul) with
# latency_ms per command: the same operations as guest-bench-tgt.sh, plus
# status queries while a move_ms MOVE MEDIUM is in flight, through autoch,
# through ch, and one mtx status while mtx's own move runs. READ ELEMENT
# STATUS counts come from the emulation's
# own counters. The autoch and mtx inventories run REPS times, the rest
# once. Usage: guest-bench-emul.sh SLOTS LATENCY_MS MOVE_MS [REPS]
cd "$(dirname "$0")" || exit 1
slots=$1 latency=$2 move=$3 reps=${4:-5}
b=./autoch-bench
dbg=/sys/kernel/debug/autoch_emul
wait_for() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}
res() { awk '$1 == "b8" { print $2 }' $dbg/counters; }
phase() {	# NAME COMMAND...: run it, print the READ ELEMENT STATUS it cost
	name=$1
	shift
	before=$(res)
	"$@" || exit 1
	echo "WIRE $name $(($(res) - before))"
}

insmod ./autoch.ko || exit 1
insmod ./autoch_emul.ko profile=library slots="$slots" || exit 1
wait_for /dev/autoch0 || exit 1
sg=$(ls /sys/class/autoch/autoch0/device/scsi_generic)
sdev=$(basename "$(readlink -f /sys/class/autoch/autoch0/device)")
a=/sys/class/autoch/autoch0
map="$(cat $a/first_transport),$(cat $a/num_transports),$(cat $a/first_storage),$(cat $a/num_storages),$(cat $a/first_import_export),$(cat $a/num_import_exports),$(cat $a/first_data_transfer),$(cat $a/num_data_transfers)"
src=$(cat $a/first_storage)
dst=$((src + $(cat $a/num_storages) - 1))
echo "# map $map, moving $src -> $dst"
echo "$latency" >/sys/module/autoch_emul/parameters/latency_ms

r=0
while [ $r -lt "$reps" ]; do
	sleep 1.2	# let the status cache (cache_ms) expire
	phase autoch_loop $b loop /dev/autoch0
	sleep 1.2
	phase autoch_range $b range /dev/autoch0
	phase mtx $b time mtx -f "/dev/$sg" status
	r=$((r + 1))
done
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

echo "$sdev" >/sys/bus/scsi/drivers/autoch/unbind
modprobe ch || exit 1
wait_for /dev/sch0 || exit 1
phase ch_gstatus $b ch-status /dev/sch0
phase ch_gelem $b ch-elem /dev/sch0
echo "$move" >/sys/module/autoch_emul/parameters/move_ms
export AUTOCH_BENCH_MAP="$map"
phase ch_during_move $b during-move /dev/sch0 "$src" "$dst"
echo 0 >/sys/module/autoch_emul/parameters/move_ms
