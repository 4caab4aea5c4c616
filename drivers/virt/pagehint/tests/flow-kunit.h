/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of the per-CPU hint flow (full and timed flushes, holding
 * a batch that is still filling, backoff while the host is off) against
 * a fake hypercall; included at the end of flow.c.
 */
#ifndef _PAGEHINT_FLOW_KUNIT_H
#define _PAGEHINT_FLOW_KUNIT_H

#include <kunit/test.h>
#include <linux/delay.h>

static long ph_flow_fake_answer;
static atomic_t ph_flow_fake_calls;
static atomic_t ph_flow_fake_entries;

static long ph_flow_fake_send(struct kvm_page_hint_entry *ents,
			      unsigned int nr)
{
	atomic_inc(&ph_flow_fake_calls);
	if (ph_flow_fake_answer < 0)
		return ph_flow_fake_answer;
	atomic_add(nr, &ph_flow_fake_entries);
	return nr;
}

static struct pagehint_flow *ph_test_flow(struct kunit *test,
					  unsigned int interval_ms,
					  unsigned int batch_max)
{
	struct pagehint_flow *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	ph_flow_fake_answer = 0;
	atomic_set(&ph_flow_fake_calls, 0);
	atomic_set(&ph_flow_fake_entries, 0);
	KUNIT_ASSERT_EQ(test, pagehint_flow_init(f, ph_flow_fake_send,
						 interval_ms, batch_max), 0);
	return f;
}

static void ph_test_flow_full_and_timed(struct kunit *test)
{
	/* Long interval: only a full batch may cause a call at first. */
	struct pagehint_flow *f = ph_test_flow(test, 200, 4);
	u64 stats[PAGEHINT_NR_STATS] = {};

	/* One folio of 5 pages: 4 fill the batch, the 5th sends it. */
	pagehint_flow_queue(f, 100, 1, 0, KVM_PAGE_HINT_KIND_READ, 5);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_entries), 4);
	/* The last page goes within the interval, by the timed flush. */
	msleep(600);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_entries), 5);
	/* Nothing waiting: the timer does not call again. */
	msleep(400);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 2);
	pagehint_flow_destroy(f, stats);
	KUNIT_EXPECT_EQ(test, stats[PAGEHINT_STAT_SENT], 5ULL);
	KUNIT_EXPECT_EQ(test, stats[PAGEHINT_STAT_HYPERCALLS], 2ULL);
}

/*
 * The timed flush's looks, called by hand: the interval is a minute, so
 * the delayed work never runs during the test, and how long the test
 * sleeps under a loaded emulator cannot change what it sees.  The tests
 * queue with migration off, so that every entry lands in one CPU's batch.
 */
static void ph_test_flow_look(struct pagehint_flow *f)
{
	pagehint_flow_send_all(f, false, true);
}

/* Make every CPU's batch two intervals old. */
static void ph_test_flow_age(struct pagehint_flow *f)
{
	unsigned long age = 2 * pagehint_interval(f) + 1;
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu_ptr(f->cpus, cpu)->since = jiffies - age;
}

static void ph_test_flow_hold_filling(struct kunit *test)
{
	struct pagehint_flow *f = ph_test_flow(test, 60000, 128);
	u64 stats[PAGEHINT_NR_STATS] = {};
	int i;

	migrate_disable();
	/* A lone hint is not held: it goes at the first look. */
	pagehint_flow_queue(f, 1, 1, 0, KVM_PAGE_HINT_KIND_READ, 1);
	ph_test_flow_look(f);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 1);
	/* A batch that grew since it began, under half full, is held... */
	pagehint_flow_queue(f, 2, 1, 1, KVM_PAGE_HINT_KIND_READ, 1);
	pagehint_flow_queue(f, 3, 1, 2, KVM_PAGE_HINT_KIND_READ, 1);
	ph_test_flow_look(f);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 1);
	/* ... and sent at the next look if nothing came meanwhile. */
	ph_test_flow_look(f);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_entries), 3);
	/* A steady trickle is held while young... */
	pagehint_flow_queue(f, 9, 1, 9, KVM_PAGE_HINT_KIND_READ, 1);
	for (i = 0; i < 5; i++) {
		pagehint_flow_queue(f, 10 + i, 1, 10 + i,
				    KVM_PAGE_HINT_KIND_READ, 1);
		ph_test_flow_look(f);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 2);
	/* ... and sent once the batch is two intervals old. */
	ph_test_flow_age(f);
	pagehint_flow_queue(f, 20, 1, 20, KVM_PAGE_HINT_KIND_READ, 1);
	ph_test_flow_look(f);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_entries), 10);
	pagehint_flow_destroy(f, stats);
	KUNIT_EXPECT_EQ(test, stats[PAGEHINT_STAT_SENT], 10ULL);
}

static void ph_test_flow_half_full_not_held(struct kunit *test)
{
	struct pagehint_flow *f = ph_test_flow(test, 60000, 4);
	u64 stats[PAGEHINT_NR_STATS] = {};

	/* Half full (2 of 4) at the first look: sent then, though filling. */
	migrate_disable();
	pagehint_flow_queue(f, 1, 1, 0, KVM_PAGE_HINT_KIND_READ, 1);
	pagehint_flow_queue(f, 2, 1, 1, KVM_PAGE_HINT_KIND_READ, 1);
	ph_test_flow_look(f);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_entries), 2);
	pagehint_flow_destroy(f, stats);
}

static void ph_test_flow_destroy_sends(struct kunit *test)
{
	struct pagehint_flow *f = ph_test_flow(test, 10000, 128);
	u64 stats[PAGEHINT_NR_STATS] = {};

	pagehint_flow_queue(f, 1, 1, 0, KVM_PAGE_HINT_KIND_WRITEBACK, 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 0);
	pagehint_flow_destroy(f, stats);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_entries), 3);
	KUNIT_EXPECT_EQ(test, stats[PAGEHINT_STAT_QUEUED], 3ULL);
}

static void ph_test_flow_host_off(struct kunit *test)
{
	struct pagehint_flow *f = ph_test_flow(test, 5, 2);
	u64 stats[PAGEHINT_NR_STATS] = {};

	ph_flow_fake_answer = -KVM_ENOSYS;
	pagehint_flow_queue(f, 1, 1, 0, KVM_PAGE_HINT_KIND_READ, 1);
	msleep(100);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 1);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(f->host_off));
	/* While off, nothing is sent until the probe is due (1 s). */
	pagehint_flow_queue(f, 2, 1, 1, KVM_PAGE_HINT_KIND_READ, 6);
	msleep(100);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 1);
	/* The probe fails again: the backoff doubles. */
	msleep(1200);
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_calls), 2);
	KUNIT_EXPECT_EQ(test, READ_ONCE(f->probe_ms), 2 * PAGEHINT_PROBE_MIN_MS);
	/* The host comes back: the next probe turns hinting on again. */
	ph_flow_fake_answer = 0;
	WRITE_ONCE(f->next_probe, jiffies);
	pagehint_flow_queue(f, 9, 1, 9, KVM_PAGE_HINT_KIND_READ, 1);
	msleep(100);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(f->host_off));
	KUNIT_EXPECT_EQ(test, atomic_read(&ph_flow_fake_entries), 1);
	pagehint_flow_destroy(f, stats);
	KUNIT_EXPECT_EQ(test, stats[PAGEHINT_STAT_ENOSYS], 2ULL);
	/* 1 + 6 queued while off: the first, a full batch (2) by the probe,
	 * 4 that did not fit the full batch.
	 */
	KUNIT_EXPECT_EQ(test, stats[PAGEHINT_STAT_DROPPED_OFF], 7ULL);
}

static struct kunit_case pagehint_flow_test_cases[] = {
	KUNIT_CASE(ph_test_flow_full_and_timed),
	KUNIT_CASE(ph_test_flow_hold_filling),
	KUNIT_CASE(ph_test_flow_half_full_not_held),
	KUNIT_CASE(ph_test_flow_destroy_sends),
	KUNIT_CASE(ph_test_flow_host_off),
	{},
};

static struct kunit_suite pagehint_flow_test_suite = {
	.name = "pagehint_flow",
	.test_cases = pagehint_flow_test_cases,
};

kunit_test_suite(pagehint_flow_test_suite);

#endif /* _PAGEHINT_FLOW_KUNIT_H */
