/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hint stack: a bounded circular LIFO of pages for ksmd to scan, one per
 * hint source.
 * Callers serialise access (core.c holds ksm_hint_lock).
 */
#ifndef _MM_KSM_HINT_STACK_H
#define _MM_KSM_HINT_STACK_H

#include <linux/types.h>

/*
 * One stack per hint source: a slot is a page address in the source's mm,
 * page aligned, with KSM_HINT_POP_* flags in the low bits.
 */
struct ksm_hint_stack {
	unsigned long *slots;
	unsigned int size;
	unsigned int top;	/* next slot to write */
	unsigned int count;
};

int ksm_hint_stack_init(struct ksm_hint_stack *st, unsigned int size);
void ksm_hint_stack_free(struct ksm_hint_stack *st);
bool ksm_hint_stack_push(struct ksm_hint_stack *st, unsigned long addr);
bool ksm_hint_stack_pop(struct ksm_hint_stack *st, unsigned long *addr);

#endif /* _MM_KSM_HINT_STACK_H */
