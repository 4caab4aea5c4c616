# SPDX-License-Identifier: GPL-2.0
# A few upstream KVM selftests: KVM itself works inside the emulated host.
for t in kvm_pv_test fix_hypercall_test; do
	run_tap "kvm $t" 300 /opt/selftests/kvm/x86_64/$t
done
