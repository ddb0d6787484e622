#!/bin/bash
# Unpack the Debian kernel image matching a build tree into the cache, so
# the module built against KDIR can be loaded in a guest.  The image
# packages are downloaded and unpacked, never installed on the host.
# Usage: guest-kernel.sh KDIR
# Prints the cache directory, which holds vmlinuz, config,
# lib/modules/RELEASE/ (with modules.dep) and, when the kernel can boot
# through PVH, vmlinux: the same kernel uncompressed.
#
# KDIR may be the headers of any suite apt_x knows (lib.sh): bookworm's
# 6.1, bookworm-backports' 6.12, sid's and experimental's 7.x.  The suites
# are asked in that order, each with lists of its own: a suite that cannot
# be updated matters only to the kernels it ships.  The
# package version comes from KDIR's include/generated/package.h, so a
# release name reused by several versions (experimental's 7.3-amd64) gets
# one cache entry per version.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 KDIR"
rel=$(kernel_release "$1")
ver=$(kernel_pkg_version "$1")
dest=$AUTOCH_CACHE/kernel/$rel${ver:+_$ver}
if [ -f "$dest/vmlinuz" ] && [ -f "$dest/lib/modules/$rel/modules.dep" ]; then
	touch "$dest/.used"
	echo "$dest"
	exit 0
fi

# A half-written entry (interrupted by hand) is rebuilt.
rm -rf "$dest"
mkdir -p "$AUTOCH_CACHE/kernel"
# Kernels nobody booted for two weeks (older versions) go.
find "$AUTOCH_CACHE/kernel" -mindepth 2 -maxdepth 2 -name .used -mtime +14 \
	-printf '%h\n' | xargs -r rm -rf
# Stage next to the destination so the final rename is atomic.
tmp=$(mktemp -d "$AUTOCH_CACHE/kernel/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Debian's packaging, by kernel:
#   6.x: linux-image-REL (signed) or linux-image-REL-unsigned, the same
#        modules: /boot/vmlinuz-REL, /boot/config-REL, /lib/modules/REL/;
#   7.x: linux-image-REL is empty, it depends on linux-binary-REL
#        (vmlinuz), linux-modules-REL and linux-base-REL (config,
#        modules.builtin, ...), all under /usr/lib/modules/REL/.
# The exact version of KDIR first; when the archive dropped it, any
# version of the same release (the same ABI, the same vermagic).
# pkgs_for GROUP: the image packages of $rel in that suite group.
pkgs_for() {
	if apt_x_field "$1" "linux-modules-$rel" Package >/dev/null; then
		echo "linux-binary-$rel linux-modules-$rel linux-base-$rel"
	elif apt_x_field "$1" "linux-image-$rel" Package >/dev/null; then
		echo "linux-image-$rel"
	elif apt_x_field "$1" "linux-image-$rel-unsigned" Package >/dev/null; then
		echo "linux-image-$rel-unsigned"
	else
		return 1
	fi
}
# fetch GROUP
fetch() {
	local pkgs
	pkgs=$(pkgs_for "$1") || return 1
	log "fetching $pkgs${ver:+ ($ver)} from $1"
	# shellcheck disable=SC2086  # package names have no spaces
	(cd "$tmp" && { { [ -n "$ver" ] && apt_x_download "$1" ${pkgs// /=$ver }=$ver; } ||
		apt_x_download "$1" $pkgs; })
}
found=0
for group in $APT_X_GROUPS; do
	if apt_x_update "$group" && fetch "$group"; then
		found=1
		break
	fi
done
if [ "$found" = 0 ]; then
	for group in $APT_X_GROUPS; do
		apt_x_update "$group" --force ||
			log "the package lists of $group could not be updated"
		if fetch "$group"; then
			found=1
			break
		fi
	done
fi
[ "$found" = 1 ] || die "no Debian kernel image for $rel${ver:+ ($ver)} in any suite"

for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/x"
done
out=$tmp/out
mkdir -p "$out/lib/modules"
# 6.x: /lib/modules (bookworm is not merged-/usr in packages), 7.x: /usr/lib.
mods=$tmp/x/lib/modules/$rel
[ -d "$mods" ] || mods=$tmp/x/usr/lib/modules/$rel
[ -d "$mods/kernel" ] || die "no modules for $rel in the packages"
if [ -f "$tmp/x/boot/vmlinuz-$rel" ]; then
	mv "$tmp/x/boot/vmlinuz-$rel" "$out/vmlinuz"
	# The config tells which drivers are built in.
	mv "$tmp/x/boot/config-$rel" "$out/config"
else
	mv "$mods/vmlinuz" "$out/vmlinuz"
	mv "$mods/config" "$out/config"
fi
mv "$mods" "$out/lib/modules/"
# The package leaves modules.dep to its postinst: make it here.
depmod -b "$out" "$rel"

# Under TCG, decompressing the kernel takes the guest about 7 s of a 12 s
# boot.  QEMU boots an uncompressed ELF vmlinux directly through its PVH
# entry point, so unpack the payload once here (as the kernel's
# scripts/extract-vmlinux does: find the compressed stream's magic).
if grep -q '^CONFIG_PVH=y' "$out/config"; then
	for fmt in '\xfd7zXZ\x00:xz -dc --single-stream' \
		'\x1f\x8b\x08:gzip -dcq' '\x28\xb5\x2f\xfd:zstd -dcq'; do
		off=$(LC_ALL=C grep -obUaP "${fmt%%:*}" "$out/vmlinuz" |
			head -n 1 | cut -d: -f1) || true
		[ -n "$off" ] || continue
		tail -c +$((off + 1)) "$out/vmlinuz" |
			${fmt#*:} >"$out/vmlinux" 2>/dev/null || true
		[ "$(head -c 4 "$out/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] && break
		rm -f "$out/vmlinux"
	done
	[ -f "$out/vmlinux" ] || log "could not extract vmlinux: guests boot slower"
fi

touch "$out/.used"
chmod 755 "$out"	# mktemp made its parent private
# Another run may have won the race; keep its copy.
mv -T "$out" "$dest" 2>/dev/null || [ -f "$dest/vmlinuz" ]
echo "$dest"
