#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Compile (no boot) the tree in a modular configuration as distribution
# kernels use: KVM, KVM_AMD, KVM_INTEL and PAGEHINT_GUEST as modules.  The
# test kernel builds everything in, which hides a missing EXPORT_SYMBOL;
# here modpost reports it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

obj=$RIG_BUILD/obj-modular
frag=$RIG_TOP/rig/modular.config
kmake=(make -C "$KTREE" O="$obj" CC="ccache gcc" HOSTCC="ccache gcc" -j$((NPROC + 1)))
mkdir -p "$obj"
stamp=$(cat "$frag" "$KTREE/.rig-series" | sha1sum)
if [ "$(cat "$obj/.rig-config" 2>/dev/null)" != "$stamp" ]; then
	"${kmake[@]}" -s tinyconfig >/dev/null
	merge_fragment "$obj" "$frag"
	"${kmake[@]}" -s olddefconfig >/dev/null
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) grep -qx "$line" "$obj/.config" ||
			die "modular config: $line did not take effect" ;;
		esac
	done < "$frag"
	echo "$stamp" > "$obj/.rig-config"
fi
log "building the modular configuration (log: $RIG_BUILD/modular-build.log)"
if ! "${kmake[@]}" bzImage modules > "$RIG_BUILD/modular-build.log" 2>&1; then
	grep -E 'error|ERROR' "$RIG_BUILD/modular-build.log" | head -30 >&2
	die "modular build failed (full log: $RIG_BUILD/modular-build.log)"
fi
for m in arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-amd.ko arch/x86/kvm/kvm-intel.ko \
	drivers/virt/pagehint/pagehint.ko; do
	[ -f "$obj/$m" ] || die "modular build: $m was not built"
done
