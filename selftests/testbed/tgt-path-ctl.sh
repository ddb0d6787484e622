#!/bin/bash
# The host's side of run-guest.sh --control for guest-paths-tgt.sh: cuts
# and restores the guest's iSCSI paths to tgt's changer on request.
#
# Usage: tgt-path-ctl.sh REQUESTS REPLIES    (FIFOs; see run-guest.sh)
# Environment: AUTOCH_TGT_STATE, the STATEDIR of tgt-changer.sh (started
# with AUTOCH_TGT_PORTALS=2).  Host N (0, 1) of run-guest.sh --two-portals
# is initiator iqn.2026-11.org.autoch:hostN on portal N+1.
#
# Requests, one a line, each answered with one line, "ok ..." or "err ...":
#   cut N       portal N+1 removed, host N's connections closed
#               (tgt-changer.sh cut)
#   restore N   portal N+1 back
#   conns N     how many connections host N has now
#   log TEXT    TEXT in this side's log, with the time
# Every request and reply is logged on stderr with the host's time.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${AUTOCH_TGT_STATE:?AUTOCH_TGT_STATE: tgt-changer.sh STATEDIR}
[ $# -eq 2 ] || { echo "usage: $0 REQUESTS REPLIES" >&2; exit 2; }

ini() { echo "iqn.2026-11.org.autoch:host$1"; }

answer() {
	local cmd=$1 h=${2:-} out
	case $cmd:$h in
	cut:[01])
		out=$("$here/tgt-changer.sh" cut "$state" $((h + 1)) "$(ini "$h")" 2>&1) &&
			echo "ok $out" || echo "err $out"
		;;
	restore:[01])
		out=$("$here/tgt-changer.sh" restore "$state" $((h + 1)) 2>&1) &&
			echo "ok $out" || echo "err $out"
		;;
	conns:[01])
		# shellcheck disable=SC1091
		. "$state/env"
		echo "ok $(tgtadm -C "$TGT_CONTROL" --lld iscsi --mode target --op show |
			awk -v ini="$(ini "$h")" '$1 == "Initiator:" { m = ($2 == ini) }
				$1 == "Connection:" && m { n++ } END { print n + 0 }')"
		;;
	log:*) echo "ok" ;;
	*) echo "err unknown request: $cmd $h" ;;
	esac
}

exec 3>"$2"
while IFS= read -r line; do
	line=${line%$'\r'}
	[ -n "$line" ] || continue
	echo "ctl $(date -u +%T.%N | cut -c1-12): < $line" >&2
	# shellcheck disable=SC2086  # a request is words
	reply=$(answer $line)
	echo "ctl $(date -u +%T.%N | cut -c1-12): > $reply" >&2
	echo "$reply" >&3
done <"$1"
