# SPDX-License-Identifier: GPL-2.0
# In-host job of `make run`: two guests with identical disks read the same
# files; KSM runs on the host; print progress once a second and a summary.
# Argument: how many seconds to watch.
. /rig/guests.sh
secs=${1:-90}
ksm=/sys/kernel/mm/ksm
mode=stock
if [ -w /sys/kernel/mm/ksm_hint/mode ]; then
	mode=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/ksm_hint/mode)
fi
echo "run: starting 2 guests of ${GUEST_MEM} MiB (KSM mode: $mode)"
echo 1 > $ksm/use_zero_pages
# One after the other (see rig/tests/50-nested-smoke.sh).
guest_start 0 && guest_wait 0 && guest_start 1 && guest_wait 1 || exit 1
echo "run: both guests booted and read their disks; starting KSM" \
	"(pages_to_scan=500, sleep_millisecs=20)"
echo 500 > $ksm/pages_to_scan
echo 20 > $ksm/sleep_millisecs
echo 1 > $ksm/run
ksm_progress "$secs" 1
guest_pages=$(( 2 * GUEST_MEM * 256 ))
sharing=$(ksm_stat pages_sharing); shared=$(ksm_stat pages_shared)
echo "run: summary after ${secs}s: pages_shared=$shared pages_sharing=$sharing" \
	"saved=$((sharing * 4 / 1024)) MiB of $((guest_pages * 4 / 1024)) MiB guest RAM" \
	"($(awk -v a="$sharing" -v b="$guest_pages" 'BEGIN {printf "%.1f", 100 * a / b}')%)," \
	"zero pages=$(cat $ksm/ksm_zero_pages 2>/dev/null || echo ?), full_scans=$(ksm_stat full_scans)"
echo 2 > $ksm/run
guest_stop_all
