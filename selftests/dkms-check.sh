#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck source-path=SCRIPTDIR disable=SC2317  # t() calls the checks
#
# On the host: `make dkms-install` and `make dkms-remove` against Debian's
# own kernel headers, then the machine as it was before. Prints TAP.
#
# Usage: dkms-check.sh
# Environment:
#   KDIR  kernel headers to build for (default: Debian's newest 6.1
#         headers); the kernel release is read from them, and
#         /lib/modules/<release>/build must exist (linux-headers-* makes it)
#
# The running kernel need not be that release: the Makefile passes
# KVER=<release> to dkms as -k. The sources are copied to a temporary
# tree first, and installed under a version of their own
# (<dkms.conf version>.check<pid>), so that neither the working tree nor
# an autoch that dkms already manages is touched; a run finding autoch
# installed for the release skips instead. What dkms leaves behind when
# it is done (depmod's index files in /lib/modules/<release>, the signing
# key it generates in /var/lib/dkms) is removed when this run created it.
# Installs dkms with apt when it is missing. Runs as root; one run at a
# time (a lock in /run/lock).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=testbed/lib.sh
. "$top/selftests/testbed/lib.sh"

# shellcheck source=testbed/tap.sh
. "$top/selftests/testbed/tap.sh"
plan=8

echo "TAP version 13"
[ "$(id -u)" = 0 ] || skip_all "needs root"

KDIR=${KDIR:-$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort -V | tail -n 1)}
{ [ -n "$KDIR" ] && [ -d "$KDIR" ]; } || skip_all "no kernel headers (KDIR)"
kver=$(kernel_release "$KDIR")
mdir=/lib/modules/$kver
[ -d "$mdir/build" ] || skip_all "$mdir/build missing: headers for $kver not installed as a package"

if ! command -v dkms >/dev/null; then
	echo "# installing dkms"
	# make check installs it (deps.sh): a failure here is a failure
	apt_install dkms >/dev/null 2>&1 ||
		{ echo "1..1"; echo "not ok 1 apt-get install dkms"; exit 1; }
fi

exec 9>/run/lock/autoch-dkms-check.lock
flock 9

work=$(mktemp -d)
base=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
ver=$base.check$$
# Undo what this run did; the working directory stays.
restore() {
	local f
	if [ -n "$(dkms status -m autoch -v "$ver" 2>/dev/null)" ]; then
		dkms remove -m autoch -v "$ver" --all >/dev/null 2>&1
	fi
	rm -rf "/usr/src/autoch-$ver"
	# what depmod and dkms created here and was not there before
	if [ -f "$work/before" ]; then
		for f in "$mdir"/modules.* /var/lib/dkms/mok.key /var/lib/dkms/mok.pub; do
			[ -e "$f" ] || continue
			grep -qxF "$f" "$work/before" || rm -f "$f"
		done
		for f in "$mdir/updates/dkms" "$mdir/updates"; do
			grep -qxF "$f" "$work/before" || rmdir "$f" 2>/dev/null
		done
	fi
}
cleanup() {
	restore
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "$(dkms status -m autoch -k "$kver" 2>/dev/null)" ] ||
	[ -e "$mdir/updates/dkms/autoch.ko" ]; then
	skip_all "autoch is already installed for $kver (dkms status -m autoch)"
fi

snapshot() {
	{
		find "$mdir" -maxdepth 1 -name 'modules.*'
		find "$mdir/updates" "$mdir/updates/dkms" -maxdepth 0 2>/dev/null
		ls -d /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>/dev/null
	} | sort
}
snapshot >"$work/before"
# The state to come back to, as content: the index files' names and hashes.
state() {
	find "$mdir" -maxdepth 1 | sort
	ls -d /usr/src/autoch-* 2>/dev/null
	find "$mdir" -maxdepth 1 -name 'modules.*' -type f -exec sha256sum {} + | sort
	ls /var/lib/dkms
}
state >"$work/state.before"

# A copy of the sources, without the working tree's build products.
src=$work/src
mkdir -p "$src"
(cd "$top" && cp -r Kbuild Makefile dkms.conf driver include "$src/")
find "$src" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
	-o -name 'modules.order' -o -name 'Module.symvers' \) -delete

echo "1..$plan"
echo "# kernel $kver ($KDIR), dkms $(dkms --version 2>/dev/null | head -n 1), version $ver"

dkms_install() {
	make -C "$src" dkms-install KVER="$kver" DKMS_VERSION="$ver"
}
t "make dkms-install KVER=$kver" dkms_install

installed() {
	dkms status -m autoch -v "$ver" -k "$kver" | tee /dev/stderr |
		grep -q ": installed"
}
t "dkms status: autoch/$ver installed for $kver" installed

module_ok() {
	local ko=$mdir/updates/dkms/autoch.ko
	[ -f "$ko" ] || ko=$(find "$mdir/updates" -name 'autoch.ko*' | head -n 1)
	[ -f "$ko" ] || { echo "no autoch.ko under $mdir/updates"; return 1; }
	modinfo "$ko"
	modinfo -F vermagic "$ko" | grep -q "^$kver " &&
		modinfo -F alias "$ko" | grep -qxF 'scsi:t-0x08*'
}
t "the module is in $mdir/updates/dkms, built for $kver" module_ok

# depmod indexed it: modprobe for that release finds it
modprobe_finds() {
	modprobe -S "$kver" --show-depends autoch | tee /dev/stderr |
		grep -q "insmod $mdir/updates/dkms/autoch.ko"
}
t "modprobe -S $kver resolves autoch to the DKMS module" modprobe_finds

# /usr/src holds the sources only, with the version dkms was told
sources_ok() {
	local d=/usr/src/autoch-$ver bad
	grep -qx "PACKAGE_VERSION=\"$ver\"" "$d/dkms.conf" || {
		echo "dkms.conf: $(grep PACKAGE_VERSION "$d/dkms.conf")"
		return 1
	}
	bad=$(find "$d" -type f ! -name '*.[ch]' ! -name Kbuild ! -name '*.mk' ! -name Makefile \
		! -name dkms.conf -o -name '*.mod.c')
	[ -z "$bad" ] || { echo "not sources: $bad"; return 1; }
	[ -f "$d/driver/autoch_main.c" ] && [ -f "$d/driver/autoch.h" ] && [ -f "$d/include/uapi/linux/autochanger.h" ]
}
t "/usr/src/autoch-$ver holds the sources and dkms.conf" sources_ok

t "make dkms-install again replaces the same version" dkms_install

dkms_remove() {
	make -C "$src" dkms-remove DKMS_VERSION="$ver" &&
		[ -z "$(dkms status -m autoch -v "$ver")" ] &&
		[ ! -e "/usr/src/autoch-$ver" ] &&
		[ ! -e "$mdir/updates/dkms/autoch.ko" ]
}
t "make dkms-remove: out of dkms, /usr/src and $mdir" dkms_remove

restored() {
	restore
	state >"$work/state.after"
	diff -u "$work/state.before" "$work/state.after"
}
t "the machine is as before" restored

exit $failed
