#!/bin/bash
# A Debian sid chroot to build modules for sid's and experimental's
# kernels, whose kbuild tools need a newer glibc than Debian 12's.
#
# Usage: sid-chroot.sh               prints the chroot's root directory
#        sid-chroot.sh run ROOT [--bind DIR]... -- COMMAND...
#
# The chroot (debootstrap --variant=minbase, then linux-headers-amd64,
# make, gcc and sparse) is cached in AUTOCH_CACHE/chroot/, keyed by the
# version of sid's linux-headers-amd64 and the package list below, and
# made again when either changes.  It holds an empty /build to mount the
# work in.
#
# run executes COMMAND in the chroot, in a mount namespace of its own
# (nothing mounted leaks to the host, parallel runs do not see each
# other's mounts), with /proc mounted (objtool reads it) and each DIR
# bind-mounted at the same path inside.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../testbed/lib.sh
. "$here/../testbed/lib.sh"

pkgs="linux-headers-amd64 make gcc sparse"

if [ "${1:-}" = run ]; then
	shift
	chroot_run "$@"
fi
[ $# -eq 0 ] || die "usage: $0 [run ROOT [--bind DIR]... -- COMMAND...]"

command -v debootstrap >/dev/null || die "debootstrap missing"
find_root() {
	ver=$(apt_x_field sid linux-headers-amd64/sid Version) || return 1
	key=$(echo "$pkgs" | sha256sum | cut -c1-8)
	root=$AUTOCH_CACHE/chroot/sid_${ver}_$key
}
apt_x_update sid || log "the package lists of sid could not be updated"
find_root || { apt_x_update sid --force && find_root; } ||
	die "no linux-headers-amd64 in sid (its package lists could not be updated or do not have it)"
if [ -f "$root/.complete" ]; then
	touch "$root/.complete"
	echo "$root"
	exit 0
fi

mkdir -p "$AUTOCH_CACHE/chroot"
# A chroot takes about 600 MB: those nobody used for a day (other versions) go.
find "$AUTOCH_CACHE/chroot" -mindepth 2 -maxdepth 2 -name .complete \
	-mtime +0 -printf '%h\n' | xargs -r rm -rf
tmp=$(mktemp -d "$AUTOCH_CACHE/chroot/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

t0=$EPOCHREALTIME
log "debootstrap sid (linux-headers-amd64 $ver)"
# The archive the machine's apt uses, through its proxy if it has one.
mirror=$(apt_x_uri sid) || die "apt's sources name no Debian archive"
debootstrap_minbase sid "$tmp/root" "$mirror"
log "installing $pkgs"
# shellcheck disable=SC2086  # package names
"$here/sid-chroot.sh" run "$tmp/root" -- env DEBIAN_FRONTEND=noninteractive \
	apt-get -q install -y --no-install-recommends $pkgs \
	>"$tmp/install.log" 2>&1 ||
	{ tail -n 20 "$tmp/install.log" >&2; die "apt-get install in the chroot failed"; }
"$here/sid-chroot.sh" run "$tmp/root" -- apt-get clean
# shellcheck disable=SC2016  # a dpkg-query format
installed=$(chroot "$tmp/root" dpkg-query -W -f='${Version}' linux-headers-amd64)
if [ "$installed" != "$ver" ]; then
	# The next lookup must find this chroot under the version it has.
	log "sid moved on while the chroot was made: it has $installed, not $ver"
	apt_x_update sid --force || log "the package lists of sid could not be updated"
fi
mkdir -p "$tmp/root/build"

# Debian's headers lack scripts/checker-valid.sh (see headers.sh).
for mk in "$tmp"/root/usr/src/linux-headers-*-common/Makefile; do
	src=$(dirname "$mk")
	if grep -q 'scripts/checker-valid.sh' "$mk" &&
		[ ! -e "$src/scripts/checker-valid.sh" ]; then
		install -m 0755 "$here/checker-valid.sh" "$src/scripts/checker-valid.sh"
	fi
done

touch "$tmp/root/.complete"
root=$AUTOCH_CACHE/chroot/sid_${installed}_$key
mv -T "$tmp/root" "$root" 2>/dev/null || [ -f "$root/.complete" ] ||
	die "cannot move the chroot to $root"
log "sid chroot made in $(elapsed_since "$t0")s"
echo "$root"
