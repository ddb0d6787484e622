#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# No function of the driver longer than MAX lines (default 60: the lines
# between its opening and closing brace) without the reason in the
# comment right above it, as a sentence beginning "Longer than 60 lines:";
# and no such sentence above a function that is not longer. Functions are
# found as kernel style writes them: the opening brace alone on a line in
# column 0, the closing one likewise.
#
# Usage: func-length.sh [--max MAX] FILE.c...
# Prints one line per offence and a count; exits 1 when there is one.
set -euo pipefail
max=60
if [ "${1:-}" = --max ]; then
	max=$2
	shift 2
fi
[ $# -gt 0 ] || { echo "usage: $0 [--max MAX] FILE.c..." >&2; exit 2; }

awk -v max="$max" '
	FNR == 1 { infn = 0; sig = 0; delete text }
	{ text[FNR] = $0 }
	# the first line of a definition: column 0, outside any function
	!infn && /^[A-Za-z_]/ && !sig { sig = FNR }
	!infn && /^$|^#|;[[:space:]]*$|^\*\/|^\/\*|^ \*/ { sig = 0 }
	!infn && /^\{$/ && sig { infn = 1; open = FNR; next }
	infn && /^\}$/ {
		infn = 0
		len = FNR - open - 1
		name = text[sig]
		gsub(/__[a-z_]+\([^)]*\)/, "", name)	# __printf(4, 5)
		sub(/\(.*/, "", name)
		sub(/.*[ *]/, "", name)
		# the comment right above the first line of the definition
		why = ""
		if (text[sig - 1] ~ /\*\/[[:space:]]*$/) {
			for (i = sig - 1; i > 0; i--) {
				why = text[i] " " why
				if (text[i] ~ /^\/\*/)
					break
			}
		}
		gsub(/[[:space:]]*\*[[:space:]]*/, " ", why)
		reason = why ~ /[Ll]onger than 60 lines:[[:space:]]*[^[:space:]]/
		if (len > max && !reason) {
			printf "%s:%d: %s() has %d lines and no \"Longer than 60 lines: why\" above it\n",
				FILENAME, sig, name, len
			bad++
		} else if (len <= max && reason) {
			printf "%s:%d: %s() has %d lines but its comment says it is longer than 60\n",
				FILENAME, sig, name, len
			bad++
		}
		if (len > max)
			long++
		sig = 0
		next
	}
	END {
		printf "%d functions over %d lines, %d without the reason\n", long, max, bad
		exit bad > 0
	}' "$@"
