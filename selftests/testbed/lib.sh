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

# --- Debian suites besides the machine's own (kernels from backports, sid,
# experimental): an apt configuration and state of their own in the cache
# (sources, lists, package cache), so the machine's apt sources and lists
# are never read or written.  Packages are downloaded and unpacked, never
# installed on the host.
AUTOCH_MIRROR=${AUTOCH_MIRROR:-http://deb.debian.org/debian}
AUTOCH_SECURITY_MIRROR=${AUTOCH_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
apt_dir=$AUTOCH_CACHE/apt

# apt_x apt-get|apt-cache ARGS...: run apt with that state.
apt_x() {
	local tool=$1
	shift
	mkdir -p "$apt_dir"/lists/partial "$apt_dir"/cache/archives/partial
	local keys=/usr/share/keyrings/debian-archive-keyring.gpg s
	{
		for s in bookworm bookworm-updates bookworm-backports sid experimental; do
			echo "deb [signed-by=$keys] $AUTOCH_MIRROR $s main"
		done
		echo "deb [signed-by=$keys] $AUTOCH_SECURITY_MIRROR bookworm-security main"
	} >"$apt_dir/sources.list.new"
	if cmp -s "$apt_dir/sources.list.new" "$apt_dir/sources.list"; then
		rm -f "$apt_dir/sources.list.new"
	else
		mv "$apt_dir/sources.list.new" "$apt_dir/sources.list"
	fi
	"$tool" -q -o Dir::Etc::sourcelist="$apt_dir/sources.list" \
		-o Dir::Etc::sourceparts=/dev/null \
		-o Dir::Etc::preferences=/dev/null \
		-o Dir::Etc::preferencesparts=/dev/null \
		-o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::Cache="$apt_dir/cache" \
		-o Dir::Cache::archives="$apt_dir/cache/archives" \
		-o Acquire::Languages=none -o APT::Architectures=amd64 \
		-o APT::Sandbox::User=root "$@"
}

# Refresh the lists when they are older than AUTOCH_APT_MAX_AGE minutes
# (default 360), or always with --force.  Parallel runs take turns.
apt_x_update() {
	local stamp=$apt_dir/lists/.updated
	mkdir -p "$apt_dir/lists"
	(
		flock 9
		if [ "${1:-}" = --force ] || [ ! -f "$stamp" ] ||
			[ -n "$(find "$stamp" -mmin +"${AUTOCH_APT_MAX_AGE:-360}")" ]; then
			log "updating the package lists in $apt_dir"
			apt_x apt-get update >&2 && touch "$stamp"
		fi
	) 9>"$apt_dir/lock"
}

# apt_x_field PKG[/SUITE|=VERSION] FIELD: that field of the package (the
# candidate of that suite, or that version); fails when apt knows none.
apt_x_field() {
	local v
	v=$(apt_x apt-cache show "$1" 2>/dev/null |
		sed -n "s/^$2: //p" | head -n 1)
	[ -n "$v" ] && echo "$v"
}

# apt_x_download PKG[=VERSION]...: download into the current directory.
apt_x_download() {
	apt_x apt-get download "$@" >&2
}

# The Debian package version of a build tree (the kernel's LINUX_PACKAGE_ID),
# empty when the tree does not say.
kernel_pkg_version() {
	sed -n 's/^#define LINUX_PACKAGE_ID " Debian \(.*\)"$/\1/p' \
		"$1/include/generated/package.h" 2>/dev/null || true
}
