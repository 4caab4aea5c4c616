/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ARCH_X86_KVM_PAGE_HINT_H
#define __ARCH_X86_KVM_PAGE_HINT_H

#include <linux/kvm_host.h>
#include <linux/kvm_para.h>

#ifdef CONFIG_KSM_HINT
unsigned long kvm_page_hint_hypercall(struct kvm_vcpu *vcpu, gpa_t gpa,
				      unsigned long nr, unsigned long flags);
int kvm_page_hint_enable_cap(struct kvm *kvm, struct kvm_enable_cap *cap);
void kvm_page_hint_destroy_vm(struct kvm *kvm);
#else
static inline unsigned long kvm_page_hint_hypercall(struct kvm_vcpu *vcpu,
						    gpa_t gpa,
						    unsigned long nr,
						    unsigned long flags)
{
	return -KVM_ENOSYS;
}

static inline int kvm_page_hint_enable_cap(struct kvm *kvm,
					   struct kvm_enable_cap *cap)
{
	return -EINVAL;
}

static inline void kvm_page_hint_destroy_vm(struct kvm *kvm)
{
}
#endif /* CONFIG_KSM_HINT */

#endif /* __ARCH_X86_KVM_PAGE_HINT_H */
