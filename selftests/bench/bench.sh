#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the cost of a full library status through autoch, Linux's
# ch and mtx (through sg), in one guest per library, with the READ
# ELEMENT STATUS commands each operation put on the wire.
#
# tgt's changer (every command completes at once) with 2,000 and 10,000
# elements: wire counts from QEMU's scsi_generic_send_command trace,
# between INQUIRY markers the guest sends around each operation.
#
# The emulated library (selftests/emul) with the same sizes and 50,000,
# 5 and 10 ms per command and 30 s moves: wire counts from the
# emulation's counters, and status queries while a move is in flight.
# From 20,000 elements on, the library has SIZE storage elements, 100
# drives and 40 import/export elements (below, SIZE - 10, 4 and 4), the
# moves are left out and ch's loop is CHIOGELEM alone, at the first
# latency (CHIOGSTATUS costs two commands an element, 100,000 at 50,000).
#
# The autoch and mtx inventories run AUTOCH_BENCH_REPS times (default 5,
# at most 9) at each latency in each guest: the tables give the median
# wall time and the commands of one run (a range "A-B" if the runs
# differed). ch's slow loops and the moves run once.
#
# Usage: bench.sh [SIZE...]   (default: 2000 10000 50000; tgt's changer
#                              up to 10,000)
# Environment: KDIR, AUTOCH_CACHE; AUTOCH_BENCH_OUT: also write the
# tables (Markdown) to this file; AUTOCH_BENCH_LATENCY_MS (default
# "5 10"), AUTOCH_BENCH_MOVE_MS (default 30000, 0: no moves),
# AUTOCH_BENCH_TGT (default 1, 0: the emulated library alone),
# AUTOCH_BENCH_CH ("elem": ch's CHIOGELEM loop alone at every size).
# `make bench-large` is the 10,000 and 50,000-element rows alone.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
testbed=$top/selftests/testbed
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(2000 10000 50000)

"$testbed/deps.sh" >/dev/null
KDIR=${KDIR:-$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort -V | tail -n 1)}

work=$(mktemp -d)
# shellcheck disable=SC2317  # run from the trap
cleanup() {
	[ ! -f "$work/tgt/env" ] || "$testbed/tgt-changer.sh" stop "$work/tgt" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/src" "$work/guest"
cp -r "$top/Kbuild" "$top/driver" "$top/include" "$work/src/"
make -s -C "$KDIR" M="$work/src" modules >/dev/null 2>&1
cc -O2 -Wall -static -I "$top/include/uapi" -o "$work/guest/autoch-bench" \
	"$top/selftests/bench/autoch-bench.c"
emul=$("$top/selftests/emul/sources.sh" "$work/emul")
make -s -C "$KDIR" M="$emul" modules >/dev/null 2>&1
cp "$work/src/driver/autoch.ko" "$emul/autoch_emul.ko" \
	"$top/selftests/bench/guest-bench-tgt.sh" \
	"$top/selftests/bench/guest-bench-emul.sh" \
	"$top/selftests/bench/guest-bench-lib.sh" "$work/guest/"
read -r -a latencies <<<"$(echo "${AUTOCH_BENCH_LATENCY_MS:-5 10}" | tr ',' ' ')"
move=${AUTOCH_BENCH_MOVE_MS:-30000}
reps=${AUTOCH_BENCH_REPS:-5}
case $reps in [1-9]) ;; *) echo "AUTOCH_BENCH_REPS: 1 to 9" >&2; exit 2 ;; esac

out=${AUTOCH_BENCH_OUT:-/dev/null}
: >"$out"
emit() { echo "$*"; echo "$*" >>"$out"; }

# READ ELEMENT STATUS (B8h) between marker K and marker K+1
res_between() {
	awk -v a="0x$(printf %x $((0xc0 + $1)))" -v b="0x$(printf %x $((0xc0 + $1 + 1)))" '
		/data= 0x12 0x00 0x00 0x00 / { if ($8 == a) on = 1; if ($8 == b) on = 0; next }
		on && /data= 0xb8 / { n++ }
		END { print n + 0 }' "$2"
}
# the median of the wall times of the RESULT lines named $1
result() {
	awk -v n="$1" '$1 == "RESULT" && $2 == n { print $3 }' "$2" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}
# one number when every run cost the same, else "min-max"
spread() {
	sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END {
		if (!NR) print "?"; else if (lo == hi) print lo; else print lo "-" hi }'
}
# the READ ELEMENT STATUS of each run of phase $1 on tgt, from the PHASE lines
res_phase() {
	awk -v n="$1" '$1 == "PHASE" && $2 == n { print $3 }' "$2" |
		while read -r k; do res_between "$k" "$3"; done | spread
}

emit "autoch bench: $(date -u +%Y-%m-%d), $(nproc) CPUs ($(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -n 1)), QEMU TCG guest, kernel $(basename "$KDIR" | sed 's/linux-headers-//')"
for size in "${sizes[@]}"; do
	[ "${AUTOCH_BENCH_TGT:-1}" = 1 ] || break
	if [ "$size" -gt 10000 ]; then
		emit ""
		emit "tgt changer, $size elements: not run (the tgt rows stop at 10,000)"
		continue
	fi
	mkdir -p "$work/tgt"
	AUTOCH_TGT_SLOTS=$((size - 5)) "$testbed/tgt-changer.sh" start "$work/tgt" >/dev/null
	# run-guest.sh passes no arguments: a wrapper carries them
	printf '#!/bin/sh\nexec sh /autoch/guest-bench-tgt.sh %s\n' "$reps" \
		>"$work/bench-tgt.sh"
	# a trace of its own per size: the markers start again at 1, and
	# one file for both sizes counted the commands of both
	trace=$work/trace.$size
	AUTOCH_GUEST_TIMEOUT=1200 \
	AUTOCH_QEMU_ARGS="-trace enable=scsi_generic_send_command,file=$trace" \
		"$testbed/run-guest.sh" --kdir "$KDIR" --tgt-state "$work/tgt" \
		--script "$work/bench-tgt.sh" --file "$work/guest/guest-bench-tgt.sh" \
		--file "$work/guest/guest-bench-lib.sh" \
		--file "$work/guest/autoch.ko" --file "$work/guest/autoch-bench" \
		--log "$work/console" >"$work/out" 2>&1 ||
		{ tail -n 30 "$work/out"; exit 1; }
	sed -i 's/\r$//' "$work/out"
	"$testbed/tgt-changer.sh" stop "$work/tgt" >/dev/null
	rm -rf "$work/tgt"

	emit ""
	emit "### tgt changer, $size elements (1 transport, $((size - 5)) storage, 2 import/export, 2 drives)"
	emit ""
	emit "| driver | operation | wall time (s) | READ ELEMENT STATUS on the wire |"
	emit "|---|---|---|---|"
	t() { result "$1" "$work/out"; }
	w() { res_phase "$1" "$work/out" "$trace"; }
	emit "| autoch | full inventory: SIOC_ELEMENT_STATUS on every element | $(t autoch_loop) | $(w autoch_loop) |"
	emit "| autoch | full inventory: AUTOCH_ELEMENT_STATUS_RANGE per type | $(t autoch_range) | $(w autoch_range) |"
	emit "| mtx (sg) | mtx status | $(t mtx) | $(w mtx) |"
	emit "| ch | full inventory: CHIOGSTATUS per type | $(t ch_gstatus) | $(w ch_gstatus) |"
	emit "| ch | full inventory: CHIOGELEM on every element | $(t ch_gelem) | $(w ch_gelem) |"
	cp "$work/out" "${AUTOCH_BENCH_OUT:-$work/out}.$size.log" 2>/dev/null || true
done

# ---- the emulated library ----
[ "${AUTOCH_BENCH_EMUL:-1}" = 1 ] || exit 0
wire() { awk -v n="$1" '$1 == "WIRE" && $2 == n { print $3 }' "$2" | spread; }
field() { awk -v n="$1" -v f="$2" '$1 == "RESULT" && $2 == n {
	for (i = 4; i <= NF; i++) if (index($i, f "=") == 1) print substr($i, length(f) + 2)
	exit }' "$3"; }
for size in "${sizes[@]}"; do
	if [ "$size" -ge 20000 ]; then
		slots=$size drives=100 ie=40 smove=0 ch=elem
	else
		slots=$((size - 10)) drives=4 ie=4 smove=$move ch=all
	fi
	ch=${AUTOCH_BENCH_CH:-$ch}
	# run-guest.sh passes no arguments: a wrapper carries them
	printf '#!/bin/sh\nexec sh /autoch/guest-bench-emul.sh %s %s %s %s %s %s %s\n' \
		"$slots" "$(IFS=,; echo "${latencies[*]}")" "$smove" "$reps" "$drives" "$ie" \
		"$ch" >"$work/bench-emul.sh"
	AUTOCH_GUEST_TIMEOUT=3600 \
		"$testbed/run-guest.sh" --kdir "$KDIR" \
		--script "$work/bench-emul.sh" --file "$work/guest/guest-bench-emul.sh" \
		--file "$work/guest/guest-bench-lib.sh" \
		--file "$work/guest/autoch.ko" --file "$work/guest/autoch_emul.ko" \
		--file "$work/guest/autoch-bench" \
		--log "$work/console" >"$work/out" 2>&1 ||
		{ tail -n 30 "$work/out"; exit 1; }
	o=$work/out
	# the guest's serial console ends its lines with CR
	sed -i 's/\r$//' "$o"
	cp "$o" "${AUTOCH_BENCH_OUT:-$work/out}.emul$size.log" 2>/dev/null || true
	lat1=${latencies[0]}
	for lat in "${latencies[@]}"; do
		emit ""
		emit "### emulated library, $((slots + drives + ie + 2)) elements ($slots storage, 2 transports, $ie import/export, $drives drives), ${lat} ms per command"
		emit ""
		emit "| driver | operation | wall time (s) | READ ELEMENT STATUS on the wire |"
		emit "|---|---|---|---|"
		emit "| autoch | full inventory: SIOC_ELEMENT_STATUS on every element | $(result "autoch_loop@$lat" "$o") | $(wire "autoch_loop@$lat" "$o") |"
		emit "| autoch | full inventory: AUTOCH_ELEMENT_STATUS_RANGE per type | $(result "autoch_range@$lat" "$o") | $(wire "autoch_range@$lat" "$o") |"
		emit "| mtx (sg) | mtx status | $(result "mtx@$lat" "$o") | $(wire "mtx@$lat" "$o") |"
		if [ "$lat" != "$lat1" ]; then
			emit "| ch | full inventory: CHIOGELEM on every element | (run at $lat1 ms) | $(wire "ch_gelem@$lat1" "$o") |"
			continue
		fi
		if [ "$ch" = all ]; then
			emit "| ch | full inventory: CHIOGSTATUS per type | $(result "ch_gstatus@$lat" "$o") | $(wire "ch_gstatus@$lat" "$o") |"
		else
			emit "| ch | full inventory: CHIOGSTATUS per type | not run | (two an element) |"
		fi
		emit "| ch | full inventory: CHIOGELEM on every element | $(result "ch_gelem@$lat" "$o") | $(wire "ch_gelem@$lat" "$o") |"
	done
	[ "$smove" -gt 0 ] || continue
	emit ""
	emit "Status of other elements while a $((move / 1000)) s MOVE MEDIUM is in flight, $lat1 ms per command:"
	emit ""
	emit "| driver | queries answered during the move | slowest answer (ms) | the moving source element, queried as the move ends (ms) | READ ELEMENT STATUS on the wire |"
	emit "|---|---|---|---|---|"
	emit "| autoch | $(field autoch_during_move queries "$o") | $(field autoch_during_move worst_ms "$o") | $(field autoch_during_move involved_ms "$o") | $(wire autoch_during_move "$o") |"
	emit "| ch | $(field ch_during_move queries "$o") | $(field ch_during_move worst_ms "$o") | $(field ch_during_move involved_ms "$o") | $(wire ch_during_move "$o") |"
	mtx_ms=$(awk '$1 == "RESULT" && $2 == "mtx_during_move" { printf "%.1f", $3 * 1000; exit }' "$o")
	emit "| mtx (sg) | 1 (mtx status, every element) | $mtx_ms | - | $(wire mtx_during_move "$o") |"
done
