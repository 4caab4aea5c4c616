#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the patched kernel as the KVM host under QEMU TCG (-cpu max exposes
# SVM, so kvm_amd inside runs nested guests), run a job script inside it,
# stream the console to a log file, enforce a timeout, and exit with the
# job's exit status (124 on timeout or hang, 125 when the host died without
# one, 126 when its kernel panicked).
#
# Usage: rig/vm-run.sh [-t seconds] [-l logfile] [-m MiB] [-q] [-a append]
#                      job-script [job args...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

timeout=900 logfile=$RIG_BUILD/vm.log mem=4096 quiet=0 append=""
while getopts "t:l:m:qa:" o; do
	case $o in
	t) timeout=$OPTARG ;;
	l) logfile=$OPTARG ;;
	m) mem=$OPTARG ;;
	q) quiet=1 ;;
	a) append=$OPTARG ;;
	*) die "usage: $0 [-t s] [-l log] [-m MiB] [-q] [-a append] job [args]" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "usage: $0 [-t s] [-l log] [-m MiB] [-q] job [args]"
job=$1; shift
[ -f "$job" ] || die "job script $job not found"
[ -f "$KIMAGE" ] || die "no kernel image at $KIMAGE (make kernel)"
[ -f "$HOST_INITRD" ] || die "no host initramfs at $HOST_INITRD (make initramfs)"

# The job travels as a second cpio archive appended to the initramfs.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/job"
cp "$job" "$tmp/root/job/run.sh"
echo "$*" > "$tmp/root/job/args"
(cd "$tmp/root" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp/job.cpio.gz"
cat "$HOST_INITRD" "$tmp/job.cpio.gz" > "$tmp/initrd"

mkdir -p "$(dirname "$logfile")"
# Under TCG the guest's TSC is the machine's own TSC, but PIT calibration
# in the emulated host often fails under load; hand it the rate (x86
# bogomips is twice the TSC rate in MHz).  loglevel=7 puts KUnit's KTAP
# (KERN_INFO) on the console.
tsc=$(awk '/^bogomips/ {printf "tsc_early_khz=%d", $3 * 500; exit}' /proc/cpuinfo)
start=$(date +%s)
: > "$logfile"; rm -f "$logfile.qemu"

# A host whose console stays silent this long is hung (every job prints
# well within it): dump its vCPUs' state into the log and stop it, rather
# than wait for the overall timeout.
# The host prints "rig: host alive" every 60 s, so 300 s of silence is
# a hang, not a slow host.
stall=${RIG_STALL_SECONDS:-300}
hung_grace=${RIG_HUNG_GRACE_SECONDS:-60} hung_at=""
(
	while sleep "${RIG_WATCHDOG_POLL_SECONDS:-20}"; do
		[ -f "$tmp/qemu.pid" ] || continue
		kill -0 "$(cat "$tmp/qemu.pid")" 2>/dev/null || exit 0
		# A panicked host never recovers (its reboot path can fault
		# again and loop): give the trace a few seconds, then stop it.
		if grep -q 'Kernel panic - not syncing' "$logfile"; then
			sleep 5
			echo "rig: host kernel panicked: stopping it" >> "$logfile"
			touch "$tmp/panicked"
			kill "$(cat "$tmp/qemu.pid")"
			exit 0
		fi
		idle=$(( $(date +%s) - $(stat -c %Y "$logfile") ))
		# A hung-task report already fails the run; a host that limps
		# on after one (a CPU lost to QEMU, the others still printing
		# the heartbeat) never finishes its job, so it is stopped a
		# little after the report rather than at the overall timeout.
		if [ -z "$hung_at" ] && grep -q 'blocked for more than' "$logfile"; then
			hung_at=$(date +%s)
		fi
		if [ -n "$hung_at" ] && [ $(( $(date +%s) - hung_at )) -ge "$hung_grace" ]; then
			why="reported a hung task ${hung_grace}s ago"
		elif [ "$idle" -ge "$stall" ]; then
			why="console silent for ${idle}s"
		else
			continue
		fi
		{
			echo "rig: host $why: dumping its vCPUs and stopping it"
			# (a dump that fails must not keep the host running)
			python3 "$RIG_TOP/rig/host-dump.py" "$tmp/mon.sock" \
				"$KOBJ/System.map" 2>&1 || echo "rig: host-dump failed"
		} >> "$logfile"
		echo "$why" > "$tmp/stalled"
		kill "$(cat "$tmp/qemu.pid")"
		exit 0
	done
) &
watchdog=$!
trap 'kill $watchdog 2>/dev/null || true; rm -rf "$tmp"' EXIT

# Nested guests have hung the emulated host now and then; DESIGN.md 6
# suspected a lost interrupt in QEMU 7.2's VMRUN emulation that a periodic
# tick would re-deliver (RIG_HOST_WORKAROUND="nohz=off highres=off").
# Side-by-side stress runs (results/JOURNAL.md, nested guests) did not support it:
# 15 clean pairs without it, and with it a host kernel Oops (memory
# corruption seen by kmemleak) and a guest that exited; CI then failed on
# a host panic with it on.  So it is off and kept for A/B runs
# (rig/nested-stress.sh), as are the other knobs below.
# What is on by default is rig.nested_cpu=1 (rig/host/guests.sh): with the
# nested QEMUs, ksmd and khugepaged on one host CPU, 20 of 20 stress pairs
# booted clean where unpinned runs corrupted the host's memory every few
# dozen nested boots (results/JOURNAL.md, "Nested guests and the SMP host"), and CI
# failed on it.  RIG_HOST_WORKAROUND= (empty) runs unpinned.
host_workaround=${RIG_HOST_WORKAROUND-rig.nested_cpu=1}
# 4-level paging: -cpu max offers LA57, and with 5-level paging an
# interrupt that lands while identify_cpu() has cleared the boot CPU's
# feature bits (before alternatives are patched, pgtable_l5_enabled()
# reads them) makes KASAN take any direct-map address for a wild one:
# a false report in the host's first seconds, seen once (check8).
paging=${RIG_HOST_PAGING-no5lvl}
smp=${RIG_HOST_SMP:-2}
tcg_thread=${RIG_TCG_THREAD:-multi}

set +e
timeout -k 10 "$timeout" qemu-system-x86_64 -accel tcg,thread="$tcg_thread" -smp "$smp" \
	-cpu max -m "$mem" -nographic -nic none -no-reboot \
	-monitor unix:"$tmp/mon.sock",server=on,wait=off \
	-pidfile "$tmp/qemu.pid" -d cpu_reset -D "$logfile.qemu" \
	-kernel "$KIMAGE" -initrd "$tmp/initrd" \
	-append "console=ttyS0 panic=-1 loglevel=7 rig.smp=$smp $tsc $paging $host_workaround $append" < /dev/null 2>&1 |
	if [ $quiet = 1 ]; then
		cat >> "$logfile"
	elif [ "${RIG_SHOW_KERNEL:-0}" = 1 ]; then
		tee -a "$logfile"
	else	# job output only; kernel messages stay in the log
		tee -a "$logfile" | grep --line-buffered -v -E '^.?\[ *[0-9]+\.[0-9]+\] '
	fi
qrc=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - start ))

if [ -f "$tmp/stalled" ]; then
	echo "rig: host hung: $(cat "$tmp/stalled") (vCPU state at the end of $logfile)" >&2
	grep '^rig: host' "$logfile" >&2
	exit 124
fi
if [ -f "$tmp/panicked" ]; then
	echo "rig: host kernel panicked after ${elapsed}s (first report at the end of $logfile's splats)" >&2
	exit 126
fi
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "rig: host timed out after ${timeout}s (console log: $logfile)" >&2
	exit 124
fi
rc=$(tr -d '\r' < "$logfile" | sed -n 's/^@@RIG-EXIT \([0-9]*\)$/\1/p' | tail -1)
if [ -z "$rc" ]; then
	# -no-reboot turns a reset into QEMU's exit: say whether the CPU
	# triple-faulted (no kernel message possible) or the kernel rebooted.
	if grep -q 'Triple fault' "$logfile.qemu" 2>/dev/null; then
		why="a vCPU triple-faulted"
	else
		why="no triple fault logged"
	fi
	echo "rig: host stopped without finishing the job after ${elapsed}s (qemu exit $qrc, $why; console log: $logfile)" >&2
	echo "rig: host reset: $why" >> "$logfile"
	tail -n 15 "$logfile" >&2
	exit 125
fi
log "job finished with status $rc after ${elapsed}s (console log: $logfile)"
exit "$rc"
