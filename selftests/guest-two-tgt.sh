#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the test guest, on tgt's changer seen through two initiators
# (run-guest.sh --two-hosts): two I_T nexuses to one changer that nobody
# here wrote, each bound by autoch. A move through one host must be seen
# through the other: at once with cache_ms=0, and at most cache_ms later
# with the cache on; the changer, not the driver, refuses a move into a
# slot the other host has just filled; mtx through each host's sg node is
# the independent witness. tgt has no reservations (20/00), so the
# reservation interlock between hosts is covered on the emulation
# (two_hosts.c). Prints TAP; exits 0 when everything passed.
#
# Expects in its directory (/autoch): autoch.ko and mc (autoch-mc).

cd "$(dirname "$0")" || exit 1
tmp=/tmp/two-tgt
mkdir -p "$tmp"
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }

wait_for() {
	i=0
	# generous: a loaded machine runs the guest slowly
	while [ ! -e "$1" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$1" ]
}

# check DESC EXPECTED-FILE CMD...: CMD's stdout equals EXPECTED-FILE
check() {
	desc=$1 want=$2
	shift 2
	if "$@" >"$tmp/got" 2>&1 && cmp -s "$want" "$tmp/got"; then
		ok "$desc"
	else
		not_ok "$desc"
		diff "$want" "$tmp/got" | sed 's/^/# /'
	fi
}

# The SCSI address (h:c:t:l) behind a /dev node's class device.
addr_of() {
	basename "$(readlink -f "/sys/class/$1/$2/device")"
}

echo "TAP version 13"
echo "1..12"

# shellcheck disable=SC2086  # one word per changer
set -- $AUTOCH_CHANGERS
sg_a=$1 sg_b=${2:-}
if [ -z "$sg_b" ]; then
	echo "Bail out! one changer path; run-guest.sh --two-hosts gives two"
	exit 1
fi

if insmod ./autoch.ko cache_ms=0 && wait_for /dev/autoch0 && wait_for /dev/autoch1; then
	ok "insmod autoch.ko: one node per initiator, /dev/autoch0 and /dev/autoch1"
else
	not_ok "insmod autoch.ko: one node per initiator"
	echo "Bail out! no /dev/autoch0 and /dev/autoch1"
	exit 1
fi

# Pair each node with its host's sg node by SCSI address.
a='' b=''
for node in autoch0 autoch1; do
	case $(addr_of autoch "$node") in
	"$(addr_of scsi_generic "${sg_a#/dev/}")") a=/dev/$node ;;
	"$(addr_of scsi_generic "${sg_b#/dev/}")") b=/dev/$node ;;
	esac
done
if [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]; then
	ok "host A: $a and $sg_a; host B: $b and $sg_b"
else
	not_ok "each node belongs to one host (A: '$a', B: '$b')"
	echo "Bail out! cannot tell the hosts apart"
	exit 1
fi

# The first command of each login meets tgt's power-on 29/00: both
# inventories must still come back, and be the same changer's.
./mc -p "$a" -r DSIM >"$tmp/inv.a" 2>&1
rc_a=$?
./mc -p "$b" -r DSIM >"$tmp/inv.b" 2>&1
rc_b=$?
if [ $rc_a -eq 0 ] && [ $rc_b -eq 0 ] && [ -s "$tmp/inv.a" ] &&
	cmp -s "$tmp/inv.a" "$tmp/inv.b" && grep -q '^ST_slot_1 FULL$' "$tmp/inv.a" &&
	grep -q '^ST_slot_13 EMPTY$' "$tmp/inv.a"; then
	ok "both hosts read the same inventory (S1 full, S13 empty)"
else
	not_ok "both hosts read the same inventory (exits $rc_a, $rc_b)"
	diff "$tmp/inv.a" "$tmp/inv.b" | sed 's/^/# /'
	sed 's/^/# A: /' "$tmp/inv.a"
fi
grep -E '^(DT|ST)_' "$tmp/inv.a" >"$tmp/initial.DS"

# What S1, S13 and D1 hold, as each client prints them.
sed -e 's/^DT_slot_1 EMPTY$/DT_slot_1 FULL/' -e 's/^ST_slot_1 FULL$/ST_slot_1 EMPTY/' \
	"$tmp/initial.DS" >"$tmp/s1-in-d1.DS"

# cache_ms=0: a move through B, seen at once through A.
if ./mc -p "$b" -s S1 -d D1 >"$tmp/mv" 2>&1; then
	check "cache_ms=0: B moves S1 to D1, A sees it at once" "$tmp/s1-in-d1.DS" \
		./mc -p "$a" -r DS
else
	not_ok "B moves S1 to D1: $(cat "$tmp/mv")"
fi

# mtx through A's sg node, the independent witness of the same state.
if mtx -f "$sg_a" status >"$tmp/mtx" 2>&1 &&
	grep -q 'Data Transfer Element 0:Full (Storage Element 1 Loaded)' "$tmp/mtx" &&
	grep -qE 'Storage Element 1:Empty' "$tmp/mtx"; then
	ok "mtx through A's sg node agrees: drive 0 holds slot 1's cartridge"
else
	not_ok "mtx through A's sg node agrees"
	sed 's/^/# /' "$tmp/mtx"
fi

# A move through B's sg node (not the driver at all), seen through A.
if mtx -f "$sg_b" unload 1 0 >"$tmp/mv" 2>&1; then
	check "mtx unload through B's sg node: A sees the changer as it was" \
		"$tmp/initial.DS" ./mc -p "$a" -r DS
else
	not_ok "mtx unload through B's sg node: $(cat "$tmp/mv")"
fi

# The cache on: A's answer may be old for at most cache_ms.
echo 1000 >/sys/module/autoch/parameters/cache_ms
./mc -p "$a" -r S >/dev/null 2>&1	# fills A's cache
if ./mc -p "$b" -s S1 -d S13 >"$tmp/mv" 2>&1; then
	# one-sided: any later look must show it
	sleep 1.2
	sed -e 's/^ST_slot_1 FULL$/ST_slot_1 EMPTY/' -e 's/^ST_slot_13 EMPTY$/ST_slot_13 FULL/' \
		"$tmp/initial.DS" >"$tmp/s1-in-s13.DS"
	check "cache_ms=1000: B's move S1 to S13 is seen through A after 1.2 s" \
		"$tmp/s1-in-s13.DS" ./mc -p "$a" -r DS
else
	not_ok "B moves S1 to S13: $(cat "$tmp/mv")"
fi

# A's view may be stale, the changer's is not: a move into the slot B
# filled is refused by the changer (3B/0D), whatever A's cache says.
./mc -p "$a" -s S2 -d S13 >"$tmp/got" 2>&1
rc=$?
if [ $rc -eq 255 ] && grep -qx 'ERROR: 0x5 Illegal Request: 0x3b0d Medium Destination element full' "$tmp/got"; then
	ok "A's move into the slot B filled: the changer's 3B/0D, exit -1"
else
	not_ok "A's move into the slot B filled (exit $rc)"
	sed 's/^/# /' "$tmp/got"
fi

# A's failed move dropped A's cache: S2 is still full, seen at once.
check "the refused move changed nothing, and A's cache knows it" \
	"$tmp/s1-in-s13.DS" ./mc -p "$a" -r DS

# A puts it back: B must see it within cache_ms.
if ./mc -p "$a" -s S13 -d S1 >"$tmp/mv" 2>&1; then
	sleep 1.2
	check "A puts it back: B sees the initial state" "$tmp/initial.DS" \
		./mc -p "$b" -r DS
else
	not_ok "A moves S13 back to S1: $(cat "$tmp/mv")"
fi

if mtx -f "$sg_b" status >"$tmp/mtx" 2>&1 &&
	grep -qE 'Storage Element 1:Full' "$tmp/mtx" &&
	grep -qE 'Storage Element 13:Empty' "$tmp/mtx" &&
	grep -q 'Data Transfer Element 0:Empty' "$tmp/mtx"; then
	ok "mtx through B's sg node: the initial state"
else
	not_ok "mtx through B's sg node: the initial state"
	sed 's/^/# /' "$tmp/mtx"
fi

if rmmod autoch && [ ! -e /dev/autoch0 ] && [ ! -e /dev/autoch1 ]; then
	ok "rmmod autoch: both nodes gone"
else
	not_ok "rmmod autoch"
fi
exit $failed
