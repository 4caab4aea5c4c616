/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of the attribute table; included at the end of
 * mm/ksm_hint/attr.c.
 */
#ifndef _MM_KSM_HINT_ATTR_KUNIT_H
#define _MM_KSM_HINT_ATTR_KUNIT_H

#include <kunit/test.h>

static void kh_test_attr_lookup_evict(struct kunit *test)
{
	struct ksm_hint_attr_table t;
	struct ksm_hint_attr *a;
	u64 i;

	KUNIT_ASSERT_EQ(test, ksm_hint_attr_init(&t, 16), 0);
	KUNIT_EXPECT_NULL(test, ksm_hint_attr_lookup(&t, 1, 1));
	for (i = 0; i < 16; i++)
		ksm_hint_attr_insert(&t, 100, i, 1, i << PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, t.used, 16U);
	/* Touch index 0 so that it is not the least recently used. */
	a = ksm_hint_attr_lookup(&t, 100, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	ksm_hint_attr_touch(&t, a);
	/* Full: a new attribute evicts the LRU one (index 1), never grows. */
	ksm_hint_attr_insert(&t, 200, 0, 2, 0);
	KUNIT_EXPECT_EQ(test, t.used, 16U);
	KUNIT_EXPECT_NULL(test, ksm_hint_attr_lookup(&t, 100, 1));
	KUNIT_EXPECT_NOT_NULL(test, ksm_hint_attr_lookup(&t, 100, 0));
	KUNIT_EXPECT_NOT_NULL(test, ksm_hint_attr_lookup(&t, 200, 0));
	/* Same index, other file: a different attribute. */
	KUNIT_EXPECT_NULL(test, ksm_hint_attr_lookup(&t, 201, 0));
	a = ksm_hint_attr_lookup(&t, 200, 0);
	ksm_hint_attr_remove(&t, a);
	KUNIT_EXPECT_EQ(test, t.used, 15U);
	KUNIT_EXPECT_NULL(test, ksm_hint_attr_lookup(&t, 200, 0));
	ksm_hint_attr_free(&t);
}

static void kh_test_attr_flood(struct kunit *test)
{
	struct ksm_hint_attr_table t;
	u64 i;

	KUNIT_ASSERT_EQ(test, ksm_hint_attr_init(&t, 64), 0);
	for (i = 0; i < 100000; i++) {
		if (!ksm_hint_attr_lookup(&t, i * 7919, i))
			ksm_hint_attr_insert(&t, i * 7919, i, 1, 0);
	}
	KUNIT_EXPECT_EQ(test, t.used, 64U);
	/* The newest 64 survive. */
	KUNIT_EXPECT_NOT_NULL(test, ksm_hint_attr_lookup(&t, 99999ULL * 7919, 99999));
	KUNIT_EXPECT_NULL(test, ksm_hint_attr_lookup(&t, 0, 0));
	ksm_hint_attr_free(&t);
}

/* Even if a guest found colliding keys, a chain holds at most 8 entries. */
static void kh_test_attr_chain_cap(struct kunit *test)
{
	struct ksm_hint_attr_table t;
	struct ksm_hint_attr *a;
	unsigned int b, depth, used = 0;
	u64 i;

	KUNIT_ASSERT_EQ(test, ksm_hint_attr_init(&t, 64), 0);
	/* Two buckets for 64 entries: every insert lands in a long chain. */
	t.hash_bits = 1;
	for (i = 0; i < 64; i++) {
		ksm_hint_attr_insert(&t, 300, i, 1, 0);
		KUNIT_EXPECT_NOT_NULL(test, ksm_hint_attr_lookup(&t, 300, i));
	}
	for (b = 0; b < 2; b++) {
		depth = 0;
		hlist_for_each_entry(a, &t.buckets[b], hnode)
			depth++;
		KUNIT_EXPECT_LE(test, depth, (unsigned int)KSM_HINT_ATTR_CHAIN);
		used += depth;
	}
	/* The count and the free list agree with what the chains hold. */
	KUNIT_EXPECT_EQ(test, t.used, used);
	KUNIT_EXPECT_EQ(test, list_count_nodes(&t.free), (size_t)(64 - used));
	ksm_hint_attr_free(&t);
}

static void kh_test_attr_replace(struct kunit *test)
{
	struct ksm_hint_attr_table live, fresh;
	u64 i;

	KUNIT_ASSERT_EQ(test, ksm_hint_attr_init(&live, 16), 0);
	for (i = 0; i < 3; i++)
		ksm_hint_attr_insert(&live, 5, i, 1, 0);
	KUNIT_ASSERT_EQ(test, ksm_hint_attr_init(&fresh, 32), 0);
	ksm_hint_attr_replace(&live, &fresh);
	/* The live table is the new, empty one, with working lists. */
	KUNIT_EXPECT_EQ(test, live.size, 32U);
	KUNIT_EXPECT_EQ(test, live.used, 0U);
	KUNIT_EXPECT_NULL(test, ksm_hint_attr_lookup(&live, 5, 0));
	for (i = 0; i < 40; i++)
		ksm_hint_attr_insert(&live, 6, i, 1, 0);
	KUNIT_EXPECT_EQ(test, live.used, 32U);
	KUNIT_EXPECT_NOT_NULL(test, ksm_hint_attr_lookup(&live, 6, 39));
	/* The old one came back for freeing. */
	KUNIT_EXPECT_EQ(test, fresh.size, 16U);
	ksm_hint_attr_free(&fresh);
	ksm_hint_attr_free(&live);
}

static struct kunit_case ksm_hint_attr_test_cases[] = {
	KUNIT_CASE(kh_test_attr_lookup_evict),
	KUNIT_CASE(kh_test_attr_flood),
	KUNIT_CASE(kh_test_attr_chain_cap),
	KUNIT_CASE(kh_test_attr_replace),
	{},
};

static struct kunit_suite ksm_hint_attr_test_suite = {
	.name = "ksm_hint_attr",
	.test_cases = ksm_hint_attr_test_cases,
};

kunit_test_suite(ksm_hint_attr_test_suite);

#endif /* _MM_KSM_HINT_ATTR_KUNIT_H */
