#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the debug kernel's guest (make check-debug), on the emulated changer
# (selftests/emul): the conformance checks and the kselftest suite on the
# library profile with two hosts (fault matrix, malformed replies, unit
# attentions, two initiators, info leaks), then a soak of
# AUTOCH_SOAK_SECONDS (120) with 32 processes on the 1,000-slot library,
# then a kmemleak scan with both modules gone. Prints TAP; each program's
# own output is indented with "# ". The host checks the kernel log.
#
# Environment (from the kernel command line): AUTOCH_SOAK_SECONDS.

cd "$(dirname "$0")" || exit 1
kmemleak=/sys/kernel/debug/kmemleak
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n $*"
}

not_ok() {
	n=$((n + 1))
	echo "not ok $n $*"
	failed=1
}

# Run "$@" with its output indented; its exit status in $rc.
run() {
	{ "$@" 2>&1; echo $? >/tmp/rc; } | tee /tmp/out | sed 's/^/# /'
	rc=$(cat /tmp/rc)
}

# TAP counts of /tmp/out, the programs' summaries left out (check.sh's
# count_tap)
counts() {
	p=$(grep -cE '^(# )?ok [0-9]+ ' /tmp/out)
	s=$(grep -cE '^(# )?ok [0-9]+ .*# SKIP' /tmp/out)
	f=$(grep -cE '^(# )?not ok [0-9]+ ' /tmp/out)
	p=$((p - $(grep -cE '^ok [0-9]+ selftests: ' /tmp/out) - s))
	f=$((f - $(grep -cE '^not ok [0-9]+ selftests: ' /tmp/out)))
	echo "$p passed, $f failed, $s skipped"
}

echo "TAP version 13"
echo "1..4"
mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	echo clear >"$kmemleak"
fi

run sh ./guest-emul.sh both library hosts=2 slots=1000
rmmod autoch 2>/dev/null
if [ "$rc" -eq 0 ]; then
	ok "emulated library: conformance and kselftest suite: $(counts)"
else
	not_ok "emulated library: conformance and kselftest suite: $(counts), exit $rc"
fi

run sh ./guest-soak.sh "${AUTOCH_SOAK_SECONDS:-120}"
soak=$(sed -n 's/^SOAK //p' /tmp/out | head -n 1)
if [ "$rc" -eq 0 ]; then
	ok "soak of ${AUTOCH_SOAK_SECONDS:-120} s, 32 processes: ${soak:-no figures}"
else
	not_ok "soak of ${AUTOCH_SOAK_SECONDS:-120} s: $(counts), exit $rc"
fi

if lsmod | grep -qE '^autoch(_emul)? '; then
	not_ok "autoch and autoch_emul unloaded"
else
	ok "autoch and autoch_emul unloaded"
fi

if [ -w "$kmemleak" ]; then
	sleep 6
	echo scan >"$kmemleak"
	sleep 2
	echo scan >"$kmemleak"
	cat "$kmemleak" >/tmp/leaks
	if [ -s /tmp/leaks ]; then
		sed 's/^/# /' /tmp/leaks | head -n 60
		not_ok "kmemleak: $(grep -c 'unreferenced object' /tmp/leaks) leaks"
	else
		ok "kmemleak: no leaks"
	fi
else
	not_ok "kmemleak: $kmemleak missing"
fi
exit $failed
