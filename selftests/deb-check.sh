#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck source-path=SCRIPTDIR disable=SC2317  # t() calls the checks
#
# The Debian packages as a sysadmin gets them. On the host: `make deb`,
# lintian (no error, no warning), and that make install-data install-tools
# puts the same files as the packages and make uninstall-data
# uninstall-tools takes them away (in a DESTDIR). Then on a minimal Debian
# 12 system (selftests/testbed/debian12-root.sh: debootstrap minbase, udev
# and the headers of the guest's kernel, cached; each run works in an
# overlay of it): the packages installed with apt and without their
# Recommends (a missing Depends fails), DKMS building the module for the
# guest's kernel, every file in place (udev rules, modprobe.d, the
# headers and the whole HP-UX include directory, the DKMS sources, the man
# pages and documentation, the tools running). In a QEMU guest on that
# kernel against tgt's changer, that system shared over 9p: its udevd
# loads the DKMS-built module and names the node with the package's rules,
# its tools drive the changer (selftests/guest-deb.sh). Then apt-get purge:
# every file the packages and DKMS put there gone, and after apt-get
# autoremove --purge the system is file for file as before. Prints TAP.
#
# Usage: deb-check.sh
# Environment:
#   KDIR  kernel headers of the guest's kernel (default: Debian's newest
#         6.1 headers); the Debian system gets the same headers package
#
# The packages are built from a copy of the tree in a temporary directory
# (make deb OUT=...); the tree is not written to, and nothing is installed
# on the host but the build tools (dpkg-dev, fakeroot, debhelper through
# the build dependencies, lintian) and debootstrap. The packages apt
# downloads into the Debian system are kept in AUTOCH_CACHE/debian12/archives,
# so a second run needs no network. Runs as root.
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

missing=()
for c in lintian dpkg-buildpackage fakeroot debootstrap; do
	command -v "$c" >/dev/null || missing+=("$c")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "# installing lintian dpkg-dev fakeroot debootstrap (missing: ${missing[*]})"
	# make check installs them (deps.sh): a failure here is a failure
	apt_install lintian dpkg-dev fakeroot debootstrap >/dev/null 2>&1 ||
		{ echo "1..1"; echo "not ok 1 apt-get install lintian dpkg-dev fakeroot debootstrap"; exit 1; }
fi

pkgs=(autoch-dkms autoch-tools)
work=$(mktemp -d)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
archives=$AUTOCH_CACHE/debian12/archives
root=$work/root

cleanup() {
	[ ! -f "$work/tgt/env" ] || "$testbed/tgt-changer.sh" stop "$work/tgt" >/dev/null 2>&1
	! mountpoint -q "$root" || umount "$root"
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "1..$plan"
echo "# kernel $kver ($KDIR), version $ver"

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
	vars=(PREFIX=/usr UDEVRULESDIR=/lib/udev/rules.d UDEVLIBDIR=/lib/udev MODPROBEDIR=/etc/modprobe.d
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

# The Debian 12 system, and an overlay of it for this run (the cached
# system is never changed).
t0=$EPOCHREALTIME
base=$("$testbed/debian12-root.sh" "$kver" 2>"$work/root.log")
if [ -z "$base" ] || [ ! -f "$base/.complete" ]; then
	not_ok "a minimal Debian 12 system with the headers for $kver"
	sed 's/^/# /' "$work/root.log" | tail -n 20
	echo "Bail out! no Debian 12 system"
	exit 1
fi
mkdir -p "$work/upper" "$work/ovl" "$root"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/ovl" "$root" ||
	{ echo "Bail out! cannot mount an overlay of $base"; exit 1; }
echo "# Debian 12 system: $base ($(elapsed_since "$t0") s)"
inroot() {
	"$testbed/debian12-root.sh" run "$root" --bind "$out" --bind "$archives" -- "$@"
}
apt_root() {
	inroot apt-get -q -o Dir::Cache::archives="$archives" -o DPkg::Lock::Timeout=900 "$@"
}
# Every file of the system but apt's and dpkg's state, caches and logs.
files_of_root() {
	inroot find / -xdev \( -path /var/lib/dpkg -o -path /var/lib/apt \
		-o -path /var/cache -o -path /var/log -o -path /tmp -o -path /run \
		-o -path "$out" -o -path "$archives" \) -prune -o -print | sort
}
files_of_root >"$work/root.before"
# shellcheck disable=SC2016  # a dpkg-query format
inroot dpkg-query -W -f '${Package}\n' | sort >"$work/pkgs.before"

install_debs() {
	apt_root install -y --no-install-recommends "${debs[@]}"
}
t "apt-get install --no-install-recommends ${debs[*]##*/} on minimal Debian 12" install_debs

dkms_built() {
	inroot dkms status -m autoch | tee /dev/stderr | grep -x "autoch/$ver, $kver, [^:]*: installed" >/dev/null
}
t "DKMS built and installed autoch/$ver for $kver" dkms_built

module_ok() {
	local ko
	ko=$(find "$root$mdir/updates" -name 'autoch.ko*' 2>/dev/null | head -n 1)
	[ -f "$ko" ] || { echo "no autoch.ko under $mdir/updates"; return 1; }
	ko=${ko#"$root"}
	inroot modinfo -F vermagic "$ko" | grep "^$kver " >/dev/null &&
		inroot modinfo -F alias "$ko" | grep -xF 'scsi:t-0x08*' >/dev/null &&
		inroot modprobe -S "$kver" --show-depends autoch | grep -F "insmod $ko" >/dev/null
}
t "the module is built for $kver and modprobe -S $kver finds it" module_ok

udev_modprobe() {
	cmp "$top/udev/60-autoch.rules" "$root/lib/udev/rules.d/60-autoch.rules" &&
		cmp "$top/udev/61-autoch-drives.rules" "$root/lib/udev/rules.d/61-autoch-drives.rules" &&
		cmp "$top/udev/autoch-drive-names" "$root/lib/udev/autoch-drive-names" &&
		[ -x "$root/lib/udev/autoch-drive-names" ] &&
		cmp "$top/autoch-modprobe.conf" "$root/etc/modprobe.d/autoch.conf" &&
		inroot modprobe -S "$kver" --showconfig | grep -x 'blacklist ch' >/dev/null
}
t "udev rules in /lib/udev/rules.d, blacklist ch in /etc/modprobe.d" udev_modprobe

# <linux/autochanger.h> and <sys/scsi.h> with -I/usr/include/autoch/hpux,
# and every file of the tree's include/hpux installed (the whole tree),
# compiled with the system's compiler.
headers() {
	local f
	(cd "$top/include/hpux" && find . -type f -printf '%P\n') | while read -r f; do
		cmp "$top/include/hpux/$f" "$root/usr/include/autoch/hpux/$f" || echo "missing: $f"
	done | tee "$work/hdr.out"
	[ ! -s "$work/hdr.out" ] || return 1
	printf '#include <linux/autochanger.h>\nint x = SIOC_ELEMENT_ADDRESSES;\n' >"$out/t1.c"
	printf '#include <sys/scsi.h>\nstruct element_addresses ea;\nint x = SIOC_ELEMENT_ADDRESSES;\n' >"$out/t2.c"
	# DKMS needs only the kernel's compiler: a program needs gcc and libc6-dev
	apt_root install -y --no-install-recommends gcc libc6-dev >/dev/null || return 1
	# shellcheck disable=SC2016  # expanded by the system's shell
	inroot sh -c 'gcc -fsyntax-only -Wall -Werror "$1" &&
		gcc -fsyntax-only -Wall -Werror -I/usr/include/autoch/hpux "$2"' sh "$out/t1.c" "$out/t2.c"
}
t "the header and the whole HP-UX include directory, both compile" headers

# Every source the module is built from (driver/Kbuild, driver/*.mk and driver/*.[ch]
# of the tree, whatever their names) is in /usr/src/autoch-<version>.
sources() {
	local f d=$root/usr/src/autoch-$ver
	for f in Kbuild Makefile driver/Kbuild $(cd "$top" && ls driver/*.mk driver/*.[ch]); do
		case $f in *.mod.c) continue ;; esac
		cmp "$top/$f" "$d/$f" || echo "missing or different: $d/$f"
	done | tee "$work/src.out"
	[ ! -s "$work/src.out" ] && grep -qx "PACKAGE_VERSION=\"$ver\"" "$d/dkms.conf"
}
t "/usr/src/autoch-$ver holds every driver source of the tree" sources

# minbase has no man-db: the pages must be where man looks, compressed
# and well formed (groff from the host reads them).
man_docs() {
	local p f rc=0
	for p in 7:autochanger 8:autoch-mc 1:autoch-inventory 1:autoch-demo; do
		f=$root/usr/share/man/man${p%%:*}/${p#*:}.${p%%:*}.gz
		if [ ! -f "$f" ]; then
			echo "no man page ${p#*:}(${p%%:*})"
			rc=1
		elif command -v groff >/dev/null; then
			zcat "$f" | groff -man -Tutf8 -ww -z 2>&1 | tee "$work/groff.out"
			[ ! -s "$work/groff.out" ] || rc=1
		fi
	done
	# the man pages send readers to porting.rst in the documentation
	for p in porting autoch autochanger-ioctl sharing; do
		ls "$root"/usr/share/doc/autoch-dkms/"$p".rst* || rc=1
	done
	return "$rc"
}
t "man pages autochanger(7), autoch-mc(8), autoch-inventory(1), autoch-demo(1); porting.rst" man_docs

tools() {
	local tool
	for tool in autoch-mc autoch-inventory autoch-demo; do
		inroot "/usr/bin/$tool" -h >"$work/help" 2>&1 || { cat "$work/help"; return 1; }
		grep -q "^usage: $tool" "$work/help" || { cat "$work/help"; return 1; }
	done
	inroot autoch-demo --help | grep '^usage: autoch-demo' >/dev/null || return 1
	# never Midnight Commander's name
	if inroot dpkg -L "${pkgs[@]}" | grep -E '/s?bin/mc$'; then return 1; fi
}
t "autoch-mc, autoch-inventory, autoch-demo run -h; no mc in the packages" tools

# In a guest booted on $kver, against tgt's changer, the Debian system
# shared over 9p: its udevd loads the DKMS-built module and names the
# node, its tools drive the changer (guest-deb.sh).
guest() {
	local rc
	mkdir -p "$work/tgt"
	"$testbed/tgt-changer.sh" start "$work/tgt" || return 1
	AUTOCH_GUEST_MODULES="9p 9pnet_virtio" \
		AUTOCH_QEMU_ARGS="-virtfs local,path=$root,mount_tag=debroot,security_model=passthrough,id=debroot" \
		"$testbed/run-guest.sh" --kdir "$KDIR" --tgt-state "$work/tgt" \
		--script "$top/selftests/guest-deb.sh" \
		--log "$work/guest.console" >"$work/guest.out" 2>&1
	rc=$?
	"$testbed/tgt-changer.sh" stop "$work/tgt" >/dev/null 2>&1
	grep -E '^(not )?ok |Bail out|^# ' "$work/guest.out" | sed 's/^/guest: /'
	[ "$rc" -eq 0 ] || { tail -n 20 "$work/guest.out"; return 1; }
}
desc="in a guest on $kver: the system's udevd loads the DKMS-built module by modalias; the package's rules give group tape, /dev/rchgr/autoch0, by-id, by-path; the tools drive the changer"
need=''
for c in qemu-system-x86_64 tgtd; do
	command -v "$c" >/dev/null || need+=" $c"
done
if [ -n "$need" ]; then
	ok "$desc # SKIP not installed:$need (make deps installs them)"
else
	t "$desc" guest
fi

# What the packages installed (files and links; directories may be shared),
# and what dkms made from them: after apt-get purge, none of it is left.
inroot dpkg -L "${pkgs[@]}" 2>/dev/null | while read -r f; do
	[ -d "$root$f" ] || echo "$f" # /lib is a link to a directory
done >"$work/files"
(cd "$root" && find var/lib/dkms/autoch ".$mdir/updates" -name '*autoch*' 2>/dev/null) |
	sed 's|^\.\{0,1\}/\{0,1\}|/|' >>"$work/files"
purge() {
	local f
	echo "$(wc -l <"$work/files") files installed"
	[ "$(wc -l <"$work/files")" -gt 20 ] || return 1
	apt_root purge -y autoch-tools autoch-dkms || return 1
	while read -r f; do
		[ ! -e "$root$f" ] && [ ! -L "$root$f" ] || echo "left behind: $f"
	done <"$work/files" | tee "$work/left"
	[ ! -s "$work/left" ] && [ -z "$(inroot dkms status -m autoch)" ] &&
		[ ! -e "$root/var/lib/dkms/autoch" ] &&
		! grep -F autoch "$root$mdir"/modules.dep "$root$mdir"/modules.alias
}
t "apt-get purge: every installed file gone, dkms status empty" purge

# The packages apt brought in for them (and for the header test) go too
# (apt-get purge): the system is file for file as it was, but for depmod's
# index files in /lib/modules/RELEASE, which dkms made (a system with the
# kernel's own package has them anyway) and which no longer name autoch
# (checked above).
as_before() {
	local extra
	# shellcheck disable=SC2016  # a dpkg-query format
	extra=$(inroot dpkg-query -W -f '${Package}\n' | sort | comm -13 "$work/pkgs.before" -)
	echo "# brought in: $(echo "$extra" | tr '\n' ' ')"
	# shellcheck disable=SC2086  # package names
	[ -z "$extra" ] || apt_root purge -y $extra >/dev/null || return 1
	files_of_root | grep -vE "^/usr$mdir/modules\.[a-z.]+\$" >"$work/root.after"
	diff -u "$work/root.before" "$work/root.after"
}
t "purging the packages apt brought in too: the system is file for file as before" as_before

exit $failed
