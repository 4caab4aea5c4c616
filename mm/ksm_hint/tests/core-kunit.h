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
	unsigned int i, bits, same = 0;
	u32 b;

	/* Every table size the boot can pick. */
	for (bits = KSM_HINT_HASH_BITS_MIN; bits <= KSM_HINT_HASH_BITS_MAX;
	     bits++) {
		for (i = 0; i < 1000; i++) {
			b = kh_bucket(i * 2654435761U, 0x1234, bits);
			KUNIT_EXPECT_LT(test, b, 1U << bits);
			KUNIT_EXPECT_EQ(test, b,
					kh_bucket(i * 2654435761U, 0x1234, bits));
		}
	}
	/* Another seed moves pages between buckets: no fixed collisions. */
	for (i = 0; i < 1000; i++)
		same += kh_bucket(i, 0x1234, KSM_HINT_HASH_BITS_MIN) ==
			kh_bucket(i, 0x5a5a5a5a, KSM_HINT_HASH_BITS_MIN);
	KUNIT_EXPECT_LT(test, same, 100U);
	/* The live table's size is one of those. */
	KUNIT_EXPECT_GE(test, ksm_hint_hash_table_size(),
			(unsigned long)KSM_HINT_BUCKET_DEPTH << KSM_HINT_HASH_BITS_MIN);
	KUNIT_EXPECT_LE(test, ksm_hint_hash_table_size(),
			(unsigned long)KSM_HINT_BUCKET_DEPTH << KSM_HINT_HASH_BITS_MAX);
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
