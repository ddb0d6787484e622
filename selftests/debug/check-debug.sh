#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: autoch under a debug kernel (KASAN, UBSAN, lockdep,
# kmemleak, debug objects, hung task detection; selftests/debug/config).
#   - builds the kernel from Debian's linux-source-6.1 (cached, kernel.sh),
#     the module against it with its KUnit suite (CONFIG_AUTOCH_KUNIT_TEST=y), the
#     selftests, the fuzzer and the hot-unplug test;
#   - boots it in QEMU against tgt's changer and runs there
#     (guest-debug.sh): KUnit with its fuzz cases (a million random and
#     spoilt replies to the parsers), the kselftest suite, the ch/autoch
#     bind test, the ioctl fuzzer (plain, then under failslab), hot-unplug
#     during each ioctl, rmmod, a kmemleak scan;
#   - boots it on the emulated library (selftests/emul, two hosts):
#     conformance, the suite with the fault matrix and malformed replies,
#     the ioctl fuzzer on both hosts with resets (plain, then under
#     failslab), the 32-process flap soak, kmemleak (guest-debug-emul.sh);
#   - boots it again and cuts the changer off (iSCSI connections dropped,
#     logins refused for a while) while every kind of call runs
#     (guest-loss.sh);
#   - greps the guests' full kernel logs: any sanitizer, lockdep, hung
#     task or debug-objects report, warning or call trace fails the run
#     even when every test said ok.
# Prints TAP (its plan last), then "N passed, N failed, N skipped" and the
# sanitizer verdict; exits non-zero on a failure. Each guest's TAP is
# checked against its plans, its programs' nested plans included
# (selftests/testbed/tap-count.sh): a missing result is a failure.
#
# Environment: AUTOCH_CACHE; AUTOCH_FUZZ_CALLS (1000000),
# AUTOCH_FUZZ_EMUL_CALLS (200000, on the emulation; AUTOCH_FAULT_EMUL_CALLS
# 20000 of them under failslab), AUTOCH_FUZZ_SEED (the KUnit fuzz cases'
# seed; default a random one, printed),
# AUTOCH_UNPLUG_ROUNDS (100), AUTOCH_UNPLUG_EMUL_ROUNDS (5, on the
# emulation), AUTOCH_LOSS_SECONDS (60, 0 skips the loss
# run), AUTOCH_LOSS_DOWN (seconds without the changer, 20),
# AUTOCH_FAULT_CALLS (100000, the fuzzer under failslab),
# AUTOCH_SOAK_SECONDS (90, the flap soak on the emulation),
# AUTOCH_GUEST_TIMEOUT (3600; a guest takes 15 minutes alone here, twice
# that beside make check's other parts),
# AUTOCH_DEBUG_LOGS (a directory to keep the
# logs and guest consoles in), AUTOCH_DEBUG_RUNS (the guest runs, "debug
# emul loss").
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/selftests/debug
testbed=$top/selftests/testbed

n=0 passed=0 failed=0 skipped=0
ok() {
	n=$((n + 1)) passed=$((passed + 1))
	echo "ok $n $*"
}
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n $*"
}
skip() {
	n=$((n + 1)) skipped=$((skipped + 1))
	echo "ok $n $* # SKIP"
}
t_start=$SECONDS
finish() {
	echo "1..$n"
	echo "$passed passed, $failed failed, $skipped skipped"
	echo "sanitizer verdict: ${verdict:-not reached}"
	echo "wall time $((SECONDS - t_start)) s"
	[ "$failed" -eq 0 ] && [ "${verdict:-}" = clean ]
	exit
}

work=$(mktemp -d)
tgt_states=()
watcher='' qpid=''
# shellcheck disable=SC2317  # run from the trap
cleanup() {
	local st
	[ -z "$watcher" ] || kill "$watcher" 2>/dev/null
	# a guest still running (make check stopped this part): its QEMU too
	[ -z "$qpid" ] || { kill "$qpid" && wait "$qpid"; } 2>/dev/null
	if [ -n "${AUTOCH_DEBUG_LOGS:-}" ]; then
		mkdir -p "$AUTOCH_DEBUG_LOGS"
		cp "$work"/*.log "$work"/*.out "$work"/*.console "$AUTOCH_DEBUG_LOGS/" 2>/dev/null
	fi
	for st in "${tgt_states[@]}"; do
		[ ! -f "$st/env" ] || "$testbed/tgt-changer.sh" stop "$st" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run "$@" with its output in $work/NAME.log; print its tail on failure.
step() {
	local name=$1
	shift
	"$@" >"$work/$name.log" 2>&1 && return 0
	tail -n 40 "$work/$name.log" | sed 's/^/    /'
	return 1
}

echo "TAP version 13"
if step deps "$testbed/deps.sh"; then
	ok "test bed dependencies"
else
	not_ok "test bed dependencies"
	finish
fi

if kcache=$("$here/kernel.sh" 2>"$work/kernel.log"); then
	if grep -q 'built in' "$work/kernel.log"; then
		ok "debug kernel built in $(cat "$kcache/build-seconds") s (cold; cached in $kcache)"
	else
		ok "debug kernel (cached: $kcache, built in $(cat "$kcache/build-seconds") s)"
	fi
else
	tail -n 40 "$work/kernel.log" | sed 's/^/    /'
	not_ok "debug kernel builds"
	finish
fi
KDIR=$kcache/build

# The module with its KUnit suite, from a copy: the tree stays clean.
src=$work/src
mkdir -p "$src"
cp -r "$top/Kbuild" "$top/driver" "$top/include" "$src/"
if step module make -C "$KDIR" M="$src" W=1 CONFIG_AUTOCH_KUNIT_TEST=y modules &&
	! grep -E 'warning:|error:' "$work/module.log"; then
	ok "module with its KUnit suite builds against the debug kernel, W=1 clean"
else
	grep -E 'warning:|error:' "$work/module.log" | sed 's/^/    /'
	not_ok "module with its KUnit suite builds against the debug kernel"
	finish
fi

inst=$work/guest
mkdir -p "$inst" "$work/st" "$work/ex"
if harness=$("$testbed/harness.sh" 2>"$work/harness.log") &&
	step selftests make -C "$top/selftests" \
		KSFT_DIR="$harness/tools/testing/selftests" OUTPUT="$work/st" \
		install INSTALL_PATH="$inst" &&
	cp "$top/selftests/guest-check.sh" "$inst/" &&
	step fuzz gcc -static -O2 -g -Wall -Wextra -Werror \
		-I"$top/include/uapi" "$here/fuzz.c" -o "$inst/fuzz" &&
	step unplug gcc -static -O2 -g -Wall -Wextra -Werror \
		-I"$top/include/uapi" "$here/unplug.c" -o "$inst/unplug" &&
	step soak gcc -static -O2 -g -Wall -Wextra -Werror \
		-I"$top/include/uapi" "$top/selftests/soak/soak.c" -o "$inst/soak"; then
	ok "selftests, fuzzer, hot-unplug test and soak build"
else
	not_ok "selftests, fuzzer, hot-unplug test and soak build"
	finish
fi
# the emulated changer, for the third guest
emul=$("$top/selftests/emul/sources.sh" "$work/emul")
if step emul make -C "$KDIR" M="$emul" W=1 modules &&
	! grep -E 'warning:|error:' "$work/emul.log"; then
	ok "emulated changer builds against the debug kernel, W=1 clean"
	cp "$emul/autoch_emul.ko" "$top"/selftests/emul/guest-emul.sh \
		"$top"/selftests/emul/guest-conformance.sh \
		"$top"/selftests/soak/guest-soak.sh "$inst/"
else
	grep -E 'warning:|error:' "$work/emul.log" | sed 's/^/    /'
	not_ok "emulated changer builds against the debug kernel"
fi
cp "$src/driver/autoch.ko" "$top/selftests/guest-bind.sh" "$here/guest-lib.sh" "$inst/"
# the bind test needs autoch-demo; without it the guest skips that test
if step examples make -C "$top/userspace-examples" OUTPUT="$work/ex" &&
	[ -x "$work/ex/autoch-demo" ]; then
	cp "$work/ex/autoch-demo" "$work/ex/mc" "$inst/"
fi

files=()
for f in "$inst"/*; do files+=(--file "$f"); done

# Cut the guest off its changer for $2 seconds: no new logins (unbind),
# every iSCSI connection dropped, then logins allowed again. tgtd itself
# stays: killed, it would leave QEMU's initiator retrying for ever and the
# guest's SCSI error handler waiting for ever for its abort (virtio-scsi
# task management has no timeout), whatever the driver does.
cut_changer() {
	local st=$1 down=$2 ctl sid
	ctl=$(sed -n 's/^TGT_CONTROL=//p' "$st/env")
	adm() { tgtadm -C "$ctl" --lld iscsi "$@"; }
	adm --mode target --op unbind --tid 1 -I ALL
	for sid in $(adm --op show --mode conn --tid 1 | awk '/Session:/ {print $2}'); do
		adm --op delete --mode conn --tid 1 --sid "$sid" --cid 0 &&
			echo "$(date +%T) iSCSI session $sid dropped, logins refused for $down s"
	done
	sleep "$down"
	adm --mode target --op bind --tid 1 -I ALL
	echo "$(date +%T) logins allowed again"
}

# Boot the debug kernel against a tgt of its own; print the guest's TAP
# as ours, with the lines worth reading from its programs.
guest() {
	local name=$1 script=$2 append=$3 rc line d lines
	local st=$work/tgt-$name tgt=()
	# the emulation's guest has no tgt: its changers are the only ones
	if [ "$name" != emul ]; then
		mkdir -p "$st"
		tgt_states+=("$st")
		if ! step "tgt-$name" "$testbed/tgt-changer.sh" start "$st"; then
			not_ok "$name: tgt changer starts"
			return 1
		fi
		tgt=(--tgt-state "$st")
	fi
	AUTOCH_GUEST_KERNEL_DIR=$kcache \
		AUTOCH_GUEST_TIMEOUT=${AUTOCH_GUEST_TIMEOUT:-3600} \
		AUTOCH_GUEST_APPEND="$append" \
		"$testbed/run-guest.sh" --kdir "$KDIR" "${tgt[@]}" \
		--script "$script" "${files[@]}" --log "$work/$name.console" \
		>"$work/$name.out" 2>&1 &
	qpid=$!
	if [ "$name" = loss ]; then
		# cut the changer off when the guest says so
		(
			while ! grep -q AUTOCH-CUT-CHANGER-NOW "$work/$name.console" 2>/dev/null; do
				sleep 0.5
			done
			cut_changer "$st" "${AUTOCH_LOSS_DOWN:-20}"
		) >"$work/cut.log" 2>&1 &
		watcher=$!
	fi
	wait "$qpid"
	rc=$?
	qpid=''
	if [ -n "$watcher" ]; then
		kill "$watcher" 2>/dev/null
		wait "$watcher" 2>/dev/null
		watcher=''
		sed 's/^/# host: /' "$work/cut.log"
	fi
	[ ! -f "$st/env" ] || "$testbed/tgt-changer.sh" stop "$st" >/dev/null 2>&1

	# the guest's results become ours; its programs' summaries are shown
	mapfile -t lines < <(tr -d '\r' <"$work/$name.out")
	for line in "${lines[@]}"; do
		case $line in
		'not ok '[0-9]*)
			d=${line#not ok }
			not_ok "$name: ${d#* }" ;;
		'ok '[0-9]*' # SKIP'*)
			d=${line#ok }
			d=${d#* }
			skip "$name: ${d% \# SKIP*}" ;;
		'ok '[0-9]*)
			d=${line#ok }
			ok "$name: ${d#* }" ;;
		'# # fuzz: '* | '# ok '[0-9]* | '# not ok '[0-9]* | \
			'# # not ok '[0-9]* | '# #   '* | '# # unplug:'* | \
			'# # autoch: pass'* | *'EXPECTATION FAILED'* | 'Bail out'*)
			echo "    $line" ;;
		esac
	done
	# results missing from a plan (a program or the guest died): failures
	"$testbed/tap-count.sh" "$work/$name.out" >"$work/$name.count"
	while read -r line; do
		not_ok "$name: $line"
	done < <(grep '^plan: ' "$work/$name.count")
	if [ "$rc" -ne 0 ]; then
		grep -E 'run-guest.sh:' "$work/$name.out" | sed 's/^/    /'
		tail -n 40 "$work/$name.out" | grep -vE '^(# |ok |not ok )' | sed 's/^/    /'
		not_ok "$name: guest run (run-guest.sh exit $rc)"
	else
		ok "$name: guest run, $(grep -o 'QEMU ran [0-9.]*s' "$work/$name.out")"
	fi
}

runs=" ${AUTOCH_DEBUG_RUNS:-debug emul loss} "
if [[ $runs == *" debug "* ]]; then
	echo "# guest: KUnit, kselftest suite, bind test, fuzzer, hot-unplug, kmemleak"
	guest debug "$here/guest-debug.sh" \
		"AUTOCH_PROFILE=tgt24 AUTOCH_FUZZ_CALLS=${AUTOCH_FUZZ_CALLS:-1000000} AUTOCH_FAULT_CALLS=${AUTOCH_FAULT_CALLS:-100000} AUTOCH_UNPLUG_ROUNDS=${AUTOCH_UNPLUG_ROUNDS:-100}${AUTOCH_FUZZ_SEED:+ AUTOCH_FUZZ_SEED=$AUTOCH_FUZZ_SEED}"
else
	skip "debug: KUnit, suite, fuzzer, hot-unplug (not in AUTOCH_DEBUG_RUNS)"
fi

if [[ $runs == *" emul "* ]] && [ -f "$inst/autoch_emul.ko" ]; then
	echo "# guest: the emulated library: conformance, suite, faults, malformed replies, soak"
	guest emul "$here/guest-debug-emul.sh" \
		"AUTOCH_SOAK_SECONDS=${AUTOCH_SOAK_SECONDS:-90} AUTOCH_FUZZ_EMUL_CALLS=${AUTOCH_FUZZ_EMUL_CALLS:-200000} AUTOCH_FAULT_EMUL_CALLS=${AUTOCH_FAULT_EMUL_CALLS:-20000} AUTOCH_UNPLUG_EMUL_ROUNDS=${AUTOCH_UNPLUG_EMUL_ROUNDS:-5}"
else
	skip "emul: the emulated library (not in AUTOCH_DEBUG_RUNS, or it did not build)"
fi

if [[ $runs == *" loss "* ]] && [ "${AUTOCH_LOSS_SECONDS:-60}" -gt 0 ]; then
	echo "# guest: the changer cut off while every kind of call runs"
	guest loss "$here/guest-loss.sh" "AUTOCH_LOSS_SECONDS=${AUTOCH_LOSS_SECONDS:-60}"
else
	skip "loss: the changer cut off during calls (not in AUTOCH_DEBUG_RUNS, or AUTOCH_LOSS_SECONDS=0)"
fi

# Every report in the guests' kernel logs counts, whatever the tests said.
pattern='KASAN:|UBSAN:|KFENCE:|BUG:|kernel BUG at|WARNING:|ODEBUG|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|blocked for more than|hung_task|list_(add|del) corruption|refcount_t:|general protection fault|Kernel panic|Oops|unreferenced object|sleeping function called from invalid context|scheduling while atomic'
for c in "$work"/*.console; do
	[ -f "$c" ] || continue
	# the kernel's own (timestamped) lines of the console, then the full
	# dmesg after the marker: a crashed guest has an empty dmesg, and
	# what it said before it died is on the console
	tr -d '\r' <"$c" | awk -v f="${c##*/}: " '
		/^=== guest dmesg ===$/ { d = 1 }
		d || /^\[ *[0-9]+\.[0-9]+\]/ { print f $0 }'
done >"$work/dmesg.all"
headers=$(grep -cE "$pattern" "$work/dmesg.all")
traces=$(grep -c 'Call Trace' "$work/dmesg.all")
[ "$headers" -gt 0 ] || headers=$traces
if [ "$headers" -eq 0 ]; then
	verdict=clean
	ok "guest kernel logs: no sanitizer, lockdep, hung task or debug-objects report, no call trace"
else
	verdict="$headers reports"
	grep -E -A 12 "$pattern|Call Trace" "$work/dmesg.all" | head -n 120 | sed 's/^/    /'
	not_ok "guest kernel logs: $headers reports"
fi
finish
