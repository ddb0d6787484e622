#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel of `make check-debug` (KASAN, UBSAN, lockdep,
# kmemleak, debug objects, fault injection, KUnit) from Debian's
# linux-source-6.1: `make tinyconfig`, then the fragment selftests/debug/config.
# The build is cached outside the tree, keyed by the linux-source package
# version and the fragment's sha256; an entry is rebuilt when it is absent
# or incomplete.  Parallel runs wait for one build.
#
# Usage: kernel.sh
# Prints the cache directory, which holds:
#   vmlinuz      the kernel (a bzImage; there is no vmlinux, so that
#                run-guest.sh does not try PVH, which KASAN breaks early)
#   config       its .config
#   lib/modules/RELEASE/   its modules (ch, st, scsi_debug), depmod'ed
#   build/       the build tree: KDIR for out-of-tree modules
#   build-seconds  how long the build took
# so that it can be given to run-guest.sh as AUTOCH_GUEST_KERNEL_DIR and
# its build/ as --kdir.
#
# Environment: AUTOCH_CACHE (default /var/cache/autoch), AUTOCH_JOBS
# (make -j, default 2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../testbed/lib.sh
. "$here/../testbed/lib.sh"

pkg=linux-source-6.1
tarball=/usr/src/$pkg.tar.xz
fragment=$here/config

# What the build needs, installed only when missing.
need=("$pkg" bc bison flex libelf-dev libssl-dev gcc make perl xz-utils kmod)
missing=()
for p in "${need[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt_update >&2
	apt_install "${missing[@]}" >&2
fi
[ -f "$tarball" ] || die "$tarball missing"

ver=$(dpkg-query -W -f='${Version}' "$pkg")
key=$ver-$(sha256sum <"$fragment" | cut -c1-16)
top=$AUTOCH_CACHE/debug-kernel
dest=$top/$key
mkdir -p "$top"

complete() {
	[ -f "$dest/.complete" ] && [ -f "$dest/vmlinuz" ] &&
		[ -f "$dest/build/Module.symvers" ]
}

# One build at a time; whoever waited finds it done.
exec 9>"$top/.lock"
flock 9
if complete; then
	touch "$dest/.complete"
	echo "$dest"
	exit 0
fi

# Entries nobody used for two weeks (older fragments, older packages) go.
find "$top" -mindepth 2 -maxdepth 2 -name .complete -mtime +14 \
	-printf '%h\n' | xargs -r rm -rf
# A half-built entry (interrupted) is started again.
rm -rf "$dest"
mkdir -p "$dest/build"
# Built in place: the build tree's paths stay valid for module builds.
trap 'log "build failed, log in $dest/build.log"' ERR

t0=$EPOCHREALTIME
log "building the debug kernel ($pkg $ver) in $dest"
tar -xJf "$tarball" -C "$dest/build" --strip-components=1
kb() { make -C "$dest/build" "$@" >>"$dest/build.log" 2>&1; }
kb tinyconfig
(cd "$dest/build" && scripts/kconfig/merge_config.sh -m .config "$fragment") \
	>>"$dest/build.log" 2>&1
kb olddefconfig

# Every option of the fragment must have survived olddefconfig.
bad=0
while read -r line; do
	case $line in
	'# CONFIG_'*' is not set')
		opt=${line#\# }
		opt=${opt%% *}
		! grep -q "^$opt=" "$dest/build/.config" || {
			log "config: $opt should be unset"
			bad=1
		}
		;;
	CONFIG_*=*)
		grep -qxF "$line" "$dest/build/.config" || {
			log "config: wanted $line, got $(grep "^${line%%=*}=" \
				"$dest/build/.config" || echo "${line%%=*} unset")"
			bad=1
		}
		;;
	esac
done < <(grep -E '^(CONFIG_|# CONFIG_.* is not set)' "$fragment")
[ "$bad" = 0 ] || die "the fragment does not apply to $pkg $ver"

kb -j"${AUTOCH_JOBS:-2}" all
rel=$(kernel_release "$dest/build")
kb INSTALL_MOD_PATH="$dest" modules_install
# modules_install links build/ and source/ to the tree: relative links, so
# that the entry can be moved or mounted elsewhere.
ln -sfn ../../../build "$dest/lib/modules/$rel/build"
rm -f "$dest/lib/modules/$rel/source"
cp "$dest/build/arch/x86/boot/bzImage" "$dest/vmlinuz"
cp "$dest/build/.config" "$dest/config"

# Module builds need the headers, scripts, tools, .config and
# Module.symvers, not the kernel's objects: drop them (most of the size).
find "$dest/build" -name '*.o' -not -path "$dest/build/scripts/*" \
	-not -path "$dest/build/tools/*" -delete
rm -f "$dest/build/vmlinux" "$dest/build/vmlinux.o" "$dest/build/.tmp_vmlinux"*
rm -rf "$dest/build/Documentation"

elapsed_since "$t0" >"$dest/build-seconds"
trap - ERR
touch "$dest/.complete"
log "debug kernel $rel built in $(cat "$dest/build-seconds") s"
echo "$dest"
