# SPDX-License-Identifier: GPL-2.0
# Upstream KSM selftests from the same tree: the baseline that must keep
# passing whatever ksm_hint mode is set.
d=/opt/selftests/mm
ksm=/sys/kernel/mm/ksm
# Each test waits for two full scans of its 2 MiB area: with the default
# batch of 100 pages a scan takes several sleeps, and the suite took 251 s
# under TCG.  A batch of 1000 pages scans the area in one.
p0=$(cat $ksm/pages_to_scan)
echo 1000 > $ksm/pages_to_scan
run_tap "ksm_functional_tests" 600 $d/ksm_functional_tests
run_exit "ksm_tests -M" 600 $d/ksm_tests -M
if [ -w /sys/kernel/mm/ksm_hint/mode ]; then
	echo hybrid > /sys/kernel/mm/ksm_hint/mode
	run_tap "ksm_functional_tests (mode=hybrid)" 600 $d/ksm_functional_tests
	run_exit "ksm_tests -M (mode=hybrid)" 600 $d/ksm_tests -M
	echo off > /sys/kernel/mm/ksm_hint/mode
fi
echo "$p0" > $ksm/pages_to_scan
