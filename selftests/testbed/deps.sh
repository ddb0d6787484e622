#!/bin/bash
# Install the Debian packages the test bed needs; idempotent: only what
# dpkg-query says is missing is installed.
# Usage: deps.sh
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

pkgs=(
	linux-headers-amd64	# build the module against the Debian kernel
	linux-source-6.1	# kselftest_harness.h and checkpatch.pl (harness.sh)
	qemu-system-x86 qemu-block-extra	# TCG guest; libiscsi block driver
	tgt			# SMC changer emulation over iSCSI
	busybox-static cpio xz-utils kmod	# guest initramfs
	mtx sg3-utils lsscsi	# independent clients inside the guest
	sparse coccinelle gcc g++ make perl	# builds, static checks, checkpatch
	rsync			# kselftest's lib.mk installs with it
	ocaml			# ocamlopt: coccicheck's scripted semantic patches
	libpython3-dev		# spatch loads libpython3.X.so, which only -dev ships
	udev dkms		# the udev rules' test, make dkms-install
	debootstrap		# deb-check.sh's minimal Debian 12 (debian12-root.sh)
	gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user	# HP-UX bit-fields, big-endian
	gcc-i686-linux-gnu libc6-dev-i386-cross	# a 32-bit SIOC_IO caller; gcc-multilib conflicts with the cross compilers
)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all installed"
	exit 0
fi

echo "deps: installing ${missing[*]}"
# A broken third-party source must not stop us; a failed install must.
apt_update
apt_install "${missing[@]}"
