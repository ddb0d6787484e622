#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A minimal Debian 12 system for the package checks (selftests/deb-check.sh):
# debootstrap --variant=minbase, plus udev and the headers of the kernel
# the test guest boots (what a machine running DKMS modules has), and
# nothing else. The packages under test must bring what else they need.
#
# Usage: debian12-root.sh KERNEL-RELEASE      prints the root directory
#        debian12-root.sh run ROOT [--bind DIR]... -- COMMAND...
#
# The system is cached in AUTOCH_CACHE/debian12/, keyed by the headers'
# package version, the package list below and the archive's URIs (from
# this machine's apt, as selftests/testbed/lib.sh finds them), and made
# again when one of them changes. It is never changed after it is made:
# callers run in an overlay of it (see deb-check.sh). Its apt keeps the
# package lists of the day it was made; the packages apt downloads later
# go to AUTOCH_CACHE/debian12/archives when the caller bind-mounts it.
#
# run executes COMMAND in ROOT, in a mount namespace of its own, with
# /proc, /sys, /dev, a private /run and /tmp, and each DIR bind-mounted at
# the same path inside; packages' init scripts are not started
# (policy-rc.d), as usual in a chroot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

if [ "${1:-}" = run ]; then
	shift
	chroot_run --system "$@"
fi
[ $# -eq 1 ] || die "usage: $0 KERNEL-RELEASE | run ROOT [--bind DIR]... -- COMMAND..."
kver=$1
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || apt_install debootstrap >&2

pkgs="udev linux-headers-$kver"
mirror=$(apt_x_uri bookworm) || die "apt's sources name no Debian archive"
security=$(apt_x_uri bookworm-security || true)
apt_x_update bookworm || log "the package lists of bookworm could not be updated"
ver=$(apt_x_field bookworm "linux-headers-$kver" Version) ||
	die "no linux-headers-$kver in bookworm"
key=$(printf '%s\n' "$pkgs" "$mirror" "$security" | sha256sum | cut -c1-8)
root=$AUTOCH_CACHE/debian12/${kver}_${ver}_$key
if [ -f "$root/.complete" ]; then
	touch "$root/.complete"
	echo "$root"
	exit 0
fi

mkdir -p "$AUTOCH_CACHE/debian12/archives/partial"
exec 9>"$AUTOCH_CACHE/debian12/lock"
flock 9
if [ -f "$root/.complete" ]; then
	echo "$root"
	exit 0
fi
# Systems nobody used for a week (other kernels, other versions) go.
find "$AUTOCH_CACHE/debian12" -mindepth 2 -maxdepth 2 -name .complete \
	-mtime +6 -printf '%h\n' | xargs -r rm -rf --one-file-system
tmp=$(mktemp -d "$AUTOCH_CACHE/debian12/.tmp.XXXXXX")
trap 'rm -rf --one-file-system "$tmp"' EXIT

t0=$EPOCHREALTIME
log "debootstrap bookworm (minbase, $pkgs) from $mirror"
debootstrap_minbase bookworm "$tmp/root" "$mirror"
# apt's sources as a Debian 12 installation writes them.
rm -f "$tmp/root/etc/apt/sources.list"
{
	printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\n' "$mirror"
	printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
	if [ -n "$security" ]; then
		printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\n' "$security"
		printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
	fi
} >"$tmp/root/etc/apt/sources.list.d/debian.sources"
printf '#!/bin/sh\nexit 101\n' >"$tmp/root/usr/sbin/policy-rc.d"
chmod 755 "$tmp/root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$tmp/root/etc/resolv.conf"
# apt in the chroot goes through this machine's proxy, if it has one.
apt-config dump 'Acquire::http::Proxy' 'Acquire::https::Proxy' |
	grep -E '^Acquire::https?::Proxy ' >"$tmp/root/etc/apt/apt.conf.d/01proxy" || true

log "installing $pkgs"
# shellcheck disable=SC2086  # package names
{
	"$0" run "$tmp/root" --bind "$AUTOCH_CACHE/debian12/archives" -- \
		apt-get -q -o Dir::Cache::archives="$AUTOCH_CACHE/debian12/archives" update &&
		"$0" run "$tmp/root" --bind "$AUTOCH_CACHE/debian12/archives" -- \
			apt-get -q -o Dir::Cache::archives="$AUTOCH_CACHE/debian12/archives" \
			install -y --no-install-recommends $pkgs
} >"$tmp/install.log" 2>&1 ||
	{ tail -n 20 "$tmp/install.log" >&2; die "apt-get install in the chroot failed"; }
rmdir "$tmp/root$AUTOCH_CACHE/debian12/archives" 2>/dev/null || true

touch "$tmp/root/.complete"
mv -T "$tmp/root" "$root" || die "cannot move the system to $root"
log "Debian 12 system made in $(elapsed_since "$t0") s"
echo "$root"
