#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stand-in for the kernel's scripts/checker-valid.sh, which kbuild (7.0
# and later) runs before C=1/C=2 but Debian's linux-headers-*-common
# packages leave out: without it kbuild silently turns sparse off.
# Usage: checker-valid.sh CHECKER [CHECKFLAGS...]
# Prints 1 when CHECKER runs and parses __typeof_unqual__ (which the
# kernel's headers use when __CHECKER__ is defined), else 0.
command -v "$1" >/dev/null 2>&1 || { echo 0; exit 0; }
tmp=$(mktemp --suffix=.c) || { echo 0; exit 0; }
trap 'rm -f "$tmp"' EXIT
cat >"$tmp" <<'C'
static inline int u(const int *q)
{
	__typeof_unqual__(*q) v = *q;
	return v;
}
C
# sparse exits 0 on errors: look at what it says.
if "$@" "$tmp" 2>&1 | grep -q error; then
	echo 0
else
	echo 1
fi
