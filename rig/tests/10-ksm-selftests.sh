# SPDX-License-Identifier: GPL-2.0
# Upstream KSM selftests from the same tree: the baseline that must keep
# passing whatever ksm_hint mode is set.
#
# ksm_functional_tests runs once, in mode hybrid: with no hints pending,
# hybrid runs KSM's linear scan on every batch, i.e. the code of mode off
# plus the hint path's bookkeeping (address index, table skip), so it
# covers both.  The suite took 250 s under TCG: its range_maps_duplicates()
# read pagemap once per pair of pages (131,072 reads for a 2 MiB area,
# five times), which patch 0005 makes once per page.  ksm_tests -M, which
# takes under a second, runs in both modes.
d=/opt/selftests/mm
run_exit "ksm_tests -M" 600 $d/ksm_tests -M
if [ -w /sys/kernel/mm/ksm_hint/mode ]; then
	echo hybrid > /sys/kernel/mm/ksm_hint/mode
	run_tap "ksm_functional_tests (mode=hybrid)" 600 $d/ksm_functional_tests
	run_exit "ksm_tests -M (mode=hybrid)" 600 $d/ksm_tests -M
	echo off > /sys/kernel/mm/ksm_hint/mode
else
	run_tap "ksm_functional_tests" 600 $d/ksm_functional_tests
fi
