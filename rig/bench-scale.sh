#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench-scale`: ksmd time per hinted page against the size of the
# mergeable area, beside stock KSM's time per linear-scan page visit in
# the same boot (ksm_hint_bench -A).  `make check` runs the 64 MiB size
# only; the costs that grow with VM size show at the sizes here.
# BENCH_SCALE_MIB lists the sizes (default "64 512 2048"); the host gets
# enough memory for the largest.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rig_lock
bash "$RIG_TOP/rig/prepare.sh"
sizes=${BENCH_SCALE_MIB:-64 512 2048}
max=$(echo "$sizes" | tr ' ' '\n' | sort -n | tail -n 1)
# shellcheck disable=SC2086
exec bash "$RIG_TOP/rig/vm-run.sh" -m $((max * 2 + 3072)) -t "${RIG_BENCH_TIMEOUT:-3600}" \
	-l "$RIG_BUILD/bench-scale-vm.log" "$RIG_TOP/rig/jobs/bench-scale.sh" $sizes
