# SPDX-License-Identifier: GPL-2.0
# Upstream KSM selftests from the same tree: the baseline that must keep
# passing whatever ksm_hint mode is set.
d=/opt/selftests/mm
run_tap "ksm_functional_tests" 600 $d/ksm_functional_tests
run_exit "ksm_tests -M" 600 $d/ksm_tests -M
if [ -w /sys/kernel/mm/ksm_hint/mode ]; then
	echo hybrid > /sys/kernel/mm/ksm_hint/mode
	run_tap "ksm_functional_tests (mode=hybrid)" 600 $d/ksm_functional_tests
	run_exit "ksm_tests -M (mode=hybrid)" 600 $d/ksm_tests -M
	echo off > /sys/kernel/mm/ksm_hint/mode
fi
