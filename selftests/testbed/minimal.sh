#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check as a new user runs it: in a minimal Debian 12 (debootstrap
# --variant=minbase plus build-essential, git and ca-certificates, nothing
# else), on a clone of the tree's committed HEAD, with empty caches.
# What make check needs beyond that it must install itself.
#
# Usage: minimal.sh [--keep DIR] [--target TARGET | --ci]
#   --keep DIR     make the system in DIR (or reuse the one there) and keep
#                  it: a second run measures make check with warm caches
#   --target T     the make target to run (default: check)
#   --ci           run .ci/run (CI's command: make check) instead
# Environment:
#   AUTOCH_MINIMAL_MIRROR           the Debian archive the minimal system's
#                                   apt uses (default: the URI this machine's
#                                   apt uses for bookworm)
#   AUTOCH_MINIMAL_SECURITY_MIRROR  its security archive (default: this
#                                   machine's for bookworm-security)
#   AUTOCH_CHECK_PARTS              passed to make check
# Prints make's output and the wall time; exits with make's status.
#
# The system runs in a mount namespace of its own, its root bind-mounted
# on itself (a mount point, as / is on a real system), with /proc, /sys,
# /dev and a private /run; packages' init scripts are not started
# (policy-rc.d), as usual in a chroot.  With a mirror other than this
# machine's, the archive host this machine uses is made unreachable inside
# (an /etc/hosts entry), so whatever does not go through the configured
# mirror fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

keep='' target=check cmd=
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=${2:?}; shift 2 ;;
	--target) target=${2:?}; shift 2 ;;
	--ci) cmd='bash .ci/run'; shift ;;
	*) die "usage: $0 [--keep DIR] [--target TARGET | --ci]" ;;
	esac
done
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || apt_install debootstrap >&2

mirror=${AUTOCH_MINIMAL_MIRROR:-$(apt_x_uri bookworm)} ||
	die "apt's sources name no Debian archive"
security=${AUTOCH_MINIMAL_SECURITY_MIRROR:-$(apt_x_uri bookworm-security || true)}

if [ -n "$keep" ]; then
	root=$keep
else
	root=$(mktemp -d /var/tmp/autoch-minimal.XXXXXX)
	trap 'rm -rf --one-file-system "$root"' EXIT
fi

if [ ! -f "$root/.complete" ]; then
	log "debootstrap bookworm (minbase, build-essential, git, ca-certificates) from $mirror"
	apt_proxy_env
	unshare --mount --propagation private -- debootstrap --variant=minbase \
		--include=build-essential,git,ca-certificates bookworm "$root" "$mirror" \
		>"$root.debootstrap.log" 2>&1 ||
		{ tail -n 20 "$root.debootstrap.log" >&2; die "debootstrap failed"; }
	rm -f "$root.debootstrap.log"
	# apt's sources as a Debian 12 installation writes them.
	rm -f "$root/etc/apt/sources.list"
	{
		printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\n' "$mirror"
		printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		if [ -n "$security" ]; then
			printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\n' "$security"
			printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		fi
	} >"$root/etc/apt/sources.list.d/debian.sources"
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	touch "$root/.complete"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [ -n "${AUTOCH_MINIMAL_MIRROR:-}" ]; then
	# This machine's own archive host, made unreachable inside.
	own=$(apt_system_uri bookworm | sed -E 's|^[a-z]+://([^/:]+).*|\1|')
	if [ -n "$own" ] && ! grep -qs " $own\$" "$root/etc/hosts"; then
		echo "127.0.0.9 $own" >>"$root/etc/hosts"
	fi
fi

rm -rf "$root/build/autoch"
mkdir -p "$root/build"
git clone -q "$top" "$root/build/autoch"

[ -n "$cmd" ] || cmd="make $target"
envs=(PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb)
[ -z "${AUTOCH_CHECK_PARTS+set}" ] || envs+=("AUTOCH_CHECK_PARTS=$AUTOCH_CHECK_PARTS")
[ -z "${http_proxy:-}" ] || envs+=("http_proxy=$http_proxy")
[ -z "${https_proxy:-}" ] || envs+=("https_proxy=$https_proxy")

t0=$EPOCHREALTIME
rc=0
# shellcheck disable=SC2016  # expanded by the inner shell
unshare --mount --propagation private -- bash -euc '
	root=$1 cmd=$2
	shift 2
	# / is a mount point on a real system; unshare --propagation (the
	# sid chroot of make matrix) fails on a root that is not one.
	mount --bind "$root" "$root"
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount --rbind /dev "$root/dev"
	mount -t tmpfs tmpfs "$root/run"
	mount -t tmpfs tmpfs "$root/tmp"
	exec chroot "$root" env -i "$@" bash -c "cd /build/autoch && $cmd"' \
	minimal "$root" "$cmd" "${envs[@]}" || rc=$?
echo "minimal Debian 12: $cmd exited $rc after $(elapsed_since "$t0") s"
exit "$rc"
