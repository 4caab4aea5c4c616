#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Stress the emulated host with nested guests booted side by side, to
# count host hangs with and without a workaround (../shared/DESIGN.md 6).
# Runs <boots> host boots of rig/jobs/nested-stress.sh, each booting
# <pairs> guest pairs; a boot that hangs stops there (its vCPU dump is in
# its log).  Prints one summary line with the counts.
#
# Usage: rig/nested-stress.sh [boots] [pairs]
# A/B knobs (see rig/vm-run.sh): RIG_HOST_WORKAROUND (host command line
# workaround, "" for none), RIG_TCG_THREAD (multi|single), RIG_HOST_SMP.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$RIG_TOP/rig/qemu-faults.sh"
boots=${1:-1} pairs=${2:-20}
# The job prints every 10 s: two minutes of silence is a hang, not a
# slow boot.
export RIG_STALL_SECONDS=${RIG_STALL_SECONDS:-120}
rig_lock
desc="workaround='${RIG_HOST_WORKAROUND-rig.nested_cpu=1}' thread=${RIG_TCG_THREAD:-multi} smp=${RIG_HOST_SMP:-2}"
good=0 hangs=0 other=0
for b in $(seq 1 "$boots"); do
	logf=$RIG_BUILD/stress-$b.log
	start=$(date +%s)
	bash "$RIG_TOP/rig/vm-run.sh" -q -t $((pairs * 300 + 120)) -l "$logf" \
		"$RIG_TOP/rig/jobs/nested-stress.sh" "$pairs"
	rc=$?
	n=$(tr -d '\r' < "$logf" | grep -c '^stress: pair [0-9]*: both guests @@READY')
	good=$((good + n))
	# A memory corruption need not hang the host: any kernel report in
	# its console (guest reports are copied there too) fails the boot.
	splats=$(tr -d '\r' < "$logf" | grep -c -E -f "$RIG_TOP/rig/splat-patterns")
	case $rc in
	124) st=hang; hangs=$((hangs + 1)) ;;
	0) if [ "$splats" = 0 ]; then st=ok; else
		st="kernel report"; other=$((other + 1))
		tr -d '\r' < "$logf" | grep -m 5 -E -f "$RIG_TOP/rig/splat-patterns"
	   fi ;;
	*) st="failed ($rc)"; other=$((other + 1)) ;;
	esac
	# What rig/check.sh would blame on QEMU, for the A/B counts.
	if [ "$st" != ok ]; then
		why=$(qemu_fault "$rc" "$logf")
		[ -z "$why" ] || st="$st, QEMU's: ${why#nested-stress: }"
	fi
	echo "nested-stress: boot $b: $n pair boots reached @@READY, host $st, $(( $(date +%s) - start )) s (log $logf)"
	if [ "$st" = hang ]; then
		tr -d '\r' < "$logf" | grep '^rig: host' | tail -n 60
	fi
done
echo "nested-stress: $desc: $good side-by-side pair boots reached @@READY, $hangs host hangs, $other other failures in $boots host boots"
[ $hangs = 0 ] && [ $other = 0 ]
