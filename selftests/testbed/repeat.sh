#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-repeat: make check RUNS times in a row (default 5), each
# through .ci/run as CI runs it, with
# another guest running beside it the whole time (make soak's guest, the
# emulated library under 32 processes, started again whenever it ends),
# to show that no test is flaky on a loaded machine. Each run's closing
# line and wall time are printed as it ends, then a table, then
# "N passed, N failed": a run is passed when make check passed, and a
# beside guest that failed is a failure too (its output is kept).
#
# Usage: repeat.sh [RUNS]
# Environment: what make check reads (AUTOCH_CHECK_PARTS, ...);
#   AUTOCH_REPEAT_LOGS (directory for every run's log; default a
#   directory under /var/tmp, printed).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-5}
logs=${AUTOCH_REPEAT_LOGS:-$(mktemp -d /var/tmp/autoch-repeat.XXXXXX)}
mkdir -p "$logs"
echo "logs: $logs"

"$top/selftests/testbed/deps.sh" >"$logs/deps.log" 2>&1 ||
	{ tail -n 20 "$logs/deps.log"; echo "0 passed, 1 failed"; exit 1; }

# The guest beside: soak after soak until the runs are over.
beside() {
	local n=0
	while :; do
		n=$((n + 1))
		if "$top/selftests/soak/soak.sh" 600 >"$logs/beside-$n.log" 2>&1; then
			echo "beside guest $n: ok" >>"$logs/beside.txt"
		else
			echo "beside guest $n: FAILED ($logs/beside-$n.log)" >>"$logs/beside.txt"
		fi
	done
}
: >"$logs/beside.txt"
beside &
beside_pid=$!
# shellcheck disable=SC2317  # run from the trap
stop_beside() {
	local kids
	# the loop first (so that it records nothing for the soak it runs),
	# then that soak (soak.sh stops its guest on TERM)
	kids=$(pgrep -P "$beside_pid")
	kill "$beside_pid" 2>/dev/null
	wait "$beside_pid" 2>/dev/null
	# shellcheck disable=SC2086  # a list of pids
	[ -z "$kids" ] || kill $kids 2>/dev/null
}
trap stop_beside EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0 failed=0
results=()
for i in $(seq 1 "$runs"); do
	start=$(date +%s)
	# the CI's own command (exec make check)
	"$top/.ci/run" >"$logs/run-$i.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	# check.sh's closing count (make's own lines come after it)
	closing=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/run-$i.log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		grep -E '^ *(FAIL:|not ok )' "$logs/run-$i.log" | grep -v '# TODO' | sed 's/^/    /'
	fi
	results+=("run $i: exit $rc in $secs s: $closing")
	echo "${results[-1]}"
done
stop_beside
trap - EXIT

echo "make check, $runs runs in a row with a guest beside:"
printf '  %s\n' "${results[@]}"
sed 's/^/  /' "$logs/beside.txt"
# a beside guest that failed on its own is one failure more
grep -q FAILED "$logs/beside.txt" && failed=$((failed + 1))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
