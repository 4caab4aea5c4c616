/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hint stack: a bounded circular LIFO of pages for ksmd to scan.
 * Callers serialise access (core.c holds ksm_hint_lock).
 */
#ifndef _MM_KSM_HINT_STACK_H
#define _MM_KSM_HINT_STACK_H

#include <linux/types.h>

/* One page to scan: which source's mm (by id, never by pointer), where. */
struct ksm_hint_slot {
	u64 src_id;
	unsigned long addr;
};

struct ksm_hint_stack {
	struct ksm_hint_slot *slots;
	unsigned int size;
	unsigned int top;	/* next slot to write */
	unsigned int count;
};

int ksm_hint_stack_init(struct ksm_hint_stack *st, unsigned int size);
void ksm_hint_stack_free(struct ksm_hint_stack *st);
bool ksm_hint_stack_push(struct ksm_hint_stack *st, u64 src_id,
			 unsigned long addr);
bool ksm_hint_stack_pop(struct ksm_hint_stack *st, struct ksm_hint_slot *out);
void ksm_hint_stack_move(struct ksm_hint_stack *dst,
			 struct ksm_hint_stack *src);

#endif /* _MM_KSM_HINT_STACK_H */
