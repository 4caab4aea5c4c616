#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: the sharing benchmark of ../shared/DESIGN.md 7 on real
# guests.  Each configuration (scan rate x mode x repeat) gets its own boot
# of the emulated host (rig/jobs/bench.sh), so all start from the same
# state.  A boot that hangs or panics, or in which a nested guest exits,
# is reported and retried from the configuration's start (never averaged
# in); the count goes in the results.  Writes CSVs, plots and a table
# under build/bench/<stamp>/ (rig/bench-report.sh).
#
# Knobs (environment): BENCH_RATES (pages/s, default "5000 1000 500"),
# BENCH_MODES (default "none off hint hybrid advisor"), BENCH_REPEAT
# (default 2), BENCH_SECS (workload seconds, default 300), BENCH_MEM (MiB
# per guest, default 512), BENCH_WL (build|files), BENCH_ORACLE (oracle
# pass every N seconds, default 60: a pass reads both guests' RAM and took
# 16-18 s of a host vCPU under TCG), BENCH_RETRIES (default 2),
# BENCH_STACK, BENCH_ATTR (hint_stack_size, attr_table_size; default: the
# kernel's), BENCH_R2M (files of the read-to-merge probe after the
# workload, default 8, 0 skips it), BENCH_CHURN (the workload's churn
# phase, SECS:MIB: MIB MiB of files rewritten every SECS seconds in each
# guest besides the builds; default 60:8, "" for builds only; see
# rig/bench/loop.sh), BENCH_OUT (folder), BENCH_HOST_APPEND (added to the
# emulated host's command line, e.g. kvm_amd.npt=0 to run the nested
# guests on shadow paging; recorded in params.txt), BENCH_ADVISOR_CPU
# (advisor_max_cpu of mode advisor; default: the ksmd CPU % of the same
# repeat's mode hint run, rounded up; without one the advisor is
# skipped), BENCH_PERF (1: a perf
# profile of ksmd over each run's workload, cpu-clock samples of ksmd
# alone at BENCH_PERF_HZ, default 250 a second, printed in the run's log
# as "bench: perf|" lines; it costs the emulated host CPU, so runs with
# it are for finding where ksmd's time goes, not for the table).
set -uo pipefail
# The whole script is one compound command, so bash has read all of it
# before it runs: editing this file during an hours-long run cannot break
# the run (bash otherwise reads a script as it goes).
{
. "$(dirname "$0")/lib.sh"

rates=${BENCH_RATES:-5000 1000 500}
modes=${BENCH_MODES:-none off hint hybrid advisor}
repeat=${BENCH_REPEAT:-2}
secs=${BENCH_SECS:-300}
mem=${BENCH_MEM:-512}
wl=${BENCH_WL:-build}
oracle=${BENCH_ORACLE:-60}
live=${BENCH_LIVE:-10}
sizes="${BENCH_STACK:+stack=$BENCH_STACK}${BENCH_ATTR:+ attr=$BENCH_ATTR}"
retries=${BENCH_RETRIES:-2}
r2m=${BENCH_R2M:-8}
churn=${BENCH_CHURN-60:8}
out=${BENCH_OUT:-$RIG_BUILD/bench/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"

rig_lock
if [ "$wl" = build ]; then export RIG_BENCH_DISK=1; fi
perf=${BENCH_PERF:-0}
if [ "$perf" = 1 ]; then
	RIG_EXTRA_PKGS="linux-perf" bash "$RIG_TOP/rig/deps.sh"
	export RIG_PERF=1
	sizes="$sizes perf=${BENCH_PERF_HZ:-250}"
fi
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
	echo "kernel=$RIG_KERNEL rates=$rates modes=$modes repeat=$repeat secs=$secs mem=$mem wl=$wl oracle_every=$oracle churn=$churn host_mem=$host_mem host_append=${BENCH_HOST_APPEND:-} $sizes"
} > "$out/params.txt"
log "results go to $out"
: > "$out/runs.txt"

# to_csv <path without .log>: the job's key=value lines -> CSVs (times in
# seconds from the first sample; counters as deltas from it, levels such
# as attr_table_entries as read).
to_csv() {
	tr -d '\r' < "$1.log" | awk -v base="$1" '
	function kv(   i, p) { delete v; for (i = 2; i <= NF; i++) { p = index($i, "="); if (p) v[substr($i, 1, p - 1)] = substr($i, p + 1) } }
	function d(k) { return (k in v) ? v[k] - (k in b ? b[k] : 0) : "" }
	BEGIN {
		ncol = split("ksm_sharing ksm_shared ksm_zero_pages ksm_full_scans cpu_ms present zero saved hints_received hints_scanned pages_merged attr_matches stack_overwrites hints_rate_limited merges_given_up zero_hints_rejected stale_items_dropped hash_table_evictions stale_items_remerged hints_unmatched hints_unchanged hints_gone hints_dropped attr_table_entries", col, " ")
		# Deltas: full scans, CPU and the ksm_hint counters (not levels).
		delta = " ksm_full_scans cpu_ms "
		for (i = 9; i <= ncol; i++) if (col[i] != "attr_table_entries") delta = delta col[i] " "
		s = base ".csv"; o = base ".oracle.csv"; w = base ".wl.csv"
		printf "t" > s; for (i = 1; i <= ncol; i++) printf ",%s", col[i] > s; print "" > s
		print "t,o_dup,o_zero,o_dup_merged,o_zero_merged,saved,ksm_sharing,oracle_ms,o_file_pages,o_file_dup,o_file_dup_merged" > o
		print "t,builds0,objs0,builds1,objs1,churn0,churn1" > w
		r = base ".r2m.csv"; print "seconds" > r
	}
	$1 == "@@R2M" { print $2 > r }
	$1 == "@@S" && /ram_mib=/ {
		kv()
		if (t0 == "") { t0 = v["time"]; for (k in v) b[k] = v[k] }
		printf "%.1f", v["time"] - t0 > s
		for (i = 1; i <= ncol; i++) printf ",%s", (index(delta, " " col[i] " ") ? d(col[i]) : v[col[i]]) > s
		print "" > s
	}
	$1 == "@@O" && /oracle=1/ && t0 != "" {
		kv(); printf "%.1f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", v["time"] - t0, v["o_dup"], v["o_zero"], v["o_dup_merged"], v["o_zero_merged"], v["saved"], v["ksm_sharing"], v["oracle_ms"], v["o_file_pages"], v["o_file_dup"], v["o_file_dup_merged"] > o
	}
	$1 == "@@W" && t0 != "" {
		kv(); split(v["wl0"], a, ":"); split(v["wl1"], c, ":")
		printf "%d,%s,%s,%s,%s,%s,%s\n", v["time"] - t0, a[1], a[2], c[1], c[2], a[3], c[3] > w
	}
	$1 == "@@SUMMARY" { sub(/^@@SUMMARY /, ""); print > (base ".summary") }'
}

t_start=$(date +%s)
for rate in $rates; do
	pages=$(budget "$rate")
	for rep in $(seq 1 "$repeat"); do
		hint_cpu=0
		for mode in $modes; do
			name=$rate-$mode-$rep
			args="mode=$mode pages=$pages sleep=20 secs=$secs mem=$mem oracle=$oracle wl=$wl live=$live r2m=$r2m churn=$churn $sizes"
			if [ "$mode" = advisor ]; then
				# KSM's own advisor at the CPU mode hint used in
				# this repeat (BENCH_ADVISOR_CPU overrides).  With
				# no such run there is nothing to be equal to: a
				# made-up cap would compare nothing, so skip it.
				cap=${BENCH_ADVISOR_CPU:-$hint_cpu}
				if [ "$cap" -le 0 ]; then
					log "$name: skipped: no mode hint run in this repeat to take advisor_max_cpu from (set BENCH_ADVISOR_CPU)"
					echo "$name skipped (no mode hint run for advisor_max_cpu)" >> "$out/runs.txt"
					continue
				fi
				args="$args advisor_cpu=$cap"
				# 6.12's advisor keeps pages_to_scan at what it
				# estimates to be 10 % of a CPU or more.
				[ "$cap" -ge 10 ] || log "$name: advisor_max_cpu $cap is under the advisor's own floor of 10 % (KSM_ADVISOR_MIN_CPU in mm/ksm.c): it will not hold to it, so this run is not at equal CPU"
			fi
			try=0
			while :; do
				try=$((try + 1))
				log "$name (try $try): $args; $(( ($(date +%s) - t_start) / 60 )) min into the benchmark"
				bash "$RIG_TOP/rig/vm-run.sh" -m "$host_mem" -t $((secs + 2400)) \
					-a "kunit.enable=0 ${BENCH_HOST_APPEND:-}" -l "$out/$name.log" \
					"$RIG_TOP/rig/jobs/bench.sh" $args |
					grep --line-buffered -E '^(bench|rig):'
				rc=${PIPESTATUS[0]}
				echo "$name try=$try status=$rc" >> "$out/runs.txt"
				case $rc in
				0) break ;;
				3|124|125|126)
					if [ "$rc" = 3 ]; then
						log "$name: a nested guest exited, hung in its boot or stopped making progress, without a report ($out/$name.log)"
					else
						log "$name: the emulated host hung or died (status $rc, $out/$name.log)"
					fi
					mv "$out/$name.log" "$out/$name.try$try.log"
					[ $try -le "$retries" ] && continue
					log "$name: given up after $try tries"; break ;;
				*)
					log "$name: the job failed (status $rc, $out/$name.log)"; break ;;
				esac
			done
			[ $rc = 0 ] || continue
			to_csv "$out/$name"
			if [ "$mode" = hint ]; then
				# ksmd CPU % over the run, rounded up.
				hint_cpu=$(awk -F, 'NR > 1 {t = $1; c = $6} END {p = t ? c / 10 / t : 0; printf "%d", p == int(p) ? p : int(p) + 1}' "$out/$name.csv")
			fi
		done
	done
done
log "benchmark took $(( ($(date +%s) - t_start) / 60 )) min; retries: $(grep -c -E 'status=(3|12[456])$' "$out/runs.txt")"
bash "$RIG_TOP/rig/bench-report.sh" "$out"
exit
}
