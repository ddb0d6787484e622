#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One kernel's lint scripts (lint-scripts.sh) over autoch.
#
# Usage: kernel-lint.sh checkpatch SCRIPTS FILE...
#   checkpatch.pl --strict --no-tree of that kernel on the files, as the
#   lint step of check.sh runs 6.1's; its findings on stdout, exit 1 on any.
#   AUTOCH_CHECKPATCH_ROOT: a kernel tree or headers directory whose
#   include/ names the kernel's own CamelCase (Scsi_Host), for files that
#   use them (--root). checkpatch then runs outside the git tree, where it
#   would read include/ from git instead.
#
# Usage: kernel-lint.sh coccicheck SCRIPTS DIR
#   Each semantic patch of SCRIPTS/scripts/coccinelle, run apart through
#   that kernel's scripts/coccicheck (MODE=report, as make coccicheck
#   M=DIR runs it) with the machine's spatch, one line each:
#     ok PATCH                   it reports nothing
#     not ok PATCH: WHY          a finding (the lines follow), or spatch failed
#     skip PATCH: WHY            not run: this spatch cannot parse it, or
#                                coccicheck skips it for its "Requires:"
#     same PATCH: WHERE          not run again: byte for byte the patch
#                                of WHERE (below), already run
#   then "P passed, F failed, S skipped, N semantic patches, D as
#   another kernel's".  A skipped patch is not a pass; exit 1 when one
#   failed.  (coccicheck itself stops at the first patch spatch fails on,
#   hence one run per patch.)
#   AUTOCH_COCCI_SAME_AS: other kernels' SCRIPTS, ':'-separated, whose
#   patches were run on the same DIR with the same spatch (make matrix's
#   earlier rows): a patch identical to one of theirs at the same path
#   would report the same, so it is not run again but listed as "same"
#   (counted neither passed nor skipped: its verdict is that row's).
set -uo pipefail
[ $# -ge 3 ] || { echo "usage: $0 checkpatch|coccicheck SCRIPTS FILE..." >&2; exit 2; }
what=$1 ks=$2
shift 2

if [ "$what" = checkpatch ] && [ -n "${AUTOCH_CHECKPATCH_ROOT:-}" ]; then
	files=()
	for f; do files+=("$(realpath "$f")"); done
	tmp=$(mktemp -d)
	(cd "$tmp" && perl "$ks/scripts/checkpatch.pl" --strict --no-tree \
		--root="$AUTOCH_CHECKPATCH_ROOT" --quiet --no-summary -f "${files[@]}")
	rc=$?
	rm -rf "$tmp"
	exit "$rc"
fi
if [ "$what" = checkpatch ]; then
	perl "$ks/scripts/checkpatch.pl" --strict --no-tree --quiet \
		--no-summary -f "$@"
	rc=$?
	rm -f .checkpatch-camelcase.*
	exit "$rc"
fi
if [ "$what" != coccicheck ] || [ $# -ne 1 ]; then
	echo "usage: $0 coccicheck SCRIPTS DIR" >&2
	exit 2
fi
dir=$1
spver=$(spatch --version | head -n 1 | awk '{print $3}')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# coccicheck's SPATCH: spatch between two marks that name the patch, its
# failure recorded there instead of ending coccicheck.
cat >"$tmp/spatch" <<'EOF'
#!/bin/bash
prev='' cocci=''
for a; do
	[ "$prev" != --cocci-file ] || cocci=$a
	prev=$a
done
[ -n "$cocci" ] || exec spatch "$@"
echo "@autoch-cocci begin $cocci"
spatch "$@"
echo "@autoch-cocci end $cocci $?"
EOF
chmod +x "$tmp/spatch"

# The patches to run: those no earlier kernel had (coccicheck finds them
# under $srctree/scripts/coccinelle, and reads nothing else there in
# report mode for an external module).
root=$ks same=0
if [ -n "${AUTOCH_COCCI_SAME_AS:-}" ]; then
	root=$tmp/tree
	mkdir -p "$root/scripts/coccinelle"
	IFS=: read -ra others <<<"$AUTOCH_COCCI_SAME_AS"
	while IFS= read -r p; do
		rel=${p#"$ks/scripts/coccinelle/"}
		for o in "${others[@]}"; do
			if cmp -s "$p" "$o/scripts/coccinelle/$rel"; then
				echo "same $rel: $o"
				same=$((same + 1))
				continue 2
			fi
		done
		mkdir -p "$root/scripts/coccinelle/$(dirname "$rel")"
		cp "$p" "$root/scripts/coccinelle/$rel"
	done < <(find "$ks/scripts/coccinelle" -name '*.cocci' | sort)
fi
# srcroot since 6.13, KBUILD_EXTMOD before: the module's directory.
env -u DEBUG_FILE -u SPFLAGS -u C -u LINUXINCLUDE -u COCCI srctree="$root" \
	srcroot="$dir" KBUILD_EXTMOD="$dir" MODE=report SPATCH="$tmp/spatch" \
	J="$(nproc)" V= bash "$ks/scripts/coccicheck" >"$tmp/out" 2>&1
rc=$?

# first_error FILE: the line that says what went wrong, on one line.
first_error() {
	grep -m 1 -iE 'error|exception|failure|not found|unknown|no rules apply' "$1" |
		tr -s ' \t' ' ' | cut -c1-160
}

# verdict PATCH: its line from coccicheck's output; returns 0, 1 (failed)
# or 2 (skipped).  A patch spatch failed on is parsed again apart (in the
# mode coccicheck gives it): when that fails too, this spatch cannot read
# it, and it is skipped.
verdict() {
	local p=$1 name=${1#"$root/scripts/coccinelle/"} rc req
	if grep -qF "Skipping coccinelle SmPL patch: $p" "$tmp/out"; then
		req=$(grep -m 1 'Requires:' "$p" | cut -d: -f2 | tr -d ' ')
		echo "skip $name: it requires coccinelle $req, spatch is $spver"
		return 2
	fi
	if grep -qF "warning: Skipping $p as it does not match mode" "$tmp/out"; then
		echo "skip $name: coccicheck skips it, it has no report mode"
		return 2
	fi
	awk -v p="$p" '$1 == "@autoch-cocci" && $3 == p { on = $2 == "begin"; next }
		on' "$tmp/out" | grep -v -e '--cocci-file' >"$tmp/one"
	rc=$(awk -v p="$p" '$1 == "@autoch-cocci" && $2 == "end" && $3 == p { print $4 }' "$tmp/out")
	if [ -z "$rc" ]; then
		echo "not ok $name: coccicheck did not run it"
		return 1
	fi
	if [ "$rc" -ne 0 ] && ! spatch -D report --parse-cocci "$p" >"$tmp/parse" 2>&1; then
		echo "skip $name: spatch $spver cannot parse it ($(first_error "$tmp/parse"))"
		return 2
	fi
	if [ "$rc" -ne 0 ]; then
		echo "not ok $name: spatch exit $rc ($(first_error "$tmp/one"))"
		return 1
	fi
	if grep -qE '^/.*:[0-9]+:' "$tmp/one"; then
		echo "not ok $name: it reports"
		grep -E '^/.*:[0-9]+:' "$tmp/one" | sed 's/^/    /'
		return 1
	fi
	echo "ok $name"
}

passed=0 failed=0 skipped=0
mapfile -t patches < <(find "$root/scripts/coccinelle" -name '*.cocci' | sort)
for p in "${patches[@]}"; do
	verdict "$p"
	case $? in
	0) passed=$((passed + 1)) ;;
	1) failed=$((failed + 1)) ;;
	*) skipped=$((skipped + 1)) ;;
	esac
done
if [ "$rc" -ne 0 ]; then
	echo "not ok coccicheck: exit $rc ($(first_error "$tmp/out"))"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed, $skipped skipped, $((${#patches[@]} + same)) semantic patches, $same as another kernel's"
[ "$failed" -eq 0 ] && [ $((${#patches[@]} + same)) -gt 0 ]
