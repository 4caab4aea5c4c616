#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench-driver`: build, boot the host and run rig/jobs/pagehint-bench.sh
# (the guest page hint driver's read cost, hypercalls per hint, read to
# merge).  BENCH_RUNS reads per setting (default 5), BENCH_FILES files for
# read to merge (default 24), BENCH_TREE what the read cost reads: "disk"
# (default, the guests' 48 MiB disk) or "bench" (the benchmark's bench
# disk, 77 MiB of a toolchain and a source tree, with BENCH_COPIES more
# copies of it, default 3: about 300 MiB read cold by a guest of 192 MiB),
# BENCH_REBOOTS how often a lost guest 0 is booted again (default 3),
# BENCH_SETTINGS the read settings (default "on off"; "held": driver on,
# ksmd stopped; "refused": driver on, host mode off; BENCH_HELD=1 is
# "on off held"), BENCH_FLUSH_MS the guest driver's flush_ms for the reads (default: its
# own default).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rig_lock
tree=${BENCH_TREE:-disk}
case $tree in
disk) ;;
bench)
	copies=${BENCH_COPIES:-3}
	case $copies in *[!0-9]* | '') die "BENCH_COPIES must be a number" ;; esac
	export RIG_BENCH_DISK=1 RIG_BENCH_DISK_COPIES=$copies
	;;
*) die "BENCH_TREE must be disk or bench" ;;
esac
settings=${BENCH_SETTINGS:-on off}
[ "${BENCH_HELD:-0}" = 1 ] && settings=${BENCH_SETTINGS:-on off held}
for s in $settings; do
	case $s in on | off | held | refused | timed) ;; *) die "BENCH_SETTINGS: unknown setting $s" ;; esac
done
bash "$RIG_TOP/rig/prepare.sh"
exec bash "$RIG_TOP/rig/vm-run.sh" -t "${RIG_BENCH_TIMEOUT:-3600}" \
	-l "$RIG_BUILD/bench-driver-vm.log" "$RIG_TOP/rig/jobs/pagehint-bench.sh" \
	"${BENCH_RUNS:-5}" "${BENCH_FILES:-24}" "$tree" "${BENCH_REBOOTS:-3}" \
	"$(echo $settings | tr ' ' ,)" "${BENCH_FLUSH_MS:-}"
