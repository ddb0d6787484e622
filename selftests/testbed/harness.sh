#!/bin/bash
# Extract from Debian's linux-source-6.1 the few files the build and lint
# use (kselftest's lib.mk, runner and harness headers, checkpatch and what it reads with
# --no-tree, kernel-doc, coccicheck and its semantic patches) into the cache, keyed by the package version.
# They are used in place (-I, make lint), never copied into the tree.
# Usage: harness.sh         prints the directory; it holds
#   tools/testing/selftests/kselftest_harness.h, scripts/checkpatch.pl, ...
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkg=linux-source-6.1
tarball=/usr/src/$pkg.tar.xz
ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) ||
	die "$pkg is not installed: run deps.sh"
[ -f "$tarball" ] || die "$tarball missing: run deps.sh"
dest=$AUTOCH_CACHE/$pkg/$ver

files=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/lib.mk	# selftests/Makefile includes it
	tools/testing/selftests/kselftest/runner.sh	# lib.mk's run_tests
	tools/testing/selftests/kselftest/prefix.pl
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	Documentation/dev-tools/checkpatch.rst	# checkpatch --verbose
	scripts/kernel-doc
	scripts/get_abi.pl	# Documentation/ABI's format
	scripts/coccicheck	# make lint: Coccinelle's semantic patches
	scripts/coccinelle
)

complete() {
	local f
	for f in "${files[@]}"; do [ -e "$dest/$f" ] || return 1; done
}

if ! complete; then
	mkdir -p "$AUTOCH_CACHE/$pkg"
	tmp=$(mktemp -d "$AUTOCH_CACHE/$pkg/.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	log "extracting from $tarball ($ver)"
	tar -xJf "$tarball" -C "$tmp" --strip-components=1 "${files[@]/#/$pkg/}"
	chmod 755 "$tmp"	# mktemp made it private
	rm -rf "$dest"
	mv -T "$tmp" "$dest" 2>/dev/null || complete || die "extraction failed"
fi
echo "$dest"
