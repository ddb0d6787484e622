#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mtx's HP-UX port, built against include/hpux as on HP-UX: mtx's own
# sources unchanged, -D_HPUX_SOURCE -D__hpux__ (mtx's Makefile.in for
# TARGET=hpux), a config.h that says what configure finds on HP-UX (the
# scsi_ctl interface: mtx.h then includes <sys/wsio.h>, <sys/spinlock.h>,
# <sys/scsi.h>, <sys/scsi_ctl.h>, and mtxl.c includes scsi_hpux.c, which
# sends every command with SIOC_IO), and no include path but -I
# include/hpux. Builds mtx, tapeinfo, loaderinfo, scsitape and scsieject,
# statically linked, into OUTDIR with the suffix -hpux.
#
# The source is Debian's mtx source package's upstream tarball, fetched
# through apt with a deb-src line for the archive the system's apt uses
# for Debian 12 (a sources list and lists directory of its own, removed
# afterwards; the system's apt is not touched), checked against the .dsc,
# and cached in $AUTOCH_CACHE/mtx/VERSION/ (only the tarball: Debian's
# .debian.tar.xz is not needed, and may be missing from the archive).
#
# TAP on stdout: one line per program. Exit 0 when all build, 1 when one
# does not, 4 (skip) when the tarball cannot be had.
#
# Usage: build-mtx.sh OUTDIR
# Environment: AUTOCH_CACHE; MTX_VERSION (default 1.3.12, the upstream
#   version of Debian 12's mtx).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/selftests/testbed/lib.sh"

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=${MTX_VERSION:-1.3.12}
cache=$AUTOCH_CACHE/mtx/$version
tarball=$cache/mtx_$version.orig.tar.gz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

skip() {
	echo "1..0 # SKIP $*"
	exit 4
}

# The tarball through apt, checked against the .dsc that came with it.
fetch() {
	local uri keys=/usr/share/keyrings/debian-archive-keyring.gpg
	local apt_opts dsc sum
	uri=$(apt_system_uri bookworm)
	[ -n "$uri" ] || { log "apt's sources name no Debian 12 archive"; return 1; }
	mkdir -p "$work/apt/lists/partial" "$work/src"
	echo "deb-src [signed-by=$keys] $uri bookworm main" >"$work/apt/sources.list"
	apt_opts=(-q -o Dir::Etc::SourceList="$work/apt/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$work/apt/lists"
		-o Acquire::Languages=none -o APT::Sandbox::User=root)
	apt-get "${apt_opts[@]}" update >&2 || return 1
	# The .debian.tar.xz may answer 404 (then apt exits non-zero): the
	# upstream tarball and the .dsc are all that is needed.
	(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only mtx >&2)
	dsc=$(find "$work/src" -name "mtx_$version-*.dsc" | head -n 1)
	if [ -z "$dsc" ] || [ ! -f "$work/src/mtx_$version.orig.tar.gz" ]; then
		log "apt gave no mtx_$version.orig.tar.gz (another version in the archive?)"
		return 1
	fi
	sum=$(awk -v f="mtx_$version.orig.tar.gz" \
		'/^Checksums-Sha256:/ { s = 1; next } /^[^ ]/ { s = 0 }
		 s && $3 == f { print $1 }' "$dsc")
	echo "$sum  $work/src/mtx_$version.orig.tar.gz" | sha256sum -c --quiet >&2 || {
		log "mtx_$version.orig.tar.gz does not match $(basename "$dsc")"
		return 1
	}
	mkdir -p "$cache"
	cp "$dsc" "$cache/"
	mv "$work/src/mtx_$version.orig.tar.gz" "$tarball"
}

if [ ! -f "$tarball" ]; then
	(
		flock 9
		[ -f "$tarball" ] || fetch
	) 9>"$AUTOCH_CACHE/mtx.lock" || skip "no mtx $version source through apt"
fi

tar -xzf "$tarball" -C "$work" || die "cannot unpack $tarball"
src=$work/mtx-$version
[ -f "$src/scsi_hpux.c" ] || die "no scsi_hpux.c in $tarball"

# What configure finds on HP-UX 11i (config.h.in's names). Byte order is
# the build machine's: mtx reads it to decode what the device sends.
mkdir -p "$work/build"
cat >"$work/build/config.h" <<CONFIG
/* mtx $version on HP-UX: the scsi_ctl pass-through interface */
#ifndef CONFIG_H
#define CONFIG_H 1
#define HAVE_STRING_H 1
#define HAVE_UNISTD_H 1
#define HAVE_STDLIB_H 1
#define HAVE_STDARG_H 1
#define HAVE_SYS_PARAM_H 1
#define HAVE_SCSI_SCSI_H 0
#define HAVE_SCSI_SCSI_IOCTL_H 0
#define HAVE_SCSI_SG_H 0
#define HAVE_SYS_GSCDDS_H 0
#define HAVE_CAMLIB_H 0
#define HAVE_SYS_SCSI_IMPL_USCSI_H 0
#define HAVE_SYS_SCSI_CTL_H 1
#define HAVE_DSLIB_H 0
#define HAVE_DU_DEFS_H 0
#define HAVE_SYS_STAT_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_FCNTL_H 1
#define HAVE_SYS_IOCTL_H 1
#define HAVE_SYS_MTIO_H 1
#define HAVE_DDK_NTDDSCSI_H 0
#define WORDS_BIGENDIAN $(printf '\1\0' | od -An -tu2 | awk '{ print ($1 == 1) ? 0 : 1 }')
#endif
CONFIG

# mtx's Makefile.in: CFLAGS for TARGET=hpux, its CPPFLAGS (VERSION, -I.).
cflags=(-O -D_HPUX_SOURCE -D__hpux__ "-DVERSION=\"$version\""
	-I"$work/build" -I"$top/include/hpux")
rc=0 n=0
echo "1..5"
cd "$work/build" || exit 1
if ! cc "${cflags[@]}" -c "$src/mtxl.c" -o mtxl.o 2>mtxl.log; then
	sed 's/^/# /' mtxl.log
	echo "not ok 1 mtxl.c (scsi_hpux.c) compiles"
	exit 1
fi
for p in mtx tapeinfo loaderinfo scsitape scsieject; do
	n=$((n + 1))
	if cc "${cflags[@]}" -c "$src/$p.c" -o "$p.o" 2>"$p.log" &&
		cc -static -o "$out/$p-hpux" "$p.o" mtxl.o 2>>"$p.log"; then
		w=$(grep -c 'warning:' "$p.log" mtxl.log | awk -F: '{ s += $2 } END { print s }')
		echo "ok $n $p: compiles and links ($w compiler warnings)"
	else
		sed 's/^/# /' "$p.log"
		echo "not ok $n $p: compiles and links"
		rc=1
	fi
done
exit $rc
