#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure (tinyconfig + kernel/configs/ksm_hint.config) and build the
# kernel image that serves as emulated host and nested guest, plus the
# exported uapi headers the selftests compile against.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

frag=kernel/configs/ksm_hint.config
[ -f "$KTREE/$frag" ] || die "$KTREE/$frag missing: run rig/tree.sh first"
# RIG_KERNEL=release (rig/lib.sh): the debug options off on top.
release=
[ "$RIG_KERNEL" != release ] || release=$RIG_TOP/rig/release.config
mkdir -p "$KOBJ"

# Regenerate .config when the fragments or the patch series (which carries
# the Kconfig changes) changed.
stamp=$(cat "$KTREE/$frag" "$KTREE/.rig-series" ${release:+"$release"} 2>/dev/null | sha1sum)
if [ ! -f "$KOBJ/.config" ] || [ "$(cat "$KOBJ/.rig-config" 2>/dev/null)" != "$stamp" ]; then
	log "configuring: tinyconfig + $frag${release:+ + ${release#"$RIG_TOP"/}}"
	"${KMAKE[@]}" -s tinyconfig >/dev/null
	"${KMAKE[@]}" -s ksm_hint.config >/dev/null
	if [ -n "$release" ]; then
		merge_fragment "$KOBJ" "$release"
		"${KMAKE[@]}" -s olddefconfig >/dev/null
	fi
	# Every option the fragments set must have survived Kconfig (the
	# release fragment's setting wins where both name an option).
	bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=n) opt=${line%=n}
			grep -q "^$opt=" "$KOBJ/.config" && { echo "rig: $opt should be off" >&2; bad=1; } ;;
		CONFIG_*=*) grep -qx "$line" "$KOBJ/.config" || { echo "rig: $line did not take effect" >&2; bad=1; } ;;
		esac
	done < <(cat "$KTREE/$frag" ${release:+"$release"} | awk -F= '/^CONFIG_/ {
		if (!($1 in v)) k[++n] = $1; v[$1] = $0 }
		END { for (i = 1; i <= n; i++) print v[k[i]] }')
	[ $bad = 0 ] || die "config fragment options missing (dependencies not met?)"
	echo "$stamp" > "$KOBJ/.rig-config"
fi

log "building bzImage (log: $RIG_BUILD/kernel-build.log)"
start=$(date +%s)
if ! "${KMAKE[@]}" bzImage headers > "$RIG_BUILD/kernel-build.log" 2>&1; then
	grep -E 'error|Error' "$RIG_BUILD/kernel-build.log" | head -30 >&2
	die "kernel build failed (full log: $RIG_BUILD/kernel-build.log)"
fi
log "kernel built in $(( $(date +%s) - start )) s: $KIMAGE"
