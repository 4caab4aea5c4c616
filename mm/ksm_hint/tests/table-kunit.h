/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of ksmd's checksum hash table for hinted pages; included at
 * the end of mm/ksm.c, whose statics they use.  The rmap_items here are
 * never mapped: only the table's own bookkeeping is exercised.
 */
#ifndef _MM_KSM_HINT_TABLE_KUNIT_H
#define _MM_KSM_HINT_TABLE_KUNIT_H

#include <kunit/test.h>

#include "../core.h"

#define KH_TEST_ITEMS	(3 * KSM_HINT_BUCKET_DEPTH)

static unsigned int kh_test_bucket_depth(unsigned int checksum)
{
	struct ksm_rmap_item *item;
	unsigned int depth = 0;

	hlist_for_each_entry(item, &ksm_hint_table[ksm_hint_bucket(checksum)],
			     hint_node)
		depth++;
	return depth;
}

/* Crafted collisions (one checksum) never make a bucket deeper than 8. */
static void kh_test_table_depth(struct kunit *test)
{
	struct ksm_rmap_item *items;
	unsigned int i, checksum = 0x5eed1234, in = 0;
	long pages;

	items = kunit_kcalloc(test, KH_TEST_ITEMS, sizeof(*items), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, items);
	mutex_lock(&ksm_thread_mutex);
	KUNIT_ASSERT_EQ(test, kh_test_bucket_depth(checksum), 0U);
	pages = ksm_hint_stat_read(KSM_HINT_STAT_TABLE_PAGES);
	for (i = 0; i < KH_TEST_ITEMS; i++) {
		items[i].address = (i + 1) << PAGE_SHIFT;
		ksm_hint_table_add(&items[i], checksum);
		KUNIT_EXPECT_LE(test, kh_test_bucket_depth(checksum),
				(unsigned int)KSM_HINT_BUCKET_DEPTH);
	}
	/* The newest pages stay, the oldest were evicted and unflagged. */
	for (i = 0; i < KH_TEST_ITEMS; i++) {
		bool newest = i >= KH_TEST_ITEMS - KSM_HINT_BUCKET_DEPTH;

		KUNIT_EXPECT_EQ(test, !!(items[i].address & HINT_TABLE_FLAG),
				newest);
		KUNIT_EXPECT_EQ(test, items[i].address & PAGE_MASK,
				(unsigned long)(i + 1) << PAGE_SHIFT);
		in += newest;
	}
	KUNIT_EXPECT_EQ(test, ksm_hint_stat_read(KSM_HINT_STAT_TABLE_PAGES),
			pages + in);
	/* Leaving the table (change, merge, unmerge, exit) goes through
	 * remove_rmap_item_from_tree().
	 */
	for (i = 0; i < KH_TEST_ITEMS; i++)
		remove_rmap_item_from_tree(&items[i]);
	KUNIT_EXPECT_EQ(test, kh_test_bucket_depth(checksum), 0U);
	KUNIT_EXPECT_EQ(test, ksm_hint_stat_read(KSM_HINT_STAT_TABLE_PAGES),
			pages);
	for (i = 0; i < KH_TEST_ITEMS; i++)
		KUNIT_EXPECT_EQ(test, items[i].address,
				(unsigned long)(i + 1) << PAGE_SHIFT);
	mutex_unlock(&ksm_thread_mutex);
}

/* Pages with other checksums share a bucket only by chance, and then
 * count towards the same bound.
 */
static void kh_test_table_spread(struct kunit *test)
{
	struct ksm_rmap_item *items;
	unsigned int i, depth, max = 0;

	items = kunit_kcalloc(test, KH_TEST_ITEMS, sizeof(*items), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, items);
	mutex_lock(&ksm_thread_mutex);
	for (i = 0; i < KH_TEST_ITEMS; i++) {
		items[i].address = (i + 1) << PAGE_SHIFT;
		ksm_hint_table_add(&items[i], i * 2654435761U);
	}
	for (i = 0; i < KH_TEST_ITEMS; i++) {
		/* Distinct checksums: nothing was evicted. */
		KUNIT_EXPECT_TRUE(test, items[i].address & HINT_TABLE_FLAG);
		depth = kh_test_bucket_depth(i * 2654435761U);
		max = max(max, depth);
	}
	KUNIT_EXPECT_LT(test, max, (unsigned int)KSM_HINT_BUCKET_DEPTH);
	for (i = 0; i < KH_TEST_ITEMS; i++)
		remove_rmap_item_from_tree(&items[i]);
	mutex_unlock(&ksm_thread_mutex);
}

static struct kunit_case ksm_hint_table_test_cases[] = {
	KUNIT_CASE(kh_test_table_depth),
	KUNIT_CASE(kh_test_table_spread),
	{},
};

static struct kunit_suite ksm_hint_table_test_suite = {
	.name = "ksm_hint_table",
	.test_cases = ksm_hint_table_test_cases,
};

kunit_test_suite(ksm_hint_table_test_suite);

#endif /* _MM_KSM_HINT_TABLE_KUNIT_H */
