/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface of the hint core (core.c) to its front ends in this directory:
 * the sysfs knobs (sysfs.c) and the debugfs test source (debugfs.c).
 */
#ifndef _MM_KSM_HINT_CORE_H
#define _MM_KSM_HINT_CORE_H

#include <linux/types.h>

#include "ksmd.h"
#include "stack.h"

/*
 * Defaults from the benchmark (Documentation/admin-guide/mm/ksm_hint.rst,
 * "Choosing the sizes"): a 512 MiB guest booting sent about 12400 hints
 * in a burst that ksmd could not keep up with; 4096 slots lost two thirds
 * of them.  32768 slots (256 KiB per VM) hold such a boot 2.6 times over.
 * The attribute table needs an entry per distinct file page the guests
 * hold in common: one per 64 pages of RAM (about 0.03 % of RAM), at
 * least KSM_HINT_ATTR_DEFAULT_MIN.
 */
#define KSM_HINT_STACK_DEFAULT	32768
#define KSM_HINT_STACK_MIN	16
#define KSM_HINT_STACK_MAX	1048576U
#define KSM_HINT_ATTR_DEFAULT_MIN	16384
#define KSM_HINT_ATTR_RAM_SHIFT	6
#define KSM_HINT_ATTR_MIN	16
#define KSM_HINT_ATTR_MAX	1048576U
/*
 * Hints per second per source by default: ksmd's default budget
 * (pages_to_scan 100 every sleep_millisecs 20), so that no VM's hints come
 * faster than a default ksmd could ever scan them.
 */
#define KSM_HINT_RATE_DEFAULT	5000

struct mm_struct;

/* Only core.c touches the fields other than @mm, under ksm_hint_lock. */
struct ksm_hint_source {
	struct hlist_node hnode;
	struct list_head active;	/* on ksm_hint_active while @stack has hints */
	struct ksm_hint_stack stack;	/* this source's pending hints */
	struct mm_struct *mm;
	u64 id;
	char name[32];
	unsigned long tb_stamp;		/* token bucket refill time, jiffies */
	unsigned long tb_tokens;
	unsigned long received;
	unsigned long rejected;
	unsigned long rate_limited;
};

enum ksm_hint_stat {
	KSM_HINT_STAT_RECEIVED,
	KSM_HINT_STAT_REJECTED,
	KSM_HINT_STAT_RATE_LIMITED,
	KSM_HINT_STAT_ATTR_MATCHES,
	KSM_HINT_STAT_STACK_OVERWRITES,
	KSM_HINT_STAT_SCANNED,
	KSM_HINT_STAT_MERGED,
	KSM_HINT_STAT_TABLE_PAGES,
	KSM_HINT_STAT_ZERO_REJECTED,
	KSM_HINT_STAT_STALE_DROPPED,
	KSM_HINT_STAT_STALE_REMERGED,
	KSM_HINT_STAT_RETRIED,
	KSM_HINT_STAT_GIVEN_UP,
	KSM_HINT_STAT_TABLE_EVICTED,
	KSM_HINT_STAT_UNMATCHED,
	KSM_HINT_STAT_UNCHANGED,
	KSM_HINT_STAT_GONE,
	KSM_HINT_STAT_DROPPED,
	KSM_HINT_NR_STATS,
};

extern const char * const ksm_hint_mode_names[3];

struct seq_file;

long ksm_hint_stat_read(enum ksm_hint_stat stat);
unsigned int ksm_hint_stack_entries(void);
void ksm_hint_sources_show(struct seq_file *m);
void ksm_hint_set_mode(enum ksm_hint_mode mode);
unsigned int ksm_hint_stack_capacity(void);
int ksm_hint_resize_stack(unsigned int size);
unsigned int ksm_hint_attr_capacity(void);
unsigned int ksm_hint_attr_entries(void);
int ksm_hint_resize_attr_table(unsigned int size);
void ksm_hint_set_vm_default(bool on);
unsigned int ksm_hint_get_rate(void);
void ksm_hint_set_rate(unsigned int rate);

#ifdef CONFIG_SYSFS
int ksm_hint_sysfs_init(void);
#else
static inline int ksm_hint_sysfs_init(void)
{
	return 0;
}
#endif

#ifdef CONFIG_DEBUG_FS
void ksm_hint_debugfs_init(void);
#else
static inline void ksm_hint_debugfs_init(void)
{
}
#endif

#endif /* _MM_KSM_HINT_CORE_H */
