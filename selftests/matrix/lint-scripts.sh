#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lint scripts of the kernel a Debian SUITE ships: checkpatch.pl
# (with the spelling.txt and const_structs.checkpatch it reads with
# --no-tree), coccicheck and the semantic patches of scripts/coccinelle,
# extracted from that kernel's Debian linux-source-X.Y package into the
# cache, keyed by the package version; prints the directory (it holds
# scripts/..., as a kernel tree would).  Nothing else of the tarball is
# written out, and nothing is ever copied into the tree.
#
# Usage: lint-scripts.sh SUITE VERSION
#   VERSION is the kernel's Debian package version (6.12.95-1~bpo12+1,
#   7.3~rc7-1~exp1): linux-source-6.12 of that version is taken.
# bookworm is the installed linux-source-6.1 (testbed/harness.sh, which
# the lint step of check.sh uses too); the other suites' package is
# downloaded with their apt configuration (testbed/lib.sh), never installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../testbed/lib.sh
. "$here/../testbed/lib.sh"

[ $# -eq 2 ] || die "usage: $0 SUITE VERSION"
suite=$1 ver=$2
if [ "$suite" = bookworm ]; then
	exec "$here/../testbed/harness.sh"
fi

# 6.12.95-1~bpo12+1 -> 6.12, 7.3~rc7-1~exp1 -> 7.3
series=${ver%%-*}
series=$(echo "${series%%~*}" | cut -d. -f1,2)
pkg=linux-source-$series
dest=$AUTOCH_CACHE/$pkg/$ver
files=(
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	scripts/coccicheck
	scripts/coccinelle
)
if [ -f "$dest/.complete" ]; then
	echo "$dest"
	exit 0
fi

mkdir -p "$AUTOCH_CACHE/$pkg"
tmp=$(mktemp -d "$AUTOCH_CACHE/$pkg/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log "fetching $pkg ($ver) from $suite"
get() { (cd "$tmp" && apt_x_download "$suite" "$pkg=$ver"); }
get || { apt_x_update "$suite" --force && get; } || die "cannot download $pkg ($ver)"
deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
[ -n "$deb" ] || die "apt-get download left no $pkg"
mkdir "$tmp/x"
# The .deb holds usr/src/linux-source-X.Y.tar.xz: stream it, take only
# the files above.
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
	tar -xJ -C "$tmp/x" --strip-components=1 "${files[@]/#/$pkg/}" ||
	die "cannot extract ${files[*]} from $pkg ($ver)"
rm -f "$deb"
touch "$tmp/x/.complete"
chmod 755 "$tmp/x"	# mktemp made it private
# Another run may have won the race; keep its copy.
mv -T "$tmp/x" "$dest" 2>/dev/null || [ -f "$dest/.complete" ] ||
	die "cannot move the scripts into $dest"
echo "$dest"
