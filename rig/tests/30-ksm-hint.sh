# SPDX-License-Identifier: GPL-2.0
# ksm_hint selftests (tools/testing/selftests/ksm_hint) inside the host:
# the functional TAP test in mode hint and in mode hybrid (hint batches
# interleaved with KSM's linear scan), then the hint-vs-stock benchmark
# and its scale mode at 64 MiB (ksmd time per hinted page, beside stock
# KSM's time per linear-scan page visit in the same boot), which only
# report numbers (they pass when they run to the end and every hinted
# pair merged).
d=/opt/selftests/ksm_hint
mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
RIG_TAP_STRICT=1
run_tap "ksm_hint_test" 600 $d/ksm_hint_test hint
run_tap "ksm_hint_test (mode=hybrid)" 600 $d/ksm_hint_test hybrid
run_exit "ksm_hint_bench" 600 $d/ksm_hint_bench -n 8192 -p 64 -s 100 -m 20 -t 120
# 64 MiB only: the larger sizes, where a cost that grows with the area
# shows, are `make bench-scale` (the 512 MiB run took 129 s here).
run_exit "ksm_hint_bench scale 64 MiB" 900 \
	$d/ksm_hint_bench -A 64 -p 500 -s 100 -m 20 -t 300
# The benchmark's measuring tool against processes of known content:
# pagemap counts, zero pages, content oracle, and saved = pages_sharing
# once KSM (mode off) has merged them.  Its KSM part wants KSM stopped
# with nothing merged: unmerge what the runs above left, then stop.
echo 2 > /sys/kernel/mm/ksm/run
echo 0 > /sys/kernel/mm/ksm/run
run_tap "ksm_hint_vmstat_test" 600 $d/ksm_hint_vmstat_test -n 32
