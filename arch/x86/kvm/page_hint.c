// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_HC_PAGE_HINT: a guest names page cache pages by (file key, index) so
 * that ksmd scans the pages most likely to be duplicates first.
 *
 * KVM's part is small: check that the VM opted in, read and validate the
 * batch, translate each gfn to a host address in one of the VM's own user
 * memslots and hand the result to the VM's hint source (mm/ksm_hint/core.c).
 * A guest can thus only point the host at its own memory, and the work per
 * hypercall is bounded by one page of entries.
 */

#include <linux/kvm_host.h>
#include <linux/kvm_page_hint.h>
#include <linux/ksm_hint.h>
#include <linux/minmax.h>

#include "page_hint.h"

#define PAGE_HINT_ENTRY_SIZE	sizeof(struct kvm_page_hint_entry)
#define PAGE_HINT_MAX_ENTRIES	(PAGE_SIZE / PAGE_HINT_ENTRY_SIZE)
/* Entries handled per step; keeps the stack use of a hypercall small. */
#define PAGE_HINT_CHUNK		8

static_assert(PAGE_HINT_ENTRY_SIZE == 32);

/* kvm->arch.page_hint_src of a VM whose VMM turned hinting off. */
#define PAGE_HINT_OFF	((struct ksm_hint_source *)1UL)

/*
 * Install a hint source for @kvm unless one is there.  Sources and the
 * "off" mark are published with cmpxchg(), so a vCPU's first hint and the
 * VMM's KVM_ENABLE_CAP can race.  Only the VMM (@by_vmm) may replace its
 * own "off".  Returns the VM's source, NULL if hinting is off, or an
 * ERR_PTR() when no source could be made.
 */
static struct ksm_hint_source *kvm_page_hint_install(struct kvm *kvm,
						     bool by_vmm)
{
	struct ksm_hint_source **slot = &kvm->arch.page_hint_src;
	struct ksm_hint_source *src, *old;

	src = ksm_hint_source_create(kvm->mm, kvm->stats_id);
	if (IS_ERR(src))
		return src;
	old = cmpxchg(slot, NULL, src);
	if (old == PAGE_HINT_OFF && by_vmm) {
		old = cmpxchg(slot, PAGE_HINT_OFF, src);
		if (old == PAGE_HINT_OFF)
			old = NULL;
	}
	if (!old)
		return src;
	/* Someone else won: keep theirs. */
	ksm_hint_source_destroy(src);
	return old == PAGE_HINT_OFF ? NULL : old;
}

/*
 * The VM's hint source, NULL when hinting is off for it (or for the whole
 * host: ksm_hint mode off), or an ERR_PTR() when it could not be made (no
 * memory: worth trying again later).  VMs whose VMM does not know
 * KVM_CAP_PAGE_HINT get one on their first hint when the host default
 * (/sys/kernel/mm/ksm_hint/vm_default) says so; the hypercall path may
 * sleep, so creating it here is fine.
 */
static struct ksm_hint_source *kvm_page_hint_source(struct kvm *kvm)
{
	/* Pairs with the cmpxchg() that published the source. */
	struct ksm_hint_source *src = smp_load_acquire(&kvm->arch.page_hint_src);

	if (src == PAGE_HINT_OFF || !ksm_hint_enabled())
		return NULL;
	if (src || !ksm_hint_vm_default())
		return src;
	return kvm_page_hint_install(kvm, false);
}

/* Only the guest's own RAM: no KVM-internal slots, no private memory. */
static unsigned long kvm_page_hint_gfn_to_hva(struct kvm_vcpu *vcpu, u64 gfn)
{
	struct kvm_memory_slot *slot = kvm_vcpu_gfn_to_memslot(vcpu, gfn);

	if (!kvm_is_visible_memslot(slot))
		return KVM_HVA_ERR_BAD;
	if (kvm_slot_can_be_private(slot) && kvm_mem_is_private(vcpu->kvm, gfn))
		return KVM_HVA_ERR_BAD;
	return gfn_to_hva_memslot(slot, gfn);
}

static bool kvm_page_hint_kind_valid(u32 kind)
{
	return kind >= KVM_PAGE_HINT_KIND_READ &&
	       kind <= KVM_PAGE_HINT_KIND_ZERO;
}

/**
 * kvm_page_hint_hypercall - handle KVM_HC_PAGE_HINT
 * @vcpu: the calling vCPU, with kvm->srcu held
 * @gpa: guest physical address of the batch (a0)
 * @nr: number of entries in the batch (a1)
 * @flags: must be 0 (a2)
 *
 * Entries naming a gfn outside the VM's user memslots, an unknown kind or
 * a non-zero reserved field are skipped and counted in hints_rejected.
 *
 * Return: r >= 0 when entries [0, r) were consumed, each accepted or
 * skipped as bad; r < @nr when the VM's hint rate limit ran out, when the
 * host had no memory to set up hinting for the VM (r = 0), or when the
 * batch became unreadable after its first chunk; entries [r, @nr) were
 * then not looked at (the guest may send them again later).  -KVM_ENOSYS
 * when hinting is off for the VM or the host's ksm_hint mode is off,
 * -KVM_EINVAL for bad @flags, @nr or alignment and -KVM_EFAULT when
 * nothing of the batch could be read.
 */
unsigned long kvm_page_hint_hypercall(struct kvm_vcpu *vcpu, gpa_t gpa,
				      unsigned long nr, unsigned long flags)
{
	struct kvm_page_hint_entry gents[PAGE_HINT_CHUNK];
	struct ksm_hint_entry hents[PAGE_HINT_CHUNK];
	struct ksm_hint_source *src;
	unsigned int i, n, done, acc;

	src = kvm_page_hint_source(vcpu->kvm);
	if (!src)
		return -KVM_ENOSYS;

	if (flags || !nr || nr > PAGE_HINT_MAX_ENTRIES ||
	    !IS_ALIGNED(gpa, 8) ||
	    offset_in_page(gpa) + nr * PAGE_HINT_ENTRY_SIZE > PAGE_SIZE)
		return -KVM_EINVAL;
	/* No memory for a source yet: -KVM_ENOSYS would stop the guest. */
	if (IS_ERR(src))
		return 0;

	for (done = 0; done < nr; done += n) {
		n = min_t(unsigned int, nr - done, PAGE_HINT_CHUNK);
		/*
		 * The batch lies in one page, so only the first read can fail
		 * unless the VMM changes the mapping under the guest's feet.
		 */
		if (kvm_vcpu_read_guest(vcpu, gpa + done * PAGE_HINT_ENTRY_SIZE,
					gents, n * PAGE_HINT_ENTRY_SIZE)) {
			/* Entries [0, done) were submitted: say so. */
			if (done)
				return done;
			return -KVM_EFAULT;
		}
		for (i = 0; i < n; i++) {
			const struct kvm_page_hint_entry *g = &gents[i];
			struct ksm_hint_entry *h = &hents[i];

			h->addr = kvm_page_hint_gfn_to_hva(vcpu, g->gfn);
			h->file_key = g->file_key;
			h->index = g->index;
			h->kind = g->kind;
			/* The core skips and counts what is marked invalid. */
			if (g->reserved || !kvm_page_hint_kind_valid(g->kind) ||
			    kvm_is_error_hva(h->addr))
				h->kind = KSM_HINT_KIND_INVALID;
		}
		acc = ksm_hint_submit(src, hents, n);
		if (acc < n) {
			/* Rate limited: the rest counts as such, unread. */
			ksm_hint_note_rate_limited(src, nr - done - n);
			return done + acc;
		}
	}
	return nr;
}

/**
 * kvm_page_hint_enable_cap - KVM_ENABLE_CAP(KVM_CAP_PAGE_HINT) on a VM
 * @kvm: the VM
 * @cap: args[0] is 1 to turn hinting on, 0 to keep it off whatever
 *	/sys/kernel/mm/ksm_hint/vm_default says
 *
 * Hinting that is on stays on until the VM is destroyed.
 *
 * Return: 0 on success, -EINVAL for bad arguments, -EBUSY for 0 when
 * hinting is on already, or the error from creating the VM's hint source.
 */
int kvm_page_hint_enable_cap(struct kvm *kvm, struct kvm_enable_cap *cap)
{
	struct ksm_hint_source *src;

	switch (cap->args[0]) {
	case 0:
		src = cmpxchg(&kvm->arch.page_hint_src, NULL, PAGE_HINT_OFF);
		return !src || src == PAGE_HINT_OFF ? 0 : -EBUSY;
	case 1:
		/* On already: nothing to do, and nothing dereferenced. */
		src = READ_ONCE(kvm->arch.page_hint_src);
		if (src && src != PAGE_HINT_OFF)
			return 0;
		return PTR_ERR_OR_ZERO(kvm_page_hint_install(kvm, true));
	default:
		return -EINVAL;
	}
}

/**
 * kvm_page_hint_destroy_vm - drop the VM's hint source and pending hints
 * @kvm: the VM, whose vCPUs are gone already
 */
void kvm_page_hint_destroy_vm(struct kvm *kvm)
{
	if (kvm->arch.page_hint_src != PAGE_HINT_OFF)
		ksm_hint_source_destroy(kvm->arch.page_hint_src);
	kvm->arch.page_hint_src = NULL;
}
