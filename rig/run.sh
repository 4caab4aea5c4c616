#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make run`: the short version of `make bench`.  Sets everything up, then
# runs the benchmark's workload in two guests twice from the same starting
# state (guests booted, one full merge): with stock KSM and with ksm-hint
# (mode hint), both at 1000 pages/s, printing a live line a second, and
# ends with the comparison table.  RIG_RUN_SECONDS sets how long each
# workload runs (default 180), RIG_RUN_MEM the MiB per guest (default 512).
set -euo pipefail
export BENCH_RATES=1000 BENCH_MODES="off hint" BENCH_REPEAT=1
export BENCH_SECS=${RIG_RUN_SECONDS:-180} BENCH_MEM=${RIG_RUN_MEM:-512}
export BENCH_LIVE=1 BENCH_RETRIES=${BENCH_RETRIES:-1}
export BENCH_OUT=${BENCH_OUT:-$(cd "$(dirname "$0")/.." && pwd)/build/run}
rm -rf "$BENCH_OUT"
exec bash "$(dirname "$0")/bench.sh"
