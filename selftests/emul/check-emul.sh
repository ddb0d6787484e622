#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The emulated changer's part of `make check`: build autoch_emul.ko from a
# copy against KDIR (W=1 without a warning, sparse C=2, checkpatch
# --strict), then boot three guests, each running the conformance checks
# and the driver's kselftest suite against one profile:
#   library     hosts=2 slots=5000  (generic suite)
#   superloader hosts=2             (generic suite)
#   tgt         hosts=2             (suite with AUTOCH_PROFILE=tgt24)
#   large       slots=50000 drives=100 ie=40 max_sectors=2048
#                                   (large_library alone: READ ELEMENT
#                                   STATUS in replies of 1 MiB)
#   libraries   hosts=2 libraries=2 (drive_map alone: two independent
#                                   libraries; a guest of its own, since
#                                   the suite's remove/add of the first
#                                   library's LU would give the second's
#                                   changers the first node numbers)
# Prints TAP in the shape selftests/testbed/tap-count.sh counts: every
# guest's TAP streams (the kselftest programs' subtests indented with "# "),
# then a stream of its own ("ok N emul: ..."), each with its plan. Each
# guest also runs mtx's HP-UX port against mtx through sg (hpux/guest-mtx.sh;
# mtx-hpux from INSTDIR, else built here with hpux/build-mtx.sh). The
# library guest then runs the flap soak's short form (AUTOCH_SOAK_SECONDS,
# 60: selftests/soak/guest-soak.sh, a stream of its own). Ends
# with "# emul: N passed, N failed, N skipped" as tap-count.sh counts all
# of it; exits non-zero when anything failed, a plan included.
#
# Usage: check-emul.sh [INSTDIR]
#   INSTDIR  what selftests/check.sh installs for its guests (autoch.ko,
#            the test programs, kselftest-list.txt, guest-check.sh); built
#            here when not given.
# Environment: KDIR (default: Debian's newest 6.1 headers), AUTOCH_CACHE,
#   AUTOCH_EMUL_GUESTS (default "library superloader tgt large libraries"),
#   AUTOCH_TESTS (only these programs in every guest, without the
#   conformance, mtx checks and soak: for a quick run while working on a
#   test), AUTOCH_SOAK_SECONDS (60, the library guest's flap soak).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
testbed=$top/selftests/testbed
inst=${1:-}

KDIR=${KDIR:-$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort -V | tail -n 1)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Our own results, printed at the end as one stream after the guests'.
n=0 failed=0 own=()
ok() {
	n=$((n + 1))
	own+=("ok $n emul: $*")
}
not_ok() {
	n=$((n + 1))
	own+=("not ok $n emul: $*")
	failed=1
}
show() { sed 's/^/#     /' "$1" | tail -n "${2:-40}"; }
# Our stream, then the count of everything printed (all.tap), then exit.
finish() {
	{
		echo "TAP version 13"
		printf '%s\n' "${own[@]}"
		echo "1..$n"
	} | tee -a "$work/all.tap"
	local out p f s
	out=$("$testbed/tap-count.sh" "$work/all.tap")
	sed '$d' <<<"$out" | sed 's/^/# emul: /'
	read -r p f s <<<"$(tail -n 1 <<<"$out")"
	echo "# emul: $p passed, $f failed, $s skipped"
	[ "$f" -eq 0 ] || failed=1
	exit $failed
}

if [ -z "$KDIR" ] || [ ! -d "$KDIR" ]; then
	not_ok "kernel headers present"
	finish
fi
harness=$("$testbed/harness.sh" 2>"$work/harness.log") || {
	show "$work/harness.log"
	not_ok "files from linux-source-6.1"
	finish
}

# ---- build and lint, from a copy ----
src=$("$here/sources.sh" "$work/emul")
if make -C "$KDIR" M="$src" W=1 modules >"$work/build.log" 2>&1 &&
	! grep -E 'warning:|error:' "$work/build.log"; then
	ok "autoch_emul.ko builds with W=1, no warnings"
else
	show "$work/build.log"
	not_ok "autoch_emul.ko builds with W=1, no warnings"
	finish
fi
if make -C "$KDIR" M="$src" W=1 C=2 modules >"$work/sparse.log" 2>&1 &&
	! grep -E '^/.*: (warning|error):' "$work/sparse.log"; then
	ok "sparse (C=2) reports nothing"
else
	grep -E '^/.*: (warning|error):' "$work/sparse.log" | sed 's/^/#     /'
	not_ok "sparse (C=2) reports nothing"
fi
# checkpatch learns the kernel's CamelCase names (Scsi_Host) from the
# headers' include/: with --no-tree alone it would flag them.
root=$KDIR
[ -f "$root/include/scsi/scsi_host.h" ] ||
	root=$(sed -n 's|^include \(/.*\)/Makefile$|\1|p' "$KDIR/Makefile" | head -n 1)
if (cd "$work" && perl "$harness/scripts/checkpatch.pl" --strict --no-tree \
	--root="$root" --quiet --no-summary -f "$here"/*.[ch]) >"$work/cp.log" 2>&1 &&
	! grep -qE '^(ERROR|WARNING|CHECK)' "$work/cp.log"; then
	ok "checkpatch --strict reports nothing"
else
	show "$work/cp.log"
	not_ok "checkpatch --strict reports nothing"
fi

# ---- what the guests need ----
if [ -z "$inst" ]; then
	inst=$work/guest
	mkdir -p "$inst" "$work/st" "$work/drv"
	cp -r "$top/Kbuild" "$top/driver" "$top/include" "$work/drv/"
	if make -C "$KDIR" M="$work/drv" modules >"$work/drv.log" 2>&1 &&
		make -C "$top/selftests" KSFT_DIR="$harness/tools/testing/selftests" \
			OUTPUT="$work/st" install INSTALL_PATH="$inst" >>"$work/drv.log" 2>&1; then
		cp "$work/drv/driver/autoch.ko" "$top/selftests/guest-check.sh" "$inst/"
	else
		show "$work/drv.log"
		not_ok "driver and selftests build"
		finish
	fi
fi
files=$work/files
mkdir -p "$files"
cp -a "$inst"/. "$files/"
cp "$src/autoch_emul.ko" "$here/guest-emul.sh" "$here/guest-conformance.sh" \
	"$top/selftests/soak/guest-soak.sh" "$files/"
# the flap soak's short form, in the library guest (guest-emul.sh)
if ! cc -O2 -Wall -Wextra -Werror -static -I "$top/include/uapi" \
	-o "$files/soak" "$top/selftests/soak/soak.c" 2>"$work/soak.log"; then
	show "$work/soak.log"
	not_ok "selftests/soak/soak.c builds"
fi
# mtx's HP-UX port for guest-mtx.sh, unless INSTDIR has it
if [ ! -x "$files/mtx-hpux" ]; then
	"$top/selftests/hpux/build-mtx.sh" "$work/mtx" >"$work/mtx.log" 2>&1
	case $? in
	0) cp "$work/mtx/mtx-hpux" "$files/" ;;
	4) echo "# mtx's HP-UX port not built: $(sed -n 's/^1\.\.0 # SKIP //p' "$work/mtx.log")" ;;
	*)
		show "$work/mtx.log"
		not_ok "mtx 1.3.12's HP-UX port builds with -I include/hpux alone"
		;;
	esac
fi

# ---- the guests ----
# guest NAME [AUTOCH_TESTS=PROGRAM...] PROFILE [PARAM=VALUE]...
guest() {
	local name=$1 rc start what=both env=
	shift
	if [ -n "${AUTOCH_TESTS:-}" ]; then
		env="AUTOCH_TESTS='$AUTOCH_TESTS' "
		what=suite
	fi
	# the library guest also runs the flap soak's short form
	if [ -z "$env" ] && [ "$name" = library ]; then
		env="AUTOCH_SOAK_SECONDS=${AUTOCH_SOAK_SECONDS:-60} "
	fi
	case $1 in
	AUTOCH_TESTS=*)
		env="$1 "
		what=suite
		shift
		;;
	esac
	printf '#!/bin/sh\n%sexec sh /autoch/guest-emul.sh %s %s\n' "$env" "$what" "$*" >"$work/$name.sh"
	local args=()
	local f
	for f in "$files"/*; do args+=(--file "$f"); done
	start=$(date +%s)
	"$testbed/run-guest.sh" --kdir "$KDIR" --script "$work/$name.sh" "${args[@]}" \
		--log "$work/$name.console" >"$work/$name.out" 2>&1
	rc=$?
	echo "# guest $name ($*): exit $rc, $(($(date +%s) - start)) s"
	# TAP and diagnostics of the guest, plans included
	tr -d '\r' <"$work/$name.out" |
		grep -E '^(# )?(not )?ok [0-9]+|^(# )?TAP version |^(# )?1\.\.[0-9]|^# |^Bail out' |
		grep -vE '^# (#  RUN|#            OK|#      SKIP|# Totals|# PASSED|# FAILED)' \
			>"$work/$name.tap"
	tee -a "$work/all.tap" <"$work/$name.tap"
	# a failed exit counts when no failure in its TAP explains it (a
	# warning in the kernel log after the last test, a crash)
	if [ "$rc" -ne 0 ] &&
		[ "$("$testbed/tap-count.sh" "$work/$name.tap" | tail -n 1 | cut -d' ' -f2)" = 0 ]; then
		grep -E 'run-guest.sh:|kernel reported' "$work/$name.out" | sed 's/^/#     /'
		not_ok "guest $name ($*) exit status $rc"
	fi
}

start=$(date +%s)
for g in ${AUTOCH_EMUL_GUESTS:-library superloader tgt large libraries}; do
	case $g in
	library) guest library library hosts=2 slots=5000 ;;
	superloader) guest superloader superloader hosts=2 ;;
	tgt) guest tgt tgt hosts=2 ;;
	large) guest large AUTOCH_TESTS=large_library library slots=50000 drives=100 ie=40 max_sectors=2048 ;;
	libraries) guest libraries AUTOCH_TESTS=drive_map library hosts=2 libraries=2 ;;
	*) not_ok "unknown guest $g" ;;
	esac
done
echo "# emulation guests: $(($(date +%s) - start)) s wall"
finish
