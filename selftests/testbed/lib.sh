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

# apt_install PKG...: install with the machine's own apt, waiting up to
# 15 minutes for another apt or dpkg (unattended-upgrades, a parallel run)
# to release its lock.  apt_update: the same for the package lists; a
# source that cannot be updated (a third party's) does not stop us.
apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=900 \
		install -y --no-install-recommends "$@"
}
apt_update() {
	apt-get -q -o DPkg::Lock::Timeout=900 update ||
		log "apt-get update failed, continuing"
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
#
# The archive is the one the machine's apt already uses: apt itself lists
# its configured sources (sources.list, sources.list.d/*.list and
# *.sources, whichever format), and the entry for Debian 12 (bookworm)
# gives the URI of every other suite, unless the machine names that suite
# itself.  Everything else apt reads from /etc/apt/apt.conf.d (proxies,
# Check-Valid-Until, ...) applies as for the machine's own apt.
# AUTOCH_MIRROR overrides the archive's URI.
#
# Each suite group has lists of its own, updated on its own: a suite that
# cannot be updated (an expired Release file, a mirror without it) fails
# only the callers that need it.  Groups: bookworm (with bookworm-updates
# and bookworm-security), bookworm-backports, sid, experimental.
apt_dir=$AUTOCH_CACHE/apt
# shellcheck disable=SC2034  # used by the scripts that source this
APT_X_GROUPS="bookworm bookworm-backports sid experimental"

# apt_x_uri SUITE: the machine's URI for SUITE, else for bookworm (the
# security suite has an archive of its own: no fallback).
apt_x_uri() {
	local suite=$1 uri
	if [ -n "${AUTOCH_MIRROR:-}" ] && [ "$suite" != bookworm-security ]; then
		echo "$AUTOCH_MIRROR"
		return 0
	fi
	uri=$(apt_system_uri "$suite")
	[ -n "$uri" ] || [ "$suite" = bookworm-security ] ||
		uri=$(apt_system_uri bookworm)
	[ -n "$uri" ] || return 1
	echo "$uri"
}

# apt_system_uri SUITE: the repository URI of the machine's own apt source
# for SUITE (binary packages), empty when it has none.
apt_system_uri() {
	# shellcheck disable=SC2016  # apt's own $(FIELD) placeholders
	apt-get indextargets --no-release-info \
		--format '$(TARGET_OF) $(RELEASE) $(REPO_URI)' 2>/dev/null |
		awk -v s="$1" '$1 == "deb" && $2 == s { print $3; exit }'
}

# apt_x_sources GROUP: the sources.list lines of a group.
apt_x_sources() {
	local keys=/usr/share/keyrings/debian-archive-keyring.gpg s uri
	local suites=$1
	[ "$1" != bookworm ] || suites="bookworm bookworm-updates bookworm-security"
	for s in $suites; do
		uri=$(apt_x_uri "$s") || {
			[ "$s" = bookworm-security ] || return 1
			continue
		}
		echo "deb [signed-by=$keys] $uri $s main"
	done
}

# apt_x_group SUITE: the group whose lists hold SUITE.
apt_x_group() {
	case $1 in
	bookworm | bookworm-updates | bookworm-security) echo bookworm ;;
	bookworm-backports | sid | experimental) echo "$1" ;;
	*) die "no suite group for $1" ;;
	esac
}

# apt_x_prepare GROUP: write the group's sources.list; a changed one
# makes the lists stale.
apt_x_prepare() {
	local dir=$apt_dir/$1
	mkdir -p "$dir"/lists/partial "$apt_dir"/cache/archives/partial
	if ! apt_x_sources "$1" >"$dir/sources.list.new"; then
		rm -f "$dir/sources.list.new"
		log "apt's sources name no Debian archive for $1"
		return 1
	fi
	if cmp -s "$dir/sources.list.new" "$dir/sources.list"; then
		rm -f "$dir/sources.list.new"
	else
		mv "$dir/sources.list.new" "$dir/sources.list"
		rm -f "$dir/lists/.updated"
	fi
}

# apt_x GROUP apt-get|apt-cache ARGS...: run apt with that group's state.
apt_x() {
	local group=$1 tool=$2 dir=$apt_dir/$1
	shift 2
	apt_x_prepare "$group" || return 1
	local valid=()
	[ ! -f "$dir/expired" ] || valid=(-o Acquire::Check-Valid-Until=false)
	"$tool" -q "${valid[@]}" -o Dir::Etc::sourcelist="$dir/sources.list" \
		-o Dir::Etc::sourceparts=/dev/null \
		-o Dir::Etc::preferences=/dev/null \
		-o Dir::Etc::preferencesparts=/dev/null \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$apt_dir/cache" \
		-o Dir::Cache::archives="$apt_dir/cache/archives" \
		-o Acquire::Languages=none -o APT::Architectures=amd64 \
		-o APT::Sandbox::User=root "$@"
}

# apt_x_update GROUP [--force]: refresh the group's lists when they are
# older than AUTOCH_APT_MAX_AGE minutes (default 360), or always with
# --force.  Parallel runs take turns.  Fails when apt-get update does.
apt_x_update() {
	local group=$1 dir=$apt_dir/$1
	local stamp=$dir/lists/.updated
	mkdir -p "$dir"
	(
		flock 9
		apt_x_prepare "$group" || exit 1
		if [ "${2:-}" = --force ] || [ ! -f "$stamp" ] ||
			[ -n "$(find "$stamp" -mmin +"${AUTOCH_APT_MAX_AGE:-360}")" ]; then
			log "updating the package lists of $group in $dir"
			rm -f "$dir/expired"
			rc=0
			apt_x "$group" apt-get update >"$dir/update.log" 2>&1 || rc=$?
			if [ "$rc" -ne 0 ] && grep -q 'is expired' "$dir/update.log"; then
				# A mirror that stopped following the archive (a
				# snapshot) serves a Release file past its
				# Valid-Until.  What comes from here is only unpacked
				# into the cache to build and boot test kernels, and
				# its signatures are still checked: take it, and say
				# so wherever it is used.
				grep -m1 'is expired' "$dir/update.log" | sed 's/^E: //' >"$dir/expired"
				log "$group: $(cat "$dir/expired"); using it anyway"
				rc=0
				apt_x "$group" apt-get update >"$dir/update.log" 2>&1 || rc=$?
			fi
			cat "$dir/update.log" >&2
			[ "$rc" -eq 0 ] || exit "$rc"
			touch "$stamp"
		fi
	) 9>"$dir/lock"
}

# apt_x_expired SUITE: what apt said of SUITE's group's expired Release
# file, when its lists were taken despite it (nothing otherwise).
apt_x_expired() {
	cat "$apt_dir/$(apt_x_group "$1")/expired" 2>/dev/null || true
}

# apt_x_field SUITE PKG[/SUITE|=VERSION] FIELD: that field of the package
# in SUITE's group (the candidate of that suite, or that version); fails
# when apt knows none.
apt_x_field() {
	local v
	v=$(apt_x "$(apt_x_group "$1")" apt-cache show "$2" 2>/dev/null |
		sed -n "s/^$3: //p" | head -n 1)
	[ -n "$v" ] && echo "$v"
}

# apt_x_download SUITE PKG[=VERSION]...: download into the current
# directory from SUITE's group.
apt_x_download() {
	local group
	group=$(apt_x_group "$1")
	shift
	apt_x "$group" apt-get download "$@" >&2
}

# apt_proxy_env: export http_proxy/https_proxy from apt's configuration
# for tools that fetch without apt (debootstrap), unless already set.
apt_proxy_env() {
	local http='' https=''
	eval "$(apt-config shell http Acquire::http::Proxy https Acquire::https::Proxy)"
	[ -n "${http_proxy:-}" ] || [ -z "$http" ] || [ "$http" = DIRECT ] ||
		export http_proxy=$http
	[ -n "${https_proxy:-}" ] || [ -z "$https" ] || [ "$https" = DIRECT ] ||
		export https_proxy=$https
}

# debootstrap_minbase SUITE DIR MIRROR: debootstrap --variant=minbase of
# SUITE into DIR from MIRROR, through apt's proxy if the machine has one,
# in a mount namespace of its own (an interrupted debootstrap leaves no
# /proc or /sys mounted on the host). Its log is DIR.debootstrap.log; on
# failure its tail is printed and the script dies.
debootstrap_minbase() {
	local suite=$1 dir=$2 mirror=$3
	apt_proxy_env
	unshare --mount --propagation private -- debootstrap --variant=minbase \
		"$suite" "$dir" "$mirror" >"$dir.debootstrap.log" 2>&1 ||
		{ tail -n 20 "$dir.debootstrap.log" >&2; die "debootstrap failed"; }
}

# chroot_run [--system] ROOT [--bind DIR]... -- COMMAND...: exec COMMAND
# in the chroot ROOT, in a mount namespace of its own (nothing mounted
# leaks to the host, parallel runs do not see each other's mounts), with
# /proc mounted (objtool reads it) and each DIR bind-mounted at the same
# path inside. --system, for a system that packages are installed in:
# /sys, /dev, a private /run and /tmp too, and a clean environment.
chroot_run() {
	local system=0 root binds=()
	local usage="usage: $0 run ROOT [--bind DIR]... -- COMMAND..."
	if [ "${1:-}" = --system ]; then
		system=1
		shift
	fi
	[ $# -ge 3 ] || die "$usage"
	root=$1
	shift
	while [ "$1" = --bind ]; do
		binds+=("$2")
		shift 2
	done
	[ "$1" = -- ] || die "$usage"
	shift
	# shellcheck disable=SC2016  # expanded by the inner shell
	exec unshare --mount --propagation private -- bash -euc '
		root=$1 system=$2 n=$3
		shift 3
		mount -t proc proc "$root/proc"
		if [ "$system" = 1 ]; then
			mount -t sysfs sysfs "$root/sys"
			mount --rbind /dev "$root/dev"
			mount -t tmpfs tmpfs "$root/run"
			mount -t tmpfs tmpfs "$root/tmp"
		fi
		for d in "${@:1:n}"; do
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done
		shift "$n"
		[ "$system" = 1 ] || exec chroot "$root" "$@"
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 TERM=dumb \
			DEBIAN_FRONTEND=noninteractive "$@"' \
		run "$root" "$system" "${#binds[@]}" "${binds[@]}" "$@"
}

# The Debian package version of a build tree (the kernel's LINUX_PACKAGE_ID),
# empty when the tree does not say.
kernel_pkg_version() {
	sed -n 's/^#define LINUX_PACKAGE_ID " Debian \(.*\)"$/\1/p' \
		"$1/include/generated/package.h" 2>/dev/null || true
}
