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
# The emulated library (selftests/emul) with the same sizes, 5 ms per
# command and 30 s moves: wire counts from the emulation's counters, and
# status queries while a move is in flight.
#
# The autoch and mtx inventories run AUTOCH_BENCH_REPS times (default 5,
# at most 9) in each guest: the tables give the median wall time and the
# commands of one run (a range "A-B" if the runs differed). ch's slow
# loops and the moves run once.
#
# Usage: bench.sh [SIZE...]   (default: 2000 10000)
# Environment: KDIR, AUTOCH_CACHE; AUTOCH_BENCH_OUT: also write the
# tables (Markdown) to this file.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
testbed=$top/selftests/testbed
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(2000 10000)

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
	"$top/selftests/bench/guest-bench-emul.sh" "$work/guest/"
latency=${AUTOCH_BENCH_LATENCY_MS:-5}
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
	# run-guest.sh passes no arguments: a wrapper carries them
	printf '#!/bin/sh\nexec sh /autoch/guest-bench-emul.sh %s %s %s %s\n' \
		$((size - 10)) "$latency" "$move" "$reps" >"$work/bench-emul.sh"
	AUTOCH_GUEST_TIMEOUT=2400 \
		"$testbed/run-guest.sh" --kdir "$KDIR" \
		--script "$work/bench-emul.sh" --file "$work/guest/guest-bench-emul.sh" \
		--file "$work/guest/autoch.ko" --file "$work/guest/autoch_emul.ko" \
		--file "$work/guest/autoch-bench" \
		--log "$work/console" >"$work/out" 2>&1 ||
		{ tail -n 30 "$work/out"; exit 1; }
	o=$work/out
	# the guest's serial console ends its lines with CR
	sed -i 's/\r$//' "$o"
	emit ""
	emit "### emulated library, $size elements ($((size - 10)) storage, 2 transports, 4 import/export, 4 drives), ${latency} ms per command"
	emit ""
	emit "| driver | operation | wall time (s) | READ ELEMENT STATUS on the wire |"
	emit "|---|---|---|---|"
	emit "| autoch | full inventory: SIOC_ELEMENT_STATUS on every element | $(result autoch_loop "$o") | $(wire autoch_loop "$o") |"
	emit "| autoch | full inventory: AUTOCH_ELEMENT_STATUS_RANGE per type | $(result autoch_range "$o") | $(wire autoch_range "$o") |"
	emit "| mtx (sg) | mtx status | $(result mtx "$o") | $(wire mtx "$o") |"
	emit "| ch | full inventory: CHIOGSTATUS per type | $(result ch_gstatus "$o") | $(wire ch_gstatus "$o") |"
	emit "| ch | full inventory: CHIOGELEM on every element | $(result ch_gelem "$o") | $(wire ch_gelem "$o") |"
	emit ""
	emit "Status of other elements while a $((move / 1000)) s MOVE MEDIUM is in flight:"
	emit ""
	emit "| driver | queries answered during the move | slowest answer (ms) | the moving source element, queried as the move ends (ms) | READ ELEMENT STATUS on the wire |"
	emit "|---|---|---|---|---|"
	emit "| autoch | $(field autoch_during_move queries "$o") | $(field autoch_during_move worst_ms "$o") | $(field autoch_during_move involved_ms "$o") | $(wire autoch_during_move "$o") |"
	emit "| ch | $(field ch_during_move queries "$o") | $(field ch_during_move worst_ms "$o") | $(field ch_during_move involved_ms "$o") | $(wire ch_during_move "$o") |"
	mtx_ms=$(awk '$1 == "RESULT" && $2 == "mtx_during_move" { printf "%.1f", $3 * 1000; exit }' "$o")
	emit "| mtx (sg) | 1 (mtx status, every element) | $mtx_ms | - | $(wire mtx_during_move "$o") |"
done
