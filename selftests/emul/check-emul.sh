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
# Prints TAP lines in the shape selftests/check.sh counts (count_tap):
# its own "ok N"/"not ok N", then every guest's, the kselftest programs'
# subtests indented with "# ". Ends with "# emul: N passed, N failed, N
# skipped"; exits non-zero when anything failed.
#
# Usage: check-emul.sh [INSTDIR]
#   INSTDIR  what selftests/check.sh installs for its guests (autoch.ko,
#            the test programs, kselftest-list.txt, guest-check.sh); built
#            here when not given.
# Environment: KDIR (default: Debian's newest 6.1 headers), AUTOCH_CACHE,
#   AUTOCH_EMUL_GUESTS (default "library superloader tgt").
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

n=0 failed=0
ok() {
	n=$((n + 1))
	echo "ok $n emul: $*"
}
not_ok() {
	n=$((n + 1))
	echo "not ok $n emul: $*"
	failed=1
}
show() { sed 's/^/#     /' "$1" | tail -n "${2:-40}"; }

if [ -z "$KDIR" ] || [ ! -d "$KDIR" ]; then
	not_ok "kernel headers present"
	exit 1
fi
harness=$("$testbed/harness.sh" 2>"$work/harness.log") || {
	show "$work/harness.log"
	not_ok "files from linux-source-6.1"
	exit 1
}

# ---- build and lint, from a copy ----
src=$work/emul
mkdir -p "$src"
cp "$here"/Kbuild "$here"/*.[ch] "$src/"
if make -C "$KDIR" M="$src" W=1 modules >"$work/build.log" 2>&1 &&
	! grep -E 'warning:|error:' "$work/build.log"; then
	ok "autoch_emul.ko builds with W=1, no warnings"
else
	show "$work/build.log"
	not_ok "autoch_emul.ko builds with W=1, no warnings"
	exit 1
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
		cp "$work/drv/driver/autoch.ko" "$inst/"
	else
		show "$work/drv.log"
		not_ok "driver and selftests build"
		exit 1
	fi
fi
files=$work/files
mkdir -p "$files"
cp -a "$inst"/. "$files/"
cp "$src/autoch_emul.ko" "$here/guest-emul.sh" "$here/guest-conformance.sh" "$files/"

# ---- the guests ----
guest() {
	local name=$1 rc start
	shift
	printf '#!/bin/sh\nexec sh /autoch/guest-emul.sh both %s\n' "$*" >"$work/$name.sh"
	local args=()
	local f
	for f in "$files"/*; do args+=(--file "$f"); done
	start=$(date +%s)
	"$testbed/run-guest.sh" --kdir "$KDIR" --script "$work/$name.sh" "${args[@]}" \
		--log "$work/$name.console" >"$work/$name.out" 2>&1
	rc=$?
	echo "# guest $name ($*): exit $rc, $(($(date +%s) - start)) s"
	# TAP and diagnostics of the guest, as check.sh's count_tap reads them
	grep -E '^(# )?(not )?ok [0-9]+ |^# |^Bail out' "$work/$name.out" |
		grep -vE '^# (#  RUN|#            OK|#      SKIP|# Totals|# PASSED|# FAILED)'
	if [ "$rc" -ne 0 ]; then
		grep -E 'run-guest.sh:|kernel reported' "$work/$name.out" | sed 's/^/#     /'
		not_ok "guest $name ($*) exit status $rc"
	fi
}

start=$(date +%s)
for g in ${AUTOCH_EMUL_GUESTS:-library superloader tgt}; do
	case $g in
	library) guest library library hosts=2 slots=5000 ;;
	superloader) guest superloader superloader hosts=2 ;;
	tgt) guest tgt tgt hosts=2 ;;
	*) not_ok "unknown guest $g" ;;
	esac
done
echo "# emulation guests: $(($(date +%s) - start)) s wall"
exit $failed
