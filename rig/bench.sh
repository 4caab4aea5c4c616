#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: the sharing benchmark of ../shared/DESIGN.md 7 on real
# guests.  Each configuration (scan rate x mode x repeat) gets its own boot
# of the emulated host (rig/jobs/bench.sh), so all start from the same
# state.  A boot that hangs or panics is reported and retried from the
# configuration's start (never averaged in); the count goes in the
# results.  Writes CSVs, plots and a table under build/bench/<stamp>/
# (rig/bench-report.sh).
#
# Knobs (environment): BENCH_RATES (pages/s, default "5000 1000 500"),
# BENCH_MODES (default "none off hint hybrid advisor"), BENCH_REPEAT
# (default 2), BENCH_SECS (workload seconds, default 300), BENCH_MEM (MiB
# per guest, default 512), BENCH_WL (build|files), BENCH_ORACLE (oracle
# pass every N samples, default 30), BENCH_RETRIES (default 2),
# BENCH_STACK, BENCH_ATTR (hint_stack_size, attr_table_size; default: the
# kernel's), BENCH_OUT (folder).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

rates=${BENCH_RATES:-5000 1000 500}
modes=${BENCH_MODES:-none off hint hybrid advisor}
repeat=${BENCH_REPEAT:-2}
secs=${BENCH_SECS:-300}
mem=${BENCH_MEM:-512}
wl=${BENCH_WL:-build}
oracle=${BENCH_ORACLE:-30}
live=${BENCH_LIVE:-10}
sizes="${BENCH_STACK:+stack=$BENCH_STACK}${BENCH_ATTR:+ attr=$BENCH_ATTR}"
retries=${BENCH_RETRIES:-2}
out=${BENCH_OUT:-$RIG_BUILD/bench/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"

rig_lock
if [ "$wl" = build ]; then export RIG_BENCH_DISK=1; fi
bash "$RIG_TOP/rig/prepare.sh" || die "preparing the kernel and initramfs failed"

# pages/s -> pages_to_scan per sleep_millisecs 20.
budget() { echo $(( $1 * 20 / 1000 )); }
# Host RAM: both guests, their disk copies, the initramfs, headroom.
host_mem=$(( 2 * mem + 3072 ))
{
	echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
	echo "commit=$(git -C "$RIG_TOP" describe --always --dirty 2>/dev/null)"
	echo "machine=$(nproc) cores, $(awk '/MemTotal/ {printf "%d MiB", $2 / 1024}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	echo "qemu=$(qemu-system-x86_64 --version | head -1)"
	echo "rates=$rates modes=$modes repeat=$repeat secs=$secs mem=$mem wl=$wl oracle_every=$oracle host_mem=$host_mem $sizes"
} > "$out/params.txt"
log "results go to $out"
: > "$out/runs.txt"

t_start=$(date +%s)
for rate in $rates; do
	pages=$(budget "$rate")
	for rep in $(seq 1 "$repeat"); do
		hint_cpu=0
		for mode in $modes; do
			name=$rate-$mode-$rep
			args="mode=$mode pages=$pages sleep=20 secs=$secs mem=$mem oracle=$oracle wl=$wl live=$live $sizes"
			if [ "$mode" = advisor ]; then
				# KSM's own advisor at the CPU mode hint used.
				[ "$hint_cpu" -gt 0 ] || hint_cpu=1
				args="$args advisor_cpu=$hint_cpu"
			fi
			try=0
			while :; do
				try=$((try + 1))
				log "$name (try $try): $args; $(( ($(date +%s) - t_start) / 60 )) min into the benchmark"
				bash "$RIG_TOP/rig/vm-run.sh" -m "$host_mem" -t $((secs + 2400)) \
					-a "kunit.enable=0" -l "$out/$name.log" \
					"$RIG_TOP/rig/jobs/bench.sh" $args |
					grep --line-buffered -E '^(bench|rig):'
				rc=${PIPESTATUS[0]}
				echo "$name try=$try status=$rc" >> "$out/runs.txt"
				case $rc in
				0) break ;;
				124|125|126)
					log "$name: the emulated host hung or died (status $rc, $out/$name.log)"
					mv "$out/$name.log" "$out/$name.try$try.log"
					[ $try -le "$retries" ] && continue
					log "$name: given up after $try tries"; break ;;
				*)
					log "$name: the job failed (status $rc, $out/$name.log)"; break ;;
				esac
			done
			[ $rc = 0 ] || continue
			tr -d '\r' < "$out/$name.log" | sed -n 's/^@@CSV //p' > "$out/$name.csv"
			tr -d '\r' < "$out/$name.log" | sed -n 's/^@@SUMMARY //p' > "$out/$name.summary"
			if [ "$mode" = hint ]; then
				hint_cpu=$(awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}}
					END {c = v["ksmd_cpu_ms"] / 10 / v["elapsed"]; printf "%d", c < 1 ? 1 : c + 0.5}' "$out/$name.summary")
			fi
		done
	done
done
log "benchmark took $(( ($(date +%s) - t_start) / 60 )) min; retries: $(grep -c 'status=12[456]' "$out/runs.txt")"
bash "$RIG_TOP/rig/bench-report.sh" "$out"
