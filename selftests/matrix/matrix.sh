#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The build and test matrix: autoch against every kernel its users run,
# as Debian ships them.
#
#   bookworm            6.1 LTS, Debian 12's own (the installed headers)
#   bookworm-backports  6.12 LTS (headers unpacked into the cache)
#   sid                 current stable, 7.2 when this was written (built in
#                       a sid chroot: its kbuild tools need glibc >= 2.38)
#   experimental        the next -rc (7.3-rc): allowed to fail
#
# For each kernel: the module builds with W=1 without a warning, sparse
# (C=2) reports nothing, so does the emulated changer (selftests/emul,
# built with the driver's probes), the kselftest suite passes in QEMU against
# tgt's changer on that very Debian kernel, and that kernel's own
# checkpatch.pl --strict and scripts/coccinelle (from its Debian
# linux-source-X.Y package: lint-scripts.sh, kernel-lint.sh) report nothing
# on the files check.sh's lint step checks (checkpatch on the emulation's
# too); a semantic patch the machine's
# spatch cannot parse, or that coccicheck skips, is a SKIP line of its own.
# Ends with a table and TAP lines ("ok N KERNEL CHECK"); an allowed
# failure is "not ok N ... # TODO". Exits non-zero when any other check
# failed.
#
# Usage: matrix.sh [--no-selftests] [SUITE...]   (default: all four)
# Environment: AUTOCH_CACHE (default /var/cache/autoch), where headers,
# the chroot and guest kernels are cached, keyed by package version.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/selftests/matrix
testbed=$top/selftests/testbed
# shellcheck source=SCRIPTDIR/../testbed/lib.sh
. "$testbed/lib.sh"

selftests=1
if [ "${1:-}" = --no-selftests ]; then
	selftests=0
	shift
fi
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm bookworm-backports sid experimental)
for s in "${suites[@]}"; do
	case $s in
	bookworm | bookworm-backports | sid | experimental) ;;
	*) die "unknown suite $s (bookworm, bookworm-backports, sid, experimental)" ;;
	esac
done

t_start=$EPOCHREALTIME
work=$(mktemp -d)
tgt_state='' lint_pid='' lint_ran=''
# shellcheck disable=SC2317  # run from the trap
cleanup() {
	[ -z "$lint_pid" ] || kill "$lint_pid" 2>/dev/null
	[ -z "$tgt_state" ] || [ ! -f "$tgt_state/env" ] ||
		"$testbed/tgt-changer.sh" stop "$tgt_state" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Results: one TAP line each, in order; the table reads them back.
tap=()
declare -A cell
failed=0
# result KERNEL CHECK ok|fail|skip [NOTE]
result() {
	local k=$1 c=$2 r=$3 note=${4:-} n=$((${#tap[@]} + 1)) allowed=0
	[ "${allowed_fail[$k]:-0}" = 0 ] || allowed=1
	case $r in
	ok) tap+=("ok $n $k $c${note:+ # $note}") ;;
	skip) tap+=("ok $n $k $c # SKIP ${note:-not run}") ;;
	fail)
		if [ "$allowed" = 1 ]; then
			tap+=("not ok $n $k $c # TODO allowed to fail${note:+: $note}")
		else
			tap+=("not ok $n $k $c${note:+ # $note}")
			failed=$((failed + 1))
		fi
		;;
	esac
	cell[$k/$c]=$r
	# progress, not in TAP's shape: only the final list is to be counted
	echo "   $c: $r${note:+ ($note)}" >&2
}
declare -A allowed_fail

# Run "$@" with its output in $work/NAME.log; show its tail on failure.
step() {
	local name=$1
	shift
	"$@" >"$work/$name.log" 2>&1 && return 0
	tail -n 40 "$work/$name.log" | sed 's/^/    /' >&2
	return 1
}

# --- Host packages: the test bed's, plus debootstrap (the sid chroot) and
# pahole (6.12's kbuild makes BTF for modules; the package depends on it).
step deps "$testbed/deps.sh" || die "installing the test bed's packages failed"
missing=()
for p in debootstrap dwarves; do
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing ${missing[*]}" >&2
	step deps-matrix apt_install "${missing[@]}" ||
		die "cannot install ${missing[*]}"
fi
harness=$("$testbed/harness.sh") || die "files from linux-source-6.1 missing"

# --- Once: a snapshot of the tree, so that every kernel gets the same
# sources even while the tree is being edited; the selftests (static
# binaries, the same for every kernel).
cd "$top" || exit 1
mapfile -t kfiles < <(git ls-files 'driver/*.[ch]' 'include/*.h' 2>/dev/null ||
	find driver include -name '*.[ch]')
# the emulated changer is kernel code too; checkpatch learns the kernel's
# CamelCase names it uses (Scsi_Host) from 6.1's headers
mapfile -t efiles < <(git ls-files 'selftests/emul/*.[ch]' 2>/dev/null ||
	find selftests/emul -name '*.[ch]')
eroot=$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-common' | sort -V | tail -n 1)
tree=$work/tree
mkdir -p "$tree"
cp -r Kbuild driver include selftests "$tree/"
# Objects left in the tree by a build elsewhere would be reused.
find "$tree" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o \
	-name '*.mod.c' -o -name '.*.cmd' -o -name modules.order -o \
	-name Module.symvers \) -delete
rm -rf "$tree/selftests/build"
# what coccicheck reads (M=): the module's sources, no objects
mkdir -p "$work/lint-src"
cp -r "$tree/Kbuild" "$tree/driver" "$tree/include" "$work/lint-src/"
cd "$tree" || exit 1

inst=$work/guest
if [ "$selftests" = 1 ]; then
	mkdir -p "$inst" "$work/st"
	# the kselftest programs, and the test bed's runner for the guest
	if ! { step selftests-build make -C selftests \
		KSFT_DIR="$harness/tools/testing/selftests" OUTPUT="$work/st" \
		install INSTALL_PATH="$inst" && cp selftests/guest-check.sh "$inst/"; }; then
		result all selftests-build fail
		selftests=0
	fi
fi
t_once=$(elapsed_since "$t_start")

# --- Per kernel
# The kernel's label (6.12, 7.3-rc7) from its Debian package version.
label_of() {
	local v=${1%%-*}
	case $v in
	*~rc*) echo "${v%%~*}-rc${v##*~rc}" ;;
	*) echo "$v" | cut -d. -f1,2 ;;
	esac
}

# Prepare SUITE: sets kdir (on the host), mode (host|chroot), root and
# binds (the chroot and what to mount in it), rel, ver.
prepare() {
	local suite=$1
	mode=host root='' binds=()
	case $suite in
	bookworm)
		kdir=$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' |
			sort -V | tail -n 1)
		[ -n "$kdir" ] || { echo "no linux-headers-6.1.*-amd64 in /usr/src" >&2; return 1; }
		;;
	bookworm-backports)
		kdir=$("$here/headers.sh" bookworm-backports) || return 1
		;;
	sid)
		root=$("$here/sid-chroot.sh") || return 1
		kdir=$(find "$root/usr/src" -maxdepth 1 -name 'linux-headers-*-amd64' |
			sort -V | tail -n 1)
		[ -n "$kdir" ] || return 1
		mode=chroot
		;;
	experimental)
		root=$("$here/sid-chroot.sh") || return 1
		kdir=$("$here/headers.sh" experimental) || return 1
		mode=chroot
		# the headers, at the same path inside
		binds=(--bind "${kdir%/usr/src/*}")
		;;
	esac
	rel=$(kernel_release "$kdir") && ver=$(kernel_pkg_version "$kdir")
}

# lint_start SUITE: in the background, that kernel's checkpatch and
# coccicheck (its scripts fetched by lint-scripts.sh); lint_result KERNEL
# waits for them and records both.
lint_start() {
	local suite=$1 ks
	(
		ks=$("$here/lint-scripts.sh" "$suite" "$ver" 2>"$work/lint-$suite.scripts") ||
			exit 3
		"$here/kernel-lint.sh" checkpatch "$ks" "${kfiles[@]}" \
			>"$work/checkpatch-$suite.log" 2>&1
		rc=$?
		AUTOCH_CHECKPATCH_ROOT=$eroot \
			"$here/kernel-lint.sh" checkpatch "$ks" "${efiles[@]}" \
			>>"$work/checkpatch-$suite.log" 2>&1 || rc=1
		[ -n "$eroot" ] || { echo "no linux-headers-6.1.*-common for --root"; rc=1; } \
			>>"$work/checkpatch-$suite.log"
		echo $rc >"$work/checkpatch-$suite.rc"
		# what an earlier row ran is not run again
		AUTOCH_COCCI_SAME_AS=$lint_ran \
			"$here/kernel-lint.sh" coccicheck "$ks" "$work/lint-src" \
			>"$work/coccicheck-$suite.log" 2>&1
		echo $? >"$work/coccicheck-$suite.rc"
		echo "$ks" >"$work/lint-$suite.ks"
	) &
	lint_pid=$!
}
lint_result() {
	local k=$1 suite=$2 log line why sum
	wait "$lint_pid"
	lint_pid=''
	if [ "$(cat "$work/checkpatch-$suite.rc" 2>/dev/null)" = 0 ]; then
		result "$k" checkpatch ok "${#kfiles[@]} files, the emulation's ${#efiles[@]}"
	elif [ -f "$work/checkpatch-$suite.rc" ]; then
		head -n 40 "$work/checkpatch-$suite.log" | sed 's/^/    /' >&2
		result "$k" checkpatch fail
	else
		why=$(tail -n 1 "$work/lint-$suite.scripts")
		result "$k" checkpatch fail "no scripts: ${why//#/}"
		result "$k" coccicheck skip "no scripts"
		return
	fi
	log=$work/coccicheck-$suite.log
	[ ! -f "$work/lint-$suite.ks" ] ||
		lint_ran=${lint_ran:+$lint_ran:}$(cat "$work/lint-$suite.ks")
	sum=$(tail -n 1 "$log")
	notes_lint[$k]="coccicheck: $sum"
	if [ "$(cat "$work/coccicheck-$suite.rc")" = 0 ]; then
		result "$k" coccicheck ok "$sum"
	else
		grep -E '^not ok |^    ' "$log" | sed 's/^/    /' >&2
		result "$k" coccicheck fail "$sum"
	fi
	# each patch not run, with the reason: a skip, not a pass
	while IFS= read -r line; do
		line=${line#skip }
		result "$k" "coccicheck ${line%%: *}" skip "${line#*: }"
	done < <(grep '^skip ' "$log")
}

# kmake ARGS...: make against $kdir, on the host or in the chroot (where
# the work directory is mounted at the same path).
kmake() {
	if [ "$mode" = host ]; then
		make -C "$kdir" "$@"
	else
		"$here/sid-chroot.sh" run "$root" --bind "$work" "${binds[@]}" -- \
			make -C "${kdir#"$root"}" "$@"
	fi
}

# Compiler and sparse findings (paths are absolute before 6.13, relative
# to the module after), and kbuild's or modpost's own warnings.
findings() {
	grep -iE '(^|[^a-z])(warning|error):' "$1"
}

declare -A label release times notes notes_lint
kernels=()
for suite in "${suites[@]}"; do
	t0=$EPOCHREALTIME
	[ "$suite" != experimental ] || allowed_fail[$suite]=1
	echo "== $suite" >&2
	if ! prepare "$suite" 2>"$work/prepare-$suite.log"; then
		tail -n 20 "$work/prepare-$suite.log" | sed 's/^/    /' >&2
		k=$suite
		[ "$suite" != experimental ] || allowed_fail[$k]=1
		kernels+=("$k")
		label[$k]=$suite release[$k]="headers unavailable"
		# the reason: the last line the preparation printed
		why=$(grep -v '^ *$' "$work/prepare-$suite.log" | tail -n 1)
		result "$k" build fail "no headers${why:+: ${why//#/}}"
		result "$k" W=1 skip "no build"
		result "$k" sparse skip "no build"
		result "$k" emul skip "no headers"
		result "$k" selftests skip "no build"
		result "$k" checkpatch skip "no package version"
		result "$k" coccicheck skip "no package version"
		times[$k]=$(elapsed_since "$t0")
		continue
	fi
	k=$(label_of "${ver:-$rel}")
	# sid and experimental may ship the same release for a while
	[ -z "${label[$k]:-}" ] || k=$k-$suite
	[ "$suite" != experimental ] || allowed_fail[$k]=1
	kernels+=("$k")
	label[$k]=$suite release[$k]="$rel ($ver)"
	echo "   $rel ($ver), KDIR $kdir" >&2
	lint_start "$suite"

	src=$work/$suite
	mkdir -p "$src"
	cp -r "$tree/Kbuild" "$tree/driver" "$tree/include" "$src/"

	built=0
	if step "build-$suite" kmake M="$src" W=1 modules &&
		[ -f "$src/driver/autoch.ko" ]; then
		built=1
		# headers from a suite whose Release file had expired: say so
		exp=''
		case $suite in
		bookworm-backports | sid) exp=$(apt_x_expired "$suite") ;;
		experimental) exp=$(apt_x_expired experimental)$(apt_x_expired sid) ;;
		esac
		result "$k" build ok "${exp:+taken despite: ${exp//#/}}"
		if findings "$work/build-$suite.log" >&2; then
			result "$k" W=1 fail
		else
			result "$k" W=1 ok
		fi
	else
		result "$k" build fail
		result "$k" W=1 skip "no build"
	fi

	# C=2 checks every file again. kbuild turns sparse off with only a
	# make warning when it deems it unusable: demand its CHECK line.
	if [ "$built" = 0 ]; then
		result "$k" sparse skip "no build"
	elif step "sparse-$suite" kmake M="$src" W=1 C=2 modules &&
		grep -qE '^ +CHECK +.*autoch_main\.c$' "$work/sparse-$suite.log" &&
		! findings "$work/sparse-$suite.log" >&2; then
		result "$k" sparse ok
	else
		grep -E 'C=2|checker' "$work/sparse-$suite.log" >&2
		result "$k" sparse fail
	fi

	# The emulated changer (selftests/emul), with the driver's probes:
	# W=1 and sparse in one build, nothing reported.
	esrc=$("$tree/selftests/emul/sources.sh" "$src/emul")
	if step "emul-$suite" kmake M="$esrc" W=1 C=2 modules &&
		[ -f "$esrc/autoch_emul.ko" ] &&
		grep -qE '^ +CHECK +.*emul_main\.c$' "$work/emul-$suite.log" &&
		! findings "$work/emul-$suite.log" >&2; then
		result "$k" emul ok "W=1, sparse"
	else
		result "$k" emul fail "W=1, sparse"
	fi

	if [ "$selftests" = 0 ]; then
		result "$k" selftests skip "--no-selftests"
	elif [ "$built" = 0 ]; then
		result "$k" selftests skip "no build"
	else
		# A fresh changer per kernel: the runs do not share state.
		tgt_state=$work/tgt-$suite
		mkdir -p "$tgt_state"
		files=(--file "$src/driver/autoch.ko")
		for f in "$inst"/*; do files+=(--file "$f"); done
		if ! step "tgt-$suite" "$testbed/tgt-changer.sh" start "$tgt_state"; then
			result "$k" selftests fail "tgt did not start"
		else
			AUTOCH_GUEST_APPEND="AUTOCH_PROFILE=tgt24" \
				"$testbed/run-guest.sh" --kdir "$kdir" \
				--tgt-state "$tgt_state" \
				--script "$inst/guest-check.sh" "${files[@]}" \
				--log "$work/suite-$suite.console" \
				>"$work/suite-$suite.out" 2>&1
			rc=$?
			"$testbed/tgt-changer.sh" stop "$tgt_state" >/dev/null 2>&1
			tgt_state=''
			out=$work/suite-$suite.out
			# Subtests are counted, each program and the run
			# checked against its plan (testbed/tap-count.sh).
			"$testbed/tap-count.sh" "$out" >"$work/count-$suite"
			read -r p f s < <(tail -n 1 "$work/count-$suite")
			notes[$k]="$p passed, $f failed, $s skipped"
			# what it counted as failed, one line each
			sed '$d' "$work/count-$suite" | sed 's/^/    /' >&2
			if [ "$rc" -eq 0 ] && [ "$f" -eq 0 ] && [ "$p" -gt 0 ]; then
				result "$k" selftests ok "${notes[$k]}"
			else
				tail -n 30 "$out" | sed 's/^/    /' >&2
				result "$k" selftests fail "exit $rc, ${notes[$k]}"
			fi
		fi
	fi
	lint_result "$k" "$suite"
	times[$k]=$(elapsed_since "$t0")
done

# --- Report
mark() {
	case ${cell[$1/$2]:-} in
	ok) echo ok ;;
	fail) if [ "${allowed_fail[$1]:-0}" = 1 ]; then echo 'FAIL*'; else echo FAIL; fi ;;
	*) echo - ;;
	esac
}
echo
fmt='%-9s %-20s %-42s %-6s %-6s %-7s %-6s %-10s %-11s %-11s %s\n'
# shellcheck disable=SC2059  # the format is the one above
printf "$fmt" kernel suite release build W=1 sparse emul selftests checkpatch coccicheck time
for k in "${kernels[@]}"; do
	# shellcheck disable=SC2059
	printf "$fmt" "$k" "${label[$k]}" \
		"${release[$k]}" "$(mark "$k" build)" "$(mark "$k" W=1)" \
		"$(mark "$k" sparse)" "$(mark "$k" emul)" "$(mark "$k" selftests)" \
		"$(mark "$k" checkpatch)" "$(mark "$k" coccicheck)" "${times[$k]}s"
	[ -z "${notes[$k]:-}" ] || printf '%-9s   selftests: %s\n' '' "${notes[$k]}"
	[ -z "${notes_lint[$k]:-}" ] || printf '%-9s   %s\n' '' "${notes_lint[$k]}"
done
[[ "${tap[*]}" != *"# TODO allowed to fail"* ]] ||
	echo "FAIL*: allowed to fail (experimental)"
echo "wall time $(elapsed_since "$t_start")s (selftests build ${t_once}s)"
echo
echo "1..${#tap[@]}"
printf '%s\n' "${tap[@]}"
[ "$failed" -eq 0 ]
