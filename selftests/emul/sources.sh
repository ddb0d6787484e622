#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Copy the emulation's sources into DEST for a build that leaves the tree
# clean, with the driver's probes (driver/probes.mk) where its Kbuild
# includes them, and print the directory to build in (make M=...), in
# which autoch_emul.ko appears.
#
# Usage: sources.sh DEST
set -e
[ $# -eq 1 ] || { echo "usage: $0 DEST" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mkdir -p "$1/driver" "$1/selftests/emul"
cp "$top/driver/probes.mk" "$1/driver/"
cp "$here"/Kbuild "$here"/*.[ch] "$1/selftests/emul/"
cd "$1/selftests/emul" && pwd
