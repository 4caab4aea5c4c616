#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the selftests named in rig/selftests.list from the assembled tree,
# against the kernel's exported uapi headers, into build/stage/selftests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hdr=$KOBJ/usr/include
[ -d "$hdr/linux" ] || die "no exported headers in $hdr: run rig/kernel.sh first"
out=$STAGE/selftests
mkdir -p "$out"
log "building selftests (log: $RIG_BUILD/selftests-build.log)"
: > "$RIG_BUILD/selftests-build.log"
grep -v '^#' "$RIG_TOP/rig/selftests.list" | while read -r dir target; do
	[ -n "$dir" ] || continue
	src=$KTREE/tools/testing/selftests/$dir
	[ -d "$src" ] || die "selftest directory $dir missing in the tree"
	if [ "$target" = all ]; then
		goal=all
	else
		goal=$out/$dir/$target
	fi
	mkdir -p "$(dirname "$goal")" "$out/$dir"
	if ! make -C "$src" -j"$NPROC" OUTPUT="$out/$dir" CC="ccache gcc" \
		KHDR_INCLUDES="-isystem $hdr" "$goal" \
		>> "$RIG_BUILD/selftests-build.log" 2>&1; then
		tail -n 30 "$RIG_BUILD/selftests-build.log" >&2
		die "selftest build failed: $dir $target"
	fi
done
