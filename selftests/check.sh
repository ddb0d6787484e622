#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every test of autoch, as `make check` runs it:
#   - the module builds with W=1 and without a warning, sparse (C=2),
#     checkpatch --strict and coccicheck report nothing on driver/ and
#     include/, and no driver function is over 60 lines without a reason
#     in its comment (testbed/func-length.sh), and the TAP counter every
#     count below comes from counts as it says (testbed/tap-count-test.sh);
#   - the selftests and examples build, including the header compiled as
#     C++ and through the HP-UX compatibility directory;
#   - in QEMU, against tgt's changer: the kselftest suite, the ch/autoch
#     bind path, and the READ ELEMENT STATUS count of a full inventory as
#     seen on the wire (QEMU's scsi_generic_send_command trace), and two
#     initiators to tgt's changer (selftests/guest-two-tgt.sh), and two
#     paths to it through two portals, cut from the host
#     (selftests/guest-paths-tgt.sh);
#   - the same suite and mtx/sg3-utils conformance checks against the
#     emulated changer (selftests/emul: library, superloader and tgt
#     profiles, two initiators);
#   - mc(1M), the HP-UX example, autoch-inventory and the udev rules in a
#     guest, and make dkms-install on the machine's own Debian headers;
#   - the Debian packages (selftests/deb-check.sh): make deb, lintian,
#     installed with apt on a minimal Debian 12 (cached) with DKMS
#     building for Debian's kernel, used in a guest, then purged;
#   - make matrix (selftests/matrix: builds, W=1, sparse, the suite, and
#     that kernel's own checkpatch --strict and coccicheck, from its Debian
#     linux-source package, on Debian's 6.1, 6.12, 7.2 and 7.3-rc kernels;
#     a semantic patch spatch cannot parse is a SKIP) and make check-debug
#     (selftests/debug: KUnit, the suite, fuzzing, hot-unplug, the
#     emulation and a soak under KASAN, UBSAN, lockdep and kmemleak).
# Ends with "N passed, N failed, N skipped"; exits non-zero on a failure.
#
# Usage: check.sh [--lint-only]
# Environment: KDIR (default: Debian's newest 6.1 headers), AUTOCH_CACHE,
#   AUTOCH_CHECK_PARTS (default "matrix debug"; leave one out to skip it,
#   counted as skipped), AUTOCH_DEBUG_BESIDE (default 1: the debug part
#   runs beside the others, from the start; 0: after the matrix).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
testbed=$top/selftests/testbed
lint_only=0
[ "${1:-}" = --lint-only ] && lint_only=1

passed=0 failed=0 skipped=0
# what failed, named again just above the closing count: a CI log that
# keeps only its last lines still says which tests failed
failures=()
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); failures+=("$*"); echo "FAIL: $*"; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $*"; }
finish() {
	local line
	if [ ${#failures[@]} -gt 0 ]; then
		echo "what failed:"
		printf '%s\n' "${failures[@]}" | head -n 40 |
			while IFS= read -r line; do echo "  $line"; done
	fi
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

work=$(mktemp -d)
tgt_state='' debug_pid=''
# shellcheck disable=SC2317  # run from the trap
cleanup() {
	local st
	if [ -n "$debug_pid" ]; then
		kill "$debug_pid" 2>/dev/null
		wait "$debug_pid" 2>/dev/null
	fi
	for st in "$tgt_state" "$work/tgt-mc" "$work/tgt-paths"; do
		[ -z "$st" ] || [ ! -f "$st/env" ] ||
			"$testbed/tgt-changer.sh" stop "$st" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run "$@" with its output in $work/NAME.log; print the log on failure.
step() {
	local name=$1
	shift
	if "$@" >"$work/$name.log" 2>&1; then
		return 0
	fi
	sed 's/^/    /' "$work/$name.log" | tail -n 60
	return 1
}

if ! step deps "$testbed/deps.sh"; then
	fail "dependencies install"
	finish
fi

KDIR=${KDIR:-$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort -V | tail -n 1)}
if [ -z "$KDIR" ] || [ ! -d "$KDIR" ]; then
	fail "Debian 6.1 kernel headers present"
	finish
fi
echo "kernel headers: $KDIR"
harness=$("$testbed/harness.sh") || { fail "files from linux-source-6.1"; finish; }

# The other kernels and the debug kernel: both cache what they build
# (headers, the sid chroot, guest kernels, the debug kernel) under
# AUTOCH_CACHE, keyed by package version and config. The debug kernel's
# part, the longest, runs beside the others from here (its guests and its
# tgt are its own; TCG leaves a core idle most of the time) and is reported
# in its place below; AUTOCH_DEBUG_BESIDE=0 runs it there instead.
parts=" ${AUTOCH_CHECK_PARTS-matrix debug} "
# its logs and guest consoles go to debug_logs, kept if it fails
debug_logs=${AUTOCH_DEBUG_LOGS:-$work/debug-logs}
run_debug() {
	AUTOCH_DEBUG_LOGS=$debug_logs \
		"$top/selftests/debug/check-debug.sh" >"$work/debug.out" 2>&1
}
if [ "$lint_only" -eq 0 ] && [[ $parts == *" debug "* ]] &&
	[ "${AUTOCH_DEBUG_BESIDE:-1}" != 0 ]; then
	# not run_debug: $! is then check-debug.sh's own pid, for the trap
	AUTOCH_DEBUG_LOGS=$debug_logs \
		"$top/selftests/debug/check-debug.sh" >"$work/debug.out" 2>&1 &
	debug_pid=$!
fi

# Build from a copy, so that the tree stays clean and parallel runs agree.
src=$work/src
mkdir -p "$src"
cp -r "$top/Kbuild" "$top/driver" "$top/include" "$src/"

if step build make -C "$KDIR" M="$src" W=1 modules &&
	! grep -E 'warning:|error:' "$work/build.log"; then
	pass "module builds with W=1, no warnings"
else
	grep -E 'warning:|error:' "$work/build.log" | sed 's/^/    /'
	fail "module builds with W=1, no warnings"
fi

# C=2 checks every file again, whether or not it was rebuilt.
if step sparse make -C "$KDIR" M="$src" W=1 C=2 modules &&
	! grep -E '^/.*: (warning|error):' "$work/sparse.log"; then
	pass "sparse (C=2) reports nothing"
else
	grep -E '^/.*: (warning|error):' "$work/sparse.log" | sed 's/^/    /'
	fail "sparse (C=2) reports nothing"
fi

cd "$top" || exit 1
mapfile -t kfiles < <(git ls-files 'driver/*.[ch]' 'include/*.h' 2>/dev/null ||
	find driver include -name '*.[ch]')
if step checkpatch perl "$harness/scripts/checkpatch.pl" --strict --no-tree \
	--quiet --no-summary -f "${kfiles[@]}"; then
	pass "checkpatch --strict reports nothing (${#kfiles[@]} files)"
else
	fail "checkpatch --strict reports nothing"
fi
rm -f .checkpatch-camelcase.*

# No function of the driver over 60 lines without the reason in the
# comment above it ("Longer than 60 lines: ..."), as issue 15 asks.
mapfile -t cfiles < <(printf '%s\n' "${kfiles[@]}" | grep '^driver/.*\.c$')
if step func-length "$testbed/func-length.sh" "${cfiles[@]}"; then
	pass "every driver function over 60 lines says why ($(tail -n 1 "$work/func-length.log"))"
else
	fail "every driver function over 60 lines says why"
fi

# The sysfs ABI: in the kernel's format (get_abi.pl), and every attribute
# of autoch_sysfs.c in it, nothing more.
abi=Documentation/ABI/testing/sysfs-class-autoch
if step abi perl "$harness/scripts/get_abi.pl" --dir Documentation/ABI validate &&
	! grep -q . "$work/abi.log" &&
	step abi-attrs "$testbed/abi-attrs.sh" driver/autoch_sysfs.c "$abi"; then
	pass "sysfs ABI: $abi validates, $(tail -n 1 "$work/abi-attrs.log") documented"
else
	fail "sysfs ABI: $abi validates and documents every attribute"
fi

# coccicheck as the kernel's make coccicheck M=... MODE=report runs it,
# with the semantic patches of Debian's linux-source-6.1. Its "warning:
# line N: should X be a metavariable?" lines are about the .cocci files.
if step coccicheck env srctree="$harness" KBUILD_EXTMOD="$src" MODE=report \
	SPATCH=spatch J="$(nproc)" V= bash "$harness/scripts/coccicheck" &&
	! grep -E '^/.*:[0-9]+:' "$work/coccicheck.log"; then
	pass "coccicheck reports nothing ($(find "$harness/scripts/coccinelle" -name '*.cocci' | wc -l) semantic patches)"
else
	grep -E '^/.*:[0-9]+:' "$work/coccicheck.log" | sed 's/^/    /'
	fail "coccicheck reports nothing"
fi

# The project's own rules (testbed/cocci/*.cocci), each of which the
# kernel's set does not know: see each file's header.
mapfile -t rules < <(find "$testbed/cocci" -name '*.cocci' | sort)
# shellcheck disable=SC2016  # expanded by the inner shell
if step cocci-autoch bash -c 'for r; do spatch --very-quiet --sp-file "$r" --dir "$0/driver" || exit; done' \
	"$top" "${rules[@]}" && ! grep -E '^/.*:[0-9]+:' "$work/cocci-autoch.log"; then
	pass "the project's semantic patches report nothing (${#rules[@]}: $(basename -a "${rules[@]}" | tr '\n' ' ' | sed 's/ $//'))"
else
	grep -E '^/.*:[0-9]+:' "$work/cocci-autoch.log" | sed 's/^/    /'
	fail "the project's semantic patches report nothing"
fi

# The counter every part's count comes from, on a log for each rule.
if step tap-count "$testbed/tap-count-test.sh"; then
	pass "tap-count.sh counts as it says ($(grep -c '^ok ' "$work/tap-count.log") rules)"
else
	fail "tap-count.sh counts as it says"
fi

[ "$lint_only" -eq 0 ] || finish

ksft=$harness/tools/testing/selftests
inst=$work/guest
mkdir -p "$inst" "$work/st" "$work/ex"
# the kselftest programs, and the test bed's runner for the guests
if step selftests make -C selftests KSFT_DIR="$ksft" OUTPUT="$work/st" \
	install INSTALL_PATH="$inst" && cp selftests/guest-check.sh "$inst/"; then
	pass "selftests build; header compiles as C++ and via include/hpux"
else
	fail "selftests build; header compiles as C++ and via include/hpux"
	finish
fi
if step examples make -C userspace-examples OUTPUT="$work/ex"; then
	pass "userspace-examples build"
else
	fail "userspace-examples build"
	finish
fi
selftests/hpux/check-bitfields.sh "$work/bitfields" >"$work/bitfields.log" 2>&1
case $? in
0) pass "HP-UX inquiry/sense bit-fields, little- and big-endian (s390x, qemu-user)" ;;
4) skip "HP-UX bit-fields: $(sed -n 's/^1\.\.0 # SKIP //p' "$work/bitfields.log")" ;;
*) sed 's/^/    /' "$work/bitfields.log" && fail "HP-UX inquiry/sense bit-fields, little- and big-endian" ;;
esac
selftests/hpux/build-mtx.sh "$work/mtx-hpux" >"$work/mtx-hpux.log" 2>&1
case $? in
0) pass "mtx 1.3.12's HP-UX port (SIOC_IO) builds with -I include/hpux alone" ;;
4) skip "mtx's HP-UX port: $(sed -n 's/^1\.\.0 # SKIP //p' "$work/mtx-hpux.log")" ;;
*) sed 's/^/    /' "$work/mtx-hpux.log" && fail "mtx 1.3.12's HP-UX port builds with -I include/hpux alone" ;;
esac
cp "$src/driver/autoch.ko" "$work/ex/autoch-demo" "$work/ex/mc" \
	selftests/guest-bind.sh selftests/guest-inventory.sh "$inst/"
# for the emulation's guests (guest-mtx.sh) too
[ -x "$work/mtx-hpux/mtx-hpux" ] && cp "$work/mtx-hpux/mtx-hpux" "$inst/"

tgt_state=$work/tgt
mkdir -p "$tgt_state"
if ! step tgt "$testbed/tgt-changer.sh" start "$tgt_state"; then
	fail "tgt changer starts"
	finish
fi

# Count the TAP of a part's log (selftests/testbed/tap-count.sh: the
# subtests of the kselftest programs, every stream and program checked
# against its plan). RC is the part's exit status: a part that failed
# without a failure in its TAP is one failure more.
count_tap() {
	local log=$1 rc=${2:-0} out p f s
	out=$("$testbed/tap-count.sh" "$log")
	# the failures the TAP lines shown above do not show
	sed '$d' <<<"$out" | grep -v '^not ok: ' | sed 's/^/    /'
	read -r p f s <<<"$(tail -n 1 <<<"$out")"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	echo "  $p passed, $f failed, $s skipped in $(basename "$log")"
	# what the count counted as failed, one line each: the failed
	# results, a program's subtests included, a plan not met, a Bail out!
	if [ "$f" -gt 0 ]; then
		mapfile -t -O ${#failures[@]} failures < <(
			sed '$d' <<<"$out" | sed "s|^|$(basename "$log" .out): |")
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		tail -n 30 "$log" | sed 's/^/    /'
		fail "$(basename "$log" .out): exit $rc without a failed test"
	fi
	[ "$f" -eq 0 ]
}

# A part that ran on a tgt of its own (STATE) has ended with status RC:
# stop that tgt, show the TAP lines of $work/NAME.out (and those matching
# the pattern EXTRA) and count them.
own_tgt_done() {
	local name=$1 st=$2 rc=$3 extra=${4:-}
	"$testbed/tgt-changer.sh" stop "$st" >/dev/null 2>&1
	grep -E "^(not )?ok |Bail out${extra:+|$extra}" "$work/$name.out" | sed 's/^/    /'
	count_tap "$work/$name.out" "$rc"
}

guest() {
	local name=$1 script=$2
	shift 2
	local files=()
	local f
	for f in "$inst"/*; do files+=(--file "$f"); done
	"$testbed/run-guest.sh" --kdir "$KDIR" --tgt-state "$tgt_state" \
		--script "$script" "${files[@]}" --log "$work/$name.console" \
		"$@" >"$work/$name.out" 2>&1
}

echo "running the selftests in QEMU against tgt's changer"
start=$(date +%s)
AUTOCH_GUEST_APPEND="AUTOCH_PROFILE=tgt24" guest suite "$inst/guest-check.sh"
rc=$?
grep -E '^(# )?(not )?ok |^# # Totals|Bail out' "$work/suite.out" | sed 's/^/    /'
if ! count_tap "$work/suite.out" "$rc"; then
	# the harness's own lines for each failed assertion, then the end
	grep -E '^# # .*\.c:[0-9]+:' "$work/suite.out" | sed 's/^/    /'
	tail -n 30 "$work/suite.out" | sed 's/^/    /'
fi
asserts=$(cat "$top"/selftests/*.c "$top"/selftests/autoch.h | grep -cE '\b(ASSERT|EXPECT)_[A-Z_]+\(')
echo "  assertion sites in the suite: $asserts; wall time $(($(date +%s) - start)) s"

echo "Linux ch and autoch on one changer: unbind and bind through sysfs"
guest bind "$inst/guest-bind.sh"
rc=$?
grep -E '^(not )?ok ' "$work/bind.out" | sed 's/^/    /'
count_tap "$work/bind.out" "$rc"

# One full inventory through the HP-UX loop (one SIOC_ELEMENT_STATUS per
# element), counted on the wire. tgt's changer has 4 element types of at
# most 24 elements: the driver must need one READ ELEMENT STATUS per type,
# and one more, with DVCID, that reads every drive's identifier at probe
# (driver/autoch_drives.c: which devices are the drives).
echo "wire cost of a full inventory of the 24-slot changer"
AUTOCH_QEMU_ARGS="-trace enable=scsi_generic_send_command,file=$work/trace" \
	guest inventory "$inst/guest-inventory.sh"
rc=$?
if [ "$rc" -ne 0 ]; then
	tail -n 20 "$work/inventory.out" | sed 's/^/    /'
	fail "guest run of the inventory (exit $rc)"
else
	elements=$(grep -cE '^  (transport|storage|import/export|data transfer) +[0-9]+ +(FULL|EMPTY)' "$work/inventory.out")
	res=$(grep -c 'data= 0xb8 ' "$work/trace")
	modesense=$(grep -c 'data= 0x1a ' "$work/trace")
	echo "  $elements elements listed with SIOC_ELEMENT_STATUS: $res READ ELEMENT STATUS, $modesense MODE SENSE on the wire"
	# 4 element types of at most 24 elements: one READ ELEMENT STATUS
	# each, and the drives' identifiers at probe
	if [ "$elements" -eq 29 ] && [ "$res" -eq 5 ]; then
		pass "full inventory costs one READ ELEMENT STATUS per element type (and one for the drives' identifiers at probe)"
	else
		fail "full inventory costs one READ ELEMENT STATUS per element type (and one for the drives' identifiers at probe)"
	fi
fi

echo "two initiators on tgt's changer: a move through one host seen through the other"
"$testbed/run-guest.sh" --kdir "$KDIR" --tgt-state "$tgt_state" --two-hosts \
	--script selftests/guest-two-tgt.sh --file "$src/driver/autoch.ko" \
	--file "$work/ex/mc" --log "$work/two-tgt.console" >"$work/two-tgt.out" 2>&1
rc=$?
grep -E '^(not )?ok |Bail out' "$work/two-tgt.out" | sed 's/^/    /'
count_tap "$work/two-tgt.out" "$rc"

# tgt with two portals (a tgt of its own), two paths to one LU; the host
# cuts the active one from under autoch (multipath=1) on the guest's
# request (run-guest.sh --control).
echo "two iSCSI paths to tgt's changer: one node, the active path cut during a status loop, a move, a reservation"
paths_state=$work/tgt-paths
mkdir -p "$paths_state"
if step tgt-paths env AUTOCH_TGT_PORTALS=2 "$testbed/tgt-changer.sh" start "$paths_state"; then
	AUTOCH_TGT_STATE=$paths_state "$testbed/run-guest.sh" --kdir "$KDIR" --tgt-state "$paths_state" \
		--two-portals --control "$testbed/tgt-path-ctl.sh" \
		--script selftests/guest-paths-tgt.sh --file "$src/driver/autoch.ko" \
		--file "$inst/path_caller" --log "$work/paths-tgt.console" \
		>"$work/paths-tgt.out" 2>&1
	own_tgt_done paths-tgt "$paths_state" $? '^# (figures|caller|paths):'
else
	fail "tgt changer with two portals starts"
fi

echo "mtx's HP-UX port (SIOC_IO) against mtx through sg, on tgt's changer"
if [ -x "$work/mtx-hpux/mtx-hpux" ]; then
	"$testbed/run-guest.sh" --kdir "$KDIR" --tgt-state "$tgt_state" \
		--script selftests/hpux/guest-mtx.sh --file "$src/driver/autoch.ko" \
		--file "$work/mtx-hpux/mtx-hpux" --file "$inst/hpux-elements" \
		--log "$work/mtx.console" >"$work/mtx.out" 2>&1
	rc=$?
	grep -E '^(not )?ok |Bail out' "$work/mtx.out" | sed 's/^/    /'
	count_tap "$work/mtx.out"
	[ "$rc" -eq 0 ] || fail "guest run of mtx's HP-UX port (exit $rc)"
else
	skip "mtx's HP-UX port in the guest: it was not built"
fi

echo "SIOC_IO from a 32-bit program (i686, static), on tgt's changer"
if step io32-build i686-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror \
	-Iinclude/hpux selftests/hpux/sioc_io32.c -o "$work/sioc_io32"; then
	"$testbed/run-guest.sh" --kdir "$KDIR" --tgt-state "$tgt_state" \
		--script selftests/hpux/guest-sioc-io32.sh --file "$src/driver/autoch.ko" \
		--file "$work/sioc_io32" --file "$work/ex/autoch-inventory" \
		--log "$work/io32.console" >"$work/io32.out" 2>&1
	rc=$?
	grep -E '^(not )?ok |^1\.\.0' "$work/io32.out" | sed 's/^/    /'
	count_tap "$work/io32.out"
	[ "$rc" -eq 0 ] || fail "guest run of the 32-bit SIOC_IO caller (exit $rc)"
else
	fail "selftests/hpux/sioc_io32.c builds with i686-linux-gnu-gcc"
fi

echo "the emulated changer: conformance with mtx and sg3-utils, the suite on three profiles, large_library on 50,000 slots"
"$top/selftests/emul/check-emul.sh" "$inst" >"$work/emul.out" 2>&1
rc=$?
grep -E '^(# )?(not )?ok |^# guest|^# emulation|^# emul:' "$work/emul.out" | sed 's/^/    /'
count_tap "$work/emul.out" "$rc"

echo "mc(1M), the HP-UX example, autoch-inventory, udev rules: on a tgt of their own"
mc_state=$work/tgt-mc
mkdir -p "$mc_state"
if step tgt-mc "$testbed/tgt-changer.sh" start "$mc_state"; then
	eval "$(grep -E '^(PORT|IQN)=' "$mc_state/env")"
	# the first tape LU as well, so that a drive element can be matched
	# with its /dev/nstN by serial number
	tape="-drive driver=iscsi,transport=tcp,portal=127.0.0.1:$PORT,target=$IQN,lun=1,if=none,id=tape1,initiator-name=iqn.2026-11.org.autoch:tape1"
	tape+=" -device scsi-generic,drive=tape1,bus=scsi0.0,channel=0,scsi-id=0,lun=1"
	AUTOCH_GUEST_BINS="udevadm /usr/lib/udev/scsi_id" AUTOCH_QEMU_ARGS="$tape" \
		"$testbed/run-guest.sh" --kdir "$KDIR" --tgt-state "$mc_state" \
		--script selftests/guest-mc.sh --file "$src/driver/autoch.ko" \
		--file "$work/ex/mc" --file "$work/ex/hpux-example" \
		--file "$work/ex/autoch-inventory" --file udev/60-autoch.rules \
		--file udev/61-autoch-drives.rules --file udev/autoch-drive-names \
		--log "$work/mc.console" >"$work/mc.out" 2>&1
	own_tgt_done mc "$mc_state" $?
else
	fail "tgt changer for mc starts"
fi

if [[ $parts == *" matrix "* ]]; then
	echo "the matrix (make matrix): 6.1, 6.12, sid's current stable, experimental's -rc"
	"$top/selftests/matrix/matrix.sh" >"$work/matrix.out" 2>&1
	rc=$?
	sed -n '/^kernel /,/^wall time/p' "$work/matrix.out" | sed 's/^/    /'
	# an allowed failure (experimental) is "not ok ... # TODO": a skip
	count_tap "$work/matrix.out" "$rc"
else
	skip "the matrix (not in AUTOCH_CHECK_PARTS)"
fi

if [[ $parts == *" debug "* ]]; then
	echo "the debug kernel (make check-debug): KUnit, suite, fuzzer, unplug, emulation, soak, loss"
	if [ -n "$debug_pid" ]; then
		wait "$debug_pid"
		rc=$?
		debug_pid=''
	else
		run_debug
		rc=$?
	fi
	grep -E '^(not )?ok [0-9]+ |^sanitizer verdict|^wall time' "$work/debug.out" | sed 's/^/    /'
	grep -E '^    # # (fuzz|unplug):' "$work/debug.out" | sed 's/^/  /'
	# a failure's details: every failed line of its programs (the
	# guests' TAP), then their last lines, and where its logs and guest
	# consoles are kept
	if grep -q '^not ok ' "$work/debug.out"; then
		echo "  failed in the guests:"
		grep -E '^    # (# )*(not ok |FAIL|# FAIL)' "$work/debug.out" |
			sed 's/^/  /'
		grep -E '^    # ' "$work/debug.out" |
			grep -vE '^    # (# )?ok |# # fuzz: ' | tail -n 40
		kept=$(mktemp -d /var/tmp/autoch-debug-logs.XXXXXX)
		cp -r "$debug_logs/." "$work/debug.out" "$kept/" 2>/dev/null
		echo "  the debug part's logs and guest consoles: $kept"
	fi
	# a report in the guests' kernel logs is a "not ok" line of its own
	count_tap "$work/debug.out" "$rc" &&
		! grep -q '^sanitizer verdict: clean' "$work/debug.out" &&
		fail "debug kernel: $(grep '^sanitizer verdict' "$work/debug.out" || echo 'no sanitizer verdict')"
else
	skip "the debug kernel (not in AUTOCH_CHECK_PARTS)"
fi

echo "DKMS: make dkms-install and dkms-remove for Debian's kernel"
KDIR=$KDIR selftests/dkms-check.sh >"$work/dkms.out" 2>&1
rc=$?
grep -E '^(not )?ok |^1\.\.0' "$work/dkms.out" | sed 's/^/    /'
# exit 4 is its "1..0 # SKIP why", which count_tap counts as one skip
[ "$rc" -ne 4 ] || rc=0
count_tap "$work/dkms.out" "$rc"

echo "Debian packages: make deb, lintian, install on minimal Debian 12 (DKMS for Debian's kernel), guest, purge"
KDIR=$KDIR selftests/deb-check.sh >"$work/deb.out" 2>&1
rc=$?
grep -E '^(not )?ok |^1\.\.0' "$work/deb.out" | sed 's/^/    /'
[ "$rc" -ne 4 ] || rc=0
count_tap "$work/deb.out" "$rc"
finish
