// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU batches of page hints.
 *
 * Hints are queued where page cache reads and writebacks complete, often
 * in a block driver's interrupt handler, so queueing only takes this CPU's
 * batch lock (a raw spinlock: it is taken in hard interrupt context).  A
 * full batch is sent at once, one hypercall per batch; a batch that does
 * not fill is sent by a delayed work after interval_ms.  A batch that is
 * still filling when the work looks at it, and is not yet half full, is
 * held one more look (up to two intervals old): a steady read of a few
 * hundred pages a second then fills batches to half or more instead of
 * sending one VM exit per interval for a few dozen entries.  While the host
 * answers -KVM_ENOSYS the batches are not sent; the delayed work probes
 * the host with one batch after a backoff that doubles up to
 * PAGEHINT_PROBE_MAX_MS, and drops the rest.
 */

#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/kvm_para.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "flow.h"

/**
 * struct pagehint_cpu - one CPU's batch
 * @lock: guards the batch; taken with interrupts off
 * @batch: the entries and counters
 * @throttled_until: after a rate-limited answer, a full batch drops new
 *	entries until then rather than calling the host again at once
 * @since: jiffies when the batch last went from empty to not empty
 * @seen: entries the batch held when the timed flush last looked at it
 *	(or when the batch was started): more now means it is still filling
 */
struct pagehint_cpu {
	raw_spinlock_t lock;
	struct pagehint_batch batch;
	unsigned long throttled_until;
	unsigned long since;
	unsigned int seen;
};

static unsigned long pagehint_interval(struct pagehint_flow *f)
{
	return msecs_to_jiffies(max(READ_ONCE(f->interval_ms), 1U));
}

/* May batches be sent now?  While the host is off, only as a probe. */
static bool pagehint_may_send(struct pagehint_flow *f)
{
	return !READ_ONCE(f->host_off) ||
	       time_after_eq(jiffies, READ_ONCE(f->next_probe));
}

/*
 * Record the host's answer.  Racy updates between CPUs are harmless: the
 * worst case is one extra probe or a backoff one step too short.
 */
static void pagehint_note_answer(struct pagehint_flow *f, long r)
{
	unsigned int ms;

	if (r != -KVM_ENOSYS) {
		if (READ_ONCE(f->host_off))
			WRITE_ONCE(f->host_off, false);
		return;
	}
	ms = READ_ONCE(f->host_off) ? READ_ONCE(f->probe_ms) * 2 :
				      PAGEHINT_PROBE_MIN_MS;
	ms = min(ms, PAGEHINT_PROBE_MAX_MS);
	WRITE_ONCE(f->probe_ms, ms);
	WRITE_ONCE(f->next_probe, jiffies + msecs_to_jiffies(ms));
	WRITE_ONCE(f->host_off, true);
}

/* Send @pc's batch; @pc->lock held. */
static void pagehint_cpu_flush(struct pagehint_flow *f, struct pagehint_cpu *pc)
{
	long r = pagehint_batch_flush(&pc->batch, f->send);

	pagehint_note_answer(f, r);
	if (pc->batch.nr) {	/* the host consumed a prefix only */
		pc->throttled_until = jiffies + pagehint_interval(f);
		pc->since = jiffies;
		pc->seen = pc->batch.nr;
	}
}

/* Add one entry to @pc's batch; @pc->lock held.  False if it is full. */
static bool pagehint_cpu_add(struct pagehint_cpu *pc, u64 gfn, u64 key,
			     u64 index, u32 kind, unsigned int max)
{
	bool started = !pc->batch.nr;

	if (!pagehint_batch_add(&pc->batch, gfn, key, index, kind, max))
		return false;
	if (started) {
		pc->since = jiffies;
		pc->seen = 0;
	}
	return true;
}

/*
 * Should the timed flush leave @pc's batch for one more look?  Only while
 * entries keep arriving, the batch is under half full and younger than two
 * intervals; a lone hint, or the tail of a read that has ended, goes now.
 * @pc->lock held.
 */
static bool pagehint_cpu_hold(struct pagehint_flow *f, struct pagehint_cpu *pc)
{
	bool filling = pc->batch.nr > pc->seen;

	pc->seen = pc->batch.nr;
	return filling && pc->batch.nr < READ_ONCE(f->batch_max) / 2 &&
	       time_before(jiffies, pc->since + 2 * pagehint_interval(f));
}

static void pagehint_flow_kick(struct pagehint_flow *f)
{
	unsigned long delay = pagehint_interval(f);

	if (READ_ONCE(f->host_off)) {
		long wait = (long)(READ_ONCE(f->next_probe) - jiffies);

		delay = max_t(long, wait, (long)delay);
	}
	queue_delayed_work(system_wq, &f->work, delay);
}

/**
 * pagehint_flow_queue - queue hints for @nr consecutive pages
 * @f: the flow
 * @gfn: guest frame of the first page
 * @key: file key
 * @index: file page index of the first page
 * @kind: KVM_PAGE_HINT_KIND_*
 * @nr: number of pages (a folio's)
 *
 * Context: any but NMI.  Sends this CPU's batch when it fills.
 */
void pagehint_flow_queue(struct pagehint_flow *f, u64 gfn, u64 key,
			 u64 index, u32 kind, unsigned int nr)
{
	unsigned int max = READ_ONCE(f->batch_max), i;
	struct pagehint_cpu *pc;
	unsigned long flags;
	bool kick;

	local_irq_save(flags);
	pc = this_cpu_ptr(f->cpus);
	raw_spin_lock(&pc->lock);
	kick = !pc->batch.nr;
	for (i = 0; i < nr; i++) {
		if (pagehint_cpu_add(pc, gfn + i, key, index + i, kind, max))
			continue;
		if (pagehint_may_send(f) &&
		    time_after_eq(jiffies, pc->throttled_until))
			pagehint_cpu_flush(f, pc);
		if (!pagehint_cpu_add(pc, gfn + i, key, index + i, kind, max)) {
			/* Counted as queued too: queued = sent + dropped. */
			pc->batch.stats[PAGEHINT_STAT_QUEUED] += nr - i;
			pc->batch.stats[READ_ONCE(f->host_off) ?
					PAGEHINT_STAT_DROPPED_OFF :
					PAGEHINT_STAT_DROPPED_FULL] += nr - i;
			break;
		}
	}
	kick = kick && pc->batch.nr;
	/* A folio's pages queued together are not "still filling". */
	if (kick)
		pc->seen = pc->batch.nr;
	raw_spin_unlock(&pc->lock);
	local_irq_restore(flags);
	if (kick)
		pagehint_flow_kick(f);
}

/*
 * Send every CPU's batch; returns true if entries are left waiting.
 * @timed: called by the timed flush, which may hold a filling batch.
 */
static bool pagehint_flow_send_all(struct pagehint_flow *f, bool final,
				   bool timed)
{
	struct pagehint_cpu *pc;
	unsigned long flags;
	bool left = false;
	int cpu;

	for_each_possible_cpu(cpu) {
		pc = per_cpu_ptr(f->cpus, cpu);
		raw_spin_lock_irqsave(&pc->lock, flags);
		if (pc->batch.nr && pagehint_may_send(f) &&
		    !(timed && pagehint_cpu_hold(f, pc)))
			pagehint_cpu_flush(f, pc);
		/* A retry that is still not consumed at the end is lost. */
		if (pc->batch.nr && final && !READ_ONCE(f->host_off))
			pagehint_cpu_flush(f, pc);
		if (pc->batch.nr && final)
			pagehint_batch_drop(&pc->batch,
					    READ_ONCE(f->host_off) ?
					    PAGEHINT_STAT_DROPPED_OFF :
					    PAGEHINT_STAT_DROPPED_RATE);
		left |= pc->batch.nr != 0;
		raw_spin_unlock_irqrestore(&pc->lock, flags);
		cond_resched();
	}
	return left;
}

/**
 * pagehint_flow_flush - send every waiting batch now
 * @f: the flow
 *
 * Context: process context.
 */
void pagehint_flow_flush(struct pagehint_flow *f)
{
	if (pagehint_flow_send_all(f, false, false))
		pagehint_flow_kick(f);
}

static void pagehint_flow_work(struct work_struct *work)
{
	struct pagehint_flow *f = container_of(to_delayed_work(work),
					       struct pagehint_flow, work);

	if (pagehint_flow_send_all(f, false, true))
		pagehint_flow_kick(f);
}

/**
 * pagehint_flow_init - set up per-CPU batches
 * @f: the flow to set up
 * @send: sends a batch (the hypercall, or a test's fake)
 * @interval_ms: how long a batch that is not full may wait
 * @batch_max: entries per hypercall, 1 .. PAGEHINT_BATCH_MAX
 *
 * Return: 0 or -ENOMEM.
 */
int pagehint_flow_init(struct pagehint_flow *f, pagehint_send_t send,
		       unsigned int interval_ms, unsigned int batch_max)
{
	struct pagehint_cpu *pc;
	int cpu;

	memset(f, 0, sizeof(*f));
	f->send = send;
	f->interval_ms = interval_ms;
	f->batch_max = clamp_t(unsigned int, batch_max, 1, PAGEHINT_BATCH_MAX);
	INIT_DELAYED_WORK(&f->work, pagehint_flow_work);
	f->cpus = alloc_percpu(struct pagehint_cpu);
	if (!f->cpus)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct page *page;

		pc = per_cpu_ptr(f->cpus, cpu);
		raw_spin_lock_init(&pc->lock);
		page = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL, 0);
		if (!page) {
			pagehint_flow_destroy(f, NULL);
			return -ENOMEM;
		}
		pc->batch.ents = page_address(page);
	}
	return 0;
}

/**
 * pagehint_flow_destroy - send what is waiting, then free the batches
 * @f: the flow; nothing may queue to it any more
 * @stats: if not NULL, PAGEHINT_NR_STATS counters to add the final
 *	counts to, since they are freed with the batches
 */
void pagehint_flow_destroy(struct pagehint_flow *f, u64 *stats)
{
	struct pagehint_cpu *pc;
	int cpu;

	if (!f->cpus)
		return;
	cancel_delayed_work_sync(&f->work);
	pagehint_flow_send_all(f, true, false);
	if (stats)
		pagehint_flow_stats(f, stats);
	for_each_possible_cpu(cpu) {
		pc = per_cpu_ptr(f->cpus, cpu);
		if (pc->batch.ents)
			free_page((unsigned long)pc->batch.ents);
	}
	free_percpu(f->cpus);
	f->cpus = NULL;
}

/**
 * pagehint_flow_stats - sum the per-CPU counters
 * @f: the flow
 * @stats: PAGEHINT_NR_STATS counters, added to
 */
void pagehint_flow_stats(struct pagehint_flow *f, u64 *stats)
{
	struct pagehint_cpu *pc;
	unsigned long flags;
	int cpu, i;

	for_each_possible_cpu(cpu) {
		pc = per_cpu_ptr(f->cpus, cpu);
		raw_spin_lock_irqsave(&pc->lock, flags);
		for (i = 0; i < PAGEHINT_NR_STATS; i++)
			stats[i] += pc->batch.stats[i];
		raw_spin_unlock_irqrestore(&pc->lock, flags);
	}
}

#ifdef CONFIG_PAGEHINT_GUEST_KUNIT_TEST
#include "tests/flow-kunit.h"
#endif
