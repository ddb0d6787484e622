#!/bin/bash
# Boot Debian's kernel (matching KDIR) under QEMU/TCG with a busybox
# initramfs, hand it tgt's changer through QEMU's iSCSI initiator, run a
# guest script and return its exit status.
#
# Usage: run-guest.sh --kdir KDIR [--tgt-state STATEDIR [--two-hosts|--two-portals]]
#                     [--control PROGRAM] --script GUEST.sh [--file PATH]...
#                     [--log LOGFILE]
#
# In the guest: the --file paths (files or directories) are under /autoch/,
# the script is /autoch/guest.sh, run by busybox sh in /autoch with
# AUTOCH_CHANGERS set to the changers' /dev/sgN nodes (one per host, in
# host order).  --two-hosts: two initiators (host0, host1) through tgt's
# first portal; --two-portals: host N through portal N+1 (tgt started
# with AUTOCH_TGT_PORTALS=2), two paths to one LU.  --control: a channel
# between the guest script and PROGRAM on this side, for what only the
# host can do (tgtadm): the guest writes request lines to the serial port
# named by AUTOCH_CTL (/dev/ttyS2) and reads the replies from it;
# PROGRAM runs beside QEMU as "PROGRAM REQUESTS REPLIES" (two FIFOs),
# reading request lines from the first and writing reply lines to the
# second, and is killed when QEMU ends.  scsi_mod, sg, virtio_scsi are
# loaded; ch, st and scsi_debug are present for `modprobe` but not
# loaded.  mtx, sg3-utils, lsscsi and busybox are on PATH; busybox sh runs
# its own applets first, so call the real lsscsi as /usr/bin/lsscsi.
#
# The serial console goes to stdout and LOGFILE; the guest's dmesg is
# appended to LOGFILE at the end.  The run fails if the guest script
# fails, the exit marker is missing (crash, timeout) or the kernel logged
# an oops, BUG or WARNING.
#
# Environment:
#   AUTOCH_GUEST_TIMEOUT  wall-clock limit in seconds (600)
#   AUTOCH_GUEST_CPUS     guest CPUs (2)     AUTOCH_GUEST_MEM  MiB (1024)
#   AUTOCH_GUEST_APPEND   extra kernel command line
#   AUTOCH_GUEST_MODULES  extra modules to put in the guest (not loaded)
#   AUTOCH_GUEST_BINS     extra host programs to copy (with their libraries)
#   AUTOCH_GUEST_BIOS     firmware (qboot.rom; empty: QEMU's default SeaBIOS)
#   AUTOCH_ISCSI_TIMEOUT  QEMU's iSCSI timeout= for the changers' drives,
#                         in seconds (default none; with timeout=5 a command
#                         still waited out a 20 s refused login: QEMU 7.2,
#                         libiscsi 1.19)
#   AUTOCH_QEMU_ARGS      extra QEMU arguments (split on whitespace), e.g.
#                         more -device/-drive pairs
#   AUTOCH_LOG_DIR        where a failed run's console is kept
#                         (/var/tmp/autoch-logs)
#   AUTOCH_GUEST_KERNEL_DIR  boot this kernel instead of Debian's: a directory
#                         with vmlinuz (or vmlinux) and lib/modules/RELEASE,
#                         built as KDIR (selftests/debug/kernel.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

usage() {
	sed -n '/^# Usage:/,/^#$/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

kdir='' state='' two_hosts=0 portals=1 script='' logfile='' control=''
files=()
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) kdir=${2-}; shift ;;
	--tgt-state) state=${2-}; shift ;;
	--two-hosts) two_hosts=1 ;;
	--two-portals) two_hosts=1 portals=2 ;;
	--control) control=${2-}; shift ;;
	--script) script=${2-}; shift ;;
	--file) files+=("${2-}"); shift ;;
	--log) logfile=${2-}; shift ;;
	*) usage ;;
	esac
	[ $# -gt 0 ] || usage
	shift
done
{ [ -n "$kdir" ] && [ -n "$script" ]; } || usage
[ -f "$script" ] || die "no script $script"
[ "$two_hosts" = 0 ] || [ -n "$state" ] || die "--two-hosts needs --tgt-state"
[ -z "$control" ] || [ -x "$control" ] || die "--control $control: not a program"

timeout=${AUTOCH_GUEST_TIMEOUT:-600}
rel=$(kernel_release "$kdir")
kcache=${AUTOCH_GUEST_KERNEL_DIR:-$("$here/guest-kernel.sh" "$kdir")}

tmp=$(mktemp -d)
pids=()
# shellcheck disable=SC2317  # run from the trap
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do { wait "$p"; } 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Copy host files to the same paths under root $1; never write through a
# busybox symlink already there (it points at the host's /bin/busybox).
put() {
	local root=$1
	shift
	rm -f "${@/#/$root}"
	cp -L --parents "$@" "$root"
}

# Shared libraries and the dynamic loader of the ELF programs given.
libs_of() {
	ldd "$@" 2>/dev/null |
		awk '/^\t/ && $2 == "=>" && $3 ~ /^\// {print $3} /^\t\// {print $1}' |
		sort -u
}

# --- The base image: busybox, the SCSI tools with their libraries, kernel
# modules.  It takes seconds to build, so it is cached as a cpio archive,
# keyed by everything it is made of; the per-run part is a second archive
# (the kernel unpacks concatenated archives in turn).
build_base() {
	local root=$tmp/base m p rp out deps bins a
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,autoch}

	cp /bin/busybox "$root/bin/busybox"
	for a in $(/bin/busybox --list-full); do
		[ -e "$root/$a" ] || ln -s /bin/busybox "$root/$a"
	done
	# The kernel opens /dev/console for init before devtmpfs is mounted.
	mknod -m 600 "$root/dev/console" c 5 1

	# Kernel modules the boot needs and tests may modprobe, with their
	# dependencies.  busybox insmod cannot read compressed modules, so
	# they are decompressed here; depmod then indexes the subset for
	# busybox modprobe.
	local mdir=$kcache/lib/modules/$rel gmdir=$root/lib/modules/$rel
	mkdir -p "$gmdir"
	for m in $boot_modules ch st scsi_debug ${AUTOCH_GUEST_MODULES:-}; do
		deps=$(modprobe -d "$kcache" -S "$rel" --show-depends "$m") ||
			die "module $m not in $mdir"
		# Lines are "insmod PATH" or "builtin NAME".
		# shellcheck disable=SC2013  # module paths have no spaces
		for p in $(awk '$1 == "insmod" {print $2}' <<<"$deps"); do
			rp=${p#"$mdir"/}
			out=$gmdir/${rp%.ko*}.ko
			[ ! -f "$out" ] || continue
			mkdir -p "$(dirname "$out")"
			case $p in
			*.ko.xz) xz -dc "$p" >"$out" ;;
			*.ko.zst) zstd -qdc "$p" >"$out" ;;
			*.ko.gz) gzip -dc "$p" >"$out" ;;
			*) cp "$p" "$out" ;;
			esac
		done
	done
	cp "$mdir"/modules.{builtin,builtin.modinfo,order} "$gmdir/"
	depmod -b "$root" "$rel"

	# Independent SCSI clients: mtx, lsscsi and all of sg3-utils
	# (Debian's kernel has no /proc/scsi/scsi: lsscsi reads sysfs).
	bins=$(dpkg -L mtx sg3-utils lsscsi | grep -E '/s?bin/[^/]+$')
	for a in ${AUTOCH_GUEST_BINS:-}; do
		bins+=" $(command -v "$a")" || die "no program $a"
	done
	# shellcheck disable=SC2046,SC2086  # paths without spaces
	put "$root" $bins $(libs_of $bins)

	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) >"$1"
	rm -rf "$root"
}

boot_modules="virtio_pci virtio_scsi sg"
key=$({
	echo "$rel ${AUTOCH_GUEST_MODULES:-} / ${AUTOCH_GUEST_BINS:-}"
	dpkg-query -W busybox-static mtx sg3-utils lsscsi libc6
	cat "$kcache/lib/modules/$rel/modules.dep" "$here/run-guest.sh"
} | sha256sum | cut -c1-16)
base=$AUTOCH_CACHE/initramfs/$rel-$key.cpio
if [ ! -f "$base" ]; then
	t0=$EPOCHREALTIME
	mkdir -p "$AUTOCH_CACHE/initramfs"
	# Drop archives nobody used for a week (other keys).
	find "$AUTOCH_CACHE/initramfs" -name '*.cpio' -atime +7 -delete
	build_base "$tmp/base.cpio"
	mv "$tmp/base.cpio" "$base"
	log "base initramfs $(($(stat -c %s "$base") >> 20)) MiB built in $(elapsed_since "$t0")s"
fi

# --- The per-run part: the caller's files under /autoch/ (with the
# libraries of its programs), the script, /init.
root=$tmp/root
mkdir -p "$root/autoch" "$root/etc"
for f in "${files[@]}"; do
	[ -e "$f" ] || die "no file $f"
	cp -a -L "$f" "$root/autoch/"
done
cp "$script" "$root/autoch/guest.sh"
# TAP results for the guest's scripts (ok, not_ok, skip), which source it
cp "$here/guest-tap.sh" "$root/autoch/"
mapfile -t progs < <(find "$root/autoch" -type f -perm -u+x)
if [ ${#progs[@]} -gt 0 ]; then
	mapfile -t libs < <(libs_of "${progs[@]}")
	[ ${#libs[@]} -eq 0 ] || put "$root" "${libs[@]}"
fi

nchangers=0
[ -z "$state" ] || nchangers=$((1 + two_hosts))
cat >"$root/etc/autoch.env" <<EOF
boot_modules='$boot_modules'
nchangers=$nchangers
AUTOCH_CTL='${control:+/dev/ttyS2}'
EOF

cat >"$root/init" <<'EOF'
#!/bin/sh
# PID 1: mount, load modules, wait for the changers, run the test script,
# report its status on the console and power off.
export PATH=/autoch:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
exec </dev/console >/dev/console 2>&1
. /etc/autoch.env

for m in $boot_modules; do
	modprobe "$m" || echo "init: modprobe $m failed"
done

# sg nodes of the type-8 (medium changer) devices, in H:C:T:L order.
changers() {
	for d in /sys/bus/scsi/devices/*:*:*:*; do
		[ "$(cat "$d/type" 2>/dev/null)" = 8 ] || continue
		for g in "$d"/scsi_generic/sg*; do
			[ -c "/dev/${g##*/}" ] && echo "/dev/${g##*/}"
		done
	done
}
# The SCSI scan runs asynchronously: wait for every changer and its node.
i=0
while [ "$(changers | wc -l)" -lt "$nchangers" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ]; then
		echo "init: only $(changers | wc -l) of $nchangers changers after 30 s"
		break
	fi
	sleep 0.1
done
export AUTOCH_CTL
AUTOCH_CHANGERS=$(changers | tr '\n' ' ')
export AUTOCH_CHANGERS="${AUTOCH_CHANGERS% }"
echo "init: up $(cut -d' ' -f1 /proc/uptime)s, changers: $AUTOCH_CHANGERS"

cd /autoch
sh /autoch/guest.sh
echo "AUTOCH-GUEST-EXIT $?"
# Full kernel log on the second serial port (the console is quiet).
dmesg >/dev/ttyS1
sync
# Without ACPI (a tinyconfig kernel) poweroff only halts: reboot, which
# -no-reboot turns into QEMU's exit.
[ -d /sys/firmware/acpi ] || reboot -f
poweroff -f
reboot -f
EOF
chmod 755 "$root/init"

(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) >"$tmp/run.cpio"
cat "$base" "$tmp/run.cpio" >"$tmp/initrd"

# Uncompressed vmlinux boots 7 s faster under TCG (see guest-kernel.sh),
# qboot half a second faster than SeaBIOS.
kernel=$kcache/vmlinuz
[ ! -f "$kcache/vmlinux" ] || kernel=$kcache/vmlinux
bios=${AUTOCH_GUEST_BIOS-/usr/share/qemu/qboot.rom}

# --- QEMU: TCG only (KVM hangs on these machines)
log=${logfile:-$tmp/console.log}
: >"$log"
# no_timer_check: under TCG on a loaded machine the kernel's check of the
# IO-APIC timer can miss its ticks and panic ("IO-APIC + timer doesn't
# work"); the check is about real hardware, not about what is tested.
# log_buf_len: the whole kernel log of a long run (a fuzzer's or a soak's
# warnings) reaches the end, where the guest prints it, with the lines of
# a failed test's time still in it.
qargs=(-accel tcg -nodefaults -no-user-config -display none -no-reboot
	-m "${AUTOCH_GUEST_MEM:-1024}" -smp "${AUTOCH_GUEST_CPUS:-2}"
	-kernel "$kernel" -initrd "$tmp/initrd"
	-append "console=ttyS0 panic=-1 quiet no_timer_check log_buf_len=16M ${AUTOCH_GUEST_APPEND:-}"
	-serial "file:$log" -serial "file:$tmp/dmesg")
if [ -n "$state" ]; then
	[ -f "$state/env" ] || die "$state/env missing: tgt not started?"
	# Read the target's coordinates without taking its other variables.
	PORT2=''
	eval "$(grep -E '^(PORT|PORT2|IQN|CHANGER_LUN)=' "$state/env")"
	[ "$portals" = 1 ] || [ -n "$PORT2" ] ||
		die "--two-portals: tgt has one portal (AUTOCH_TGT_PORTALS=2 at start)"
	iopt=${AUTOCH_ISCSI_TIMEOUT:+,timeout=$AUTOCH_ISCSI_TIMEOUT}
	# One virtio-scsi HBA and one iSCSI login (I_T nexus) per host.
	for h in $(seq 0 $((nchangers - 1))); do
		port=${PORT:?}
		[ "$portals" = 1 ] || [ "$h" = 0 ] || port=$PORT2
		qargs+=(-device "virtio-scsi-pci,id=scsi$h"
			-drive "driver=iscsi,transport=tcp,portal=127.0.0.1:$port,target=$IQN,lun=$CHANGER_LUN,if=none,id=ch$h,initiator-name=iqn.2026-11.org.autoch:host$h$iopt"
			-device "scsi-generic,drive=ch$h,bus=scsi$h.0,channel=0,scsi-id=0,lun=0")
	done
fi
[ -z "$bios" ] || [ ! -f "$bios" ] || qargs+=(-bios "$bios")
# The control channel: QEMU's pipe chardev reads PATH.in and writes
# PATH.out (opened read-write, so neither side blocks on the other).
if [ -n "$control" ]; then
	mkfifo "$tmp/ctl.in" "$tmp/ctl.out"
	qargs+=(-chardev "pipe,id=ctl,path=$tmp/ctl" -serial chardev:ctl)
fi
read -r -a extra <<<"${AUTOCH_QEMU_ARGS:-}"

t0=$EPOCHREALTIME
start=$SECONDS
qemu-system-x86_64 "${qargs[@]}" "${extra[@]}" </dev/null >&2 &
qpid=$!
pids+=("$qpid")
tail -n +1 -s 0.1 -F --pid="$qpid" "$log" 2>/dev/null &
pids+=($!)
if [ -n "$control" ]; then
	"$control" "$tmp/ctl.out" "$tmp/ctl.in" >&2 &
	pids+=($!)
fi

# kill -0 succeeds on our zombie child: read its state instead.
running() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ]
}
timed_out=0
while running "$qpid"; do
	if [ $((SECONDS - start)) -ge "$timeout" ]; then
		timed_out=1
		kill -KILL "$qpid"
		break
	fi
	sleep 0.2
done
qrc=0
{ wait "$qpid"; } 2>/dev/null || qrc=$?
wait "${pids[1]}" || true
for p in "${pids[@]:2}"; do kill -KILL "$p" 2>/dev/null || true; done
for p in "${pids[@]:2}"; do { wait "$p"; } 2>/dev/null || true; done
pids=()

{
	echo "=== guest dmesg ==="
	tr -d '\r' <"$tmp/dmesg"
} >>"$log"

rc=$(tr -d '\r' <"$log" | grep -o 'AUTOCH-GUEST-EXIT [0-9]*' | tail -n 1 |
	cut -d' ' -f2 || true)
script_rc=${rc:-none}
if [ "$timed_out" = 1 ]; then
	log "guest killed after ${timeout}s (AUTOCH_GUEST_TIMEOUT)"
	rc=${rc:-124}
elif [ -z "$rc" ]; then
	log "no exit marker: the guest crashed or QEMU failed (status $qrc)"
	rc=1
fi

# Kernel lines only (timestamped) from the console, all of dmesg.
pat='Oops|BUG:|WARNING:|Kernel panic|kernel BUG at|general protection fault|UBSAN:|KASAN:|KFENCE:|Call Trace:|INFO: task .* blocked|unreferenced object|possible (recursive|circular) locking|refcount_t:|list_(add|del) corruption'
bad=$(tr -d '\r' <"$log" | grep -E '^\[ *[0-9]+\.[0-9]+\]' |
	grep -E -A 20 "$pat" | awk '!seen[$0]++' | head -n 80 || true)
if [ -n "$bad" ]; then
	log "kernel reported problems:"
	echo "$bad" >&2
	[ "$rc" != 0 ] || rc=1
fi
# A failed run's console outlives the caller's work directory: a failure
# seen once must be readable afterwards.
if [ "$rc" != 0 ]; then
	kept=${AUTOCH_LOG_DIR:-/var/tmp/autoch-logs}/$(date +%Y%m%d-%H%M%S)-$$-$(basename "$script" .sh).console
	mkdir -p "$(dirname "$kept")" && cp "$log" "$kept" && log "console kept in $kept"
fi
log "exit $rc (guest script status $script_rc), QEMU ran $(elapsed_since "$t0")s${logfile:+, log in $logfile}"
exit "$rc"
