/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of the hint stack; included at the end of mm/ksm_hint/stack.c.
 */
#ifndef _MM_KSM_HINT_STACK_KUNIT_H
#define _MM_KSM_HINT_STACK_KUNIT_H

#include <kunit/test.h>

static void kh_test_stack_lifo(struct kunit *test)
{
	struct ksm_hint_stack st;
	unsigned long s;
	unsigned long i;

	KUNIT_ASSERT_EQ(test, ksm_hint_stack_init(&st, 4), 0);
	KUNIT_EXPECT_FALSE(test, ksm_hint_stack_pop(&st, &s));
	for (i = 1; i <= 3; i++)
		KUNIT_EXPECT_FALSE(test, ksm_hint_stack_push(&st, i << PAGE_SHIFT));
	/* Newest first. */
	for (i = 3; i >= 1; i--) {
		KUNIT_ASSERT_TRUE(test, ksm_hint_stack_pop(&st, &s));
		KUNIT_EXPECT_EQ(test, s, i << PAGE_SHIFT);
	}
	KUNIT_EXPECT_FALSE(test, ksm_hint_stack_pop(&st, &s));
	ksm_hint_stack_free(&st);
}

static void kh_test_stack_overwrite(struct kunit *test)
{
	struct ksm_hint_stack st;
	unsigned long s;
	unsigned long i, over = 0;

	KUNIT_ASSERT_EQ(test, ksm_hint_stack_init(&st, 4), 0);
	for (i = 1; i <= 10; i++)
		over += ksm_hint_stack_push(&st, i);
	/* 4 slots, 10 pushes: the 6 oldest were overwritten. */
	KUNIT_EXPECT_EQ(test, over, 6UL);
	KUNIT_EXPECT_EQ(test, st.count, 4U);
	for (i = 10; i >= 7; i--) {
		KUNIT_ASSERT_TRUE(test, ksm_hint_stack_pop(&st, &s));
		KUNIT_EXPECT_EQ(test, s, i);
	}
	KUNIT_EXPECT_FALSE(test, ksm_hint_stack_pop(&st, &s));
	ksm_hint_stack_free(&st);
}

static struct kunit_case ksm_hint_stack_test_cases[] = {
	KUNIT_CASE(kh_test_stack_lifo),
	KUNIT_CASE(kh_test_stack_overwrite),
	{},
};

static struct kunit_suite ksm_hint_stack_test_suite = {
	.name = "ksm_hint_stack",
	.test_cases = ksm_hint_stack_test_cases,
};

kunit_test_suite(ksm_hint_stack_test_suite);

#endif /* _MM_KSM_HINT_STACK_KUNIT_H */
