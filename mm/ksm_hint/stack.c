// SPDX-License-Identifier: GPL-2.0
/*
 * The hint stack (after XLH's hint stack): newest hints are scanned first,
 * because the pages a guest touched last are the ones most likely still
 * to hold the content it reported; when full, the oldest is overwritten so
 * the stack never grows whatever sources send.
 */

#include <linux/minmax.h>
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
 * @src_id: id of the source whose mm @addr is in
 * @addr: page address
 *
 * Return: true when the oldest hint was overwritten to make room.
 */
bool ksm_hint_stack_push(struct ksm_hint_stack *st, u64 src_id,
			 unsigned long addr)
{
	bool overwrote = st->count == st->size;

	st->slots[st->top].src_id = src_id;
	st->slots[st->top].addr = addr;
	st->top = (st->top + 1) % st->size;
	if (!overwrote)
		st->count++;
	return overwrote;
}

/**
 * ksm_hint_stack_pop - take the newest hint
 * @st: the stack
 * @out: where to store the hint
 *
 * Return: false when the stack is empty.
 */
bool ksm_hint_stack_pop(struct ksm_hint_stack *st, struct ksm_hint_slot *out)
{
	if (!st->count)
		return false;
	st->top = (st->top + st->size - 1) % st->size;
	st->count--;
	*out = st->slots[st->top];
	return true;
}

/**
 * ksm_hint_stack_move - carry hints over into a resized stack
 * @dst: an empty stack, already allocated at its new size
 * @src: the old stack; left unchanged, for the caller to free
 *
 * Keeps the newest hints in order: when shrinking, the oldest are lost.
 */
void ksm_hint_stack_move(struct ksm_hint_stack *dst,
			 struct ksm_hint_stack *src)
{
	unsigned int n = min(src->count, dst->size);
	unsigned int i, pos;

	pos = (src->top + src->size - n) % src->size;
	for (i = 0; i < n; i++) {
		dst->slots[i] = src->slots[pos];
		pos = (pos + 1) % src->size;
	}
	dst->top = n % dst->size;
	dst->count = n;
}

#ifdef CONFIG_KSM_HINT_KUNIT_TEST
#include "tests/stack-kunit.h"
#endif
