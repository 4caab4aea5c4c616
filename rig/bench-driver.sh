#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench-driver`: build, boot the host and run rig/jobs/pagehint-bench.sh
# (the guest page hint driver's read cost, hypercalls per hint, read to
# merge).  BENCH_RUNS reads per setting (default 5), BENCH_FILES files for
# read to merge (default 24).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rig_lock
bash "$RIG_TOP/rig/prepare.sh"
exec bash "$RIG_TOP/rig/vm-run.sh" -t "${RIG_BENCH_TIMEOUT:-3600}" \
	-l "$RIG_BUILD/bench-driver-vm.log" "$RIG_TOP/rig/jobs/pagehint-bench.sh" \
	"${BENCH_RUNS:-5}" "${BENCH_FILES:-24}"
