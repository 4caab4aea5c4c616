/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of the hint core's checksum bucket function; included at the
 * end of mm/ksm_hint/core.c.
 */
#ifndef _MM_KSM_HINT_CORE_KUNIT_H
#define _MM_KSM_HINT_CORE_KUNIT_H

#include <kunit/test.h>

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

static struct kunit_case ksm_hint_core_test_cases[] = {
	KUNIT_CASE(kh_test_bucket),
	{},
};

static struct kunit_suite ksm_hint_core_test_suite = {
	.name = "ksm_hint_core",
	.test_cases = ksm_hint_core_test_cases,
};

kunit_test_suite(ksm_hint_core_test_suite);

#endif /* _MM_KSM_HINT_CORE_KUNIT_H */
