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
mem=$(sed -n 's/.* mem=\([0-9]*\).*/\1/p' params.txt | head -n 1)
gp=$(( 2 * mem * 256 ))

# One row per run: rate mode rep ksmd_cpu% mean_sharing% max_sharing%
# mean_pagemap% oracle_share% builds_per_min zero% pagemap/pages_sharing
# read_to_merge_median_s read_to_merge_p95_s start_sharing%
# pagemap_gain% (pagemap-saved at the end minus at the start: what the
# mode added during the workload, whatever the boot left) churn_revs
# (revisions of the churn set each guest wrote, mean of the two)
# page_cache_oracle_share% page_cache_part_of_oracle%
# page_cache_oracle_share_at_end%.
# Columns of the CSVs: see to_csv in rig/bench.sh.
: > runs.tsv
for f in *-*-*.csv; do
	case $f in *.oracle.csv|*.wl.csv|*.r2m.csv) continue ;; esac
	[ -s "$f" ] || continue
	n=${f%.csv}; rate=${n%%-*}; rest=${n#*-}; mode=${rest%-*}; rep=${rest##*-}
	osh=$(awk -F, 'NR > 1 && $2 > 0 {s += $4 / $2; k++} END {if (k) printf "%.0f", 100 * s / k; else print "-"}' "$n.oracle.csv" 2>/dev/null || echo -)
	# The same over the page cache's duplicates (the guests' disk blocks;
	# columns 10 and 11, absent before 2026-12-04), and their part of all.
	# The mean includes the ramp after the workload starts; the last
	# sample says where a mode ends up (stock too stops short of 100 %).
	fsh=$(awk -F, 'NR > 1 && $10 > 0 {l = $11 / $10; s += l; f += $10 / $2; k++} END {if (k) printf "%.0f\t%.0f\t%.0f", 100 * s / k, 100 * f / k, 100 * l; else printf "-\t-\t-"}' "$n.oracle.csv" 2>/dev/null || printf -- '-\t-\t-')
	# Builds per minute and guest, counting the build in progress as the
	# share of a whole build's objects (the most seen) it has compiled.
	bpm=$(awk -F, 'NR > 1 && $2 != "" {t = $1; b0 = $2; o0 = $3; b1 = $4; o1 = $5; if ($3 > m) m = $3; if ($5 > m) m = $5}
		END {if (t > 0) printf "%.2f", (b0 + b1 + (m ? (o0 + o1) / m : 0)) / 2 * 60 / t; else print "-"}' "$n.wl.csv" 2>/dev/null || echo -)
	# Read to merge: median and p95 (99 = not merged within the probe's
	# timeout, so a p95 of 99 reads "> 10 s").
	churn=$(awk -F, 'NR > 1 && $6 != "" {c = ($6 + $7) / 2} END {if (c != "") printf "%.1f", c; else print "-"}' "$n.wl.csv" 2>/dev/null || echo -)
	r2m=$({ sort -n "$n.r2m.csv" 2>/dev/null || true; } | awk '/^[0-9.]+$/ {v[++k] = $1} END {if (k) printf "%.2f\t%.2f", v[int((k + 1) / 2)], v[int(k * 0.95 + 0.5)]; else printf "-\t-"}')
	awk -F, -v gp="$gp" -v rate="$rate" -v mode="$mode" -v rep="$rep" -v osh="$osh" -v bpm="$bpm" -v r2m="$r2m" -v churn="$churn" -v fsh="$fsh" '
		NR == 1 { next }
		{
			t = $1; cpu = $6; s = $2 / gp; sum += s; if (s > max) max = s; k++
			pm += $9 / gp; z += $4 / gp; ks += $2; ps += $9
			if (k == 1) { s0 = s; p0 = $9 / gp }
			p1 = $9 / gp
		}
		END {
			if (k == 0) exit
			printf "%s\t%s\t%s\t%.2f\t%.1f\t%.1f\t%.1f\t%s\t%s\t%.1f\t%s\t%s\t%.1f\t%+.1f\t%s\t%s\n", rate, mode, rep,
				t ? cpu / 10 / t : 0, 100 * sum / k, 100 * max, 100 * pm / k, osh, bpm,
				100 * z / k, ks ? sprintf("%.3f", ps / ks) : "-", r2m,
				100 * s0, 100 * (p1 - p0), churn, fsh
		}' "$f" >> runs.tsv
done

# The table: per rate and mode, mean over repeats with min..max.
{
	echo "# ksm-hint sharing benchmark"
	echo
	sed 's/^/    /' params.txt
	echo
	echo "Sharing = pages saved / guest RAM pages, zero pages apart; \"pagemap\" is the"
	echo "same measured from the VMM processes' page tables; oracle share = duplicate"
	echo "pages already merged over all duplicate pages by content (zero pages apart),"
	echo "both from the content oracle's samples; page cache oracle share = the same over the"
	echo "contents that are blocks of the guests' disks (what a clean page cache page holds), and"
	echo "page cache part = those duplicates over all duplicates; \"at end\" = the page cache oracle share of the"
	echo "last sample (the mean includes the climb after the workload starts). Start sharing: pages_sharing when the workload"
	echo "began (after the boot and the first full merge); pagemap gain: pagemap-saved pages at the"
	echo "end minus at the start, in % of guest pages (what the mode added or lost during the workload)."
	echo "Builds/min: the workload's progress per guest; churn revs: revisions of the churn set"
	echo "each guest wrote (rig/bench/loop.sh). Read to merge: after the workload,"
	echo "from a command to guest 1 to read 32 pages that guest 0 just read, to their merge"
	echo "(99 = not merged within 10 s). Values: mean (min..max) over repeats."
	echo
	echo "| pages/s | mode | runs | ksmd CPU % | start sharing % | mean sharing % | max sharing % | pagemap % | pagemap gain % | oracle share % | page cache oracle share % | at end % | page cache part of oracle % | builds/min | churn revs | zero pages % | pagemap / pages_sharing | read to merge median s | p95 s | vs stock (mean sharing) |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for rate in $(cut -f1 runs.tsv | sort -un | sort -rn); do
		stock=$(awk -F'\t' -v r="$rate" '$1 == r && $2 == "off" {s += $5; k++} END {if (k) printf "%f", s / k}' runs.tsv)
		for mode in none off advisor hint hybrid; do
			awk -F'\t' -v r="$rate" -v m="$mode" -v stock="$stock" '
				# Runs without a value ("-") are left out, not
				# counted as 0; "-" if no run has one.
				function stat(c,   i, n, lo, hi, s, x) {
					n = 0; s = 0
					for (i = 1; i <= k; i++) {
						if (v[i, c] == "-") continue
						x = v[i, c] + 0; s += x; n++
						if (n == 1 || x < lo) lo = x; if (n == 1 || x > hi) hi = x
					}
					if (!n) return "-"
					if (n == 1) return sprintf("%.2f", s)
					return sprintf("%.2f (%.2f..%.2f)", s / n, lo, hi)
				}
				$1 == r && $2 == m { k++; for (c = 4; c <= 19; c++) v[k, c] = ($c == "" ? "-" : $c) }
				END {
					if (!k) exit
					mean = 0; for (i = 1; i <= k; i++) mean += v[i, 5]; mean /= k
					printf "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r, m, k,
						stat(4), stat(14), stat(5), stat(6), stat(7), stat(15), stat(8), stat(17), stat(19), stat(18), stat(9), stat(16), stat(10), stat(11), stat(12), stat(13),
						(stock > 0 && m != "off" && m != "none") ? sprintf("%.1fx", mean / stock) : "-"
				}' runs.tsv
		done
	done
	# KVM's own counters over each run's workload (rig/jobs/bench.sh
	# puts them in the run's summary; runs before 2026-12-04 have none):
	# what a mode costs the guests in exits, NPT faults and hypercalls.
	if grep -qs kvm_exits= ./*.summary; then
		echo
		echo "KVM's counters over the workload, both guests together, per second of it:"
		echo
		echo "| pages/s | mode | run | exits/s | NPT faults fixed/s | hypercalls/s | remote TLB flushes/s | halt exits/s |"
		echo "|---|---|---|---|---|---|---|---|"
		for f in ./*.summary; do
			n=${f#./}; n=${n%.summary}; rate=${n%%-*}; rest=${n#*-}
			tr ' ' '\n' < "$f" | awk -F= -v rate="$rate" -v mode="${rest%-*}" -v rep="${rest##*-}" '
				{ v[$1] = $2 }
				END {
					if (!("kvm_exits" in v) || !v["elapsed"]) exit
					t = v["elapsed"]
					printf "| %s | %s | %s | %.0f | %.0f | %.1f | %.1f | %.0f |\n", rate, mode, rep,
						v["kvm_exits"] / t, v["kvm_pf_fixed"] / t, v["kvm_hypercalls"] / t,
						v["kvm_remote_tlb_flush"] / t, v["kvm_halt_exits"] / t
				}'
		done
	fi
	echo
	echo "Tries per configuration (status 0 = ran; 3 = a nested guest exited, hung in its boot or made no workload progress for 180 s; 124/125/126 = host hung, died or panicked; all retried):"
	echo
	sed 's/^/    /' runs.txt
} > table.md

# A plot per rate: sharing ratio over time, every run, from pages_sharing
# (thick) and from pagemap (thin), one colour per mode and one legend
# entry per mode, so that five modes of two repeats stay readable; oracle
# samples (black) from the runs that took them.  Mode none (KSM off)
# shares nothing and is left out.
mode_colour() {
	case $1 in
	off) echo '#1f77b4' ;; advisor) echo '#9467bd' ;;
	hint) echo '#d62728' ;; hybrid) echo '#2ca02c' ;; *) echo '#7f7f7f' ;;
	esac
}
if command -v gnuplot > /dev/null; then
	for rate in $(cut -f1 runs.tsv | sort -un); do
		plot="" seen=" " oracle_title="title 'oracle (duplicates by content)'"
		for f in "$rate"-*-*.csv; do
			case $f in *.oracle.csv|*.wl.csv|*.r2m.csv) continue ;; esac
			[ -s "$f" ] || continue
			n=${f%.csv}; lbl=${n#*-}; mode=${lbl%-*}
			[ "$mode" = none ] && continue
			lc="lc rgb '$(mode_colour "$mode")'"
			t1="notitle" t2="notitle"
			case $seen in *" $mode "*) ;; *)
				seen="$seen$mode "
				t1="title '$mode (pages_sharing)'" t2="title '$mode (pagemap)'" ;;
			esac
			awk -F, -v gp="$gp" 'NR > 1 {print $1, 100 * $2 / gp, 100 * $9 / gp}' "$f" > "$n.dat"
			plot="$plot${plot:+, }'$n.dat' using 1:2 with lines lw 2 $lc $t1"
			plot="$plot, '$n.dat' using 1:3 with lines dt 2 $lc $t2"
			if [ -s "$n.oracle.csv" ]; then
				awk -F, -v gp="$gp" 'NR > 1 {print $1, 100 * $2 / gp}' "$n.oracle.csv" > "$n.oracle.dat"
				[ -s "$n.oracle.dat" ] || continue
				plot="$plot, '$n.oracle.dat' using 1:2 with points pt 7 ps 0.6 lc rgb 'black' $oracle_title"
				oracle_title=notitle
			fi
		done
		[ -n "$plot" ] || continue
		gnuplot <<-EOF
			set terminal png noenhanced size 960,540
			set output 'sharing-$rate.png'
			set title 'Sharing at $rate pages/s, 2 guests of $mem MiB, every run'
			set xlabel 'seconds into the workload'
			set ylabel 'pages saved / guest pages (%)'
			set key outside right
			set yrange [0:*]
			plot $plot
		EOF
	done
fi
log "table: $out/table.md; plots: $(ls "$out"/sharing-*.png 2>/dev/null | tr '\n' ' ')"
cat table.md
