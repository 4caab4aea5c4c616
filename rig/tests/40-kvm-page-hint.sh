# SPDX-License-Identifier: GPL-2.0
# KVM_HC_PAGE_HINT (issue 4): the hypercall's ABI, opt-in and merging of
# hinted pages, then a hostile guest that also prints the hypercall cost.
d=/opt/selftests/kvm/x86_64
# The KVM selftest library needs KVM_GET_TSC_KHZ, which is 0 when the
# emulated host failed to calibrate its TSC (a loaded machine under TCG).
if dmesg | grep -q 'tsc: Unable to calibrate'; then
	echo "note: host TSC not calibrated, KVM selftests will fail;" \
		"boot the host with tsc_early_khz= (rig/vm-run.sh -a)"
fi
RIG_TAP_STRICT=1
run_tap "kvm page_hint_test" 600 $d/page_hint_test
run_tap "kvm page_hint_hostile_test" 900 $d/page_hint_hostile_test -n 20000
