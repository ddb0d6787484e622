# shellcheck shell=sh disable=SC2034  # n, failed: the sourcing script's
# SPDX-License-Identifier: GPL-2.0
#
# TAP results for the scripts that run in a guest, in busybox sh: ok,
# not_ok (which sets failed=1) and skip, n counting them; the sourcing
# script prints the plan ("1..$n") and exits with $failed. run-guest.sh
# puts this file in every guest's /autoch/, beside the scripts.

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

skip() {
	n=$((n + 1))
	echo "ok $n $* # SKIP"
}
