// SPDX-License-Identifier: GPL-2.0
/*
 * The hint stack (after XLH's hint stack): newest hints are scanned first,
 * because the pages a guest touched last are the ones most likely still
 * to hold the content it reported; when full, the oldest is overwritten so
 * the stack never grows whatever sources send.
 */

#include <linux/slab.h>

#include "stack.h"

/**
 * ksm_hint_stack_init - allocate an empty hint stack
 * @st: the stack to set up
 * @size: number of slots, at least one
 *
 * May sleep.
 *
 * Return: 0, or -ENOMEM.
 */
int ksm_hint_stack_init(struct ksm_hint_stack *st, unsigned int size)
{
	st->slots = kvcalloc(size, sizeof(*st->slots), GFP_KERNEL);
	if (!st->slots)
		return -ENOMEM;
	st->size = size;
	st->top = 0;
	st->count = 0;
	return 0;
}

/**
 * ksm_hint_stack_free - free the slots of a hint stack
 * @st: a stack set up by ksm_hint_stack_init(), or with NULL slots
 */
void ksm_hint_stack_free(struct ksm_hint_stack *st)
{
	kvfree(st->slots);
	st->slots = NULL;
}

/**
 * ksm_hint_stack_push - push a hint, overwriting the oldest when full
 * @st: the stack
 * @addr: page address, with KSM_HINT_POP_* flags in its low bits
 *
 * Return: true when the oldest hint was overwritten to make room.
 */
bool ksm_hint_stack_push(struct ksm_hint_stack *st, unsigned long addr)
{
	bool overwrote = st->count == st->size;

	st->slots[st->top] = addr;
	st->top = (st->top + 1) % st->size;
	if (!overwrote)
		st->count++;
	return overwrote;
}

/**
 * ksm_hint_stack_pop - take the newest hint
 * @st: the stack
 * @addr: where to store the hint
 *
 * Return: false when the stack is empty.
 */
bool ksm_hint_stack_pop(struct ksm_hint_stack *st, unsigned long *addr)
{
	if (!st->count)
		return false;
	st->top = (st->top + st->size - 1) % st->size;
	st->count--;
	*addr = st->slots[st->top];
	return true;
}

#ifdef CONFIG_KSM_HINT_KUNIT_TEST
#include "tests/stack-kunit.h"
#endif
