#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench-profile`: a perf profile of ksmd in ksm_hint_bench's scale
# mode, split into the stock linear scan and mode hint (issue 9: where a
# hinted page's time goes, against a linear-scan visit).  Installs
# linux-perf (Debian's perf runs on the 6.12 kernel) and puts it in the
# host initramfs.  BENCH_PROFILE_MIB (default 512) and
# BENCH_PROFILE_PAIRS (default 2048) size the run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rig_lock
RIG_EXTRA_PKGS="linux-perf" bash "$RIG_TOP/rig/deps.sh"
RIG_PERF=1 bash "$RIG_TOP/rig/prepare.sh"
mib=${BENCH_PROFILE_MIB:-512}
exec bash "$RIG_TOP/rig/vm-run.sh" -m $((mib * 2 + 3072)) -t "${RIG_BENCH_TIMEOUT:-3600}" \
	-l "$RIG_BUILD/bench-profile-vm.log" "$RIG_TOP/rig/jobs/bench-profile.sh" \
	"$mib" "${BENCH_PROFILE_PAIRS:-2048}"
