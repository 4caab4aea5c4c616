#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Turn a `make bench` result folder into a plot per scan rate (sharing
# ratio against time for every mode, and the oracle; like the paper's
# figure 6) and a markdown table (like its table 1).
# Usage: rig/bench-report.sh <folder>
#
# Sharing ratio = pages saved / guest RAM pages (../shared/DESIGN.md 7),
# from KSM's pages_sharing and, independently, from pagemap (present
# guest pages minus the distinct host frames backing them).  Zero pages
# (use_zero_pages=1: the shared zero page) are reported apart.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
out=${1:?usage: $0 <result folder>}
cd "$out"
mem=$(sed -n 's/.* mem=\([0-9]*\).*/\1/p' params.txt)
gp=$(( 2 * mem * 256 ))

# One row per run: rate mode rep ksmd_cpu% mean_sharing% max_sharing%
# mean_pagemap% oracle_share% builds_per_min zero%.
# Columns of the CSV: see rig/jobs/bench.sh.
: > runs.tsv
for f in *-*-*.csv; do
	[ -s "$f" ] || continue
	n=${f%.csv}; rate=${n%%-*}; rest=${n#*-}; mode=${rest%-*}; rep=${rest##*-}
	awk -F, -v gp="$gp" -v rate="$rate" -v mode="$mode" -v rep="$rep" '
		NR == 1 { next }
		{
			t = $1; cpu = $9; s = $5 / gp; sum += s; if (s > max) max = s; k++
			if ($13 != "") { pm += $13 / gp; pk++ }
			if ($14 != "" && $14 > 0) { os += $5 / $14; ok++ }
			z = $7 / gp
			w = ($23 + $24) / 2
		}
		END {
			if (k == 0) exit
			printf "%s\t%s\t%s\t%.2f\t%.1f\t%.1f\t%s\t%s\t%.2f\t%.1f\n", rate, mode, rep,
				t ? cpu / 10 / t : 0, 100 * sum / k, 100 * max,
				pk ? sprintf("%.1f", 100 * pm / pk) : "-",
				ok ? sprintf("%.0f", 100 * os / ok) : "-",
				t ? w * 60 / t : 0, 100 * z
		}' "$f" >> runs.tsv
done

# The table: per rate and mode, mean over repeats with min..max.
{
	echo "# ksm-hint sharing benchmark"
	echo
	sed 's/^/    /' params.txt
	echo
	echo "Sharing = pages saved / guest RAM pages, zero pages apart; \"pagemap\" is the"
	echo "same measured from the VMM processes' page tables; oracle share = pages_sharing"
	echo "over the pages the content oracle says could be shared (zero pages apart)."
	echo "Builds/min: the workload's progress per guest. Values: mean (min..max) over repeats."
	echo
	echo "| pages/s | mode | runs | ksmd CPU % | mean sharing % | max sharing % | pagemap % | oracle share % | builds/min | zero pages % | vs stock (mean sharing) |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	for rate in $(cut -f1 runs.tsv | sort -un | sort -rn); do
		stock=$(awk -F'\t' -v r="$rate" '$1 == r && $2 == "off" {s += $5; k++} END {if (k) printf "%f", s / k}' runs.tsv)
		for mode in none off advisor hint hybrid; do
			awk -F'\t' -v r="$rate" -v m="$mode" -v stock="$stock" '
				function stat(c,   i, lo, hi, s) {
					lo = hi = v[1, c]; s = 0
					for (i = 1; i <= k; i++) {
						s += v[i, c]; if (v[i, c] < lo) lo = v[i, c]; if (v[i, c] > hi) hi = v[i, c]
					}
					if (k == 1) return sprintf("%.2f", s)
					return sprintf("%.2f (%.2f..%.2f)", s / k, lo, hi)
				}
				$1 == r && $2 == m { k++; for (c = 4; c <= 10; c++) v[k, c] = $c }
				END {
					if (!k) exit
					mean = 0; for (i = 1; i <= k; i++) mean += v[i, 5]; mean /= k
					printf "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", r, m, k,
						stat(4), stat(5), stat(6), stat(7), stat(8), stat(9), stat(10),
						(stock > 0 && m != "off") ? sprintf("%.1fx", mean / stock) : "-"
				}' runs.tsv
		done
	done
	echo
	echo "Tries per configuration (status 0 = ran; 124/125/126 = host hung, died or panicked, retried):"
	echo
	sed 's/^/    /' runs.txt
} > table.md

# A plot per rate: sharing ratio over time, every run; oracle from the
# runs that sampled it.
if command -v gnuplot > /dev/null; then
	for rate in $(cut -f1 runs.tsv | sort -un); do
		plot=""
		for f in "$rate"-*-*.csv; do
			[ -s "$f" ] || continue
			n=${f%.csv}; lbl=${n#*-}
			awk -F, -v gp="$gp" 'NR > 1 {print $1, 100 * $5 / gp, ($14 != "" ? 100 * $14 / gp : "NaN")}' "$f" > "$n.dat"
			plot="$plot${plot:+, }'$n.dat' using 1:2 with lines title '$lbl'"
			case $lbl in
			hint-1|off-1) plot="$plot, '$n.dat' using 1:3 with points pt 7 ps 0.6 title 'oracle ($lbl)'" ;;
			esac
		done
		gnuplot <<-EOF
			set terminal png size 900,540
			set output 'sharing-$rate.png'
			set title 'Sharing ratio at $rate pages/s (2 guests of $mem MiB)'
			set xlabel 'seconds into the workload'
			set ylabel 'pages saved / guest pages (%)'
			set key outside right
			set datafile missing 'NaN'
			plot $plot
		EOF
	done
fi
log "table: $out/table.md; plots: $(ls "$out"/sharing-*.png 2>/dev/null | tr '\n' ' ')"
cat table.md
