#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck source-path=SCRIPTDIR disable=SC2317  # t() calls the checks
#
# On the host: the Debian packages as a sysadmin gets them. `make deb`,
# lintian (no error, no warning), the packages installed with apt, DKMS
# building the module for Debian's 6.1 kernel, every file in place (udev
# rules, modprobe.d, the headers and the whole HP-UX include directory,
# the DKMS sources, the man pages and documentation, the tools), then
# dpkg --purge and every file gone. In a QEMU guest on Debian's kernel
# against tgt's changer (selftests/testbed), the DKMS-built module and the
# packaged udev rules (selftests/guest-deb.sh). Also that make install-data
# install-tools puts the same files and make uninstall-data
# uninstall-tools takes them away (in a DESTDIR). Prints TAP.
#
# Usage: deb-check.sh
# Environment:
#   KDIR  kernel headers the module must be built for (default: Debian's
#         newest 6.1 headers), installed as a package so that
#         /lib/modules/<release>/build exists: DKMS builds for each
#         kernel in /lib/modules on a first installation
#
# The packages are built from a copy of the tree in a temporary directory
# (make deb OUT=...); the tree is not written to. A machine with autoch
# already installed (the packages, or autoch in dkms) is not touched: the
# run skips. What dkms leaves behind on its own (depmod's index files in
# /lib/modules/<release>, the signing key it generates in /var/lib/dkms)
# is removed when this run created it, as dkms-check.sh does. Installs
# the build dependencies and lintian with apt. Runs as root; one run at a
# time, and not beside dkms-check.sh (they share a lock in /run/lock).
# With pipefail, a pipeline into grep -q fails when grep exits before the
# writer is done (SIGPIPE): pipelines here end in grep >/dev/null instead.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
testbed=$top/selftests/testbed
# shellcheck source=testbed/lib.sh
. "$top/selftests/testbed/lib.sh"

# shellcheck source=testbed/tap.sh
. "$top/selftests/testbed/tap.sh"
plan=14

echo "TAP version 13"
[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v dpkg >/dev/null || skip_all "not a Debian system (no dpkg)"

KDIR=${KDIR:-$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort -V | tail -n 1)}
{ [ -n "$KDIR" ] && [ -d "$KDIR" ]; } || skip_all "no kernel headers (KDIR)"
kver=$(kernel_release "$KDIR")
mdir=/lib/modules/$kver
[ -d "$mdir/build" ] || skip_all "$mdir/build missing: headers for $kver not installed as a package"

missing=()
for c in dkms lintian dpkg-buildpackage fakeroot; do
	command -v "$c" >/dev/null || missing+=("$c")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "# installing dkms lintian dpkg-dev fakeroot (missing: ${missing[*]})"
	# make check installs them (deps.sh): a failure here is a failure
	apt_install dkms lintian dpkg-dev fakeroot >/dev/null 2>&1 ||
		{ echo "1..1"; echo "not ok 1 apt-get install dkms lintian dpkg-dev fakeroot"; exit 1; }
fi

exec 9>/run/lock/autoch-dkms-check.lock
flock 9

pkgs=(autoch-dkms autoch-tools)
for p in "${pkgs[@]}"; do
	if dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -vx 'not-installed' >/dev/null; then
		skip_all "$p is installed (dpkg -l $p)"
	fi
done
if [ -n "$(dkms status -m autoch 2>/dev/null)" ] || compgen -G '/usr/src/autoch-*' >/dev/null; then
	skip_all "autoch is in dkms or /usr/src already (dkms status -m autoch)"
fi

work=$(mktemp -d)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")

# Where the packages and dkms write: the names there that are autoch's
# (others may install packages meanwhile), and depmod's index files.
state() {
	find /usr/src /etc/modprobe.d /etc/udev/rules.d /lib/udev/rules.d \
		/usr/include /usr/share/doc /usr/share/man /usr/bin -xdev \
		-path '*autoch*' 2>/dev/null | sort
	find /var/lib/dkms "$mdir" -xdev 2>/dev/null | sort
	find "$mdir" -maxdepth 1 -name 'modules.*' -type f -exec sha256sum {} + | sort
}
state >"$work/state.before"
snapshot() {
	{
		find "$mdir" -maxdepth 1 -name 'modules.*'
		find "$mdir/updates" "$mdir/updates/dkms" -maxdepth 0 2>/dev/null
		ls -d /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>/dev/null
	} | sort
}
snapshot >"$work/before"

# dpkg --purge, waiting for another apt or dpkg to finish
purge_pkgs() {
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -o DPkg::Lock::Timeout=900 "$@"
}
# Undo what this run did.
restore() {
	local f p
	for p in "${pkgs[@]}"; do
		if dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -vx 'not-installed' >/dev/null; then
			purge_pkgs "$p" >/dev/null 2>&1
		fi
	done
	for f in "$mdir"/modules.* /var/lib/dkms/mok.key /var/lib/dkms/mok.pub; do
		[ -e "$f" ] || continue
		grep -qxF "$f" "$work/before" || rm -f "$f"
	done
	for f in "$mdir/updates/dkms" "$mdir/updates"; do
		grep -qxF "$f" "$work/before" || rmdir "$f" 2>/dev/null
	done
}
cleanup() {
	[ ! -f "$work/tgt/env" ] || "$testbed/tgt-changer.sh" stop "$work/tgt" >/dev/null 2>&1
	restore
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "1..$plan"
echo "# kernel $kver ($KDIR), dkms $(dkms --version 2>/dev/null | head -n 1), version $ver"

out=$work/deb
build() {
	make -C "$top" deb OUT="$out" &&
		ls "$out/autoch-dkms_${ver}_all.deb" "$out"/autoch-tools_"${ver}"_*.deb
}
t "make deb builds autoch-dkms and autoch-tools $ver" build
debs=("$out/autoch-dkms_${ver}_all.deb")
for f in "$out"/autoch-tools_"${ver}"_*.deb; do
	case $f in *-dbgsym_*) ;; *) debs+=("$f") ;; esac
done

lint() {
	local changes
	changes=$(ls "$out"/*.changes) || return 1
	lintian --pedantic -I "$changes" | tee "$work/lintian.out"
	! grep -E '^[EW]: ' "$work/lintian.out"
}
t "lintian: no error or warning" lint

# make install-data install-tools (make install less the module) with the
# packages' directories installs the files the packages hold, but for the
# DKMS sources and what dpkg adds (changelog, copyright, README, the
# compression of man pages and documents); make uninstall-data
# uninstall-tools removes every one of them.
make_install() {
	local d=$work/destdir vars
	vars=(PREFIX=/usr UDEVRULESDIR=/lib/udev/rules.d MODPROBEDIR=/etc/modprobe.d
		DOCDIR=/usr/share/doc/autoch-dkms DESTDIR="$d" TOOLSDIR="$work/tools")
	make -C "$top" install-data install-tools "${vars[@]}" || return 1
	(cd "$d" && find . ! -type d | sed 's/^\.//' | sort) >"$work/make.files"
	for f in "${debs[@]}"; do dpkg-deb -c "$f"; done | awk '{print $6}' |
		sed -e 's/^\.//' -e 's/\.gz$//' | grep -v '/$' |
		grep -vE '^/usr/src/|/(changelog|copyright|README\.md)$' | sort >"$work/deb.files"
	diff -u "$work/deb.files" "$work/make.files" || return 1
	make -C "$top" uninstall-data uninstall-tools "${vars[@]}" || return 1
	[ -z "$(find "$d" ! -type d)" ] || { find "$d" ! -type d; return 1; }
}
t "make install-data install-tools: the packages' files; uninstall removes them" make_install

install_debs() {
	apt_install "${debs[@]}"
}
t "apt-get install ${debs[*]##*/}" install_debs

dkms_built() {
	dkms status -m autoch | tee /dev/stderr | grep -x "autoch/$ver, $kver, [^:]*: installed" >/dev/null
}
t "DKMS built and installed autoch/$ver for $kver" dkms_built

module_ok() {
	local ko
	ko=$(find "$mdir/updates" -name 'autoch.ko*' 2>/dev/null | head -n 1)
	[ -f "$ko" ] || { echo "no autoch.ko under $mdir/updates"; return 1; }
	modinfo -F vermagic "$ko" | grep "^$kver " >/dev/null &&
		modinfo -F alias "$ko" | grep -xF 'scsi:t-0x08*' >/dev/null &&
		modprobe -S "$kver" --show-depends autoch | grep -F "insmod $ko" >/dev/null
}
t "the module is built for $kver and modprobe -S $kver finds it" module_ok

udev_modprobe() {
	cmp "$top/udev/60-autoch.rules" /lib/udev/rules.d/60-autoch.rules &&
		cmp "$top/autoch-modprobe.conf" /etc/modprobe.d/autoch.conf &&
		modprobe -S "$kver" --showconfig | grep -x 'blacklist ch' >/dev/null
}
t "udev rules in /lib/udev/rules.d, blacklist ch in /etc/modprobe.d" udev_modprobe

# <linux/autochanger.h> and <sys/scsi.h> with -I/usr/include/autoch/hpux,
# and every file of the tree's include/hpux installed (the whole tree).
headers() {
	local f
	(cd "$top/include/hpux" && find . -type f -printf '%P\n') | while read -r f; do
		cmp "$top/include/hpux/$f" "/usr/include/autoch/hpux/$f" || echo "missing: $f"
	done | tee "$work/hdr.out"
	[ ! -s "$work/hdr.out" ] || return 1
	printf '#include <linux/autochanger.h>\nint x = SIOC_ELEMENT_ADDRESSES;\n' |
		cc -fsyntax-only -Wall -Werror -x c - &&
		printf '#include <sys/scsi.h>\nstruct element_addresses ea;\nint x = SIOC_ELEMENT_ADDRESSES;\n' |
		cc -fsyntax-only -Wall -Werror -I/usr/include/autoch/hpux -x c -
}
t "the header and the whole HP-UX include directory, both compile" headers

# Every source the module is built from (driver/Kbuild, driver/*.mk and driver/*.[ch]
# of the tree, whatever their names) is in /usr/src/autoch-<version>.
sources() {
	local f d=/usr/src/autoch-$ver
	for f in Kbuild Makefile driver/Kbuild $(cd "$top" && ls driver/*.mk driver/*.[ch]); do
		case $f in *.mod.c) continue ;; esac
		cmp "$top/$f" "$d/$f" || echo "missing or different: $d/$f"
	done | tee "$work/src.out"
	[ ! -s "$work/src.out" ] && grep -qx "PACKAGE_VERSION=\"$ver\"" "$d/dkms.conf"
}
t "/usr/src/autoch-$ver holds every driver source of the tree" sources

man_docs() {
	local p rc=0
	for p in 7:autochanger 8:autoch-mc 1:autoch-inventory 1:autoch-demo; do
		man -w "${p%%:*}" "${p#*:}" || { echo "no man page ${p#*:}(${p%%:*})"; rc=1; }
	done
	# the man pages send readers to porting.rst in the documentation
	for p in porting autoch autochanger-ioctl sharing; do
		ls /usr/share/doc/autoch-dkms/"$p".rst* || rc=1
	done
	return "$rc"
}
t "man pages autochanger(7), autoch-mc(8), autoch-inventory(1), autoch-demo(1); porting.rst" man_docs

tools() {
	local tool
	for tool in autoch-mc autoch-inventory autoch-demo; do
		"/usr/bin/$tool" -h >"$work/help" 2>&1 || { cat "$work/help"; return 1; }
		grep -q "^usage: $tool" "$work/help" || { cat "$work/help"; return 1; }
	done
	autoch-demo --help | grep '^usage: autoch-demo' >/dev/null || return 1
	# never Midnight Commander's name
	if dpkg -L "${pkgs[@]}" | grep -E '/s?bin/mc$'; then return 1; fi
}
t "autoch-mc, autoch-inventory, autoch-demo run -h; no mc in the packages" tools

# In a guest booted on Debian's kernel, against tgt's changer: the module
# DKMS built binds it and the package's udev rules name it (guest-deb.sh).
guest() {
	local ko rc
	ko=$(find "$mdir/updates" -name 'autoch.ko' | head -n 1)
	[ -f "$ko" ] || { echo "no autoch.ko under $mdir/updates"; return 1; }
	mkdir -p "$work/tgt"
	"$testbed/tgt-changer.sh" start "$work/tgt" || return 1
	AUTOCH_GUEST_BINS="udevadm /usr/lib/udev/scsi_id" \
		"$testbed/run-guest.sh" --kdir "$KDIR" --tgt-state "$work/tgt" \
		--script "$top/selftests/guest-deb.sh" --file "$ko" \
		--file /lib/udev/rules.d/60-autoch.rules \
		--log "$work/guest.console" >"$work/guest.out" 2>&1
	rc=$?
	"$testbed/tgt-changer.sh" stop "$work/tgt" >/dev/null 2>&1
	grep -E '^(not )?ok |Bail out|^# ' "$work/guest.out" | sed 's/^/guest: /'
	[ "$rc" -eq 0 ] || { tail -n 20 "$work/guest.out"; return 1; }
}
desc="in a guest: the DKMS-built module binds tgt's changer; the package's udev rules give group tape, /dev/rchgr/autoch0, by-id, by-path"
need=''
for c in qemu-system-x86_64 tgtd udevadm /usr/lib/udev/scsi_id; do
	command -v "$c" >/dev/null || need+=" $c"
done
if [ -n "$need" ]; then
	ok "$desc # SKIP not installed:$need (make deps installs them)"
else
	t "$desc" guest
fi

# What the packages installed (files and links; directories may be shared),
# and what dkms made from them: after dpkg --purge, none of it is left.
dpkg -L "${pkgs[@]}" 2>/dev/null | while read -r f; do
	[ -d "$f" ] || echo "$f" # /lib is a link to a directory
done >"$work/files"
find /var/lib/dkms/autoch "$mdir/updates" -name '*autoch*' 2>/dev/null >>"$work/files"
purge() {
	local f
	echo "$(wc -l <"$work/files") files installed"
	[ "$(wc -l <"$work/files")" -gt 20 ] || return 1
	purge_pkgs autoch-tools autoch-dkms || return 1
	while read -r f; do
		[ ! -e "$f" ] && [ ! -L "$f" ] || echo "left behind: $f"
	done <"$work/files" | tee "$work/left"
	[ ! -s "$work/left" ] && [ -z "$(dkms status -m autoch)" ] &&
		[ ! -e /var/lib/dkms/autoch ]
}
t "dpkg --purge: every installed file gone, dkms status empty" purge

restored() {
	restore
	state >"$work/state.after"
	diff -u "$work/state.before" "$work/state.after"
}
t "the machine is as before" restored

exit $failed
