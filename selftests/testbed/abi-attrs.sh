#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every sysfs attribute and group that SYSFS_C defines has its What: line
# in ABI_FILE, and every What: line there names one of them.
#
# Usage: abi-attrs.sh SYSFS_C ABI_FILE
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SYSFS_C ABI_FILE" >&2; exit 2; }

# Outside the macros' definitions: DEVICE_ATTR_*(name), __ATTR(name, ...),
# AUTOCH_RANGE_ATTRS(name, ...) (first_NAME and num_NAMEs),
# AUTOCH_READY_ATTR(name) and AUTOCH_PATH_ATTR(name, ...), attribute
# groups' .name = "dir" (dir/);
# links another file makes, from its "ABI link: NAME" comments
# (autoch_drives.c: driveK).
links=$(sed -nE 's/.*ABI link: ([A-Za-z_]+).*/\1/p' "$(dirname "$1")"/*.c)
defined=$({ echo "$links"; sed -nE \
	-e '/^#define.*\\$/,/[^\\]$/b' \
	-e 's/.*DEVICE_ATTR_[A-Z_]+\(([a-z_]+)\).*/\1/p' \
	-e 's/.*__ATTR\(([a-z_]+),.*/\1/p' \
	-e 's/^AUTOCH_RANGE_ATTRS\(([a-z_]+),.*/first_\1\nnum_\1s/p' \
	-e 's/^AUTOCH_(READY|PATH)_ATTR\(([a-z_]+)[,)].*/\2/p' \
	-e '/struct attribute_group/,/^};/s/.*\.name = "([a-z_]+)",.*/\1\//p' \
	"$1"; } | grep -v '^$' | sort -u)
documented=$(sed -nE 's|^What:[[:space:]]+/sys/class/autoch/autochN/(.*)$|\1|p' "$2" |
	sed -E 's|^.*/([^/]+)$|\1|; s|^([^/]+)/$|\1/|' | grep -v '^$' | sort -u)
[ -n "$defined" ] || { echo "no attributes found in $1" >&2; exit 1; }
missing=$(comm -23 <(echo "$defined") <(echo "$documented"))
extra=$(comm -13 <(echo "$defined") <(echo "$documented"))
[ -z "$missing" ] || echo "not in $2: ${missing//$'\n'/ }"
[ -z "$extra" ] || echo "in $2 but not defined in $1: ${extra//$'\n'/ }"
echo "$(echo "$defined" | wc -l) attributes and groups"
[ -z "$missing$extra" ]
