#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rules of tap-count.sh, which makes every closing count of `make
# check`, each checked on a log written for it: what it prints, and that
# the number of lines before its last is the failed count. Run by
# selftests/check.sh with the lint; needs nothing but bash and awk.
#
# Usage: tap-count-test.sh
# Prints TAP; exits non-zero when a case does not count as it should.
set -uo pipefail
count=$(dirname "$0")/tap-count.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 bad=0

# case NAME EXPECTED: the log on stdin; EXPECTED is tap-count.sh's whole
# output, lines separated by "|"
case_() {
	local name=$1 want=$2 got lines f
	n=$((n + 1))
	cat >"$work/log"
	got=$("$count" "$work/log" | paste -sd '|')
	lines=$("$count" "$work/log" | sed '$d' | grep -c .)
	f=$("$count" "$work/log" | tail -n 1 | cut -d' ' -f2)
	if [ "$got" = "$want" ] && [ "$lines" = "$f" ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		echo "# want: $want"
		echo "# got:  $got ($lines lines for $f failures)"
		bad=1
	fi
}

echo "TAP version 13"

case_ "pass, skip, failure, TODO" "not ok: c|1 1 2" <<'EOF'
TAP version 13
ok 1 a
ok 2 b # SKIP no changer
not ok 3 c
not ok 4 d # TODO known
1..4
EOF

case_ "a failure without a name" "not ok: not ok 2|1 1 0" <<'EOF'
1..2
ok 1 a
not ok 2
EOF

case_ "whole stream skipped: one skip" "0 0 1" <<'EOF'
TAP version 13
1..0 # SKIP no changer here
EOF

case_ "1..0 # SKIP with results" "plan: stream 1: 1..0 # SKIP but 1 results|1 1 1" <<'EOF'
TAP version 13
ok 1 a
1..0 # SKIP nothing
EOF

case_ "fewer results than the plan" "plan: stream 1: plan 1..3 but 2 results|2 1 0" <<'EOF'
TAP version 13
1..3
ok 1 a
ok 2 b
EOF

case_ "results and no plan" "plan: stream 1: 1 results and no plan|1 1 0" <<'EOF'
TAP version 13
ok 1 a
EOF

case_ "Bail out! ends the stream" "fail: stream 1: Bail out! the guest died|1 1 0" <<'EOF'
TAP version 13
1..3
ok 1 a
Bail out! the guest died
EOF

case_ "CRLF line ends" "not ok: b|1 1 0" <<<$'TAP version 13\r\n1..2\r\nok 1 a\r\nnot ok 2 b\r'

case_ "two streams, each against its plan" "not ok: x|plan: stream 2: plan 1..2 but 1 results|2 2 0" <<'EOF'
TAP version 13
1..2
ok 1 a
not ok 2 x
TAP version 13
1..2
ok 1 b
EOF

case_ "kselftest programs: their subtests count, not their result lines" \
	"not ok: paths.b|3 1 0" <<'EOF'
TAP version 13
1..2
# selftests: autoch: paths
# TAP version 13
# 1..2
# ok 1 paths.a
# not ok 2 paths.b
not ok 1 selftests: autoch: paths # exit=1
# selftests: autoch: xsense
# TAP version 13
# 1..2
# ok 1 xsense.a
# ok 2 xsense.b
ok 2 selftests: autoch: xsense
EOF

case_ "a program that failed with no failed subtest" \
	"fail: selftests: autoch: x # exit=139: failed, and none of its tests did|1 1 0" <<'EOF'
TAP version 13
1..1
# TAP version 13
# 1..1
# ok 1 x.a
not ok 1 selftests: autoch: x # exit=139
EOF

case_ "a program killed half way" \
	"plan: selftests: autoch: x # TIMEOUT 300 seconds: plan 1..3 but 1 results|1 1 0" <<'EOF'
TAP version 13
1..1
# TAP version 13
# 1..3
# ok 1 x.a
not ok 1 selftests: autoch: x # TIMEOUT 300 seconds
EOF

case_ "a program skipped whole: one skip, not a pass too" "0 0 1" <<'EOF'
TAP version 13
1..1
# TAP version 13
# 1..0 # SKIP no changer
ok 1 selftests: autoch: x # SKIP
EOF

case_ "a program that printed no TAP" \
	"plan: selftests: autoch: x # exit=1: no TAP plan or result from the program|0 1 0" <<'EOF'
TAP version 13
1..1
# exec failed
not ok 1 selftests: autoch: x # exit=1
EOF

case_ "a nested stream that never ended" \
	"plan: a stream nested 1 deep never ended (1 results)|plan: stream 1: plan 1..2 but 1 results|2 2 0" <<'EOF'
TAP version 13
1..2
ok 1 a
# TAP version 13
# 1..2
# ok 1 b.a
EOF

case_ "lines that are not TAP are left alone" "1 0 0" <<'EOF'
[    1.234] autoch 0:0:0:0: not ok to guess
the console: ok, booting
TAP version 13
1..1
ok 1 a
EOF

n=$((n + 1))
got=$("$count" "$work/no-such.log" | paste -sd '|')
if [ "$got" = "plan: no log $work/no-such.log|0 1 0" ]; then
	echo "ok $n no log: one failure"
else
	echo "not ok $n no log: one failure"
	echo "# got: $got"
	bad=1
fi

echo "1..$n"
exit $bad
