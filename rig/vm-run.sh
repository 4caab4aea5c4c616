#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the patched kernel as the KVM host under QEMU TCG (-cpu max exposes
# SVM, so kvm_amd inside runs nested guests), run a job script inside it,
# stream the console to a log file, enforce a timeout, and exit with the
# job's exit status (124 on timeout, 125 when the host died without one).
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
set +e
timeout -k 10 "$timeout" qemu-system-x86_64 -accel tcg,thread=multi -smp 2 \
	-cpu max -m "$mem" -nographic -nic none -no-reboot \
	-kernel "$KIMAGE" -initrd "$tmp/initrd" \
	-append "console=ttyS0 panic=-1 loglevel=7 $tsc $append" < /dev/null 2>&1 |
	if [ $quiet = 1 ]; then
		cat > "$logfile"
	elif [ "${RIG_SHOW_KERNEL:-0}" = 1 ]; then
		tee "$logfile"
	else	# job output only; kernel messages stay in the log
		tee "$logfile" | grep --line-buffered -v -E '^.?\[ *[0-9]+\.[0-9]+\] '
	fi
qrc=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - start ))

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "rig: host timed out after ${timeout}s (console log: $logfile)" >&2
	exit 124
fi
rc=$(tr -d '\r' < "$logfile" | sed -n 's/^@@RIG-EXIT \([0-9]*\)$/\1/p' | tail -1)
if [ -z "$rc" ]; then
	echo "rig: host stopped without finishing the job after ${elapsed}s (qemu exit $qrc; console log: $logfile)" >&2
	tail -n 15 "$logfile" >&2
	exit 125
fi
log "job finished with status $rc after ${elapsed}s (console log: $logfile)"
exit "$rc"
