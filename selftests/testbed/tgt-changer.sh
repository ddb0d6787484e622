#!/bin/bash
# Run tgt's SMC changer emulation on loopback, reached over iSCSI.
# Usage: tgt-changer.sh start STATEDIR    (STATEDIR: an empty directory)
#        tgt-changer.sh stop STATEDIR
#        tgt-changer.sh cut STATEDIR PORTAL INITIATOR
#        tgt-changer.sh restore STATEDIR PORTAL
# start writes STATEDIR/env (shell syntax): PORT IQN CHANGER_LUN
# TGT_CONTROL TGTD_PID TGT_SLOTS, and PORT2 with AUTOCH_TGT_PORTALS=2:
# a second portal (127.0.0.1:PORT2) to the same target, so that each
# initiator reaching the changer through its own portal is a path to the
# same LU (same VPD 83h designator).  cut takes portal PORTAL (1: PORT,
# 2: PORT2) away and closes every connection of INITIATOR's sessions:
# the initiator's reconnects are refused until restore puts the portal
# back.  Layout (SMC element addresses):
#   transport 1; import/export 16-17; drives 256-257 (LUN 1, LUN 2);
#   storage 1024.. (AUTOCH_TGT_SLOTS, default 24).  The first half of the
#   slots hold ACT001.., import/export 16 holds the next barcode (ACT013
#   by default).  Only ACT001-ACT004 have tape images, so loading any
#   other cartridge into a drive fails with HARDWARE ERROR 15/01.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

IQN=iqn.2026-11.org.autoch:changer
CHANGER_LUN=3

usage() { die "usage: $0 start|stop STATEDIR | cut STATEDIR PORTAL INITIATOR | restore STATEDIR PORTAL"; }
[ $# -ge 2 ] || usage
cmd=$1
state=$2

# True when a tgtd answers on control number $1.
control_taken() {
	tgtadm -C "$1" --mode system --op show >/dev/null 2>&1
}

# True when some TCP socket (any state, v4 or v6) uses local port $1.
port_taken() {
	local hex
	hex=$(printf ':%04X ' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk '{print $2}' | grep -q -- "${hex% }$"
}

# tgtd ignores SIGTERM: ask it to shut down (it refuses while a target
# exists, so delete that first), then SIGKILL.  It is not our child
# (start has returned), so poll instead of wait; a zombie counts as gone,
# since our parent, not we, reaps it.
stop_tgtd() {
	local ctl=$1 pid=$2 i
	tgtadm -C "$ctl" --mode target --op delete --tid 1 --force >/dev/null 2>&1 || true
	tgtadm -C "$ctl" --mode system --op delete >/dev/null 2>&1 || true
	for i in $(seq 50); do
		alive "$pid" || return 0
		[ "$i" -eq 20 ] && kill -KILL "$pid" 2>/dev/null
		sleep 0.1
	done
	die "tgtd $pid does not die"
}

alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = tgtd ]
}

start() {
	local slots=${AUTOCH_TGT_SLOTS:-24} portals=${AUTOCH_TGT_PORTALS:-1}
	local full ctl port port2='' pid i lun a bc
	[ ! -e "$state/env" ] || die "$state/env exists: already started?"
	[ "$slots" -ge 2 ] 2>/dev/null || die "AUTOCH_TGT_SLOTS must be >= 2"
	case $portals in 1 | 2) ;; *) die "AUTOCH_TGT_PORTALS must be 1 or 2" ;; esac
	full=$((slots / 2))
	mkdir -p "$state/media"
	state=$(cd "$state" && pwd)

	# Fresh control number and port each time: a taken one makes the new
	# tgtd exit while tgtadm quietly configures the other daemon.
	for i in $(seq 20); do
		ctl=$((1000 + RANDOM % 30000))
		port=$((20000 + RANDOM % 40000))
		[ "$portals" = 1 ] || port2=$((20000 + RANDOM % 40000))
		control_taken "$ctl" || port_taken "$port" ||
			{ [ -n "$port2" ] && { [ "$port2" = "$port" ] || port_taken "$port2"; }; } ||
			break
		[ "$i" -lt 20 ] || die "no free control number/port"
	done

	tgtd -f -C "$ctl" --iscsi "portal=127.0.0.1:$port" \
		</dev/null >"$state/tgtd.log" 2>&1 &
	pid=$!
	trap 'stop_tgtd "$ctl" "$pid"; { wait "$pid"; } 2>/dev/null' EXIT
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null ||
			die "tgtd exited: $(cat "$state/tgtd.log")"
		control_taken "$ctl" && break
		[ "$i" -lt 100 ] || die "tgtd does not answer"
		sleep 0.1
	done

	adm() { tgtadm -C "$ctl" --lld iscsi "$@"; }
	lu() { adm --mode logicalunit --op update --tid 1 --lun "$CHANGER_LUN" --params "$1"; }

	adm --mode target --op new --tid 1 -T "$IQN"
	for lun in 1 2; do
		# A drive needs a backing tape; offline, so it reads as empty
		# like the changer's drive element says.
		tgtimg --op new --device-type tape --barcode "" --size 1 \
			--type clean --file "$state/drive$lun.img" >/dev/null
		adm --mode logicalunit --op new --tid 1 --lun "$lun" \
			-b "$state/drive$lun.img" --device-type=tape
		adm --mode logicalunit --op update --tid 1 --lun "$lun" --params online=0
	done

	dd if=/dev/zero of="$state/smc" bs=1k count=1 status=none
	adm --mode logicalunit --op new --tid 1 --lun "$CHANGER_LUN" \
		-b "$state/smc" --device-type=changer
	lu "media_home=$state/media"
	lu element_type=1,start_address=1,quantity=1
	lu element_type=3,start_address=16,quantity=2
	lu element_type=4,start_address=256,quantity=2
	lu element_type=4,address=256,tid=1,lun=1
	lu element_type=4,address=257,tid=1,lun=2
	lu "element_type=2,start_address=1024,quantity=$slots"
	for i in $(seq "$full"); do
		bc=$(printf 'ACT%03d' "$i")
		lu "element_type=2,address=$((1023 + i)),barcode=$bc,sides=1"
	done
	lu "element_type=3,address=16,barcode=$(printf 'ACT%03d' $((full + 1))),sides=1"
	for i in 1 2 3 4; do
		bc=$(printf 'ACT%03d' "$i")
		tgtimg --op new --device-type tape --barcode "$bc" --size 16 \
			--type data --file "$state/media/$bc" >/dev/null
	done
	adm --mode target --op bind --tid 1 -I ALL
	# The second portal serves the same target, hence the same LU.
	[ -z "$port2" ] || adm --mode portal --op new --param "portal=127.0.0.1:$port2"

	# Our daemon must still be the one listening on our port(s).
	kill -0 "$pid" 2>/dev/null || die "tgtd exited: $(cat "$state/tgtd.log")"
	port_taken "$port" || die "tgtd does not listen on $port"
	[ -z "$port2" ] || port_taken "$port2" || die "tgtd does not listen on $port2"
	adm --mode target --op show >"$state/show.txt"
	grep -q "Type: changer" "$state/show.txt" || die "no changer LU"

	for a in PORT=$port IQN=$IQN CHANGER_LUN=$CHANGER_LUN TGT_CONTROL=$ctl \
		TGTD_PID=$pid TGT_SLOTS=$slots MEDIA_HOME=$state/media \
		${port2:+PORT2=$port2}; do
		printf '%s=%q\n' "${a%%=*}" "${a#*=}"
	done >"$state/env"
	trap - EXIT
	log "tgtd $pid on 127.0.0.1:$port${port2:+ and :$port2}, control $ctl, $slots slots"
}

stop() {
	[ -f "$state/env" ] || die "$state/env: not started"
	# shellcheck disable=SC1091
	. "$state/env"
	if alive "$TGTD_PID"; then
		stop_tgtd "$TGT_CONTROL" "$TGTD_PID"
	fi
	rm -f "$state/env"
}

# The sessions' "SID CID" of every connection of initiator $1.
connections_of() {
	tgtadm -C "$TGT_CONTROL" --lld iscsi --mode target --op show |
		awk -v ini="$1" '
			$1 == "I_T" && $2 == "nexus:" { sid = $3; mine = 0 }
			$1 == "Initiator:" { mine = ($2 == ini) }
			$1 == "Connection:" && mine { print sid, $2 }'
}

# portal number $1 (1 or 2) as ADDRESS:PORT
portal_of() {
	case $1 in
	1) echo "127.0.0.1:${PORT:?}" ;;
	2) [ -n "${PORT2:-}" ] || die "no second portal (AUTOCH_TGT_PORTALS=2 at start)"
	   echo "127.0.0.1:$PORT2" ;;
	*) usage ;;
	esac
}

# Take portal $1 away, then close initiator $2's connections: its
# reconnects to that portal are refused.  Prints what it closed.
cut() {
	local portal sid cid n=0
	portal=$(portal_of "$1")
	tgtadm -C "$TGT_CONTROL" --lld iscsi --mode portal --op delete \
		--param "portal=$portal"
	while read -r sid cid; do
		[ -n "$sid" ] || continue
		tgtadm -C "$TGT_CONTROL" --lld iscsi --mode conn --op delete \
			--tid 1 --sid "$sid" --cid "$cid"
		n=$((n + 1))
	done < <(connections_of "$2")
	echo "portal $portal removed, $n connection(s) of $2 closed"
}

restore() {
	local portal
	portal=$(portal_of "$1")
	tgtadm -C "$TGT_CONTROL" --lld iscsi --mode portal --op new \
		--param "portal=$portal"
	echo "portal $portal back"
}

case $cmd in
start) [ $# -eq 2 ] || usage; start ;;
stop) [ $# -eq 2 ] || usage; stop ;;
cut | restore)
	[ -f "$state/env" ] || die "$state/env: not started"
	# shellcheck disable=SC1091
	. "$state/env"
	if [ "$cmd" = cut ]; then
		[ $# -eq 4 ] || usage
		cut "$3" "$4"
	else
		[ $# -eq 3 ] || usage
		restore "$3"
	fi
	;;
*) usage ;;
esac
