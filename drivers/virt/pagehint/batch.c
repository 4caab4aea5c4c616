// SPDX-License-Identifier: GPL-2.0
/*
 * A batch of page hints and the KVM_HC_PAGE_HINT return convention.
 *
 * The host consumes a prefix of a batch and leaves the rest unread only
 * when the VM's rate limit ran out.  The unread rest is kept for exactly
 * one more try, so an entry is never sent after the host consumed it and
 * never sent more than twice; everything given up is counted by reason.
 */

#include <linux/kvm_para.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "batch.h"

/**
 * pagehint_batch_add - append one entry
 * @b: the batch
 * @gfn: guest frame of the page
 * @key: file key of the page's file
 * @index: page index in the file
 * @kind: KVM_PAGE_HINT_KIND_*
 * @max: the batch's capacity, at most PAGEHINT_BATCH_MAX
 *
 * Return: false when the batch is full (nothing added).
 */
bool pagehint_batch_add(struct pagehint_batch *b, u64 gfn, u64 key,
			u64 index, u32 kind, unsigned int max)
{
	struct kvm_page_hint_entry *e;

	if (b->nr >= min_t(unsigned int, max, PAGEHINT_BATCH_MAX))
		return false;
	e = &b->ents[b->nr++];
	e->gfn = gfn;
	e->file_key = key;
	e->index = index;
	e->kind = kind;
	e->reserved = 0;
	b->stats[PAGEHINT_STAT_QUEUED]++;
	return true;
}

/**
 * pagehint_batch_drop - give up every entry of a batch
 * @b: the batch
 * @why: the counter to add them to
 */
void pagehint_batch_drop(struct pagehint_batch *b, enum pagehint_stat why)
{
	b->stats[why] += b->nr;
	b->nr = 0;
	b->nr_retried = 0;
}

/**
 * pagehint_batch_flush - send a batch and account for the answer
 * @b: the batch, not empty
 * @send: sends entries, returns what the hypercall returned
 *
 * Consumed entries leave the batch.  Of the unconsumed rest, entries
 * that were already retried once are dropped, the others stay at the
 * start of the batch for one retry.  On an error answer the whole batch
 * is dropped.
 *
 * Return: the answer of @send, or 0 for an empty batch.
 */
long pagehint_batch_flush(struct pagehint_batch *b, pagehint_send_t send)
{
	unsigned int nr = b->nr, done, stale, keep;
	long r;

	if (!nr)
		return 0;
	r = send(b->ents, nr);
	b->stats[PAGEHINT_STAT_HYPERCALLS]++;
	if (r < 0) {
		if (r == -KVM_ENOSYS) {
			b->stats[PAGEHINT_STAT_ENOSYS]++;
			pagehint_batch_drop(b, PAGEHINT_STAT_DROPPED_OFF);
		} else {
			pagehint_batch_drop(b, PAGEHINT_STAT_DROPPED_ERROR);
		}
		return r;
	}
	done = min_t(unsigned long, r, nr);
	b->stats[PAGEHINT_STAT_SENT] += done;
	/* Unconsumed entries that already had their second chance. */
	stale = b->nr_retried > done ? b->nr_retried - done : 0;
	b->stats[PAGEHINT_STAT_DROPPED_RATE] += stale;
	keep = nr - done - stale;
	if (keep)
		memmove(b->ents, b->ents + done + stale, keep * sizeof(*b->ents));
	b->stats[PAGEHINT_STAT_RETRIED] += keep;
	b->nr = keep;
	b->nr_retried = keep;
	return r;
}

#ifdef CONFIG_PAGEHINT_GUEST_KUNIT_TEST
#include "tests/batch-kunit.h"
#endif
