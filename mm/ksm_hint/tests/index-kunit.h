/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of the per-mm_slot address index of rmap_items that the hint
 * path looks items up in; included at the end of mm/ksm.c, whose statics
 * they use.  The rmap_items are never mapped: only the rmap_list and its
 * index are exercised, through the functions that link and unlink items
 * (the hint path's lookup, the linear scan's get_next_rmap_item() and
 * remove_trailing_rmap_items()).
 */
#ifndef _MM_KSM_HINT_INDEX_KUNIT_H
#define _MM_KSM_HINT_INDEX_KUNIT_H

#include <kunit/test.h>

#define KH_TEST_INDEX_ITEMS	2048

/* The list is sorted and the index holds exactly the items on it. */
static void kh_test_index_check(struct kunit *test,
				struct ksm_mm_slot *mm_slot,
				unsigned long expect)
{
	unsigned long n = 0, in_index = 0, prev = 0, index = 0;
	struct ksm_rmap_item *item, *entry, *found;

	for (item = mm_slot->rmap_list; item; item = item->rmap_list) {
		unsigned long addr = item->address & PAGE_MASK;

		KUNIT_EXPECT_TRUE(test, !n || addr > prev);
		prev = addr;
		n++;
		if (!mm_slot->hint_indexed)
			continue;
		found = mtree_load(&mm_slot->hint_index, addr >> PAGE_SHIFT);
		KUNIT_EXPECT_PTR_EQ(test, item, found);
	}
	KUNIT_EXPECT_EQ(test, n, expect);
	if (!mm_slot->hint_indexed)
		return;
	mt_for_each(&mm_slot->hint_index, entry, index, ULONG_MAX)
		in_index++;
	KUNIT_EXPECT_EQ(test, in_index, n);
}

static void kh_test_index(struct kunit *test)
{
	struct ksm_rmap_item **link, *item;
	struct ksm_mm_slot *mm_slot;
	struct mm_struct *mm;
	unsigned long i, addr, kept;

	mm = kunit_kzalloc(test, sizeof(*mm), GFP_KERNEL);
	mm_slot = kunit_kzalloc(test, sizeof(*mm_slot), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mm);
	KUNIT_ASSERT_NOT_NULL(test, mm_slot);
	mm_slot->slot.mm = mm;
	mutex_lock(&ksm_thread_mutex);

	/* A linear scan builds a list of every other page, unindexed. */
	link = &mm_slot->rmap_list;
	for (i = 0; i < KH_TEST_INDEX_ITEMS; i += 2) {
		item = get_next_rmap_item(mm_slot, link, i << PAGE_SHIFT);
		KUNIT_ASSERT_NOT_NULL(test, item);
		link = &item->rmap_list;
	}
	KUNIT_EXPECT_FALSE(test, mm_slot->hint_indexed);

	/* Hints in a scattered order: the first one indexes the list. */
	for (i = 0; i < KH_TEST_INDEX_ITEMS; i++) {
		addr = ((i * 1237) % KH_TEST_INDEX_ITEMS) << PAGE_SHIFT;
		item = ksm_hint_get_rmap_item(mm_slot, addr);
		KUNIT_ASSERT_NOT_NULL(test, item);
		KUNIT_EXPECT_EQ(test, item->address & PAGE_MASK, addr);
		/* Asked again, the same item. */
		KUNIT_EXPECT_PTR_EQ(test, item,
				    ksm_hint_get_rmap_item(mm_slot, addr));
	}
	KUNIT_EXPECT_TRUE(test, mm_slot->hint_indexed);
	kh_test_index_check(test, mm_slot, KH_TEST_INDEX_ITEMS);
	KUNIT_EXPECT_EQ(test, mm->ksm_rmap_items,
			(unsigned long)KH_TEST_INDEX_ITEMS);

	/*
	 * A linear scan that finds only every fourth page mapped frees the
	 * items it passes over; the index must let go of them too.
	 */
	link = &mm_slot->rmap_list;
	for (i = 0; i < KH_TEST_INDEX_ITEMS / 2; i += 4) {
		item = get_next_rmap_item(mm_slot, link, i << PAGE_SHIFT);
		KUNIT_ASSERT_NOT_NULL(test, item);
		link = &item->rmap_list;
	}
	kept = KH_TEST_INDEX_ITEMS / 8;
	/* Its end of the mm: the rest of the list goes. */
	remove_trailing_rmap_items(mm_slot, link);
	kh_test_index_check(test, mm_slot, kept);

	/* Hints in the freed range and past the end insert in order. */
	for (i = 1; i < KH_TEST_INDEX_ITEMS; i += 64) {
		item = ksm_hint_get_rmap_item(mm_slot, i << PAGE_SHIFT);
		KUNIT_ASSERT_NOT_NULL(test, item);
		kept++;	/* odd pages: none of them is on the list */
	}
	kh_test_index_check(test, mm_slot, kept);

	/* From the head (unmerge, exit): the list and its index go. */
	remove_trailing_rmap_items(mm_slot, &mm_slot->rmap_list);
	KUNIT_EXPECT_FALSE(test, mm_slot->hint_indexed);
	KUNIT_EXPECT_NULL(test, mm_slot->rmap_list);
	KUNIT_EXPECT_EQ(test, mm->ksm_rmap_items, 0UL);
	mutex_unlock(&ksm_thread_mutex);
}

static struct kunit_case ksm_hint_index_test_cases[] = {
	KUNIT_CASE(kh_test_index),
	{},
};

static struct kunit_suite ksm_hint_index_test_suite = {
	.name = "ksm_hint_index",
	.test_cases = ksm_hint_index_test_cases,
};

kunit_test_suite(ksm_hint_index_test_suite);

#endif /* _MM_KSM_HINT_INDEX_KUNIT_H */
