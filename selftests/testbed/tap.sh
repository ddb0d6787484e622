# shellcheck shell=bash
# TAP helpers of the host-side checks (dkms-check.sh, deb-check.sh);
# sourced, not run. The caller sets $work (a scratch directory) before
# it calls t, prints its plan, and exits with $failed.
# shellcheck disable=SC2034,SC2154  # failed is read, work set, by the caller

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
# The whole run skipped: kselftest's exit 4.
skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}
# t DESC COMMAND...: run COMMAND quietly; show its output (indented) when
# it fails.
t() {
	local desc=$1
	shift
	if "$@" >"$work/t.log" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/# /' "$work/t.log" | tail -n 40
	fi
}
