# shellcheck shell=bash
# Helpers shared by the test-bed scripts (sourced, not run).

# Expensive, reusable artefacts live outside the tree.
AUTOCH_CACHE=${AUTOCH_CACHE:-/var/cache/autoch}

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

log() {
	echo "${0##*/}: $*" >&2
}

# The release a module built against KDIR must match (its vermagic).
# Debian's headers carry the upstream version (6.1.x) in
# include/config/kernel.release, and so does `make kernelrelease`; the
# package name and vermagic come from UTS_RELEASE, so read that first.
kernel_release() {
	local kdir=$1 rel
	rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$kdir/include/generated/utsrelease.h" 2>/dev/null || true)
	[ -n "$rel" ] || rel=$(cat "$kdir/include/config/kernel.release" 2>/dev/null || true)
	[ -n "$rel" ] || rel=$(make -s -C "$kdir" kernelrelease 2>/dev/null || true)
	[ -n "$rel" ] || die "cannot determine the kernel release of $kdir"
	echo "$rel"
}

# apt-get download as root into a private directory: apt's _apt sandbox
# user could not write there.  Its chatter goes to stderr, since the
# scripts print their result on stdout.
apt_download() {
	apt-get -q -o APT::Sandbox::User=root download "$@" >&2
}

# Seconds (one decimal) since an $EPOCHREALTIME value.
elapsed_since() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}'
}
