/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU batches of page hints, their timed flush, and backing off
 * while the host does not take hints.
 */
#ifndef _PAGEHINT_FLOW_H
#define _PAGEHINT_FLOW_H

#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "batch.h"

/* While the host answers -KVM_ENOSYS, probe it this often, doubling. */
#define PAGEHINT_PROBE_MIN_MS	1000
#define PAGEHINT_PROBE_MAX_MS	64000

struct pagehint_cpu;

/**
 * struct pagehint_flow - hints on their way from the page cache to the host
 * @cpus: per-CPU batches
 * @send: the hypercall (or a test's fake)
 * @interval_ms: the timed flush looks at batches this often; a batch that
 *	is not full is sent at the first look, or, if it is still filling
 *	and under half full, at the first look two intervals after it began
 * @batch_max: entries per hypercall
 * @work: the timed flush
 * @host_off: the host's last answer was -KVM_ENOSYS
 * @probe_ms: current backoff while @host_off
 * @next_probe: jiffies at which the host may be asked again
 */
struct pagehint_flow {
	struct pagehint_cpu __percpu *cpus;
	pagehint_send_t send;
	unsigned int interval_ms;
	unsigned int batch_max;
	struct delayed_work work;
	bool host_off;
	unsigned int probe_ms;
	unsigned long next_probe;
};

int pagehint_flow_init(struct pagehint_flow *f, pagehint_send_t send,
		       unsigned int interval_ms, unsigned int batch_max);
void pagehint_flow_destroy(struct pagehint_flow *f, u64 *stats);
void pagehint_flow_queue(struct pagehint_flow *f, u64 gfn, u64 key,
			 u64 index, u32 kind, unsigned int nr);
void pagehint_flow_flush(struct pagehint_flow *f);
void pagehint_flow_stats(struct pagehint_flow *f, u64 *stats);

#endif /* _PAGEHINT_FLOW_H */
