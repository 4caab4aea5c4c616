// SPDX-License-Identifier: GPL-2.0
/*
 * The attribute table.  All entries are allocated up front, so hints can
 * be taken on a vCPU exit without allocating, and the table can never
 * grow: when it is full the least recently used attribute is evicted.
 *
 * Guests choose both halves of the key, so the bucket is a keyed hash
 * (siphash with a random per-table key): without the key they cannot aim
 * attributes at one chain.  A chain is capped at KSM_HINT_ATTR_CHAIN all
 * the same, evicting its oldest entry, so a lookup under the spinlock that
 * vCPU exits take never compares more entries than that.
 */

#include <linux/log2.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>

#include "attr.h"

/**
 * ksm_hint_attr_init - allocate an empty attribute table
 * @t: the table to set up
 * @size: number of entries, at least one
 *
 * Each table gets its own random siphash key for its buckets.
 *
 * May sleep.
 *
 * Return: 0, or -ENOMEM.
 */
int ksm_hint_attr_init(struct ksm_hint_attr_table *t, unsigned int size)
{
	unsigned int i;

	t->hash_bits = ilog2(roundup_pow_of_two(size));
	t->ents = kvcalloc(size, sizeof(*t->ents), GFP_KERNEL);
	t->buckets = kvcalloc(1U << t->hash_bits, sizeof(*t->buckets),
			      GFP_KERNEL);
	if (!t->ents || !t->buckets) {
		ksm_hint_attr_free(t);
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&t->lru);
	INIT_LIST_HEAD(&t->free);
	for (i = 0; i < size; i++)
		list_add_tail(&t->ents[i].lru, &t->free);
	t->size = size;
	t->used = 0;
	get_random_bytes(&t->key, sizeof(t->key));
	return 0;
}

/**
 * ksm_hint_attr_free - free an attribute table's memory
 * @t: the table
 */
void ksm_hint_attr_free(struct ksm_hint_attr_table *t)
{
	kvfree(t->ents);
	kvfree(t->buckets);
	t->ents = NULL;
	t->buckets = NULL;
}

/**
 * ksm_hint_attr_replace - put an empty table in place of a live one
 * @live: the table in use
 * @fresh: an empty table from ksm_hint_attr_init(); on return it holds the
 *	old table, good only for ksm_hint_attr_free()
 *
 * Attributes are only hints, so a resize starts empty rather than rehash
 * under the lock that vCPU exits wait for.  The list heads live inside the
 * struct, so they are rebuilt rather than copied.
 */
void ksm_hint_attr_replace(struct ksm_hint_attr_table *live,
			   struct ksm_hint_attr_table *fresh)
{
	struct ksm_hint_attr_table old = *live;

	*live = *fresh;
	INIT_LIST_HEAD(&live->lru);
	INIT_LIST_HEAD(&live->free);
	list_splice_init(&fresh->free, &live->free);
	*fresh = old;
}

static struct hlist_head *ksm_hint_attr_bucket(struct ksm_hint_attr_table *t,
					       u64 file_key, u64 index)
{
	u64 h = siphash_2u64(file_key, index, &t->key);

	return &t->buckets[h & ((1ULL << t->hash_bits) - 1)];
}

/**
 * ksm_hint_attr_lookup - find an attribute
 * @t: the table
 * @file_key: file key of the attribute
 * @index: page index of the attribute
 *
 * Return: the entry, or NULL.
 */
struct ksm_hint_attr *ksm_hint_attr_lookup(struct ksm_hint_attr_table *t,
					   u64 file_key, u64 index)
{
	struct ksm_hint_attr *a;

	hlist_for_each_entry(a, ksm_hint_attr_bucket(t, file_key, index), hnode)
		if (a->file_key == file_key && a->index == index)
			return a;
	return NULL;
}

/**
 * ksm_hint_attr_touch - mark an attribute as the most recently used
 * @t: the table
 * @a: an entry of @t
 */
void ksm_hint_attr_touch(struct ksm_hint_attr_table *t,
			 struct ksm_hint_attr *a)
{
	list_move_tail(&a->lru, &t->lru);
}

/**
 * ksm_hint_attr_remove - forget an attribute
 * @t: the table
 * @a: an entry of @t
 */
void ksm_hint_attr_remove(struct ksm_hint_attr_table *t,
			  struct ksm_hint_attr *a)
{
	hlist_del(&a->hnode);
	list_move(&a->lru, &t->free);
	t->used--;
}

/**
 * ksm_hint_attr_insert - add an attribute, evicting the LRU one when full
 * @t: the table
 * @file_key: file key of the attribute
 * @index: page index of the attribute
 * @src_id: id of the source that holds the page
 * @addr: the page's address in that source's mm
 *
 * The caller has checked that the attribute is not in @t yet.  A full
 * chain gives up its oldest entry (entries are added at the head), so
 * chains never exceed KSM_HINT_ATTR_CHAIN entries.
 *
 * Return: the new entry.
 */
struct ksm_hint_attr *ksm_hint_attr_insert(struct ksm_hint_attr_table *t,
					   u64 file_key, u64 index,
					   u64 src_id, unsigned long addr)
{
	struct hlist_head *bucket = ksm_hint_attr_bucket(t, file_key, index);
	struct ksm_hint_attr *a, *last = NULL;
	unsigned int depth = 0;

	hlist_for_each_entry(a, bucket, hnode) {
		last = a;
		depth++;
	}
	if (depth >= KSM_HINT_ATTR_CHAIN)
		ksm_hint_attr_remove(t, last);
	if (list_empty(&t->free))
		ksm_hint_attr_remove(t, list_first_entry(&t->lru,
							 struct ksm_hint_attr,
							 lru));
	a = list_first_entry(&t->free, struct ksm_hint_attr, lru);
	a->file_key = file_key;
	a->index = index;
	a->src_id = src_id;
	a->addr = addr;
	hlist_add_head(&a->hnode, bucket);
	list_move_tail(&a->lru, &t->lru);
	t->used++;
	return a;
}

#ifdef CONFIG_KSM_HINT_KUNIT_TEST
#include "tests/attr-kunit.h"
#endif
