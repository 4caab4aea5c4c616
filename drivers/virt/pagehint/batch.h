/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One page of KVM_HC_PAGE_HINT entries and what became of them.
 */
#ifndef _PAGEHINT_BATCH_H
#define _PAGEHINT_BATCH_H

#include <linux/kvm_page_hint.h>
#include <linux/types.h>

#define PAGEHINT_BATCH_MAX	(PAGE_SIZE / sizeof(struct kvm_page_hint_entry))

/* Counters kept per CPU and summed for debugfs. */
enum pagehint_stat {
	PAGEHINT_STAT_QUEUED,		/* entries put in a batch */
	PAGEHINT_STAT_SENT,		/* entries the host consumed */
	PAGEHINT_STAT_RETRIED,		/* entries kept for one more try */
	PAGEHINT_STAT_DROPPED_FULL,	/* batch full and could not be sent */
	PAGEHINT_STAT_DROPPED_RATE,	/* not consumed twice (rate limit) */
	PAGEHINT_STAT_DROPPED_OFF,	/* host answered -KVM_ENOSYS */
	PAGEHINT_STAT_DROPPED_ERROR,	/* any other error answer */
	PAGEHINT_STAT_HYPERCALLS,
	PAGEHINT_STAT_ENOSYS,		/* -KVM_ENOSYS answers */
	PAGEHINT_NR_STATS
};

/*
 * Send @nr entries at @ents; returns what KVM_HC_PAGE_HINT returns: the
 * consumed prefix (>= 0) or a negative KVM error code.
 */
typedef long (*pagehint_send_t)(struct kvm_page_hint_entry *ents,
				unsigned int nr);

/**
 * struct pagehint_batch - entries waiting for one hypercall
 * @ents: one page of entries (one page, so the batch never crosses one)
 * @nr: entries held, from the start of @ents
 * @nr_retried: leading entries that were sent once and not consumed;
 *	they are dropped if not consumed again
 * @stats: counters, indexed by enum pagehint_stat
 */
struct pagehint_batch {
	struct kvm_page_hint_entry *ents;
	unsigned int nr;
	unsigned int nr_retried;
	u64 stats[PAGEHINT_NR_STATS];
};

bool pagehint_batch_add(struct pagehint_batch *b, u64 gfn, u64 key,
			u64 index, u32 kind, unsigned int max);
long pagehint_batch_flush(struct pagehint_batch *b, pagehint_send_t send);
void pagehint_batch_drop(struct pagehint_batch *b, enum pagehint_stat why);

#endif /* _PAGEHINT_BATCH_H */
