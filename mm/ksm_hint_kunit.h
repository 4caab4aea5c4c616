/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for the hint stack, the attribute table and the checksum
 * bucket function of mm/ksm_hint.c, which includes this file at its end.
 */
#ifndef _MM_KSM_HINT_KUNIT_H
#define _MM_KSM_HINT_KUNIT_H

#include <kunit/test.h>

static void kh_test_stack_lifo(struct kunit *test)
{
	struct ksm_hint_stack st;
	struct ksm_hint_slot s;
	unsigned long i;

	KUNIT_ASSERT_EQ(test, kh_stack_init(&st, 4), 0);
	KUNIT_EXPECT_FALSE(test, kh_stack_pop(&st, &s));
	for (i = 1; i <= 3; i++)
		KUNIT_EXPECT_FALSE(test, kh_stack_push(&st, 7, i << PAGE_SHIFT));
	/* Newest first. */
	for (i = 3; i >= 1; i--) {
		KUNIT_ASSERT_TRUE(test, kh_stack_pop(&st, &s));
		KUNIT_EXPECT_EQ(test, s.addr, i << PAGE_SHIFT);
		KUNIT_EXPECT_EQ(test, s.src_id, 7ULL);
	}
	KUNIT_EXPECT_FALSE(test, kh_stack_pop(&st, &s));
	kvfree(st.slots);
}

static void kh_test_stack_overwrite(struct kunit *test)
{
	struct ksm_hint_stack st;
	struct ksm_hint_slot s;
	unsigned long i, over = 0;

	KUNIT_ASSERT_EQ(test, kh_stack_init(&st, 4), 0);
	for (i = 1; i <= 10; i++)
		over += kh_stack_push(&st, 1, i);
	/* 4 slots, 10 pushes: the 6 oldest were overwritten. */
	KUNIT_EXPECT_EQ(test, over, 6UL);
	KUNIT_EXPECT_EQ(test, st.count, 4U);
	for (i = 10; i >= 7; i--) {
		KUNIT_ASSERT_TRUE(test, kh_stack_pop(&st, &s));
		KUNIT_EXPECT_EQ(test, s.addr, i);
	}
	KUNIT_EXPECT_FALSE(test, kh_stack_pop(&st, &s));
	kvfree(st.slots);
}

static void kh_test_stack_resize(struct kunit *test)
{
	struct ksm_hint_stack st, small, big;
	struct ksm_hint_slot s;
	unsigned long i;

	KUNIT_ASSERT_EQ(test, kh_stack_init(&st, 8), 0);
	for (i = 1; i <= 11; i++)	/* wraps around */
		kh_stack_push(&st, 1, i);
	/* Shrinking keeps the newest hints, in order. */
	KUNIT_ASSERT_EQ(test, kh_stack_init(&small, 3), 0);
	kh_stack_move(&small, &st);
	KUNIT_EXPECT_EQ(test, small.count, 3U);
	/* Growing keeps all of them and leaves room. */
	KUNIT_ASSERT_EQ(test, kh_stack_init(&big, 16), 0);
	kh_stack_move(&big, &small);
	KUNIT_EXPECT_EQ(test, big.count, 3U);
	KUNIT_EXPECT_FALSE(test, kh_stack_push(&big, 1, 12));
	for (i = 12; i >= 9; i--) {
		KUNIT_ASSERT_TRUE(test, kh_stack_pop(&big, &s));
		KUNIT_EXPECT_EQ(test, s.addr, i);
	}
	KUNIT_EXPECT_FALSE(test, kh_stack_pop(&big, &s));
	kvfree(st.slots);
	kvfree(small.slots);
	kvfree(big.slots);
}

static void kh_test_attr_lookup_evict(struct kunit *test)
{
	struct ksm_hint_attr_table t;
	struct ksm_hint_attr *a;
	u64 i;

	KUNIT_ASSERT_EQ(test, kh_attr_init(&t, 16, 0x1234), 0);
	KUNIT_EXPECT_NULL(test, kh_attr_lookup(&t, 1, 1));
	for (i = 0; i < 16; i++)
		kh_attr_insert(&t, 100, i, 1, i << PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, t.used, 16U);
	/* Touch index 0 so that it is not the least recently used. */
	a = kh_attr_lookup(&t, 100, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	list_move_tail(&a->lru, &t.lru);
	/* Full: a new attribute evicts the LRU one (index 1), never grows. */
	kh_attr_insert(&t, 200, 0, 2, 0);
	KUNIT_EXPECT_EQ(test, t.used, 16U);
	KUNIT_EXPECT_NULL(test, kh_attr_lookup(&t, 100, 1));
	KUNIT_EXPECT_NOT_NULL(test, kh_attr_lookup(&t, 100, 0));
	KUNIT_EXPECT_NOT_NULL(test, kh_attr_lookup(&t, 200, 0));
	/* Same index, other file: a different attribute. */
	KUNIT_EXPECT_NULL(test, kh_attr_lookup(&t, 201, 0));
	a = kh_attr_lookup(&t, 200, 0);
	kh_attr_remove(&t, a);
	KUNIT_EXPECT_EQ(test, t.used, 15U);
	KUNIT_EXPECT_NULL(test, kh_attr_lookup(&t, 200, 0));
	kh_attr_free(&t);
}

static void kh_test_attr_flood(struct kunit *test)
{
	struct ksm_hint_attr_table t;
	u64 i;

	KUNIT_ASSERT_EQ(test, kh_attr_init(&t, 64, 42), 0);
	for (i = 0; i < 100000; i++) {
		if (!kh_attr_lookup(&t, i * 7919, i))
			kh_attr_insert(&t, i * 7919, i, 1, 0);
	}
	KUNIT_EXPECT_EQ(test, t.used, 64U);
	/* The newest 64 survive. */
	KUNIT_EXPECT_NOT_NULL(test, kh_attr_lookup(&t, 99999ULL * 7919, 99999));
	KUNIT_EXPECT_NULL(test, kh_attr_lookup(&t, 0, 0));
	kh_attr_free(&t);
}

static void kh_test_bucket(struct kunit *test)
{
	unsigned int i, same = 0;
	u32 b;

	for (i = 0; i < 1000; i++) {
		b = kh_bucket(i * 2654435761U, 0x1234);
		KUNIT_EXPECT_LT(test, b, 1U << KSM_HINT_HASH_BITS);
		KUNIT_EXPECT_EQ(test, b, kh_bucket(i * 2654435761U, 0x1234));
	}
	/* Another seed moves pages between buckets: no fixed collisions. */
	for (i = 0; i < 1000; i++)
		same += kh_bucket(i, 0x1234) == kh_bucket(i, 0x5a5a5a5a);
	KUNIT_EXPECT_LT(test, same, 100U);
}

static struct kunit_case ksm_hint_test_cases[] = {
	KUNIT_CASE(kh_test_stack_lifo),
	KUNIT_CASE(kh_test_stack_overwrite),
	KUNIT_CASE(kh_test_stack_resize),
	KUNIT_CASE(kh_test_attr_lookup_evict),
	KUNIT_CASE(kh_test_attr_flood),
	KUNIT_CASE(kh_test_bucket),
	{},
};

static struct kunit_suite ksm_hint_test_suite = {
	.name = "ksm_hint",
	.test_cases = ksm_hint_test_cases,
};

kunit_test_suite(ksm_hint_test_suite);

#endif /* _MM_KSM_HINT_KUNIT_H */
