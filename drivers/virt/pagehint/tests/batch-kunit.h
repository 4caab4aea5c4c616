/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of a hint batch and the KVM_HC_PAGE_HINT return convention,
 * against a fake hypercall; included at the end of batch.c.
 */
#ifndef _PAGEHINT_BATCH_KUNIT_H
#define _PAGEHINT_BATCH_KUNIT_H

#include <kunit/test.h>
#include <linux/bitmap.h>

/* The fake hypercall: consumes up to ph_fake_take entries, or fails. */
static long ph_fake_answer;
static unsigned int ph_fake_take;
static unsigned int ph_fake_calls;
static DECLARE_BITMAP(ph_fake_consumed, 64);
static unsigned int ph_fake_twice;	/* consumed gfns sent again */

static long ph_fake_send(struct kvm_page_hint_entry *ents, unsigned int nr)
{
	unsigned int i, n;

	ph_fake_calls++;
	if (ph_fake_answer < 0)
		return ph_fake_answer;
	n = min(nr, ph_fake_take);
	for (i = 0; i < nr; i++)
		if (ents[i].gfn < 64 && test_bit(ents[i].gfn, ph_fake_consumed))
			ph_fake_twice++;
	for (i = 0; i < n; i++)
		if (ents[i].gfn < 64)
			__set_bit(ents[i].gfn, ph_fake_consumed);
	return n;
}

static void ph_fake_reset(void)
{
	ph_fake_answer = 0;
	ph_fake_take = UINT_MAX;
	ph_fake_calls = 0;
	ph_fake_twice = 0;
	bitmap_zero(ph_fake_consumed, 64);
}

static struct pagehint_batch *ph_test_batch(struct kunit *test)
{
	struct pagehint_batch *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	b->ents = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->ents);
	ph_fake_reset();
	return b;
}

static void ph_test_batch_full(struct kunit *test)
{
	struct pagehint_batch *b = ph_test_batch(test);
	unsigned int i;

	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE(test, pagehint_batch_add(b, i, 7, i, 1, 4));
	KUNIT_EXPECT_FALSE(test, pagehint_batch_add(b, 4, 7, 4, 1, 4));
	KUNIT_EXPECT_EQ(test, b->stats[PAGEHINT_STAT_QUEUED], 4ULL);
	KUNIT_EXPECT_EQ(test, b->ents[3].gfn, 3ULL);
	KUNIT_EXPECT_EQ(test, b->ents[3].file_key, 7ULL);
	KUNIT_EXPECT_EQ(test, b->ents[3].reserved, 0U);
	/* Never more than one page of entries, whatever the caller asks. */
	while (pagehint_batch_add(b, 0, 0, 0, 1, UINT_MAX))
		;
	KUNIT_EXPECT_EQ(test, b->nr, (unsigned int)PAGEHINT_BATCH_MAX);

	KUNIT_EXPECT_EQ(test, pagehint_batch_flush(b, ph_fake_send),
			(long)PAGEHINT_BATCH_MAX);
	KUNIT_EXPECT_EQ(test, b->nr, 0U);
	KUNIT_EXPECT_EQ(test, b->stats[PAGEHINT_STAT_SENT],
			(u64)PAGEHINT_BATCH_MAX);
	KUNIT_EXPECT_EQ(test, b->stats[PAGEHINT_STAT_HYPERCALLS], 1ULL);
	/* An empty batch makes no hypercall. */
	KUNIT_EXPECT_EQ(test, pagehint_batch_flush(b, ph_fake_send), 0L);
	KUNIT_EXPECT_EQ(test, ph_fake_calls, 1U);
}

static void ph_test_batch_prefix(struct kunit *test)
{
	struct pagehint_batch *b = ph_test_batch(test);
	unsigned int i;

	for (i = 0; i < 8; i++)
		pagehint_batch_add(b, i, 1, i, 1, 128);
	ph_fake_take = 3;
	KUNIT_EXPECT_EQ(test, pagehint_batch_flush(b, ph_fake_send), 3L);
	/* 0..2 consumed; 3..7 kept, in order, for one retry. */
	KUNIT_EXPECT_EQ(test, b->nr, 5U);
	KUNIT_EXPECT_EQ(test, b->ents[0].gfn, 3ULL);
	KUNIT_EXPECT_EQ(test, b->stats[PAGEHINT_STAT_RETRIED], 5ULL);

	pagehint_batch_add(b, 8, 1, 8, 1, 128);
	pagehint_batch_add(b, 9, 1, 9, 1, 128);
	ph_fake_take = 2;
	KUNIT_EXPECT_EQ(test, pagehint_batch_flush(b, ph_fake_send), 2L);
	/* 3, 4 consumed; 5..7 had their retry and are dropped; 8, 9 kept. */
	KUNIT_EXPECT_EQ(test, b->stats[PAGEHINT_STAT_DROPPED_RATE], 3ULL);
	KUNIT_EXPECT_EQ(test, b->nr, 2U);
	KUNIT_EXPECT_EQ(test, b->ents[0].gfn, 8ULL);

	ph_fake_take = UINT_MAX;
	KUNIT_EXPECT_EQ(test, pagehint_batch_flush(b, ph_fake_send), 2L);
	KUNIT_EXPECT_EQ(test, b->nr, 0U);
	KUNIT_EXPECT_EQ(test, b->stats[PAGEHINT_STAT_SENT], 7ULL);
	/* Nothing the host consumed was ever sent again. */
	KUNIT_EXPECT_EQ(test, ph_fake_twice, 0U);
	KUNIT_EXPECT_EQ(test, bitmap_weight(ph_fake_consumed, 64), 7U);
	KUNIT_EXPECT_FALSE(test, test_bit(5, ph_fake_consumed));
	/* Every queued entry is accounted for exactly once. */
	KUNIT_EXPECT_EQ(test, b->stats[PAGEHINT_STAT_QUEUED],
			b->stats[PAGEHINT_STAT_SENT] +
			b->stats[PAGEHINT_STAT_DROPPED_RATE]);
}

static void ph_test_batch_errors(struct kunit *test)
{
	struct pagehint_batch *b = ph_test_batch(test);

	pagehint_batch_add(b, 1, 1, 1, 1, 128);
	pagehint_batch_add(b, 2, 1, 2, 1, 128);
	ph_fake_answer = -KVM_ENOSYS;
	KUNIT_EXPECT_EQ(test, pagehint_batch_flush(b, ph_fake_send),
			(long)-KVM_ENOSYS);
	KUNIT_EXPECT_EQ(test, b->nr, 0U);
	KUNIT_EXPECT_EQ(test, b->stats[PAGEHINT_STAT_ENOSYS], 1ULL);
	KUNIT_EXPECT_EQ(test, b->stats[PAGEHINT_STAT_DROPPED_OFF], 2ULL);

	pagehint_batch_add(b, 3, 1, 3, 1, 128);
	ph_fake_answer = -KVM_EINVAL;
	KUNIT_EXPECT_EQ(test, pagehint_batch_flush(b, ph_fake_send),
			(long)-KVM_EINVAL);
	KUNIT_EXPECT_EQ(test, b->stats[PAGEHINT_STAT_DROPPED_ERROR], 1ULL);
	KUNIT_EXPECT_EQ(test, b->stats[PAGEHINT_STAT_ENOSYS], 1ULL);
	KUNIT_EXPECT_EQ(test, b->nr, 0U);
}

static struct kunit_case pagehint_batch_test_cases[] = {
	KUNIT_CASE(ph_test_batch_full),
	KUNIT_CASE(ph_test_batch_prefix),
	KUNIT_CASE(ph_test_batch_errors),
	{},
};

static struct kunit_suite pagehint_batch_test_suite = {
	.name = "pagehint_batch",
	.test_cases = pagehint_batch_test_cases,
};

kunit_test_suite(pagehint_batch_test_suite);

#endif /* _PAGEHINT_BATCH_KUNIT_H */
