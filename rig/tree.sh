#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Assemble build/linux: pristine linux-source-6.12 + patches/series (quilt)
# + the files this repository owns.  Re-running only touches what changed,
# so the following kernel build stays incremental.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -r "$KSRC_TAR" ] || die "$KSRC_TAR not found: install the linux-source-6.12 package (as root: bash rig/deps.sh)"
command -v quilt >/dev/null || die "quilt not installed (as root: bash rig/deps.sh)"

mkdir -p "$RIG_BUILD"
if [ ! -f "$KTREE/Makefile" ]; then
	log "unpacking $KSRC_TAR"
	rm -rf "$KTREE" "$RIG_BUILD/linux-source-6.12.tmp"
	mkdir "$RIG_BUILD/linux-source-6.12.tmp"
	tar -C "$RIG_BUILD/linux-source-6.12.tmp" -xf "$KSRC_TAR"
	mv "$RIG_BUILD/linux-source-6.12.tmp/linux-source-6.12" "$KTREE"
	rmdir "$RIG_BUILD/linux-source-6.12.tmp"
fi

cd "$KTREE"
export QUILT_PATCHES="$RIG_TOP/patches" QUILT_PC=.pc
series_stamp=$(cd "$RIG_TOP/patches" && content_stamp series $(grep -v '^#' series 2>/dev/null || true))
if [ "$(cat .rig-series 2>/dev/null)" != "$series_stamp" ]; then
	# .pc, not `quilt applied`, which refuses to answer once a patch was
	# inserted into the series before applied ones.
	if [ -s .pc/applied-patches ]; then
		quilt pop -a -f -q >/dev/null || die "quilt pop failed; remove $KTREE to start over"
	fi
	rm -f .rig-series
	if [ -s "$QUILT_PATCHES/series" ]; then
		if ! out=$(quilt push -a -q --fuzz=0 2>&1); then
			echo "$out" >&2
			bad=$(quilt next 2>/dev/null || true)
			quilt pop -a -f -q >/dev/null 2>&1 || true
			die "patch ${bad:-?} does not apply to linux-source-6.12 (see above)"
		fi
		log "applied $(quilt applied | wc -l) patches"
	fi
	echo "$series_stamp" > .rig-series
fi

# Overlay owned files, copying only those whose content changed, and
# remove files an earlier overlay placed that the repository no longer has.
new_list=$(owned_files | sort)
if [ -f .rig-owned ]; then
	comm -23 .rig-owned <(echo "$new_list") | while read -r f; do
		[ -n "$f" ] && rm -f "$KTREE/$f"
	done
fi
patched=$(quilt files -a 2>/dev/null || true)
echo "$new_list" | while read -r f; do
	[ -n "$f" ] || continue
	[ -f "$RIG_TOP/$f" ] || continue
	if echo "$patched" | grep -Fxq "$f"; then
		die "$f is both an owned file and patched by the series"
	fi
	if [ -e "$KTREE/$f" ] && ! grep -Fxq "$f" .rig-owned 2>/dev/null; then
		die "$f exists upstream: change upstream files with a patch in patches/, not by a copy"
	fi
	if ! cmp -s "$RIG_TOP/$f" "$KTREE/$f"; then
		mkdir -p "$(dirname "$KTREE/$f")"
		cp "$RIG_TOP/$f" "$KTREE/$f"
	fi
done
echo "$new_list" > .rig-owned
