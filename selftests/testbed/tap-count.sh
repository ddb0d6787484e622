#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Count the TAP of a test log, the one way every part of `make check`
# counts (selftests/check.sh, emul/check-emul.sh, debug/check-debug.sh,
# matrix/matrix.sh).
#
# Usage: tap-count.sh LOG
#
# Prints one line for each failure it counts: "not ok: NAME" for a failed
# result (NAME as the result line gives it, its number dropped), "plan:
# ..." when results are missing or not what the plan says (a crash, a
# timeout, a guest that died), "fail: ..." for a Bail out! or a program
# that failed with no failed subtest; then a last line "PASSED FAILED
# SKIPPED". FAILED is the number of lines before it, so that a list of
# what failed made from them says what the count says. Exits 0.
# selftests/testbed/tap-count-test.sh checks each rule below.
#
# What a log holds: TAP streams one after the other, each opened by
# "TAP version 13" or by its first plan or result, each with one plan
# "1..N" before or after its results. Lines that are not TAP (the guest's
# console, diagnostics) are left alone. A kselftest program's own TAP is
# nested in the runner's, indented with "# ": it runs from the program's
# "# TAP version" (or first "# 1..N" or "# ok") to the runner's result
# line for it ("ok N selftests: SUITE: PROG"), and it is its subtests that
# are counted, not that result line:
#   - ok N ...                 a pass;
#   - ok N ... # SKIP ...      a skip (kselftest writes "ok N # SKIP why");
#   - not ok N ... # TODO ...  an allowed failure: a skip;
#   - not ok N ...             a failure;
#   - Bail out!                a failure; the stream ends there;
#   - 1..0 # SKIP why          the whole stream skipped: one skip;
#   - a program that said "not ok" (a crash, a timeout, an exit status)
#     while none of its subtests failed: one failure;
#   - a program whose result line is "ok ... # SKIP" and that counted no
#     subtest: one skip (never also a pass, never twice);
#   - a stream or program without a plan, or whose number of results is
#     not its plan (it crashed, it was killed, a guest died): one failure.
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: tap-count.sh LOG" >&2; exit 2; }
[ -r "$1" ] || { echo "plan: no log $1"; echo "0 1 0"; exit 0; }

tr -d '\r' <"$1" | awk '
# a result missing or not where the plan says: "plan: ..."; a failure
# that no "not ok" line shows: "fail: ..."
function problem(what, msg) {
	print what ": " msg
	f++
}
# one result line: 1 pass, 2 skip, 3 failure
function kind(line) {
	if (line ~ /^not ok [0-9]+/)
		return line ~ /# *TODO/ ? 2 : 3
	return line ~ /# *SKIP/ ? 2 : 1
}
function reset(d) {
	open[d] = 0; plan[d] = -1; res[d] = 0; bailed[d] = 0; skipall[d] = 0
	cp[d] = 0; cf[d] = 0; cs[d] = 0
}
# Check the stream at depth D against its plan; NAME says which. Its
# counts go to the stream it is nested in (to the totals at depth 0).
# Returns 1 when it found a problem. QUIET: already reported.
function close_stream(d, name, quiet, bad) {
	if (!open[d])
		return 0
	bad = 1
	if (quiet)
		;
	else if (skipall[d] && res[d] > 0)
		problem("plan", name ": 1..0 # SKIP but " res[d] " results")
	else if (!skipall[d] && !bailed[d] && plan[d] < 0)
		problem("plan", name ": " res[d] " results and no plan")
	else if (!skipall[d] && !bailed[d] && plan[d] != res[d])
		problem("plan", name ": plan 1.." plan[d] " but " res[d] " results")
	else
		bad = 0
	if (d == 0) {
		p += cp[d]; f += cf[d]; s += cs[d]
	} else {
		cp[d - 1] += cp[d]; cf[d - 1] += cf[d]; cs[d - 1] += cs[d]
	}
	reset(d)
	return bad
}
# Streams deeper than D that no result line of theirs ended.
function close_below(d, i) {
	for (i = maxd; i > d; i--)
		if (open[i]) {
			problem("plan", "a stream nested " i " deep never ended (" res[i] " results)")
			close_stream(i, "nested stream", 1)
		}
}
function open_stream(d) {
	close_below(d)
	close_stream(d, d ? "nested stream" : "stream " nstream)
	open[d] = 1
	if (d == 0)
		nstream++
	if (d > maxd)
		maxd = d
}
BEGIN { for (i = 0; i < 16; i++) reset(i) }
{
	# depth: how many "# " before the TAP
	line = $0
	d = 0
	while (substr(line, 1, 2) == "# ") {
		line = substr(line, 3)
		d++
	}
}
line ~ /^TAP version / { open_stream(d); next }
line ~ /^1\.\.[0-9]+/ {
	n = line; sub(/^1\.\./, "", n); n = n + 0
	if (!open[d] || plan[d] >= 0 || skipall[d]) open_stream(d)
	plan[d] = n
	if (n == 0 && line ~ /# *SKIP/) {
		skipall[d] = 1
		cs[d]++
	}
	# a plan after the results ends its stream
	if (res[d] > 0) close_stream(d, d ? "nested stream" : "stream " nstream)
	next
}
d == 0 && line ~ /^Bail out!/ {
	if (!open[0]) open_stream(0)
	close_below(0)
	problem("fail", "stream " nstream ": " line)
	bailed[0] = 1
	close_stream(0)
	next
}
line ~ /^(not )?ok [0-9]+( |$)/ {
	if (!open[d]) open_stream(d)
	close_below(d + 1)
	k = kind(line)
	name = line
	sub(/^(not )?ok [0-9]+ /, "", name)
	res[d]++
	if (open[d + 1]) {
		# the result line of a nested stream (a program): its subtests
		# count, not this line
		sf = cf[d + 1]; sn = res[d + 1]; ss = skipall[d + 1]
		if (close_stream(d + 1, name))
			;
		else if (k == 3 && sf == 0)
			problem("fail", name ": failed, and none of its tests did")
		else if (k == 2 && sn == 0 && !ss)
			cs[d]++
	} else if (name ~ /^selftests: [^ ]+: / && k != 2) {
		problem("plan", name ": no TAP plan or result from the program")
	} else if (k == 1) {
		cp[d]++
	} else if (k == 2) {
		cs[d]++
	} else {
		print "not ok: " name
		cf[d]++
	}
	next
}
END {
	close_below(0)
	close_stream(0, "stream " nstream)
	printf "%d %d %d\n", p, f, s
}'
