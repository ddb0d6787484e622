#!/bin/bash
# Unpack the Debian kernel image matching a build tree into the cache, so
# the module built against KDIR can be loaded in a guest.  The image
# package is downloaded and unpacked, never installed on the host.
# Usage: guest-kernel.sh KDIR
# Prints the cache directory, which holds vmlinuz, config,
# lib/modules/RELEASE/ (with modules.dep) and, when the kernel can boot
# through PVH, vmlinux: the same kernel uncompressed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 KDIR"
rel=$(kernel_release "$1")
dest=$AUTOCH_CACHE/kernel/$rel
if [ -f "$dest/vmlinuz" ] && [ -f "$dest/lib/modules/$rel/modules.dep" ]; then
	echo "$dest"
	exit 0
fi

# A half-written entry (interrupted by hand) is rebuilt.
rm -rf "$dest"
mkdir -p "$AUTOCH_CACHE/kernel"
# Stage next to the destination so the final rename is atomic.
tmp=$(mktemp -d "$AUTOCH_CACHE/kernel/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log "fetching linux-image-$rel"
# The signed and -unsigned packages hold the same modules; a fresh
# machine may need its package lists first.
fetch() {
	(cd "$tmp" && { apt_download "linux-image-$rel" ||
		apt_download "linux-image-$rel-unsigned"; })
}
if ! fetch; then
	apt-get -q update || log "apt-get update failed, trying anyway"
	fetch || die "no Debian package linux-image-$rel(-unsigned)"
fi

dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/x"
out=$tmp/out
mkdir -p "$out/lib/modules"
mv "$tmp/x/boot/vmlinuz-$rel" "$out/vmlinuz"
# The config tells which drivers are built in.
mv "$tmp/x/boot/config-$rel" "$out/config"
mv "$tmp/x/lib/modules/$rel" "$out/lib/modules/"
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

chmod 755 "$out"	# mktemp made its parent private
# Another run may have won the race; keep its copy.
mv -T "$out" "$dest" 2>/dev/null || [ -f "$dest/vmlinuz" ]
echo "$dest"
