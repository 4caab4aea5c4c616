# SPDX-License-Identifier: GPL-2.0
# A few upstream KVM selftests: KVM itself works inside the emulated host.
# kvm_pv_test reports by exit status only; fix_hypercall_test prints TAP.
run_exit "kvm kvm_pv_test" 300 /opt/selftests/kvm/x86_64/kvm_pv_test
run_tap "kvm fix_hypercall_test" 300 /opt/selftests/kvm/x86_64/fix_hypercall_test
