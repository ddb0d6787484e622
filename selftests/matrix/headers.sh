#!/bin/bash
# Unpack the kernel headers Debian's SUITE currently ships for amd64
# (linux-headers-amd64's dependency, its -common part and linux-kbuild)
# into the cache, keyed by the package version; print the build tree
# (KDIR).  The packages are downloaded and unpacked, never installed.
# Usage: headers.sh SUITE      e.g. bookworm-backports, experimental
#
# The headers' top Makefile includes the -common part by its absolute
# path under /usr/src: it is pointed at the unpacked copy, so the tree
# works from the cache as it is, on the host (bookworm-backports' tools
# run on Debian 12) or bind-mounted at the same path into a chroot (sid's
# and experimental's tools need a newer glibc: see sid-chroot.sh).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../testbed/lib.sh
. "$(dirname "$0")/../testbed/lib.sh"

[ $# -eq 1 ] || die "usage: $0 SUITE"
suite=$1

# The versioned package linux-headers-amd64 depends on in SUITE.
resolve() {
	local deps
	ver=$(apt_x_field "$suite" "linux-headers-amd64/$suite" Version) || return 1
	deps=$(apt_x_field "$suite" "linux-headers-amd64=$ver" Depends) || return 1
	hdr=$(grep -oE 'linux-headers-[^ ,]+-amd64' <<<"$deps" | head -n 1)
	[ -n "$hdr" ] || return 1
	deps=$(apt_x_field "$suite" "$hdr=$ver" Depends) || return 1
	common=$(grep -oE 'linux-headers-[^ ,]+-common' <<<"$deps" | head -n 1)
	kbuild=$(grep -oE 'linux-kbuild-[^ ,]+' <<<"$deps" | head -n 1)
	[ -n "$common" ] && [ -n "$kbuild" ]
}
apt_x_update "$suite" || log "the package lists of $suite could not be updated"
resolve || { apt_x_update "$suite" --force && resolve; } ||
	die "no linux-headers-amd64 in $suite (its package lists could not be updated or do not have it)"

dest=$AUTOCH_CACHE/headers/${hdr#linux-headers-}_$ver
kdir=$dest/usr/src/$hdr
if [ -f "$dest/.complete" ]; then
	touch "$dest/.complete"
	echo "$kdir"
	exit 0
fi

mkdir -p "$AUTOCH_CACHE/headers"
# Entries nobody used for a week (older versions) go.
find "$AUTOCH_CACHE/headers" -mindepth 2 -maxdepth 2 -name .complete \
	-mtime +7 -printf '%h\n' | xargs -r rm -rf
tmp=$(mktemp -d "$AUTOCH_CACHE/headers/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log "fetching $hdr $common $kbuild ($ver)"
get() { (cd "$tmp" && apt_x_download "$suite" "$hdr=$ver" "$common=$ver" "$kbuild=$ver"); }
get || { apt_x_update "$suite" --force && get; } || die "cannot download $hdr ($ver)"
mkdir "$tmp/x"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/x"
done
[ -f "$tmp/x/usr/src/$hdr/Makefile" ] || die "$hdr has no Makefile"
# include /usr/src/linux-headers-...-common/Makefile (and, since 6.13,
# KBUILD_OUTPUT=/usr/src/linux-headers-...-amd64): the unpacked copies.
sed -i "s|/usr/src/|$dest/usr/src/|g" "$tmp/x/usr/src/$hdr/Makefile"

# Since 7.0 the top Makefile runs scripts/checker-valid.sh before C=1/2
# and quietly turns sparse off when the script fails; Debian's -common
# package does not ship the script, so sparse would never run.  Put back
# the same test (does the checker understand __typeof_unqual__?).
src=$tmp/x/usr/src/${common}
if grep -q 'scripts/checker-valid.sh' "$src/Makefile" &&
	[ ! -e "$src/scripts/checker-valid.sh" ]; then
	install -D -m 0755 "$(dirname "$0")/checker-valid.sh" \
		"$src/scripts/checker-valid.sh"
fi

touch "$tmp/x/.complete"
chmod 755 "$tmp/x"	# mktemp made it private
# Another run may have won the race; keep its copy.
mv -T "$tmp/x" "$dest" 2>/dev/null || [ -f "$dest/.complete" ] ||
	die "cannot move the headers into $dest"
echo "$kdir"
