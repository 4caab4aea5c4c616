/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attribute table: the last page seen with each (file key, index).
 * Callers serialise access (core.c holds ksm_hint_lock).
 */
#ifndef _MM_KSM_HINT_ATTR_H
#define _MM_KSM_HINT_ATTR_H

#include <linux/list.h>
#include <linux/siphash.h>
#include <linux/types.h>

/* Most entries one bucket chain holds; bounds the compares per lookup. */
#define KSM_HINT_ATTR_CHAIN	8

struct ksm_hint_attr {
	struct hlist_node hnode;
	struct list_head lru;
	u64 file_key;
	u64 index;
	u64 src_id;
	unsigned long addr;
};

struct ksm_hint_attr_table {
	struct ksm_hint_attr *ents;	/* preallocated, size entries */
	struct hlist_head *buckets;
	struct list_head lru;		/* used entries, oldest first */
	struct list_head free;
	unsigned int size;
	unsigned int used;
	unsigned int hash_bits;
	siphash_key_t key;		/* random: guests cannot aim at a chain */
};

int ksm_hint_attr_init(struct ksm_hint_attr_table *t, unsigned int size);
void ksm_hint_attr_free(struct ksm_hint_attr_table *t);
void ksm_hint_attr_replace(struct ksm_hint_attr_table *live,
			   struct ksm_hint_attr_table *fresh);
struct ksm_hint_attr *ksm_hint_attr_lookup(struct ksm_hint_attr_table *t,
					   u64 file_key, u64 index);
void ksm_hint_attr_touch(struct ksm_hint_attr_table *t,
			 struct ksm_hint_attr *a);
void ksm_hint_attr_remove(struct ksm_hint_attr_table *t,
			  struct ksm_hint_attr *a);
struct ksm_hint_attr *ksm_hint_attr_insert(struct ksm_hint_attr_table *t,
					   u64 file_key, u64 index,
					   u64 src_id, unsigned long addr);

#endif /* _MM_KSM_HINT_ATTR_H */
