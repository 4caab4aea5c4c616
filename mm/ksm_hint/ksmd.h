/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface between the hint core (mm/ksm_hint/core.c) and ksmd (mm/ksm.c).
 * Everything here is called by ksmd with ksm_thread_mutex held, except
 * ksm_hint_wake_ksmd(), which any context may call.
 */
#ifndef _MM_KSM_HINT_KSMD_H
#define _MM_KSM_HINT_KSMD_H

#include <linux/types.h>

struct mm_struct;

enum ksm_hint_mode {
	KSM_HINT_MODE_OFF,	/* stock KSM: hints are queued but not scanned */
	KSM_HINT_MODE_HINT,	/* ksmd scans hinted pages only */
	KSM_HINT_MODE_HYBRID,	/* hint batches alternate with linear scans */
};

enum ksm_hint_skip {
	KSM_HINT_SKIP_NO_SOURCE,	/* the source went away */
	KSM_HINT_SKIP_NO_MM,		/* mm exited or has no KSM slot */
	KSM_HINT_SKIP_NO_PAGE,		/* not a mergeable anonymous page */
	KSM_HINT_SKIP_UNCHANGED,	/* already merged or already in table */
	KSM_HINT_SKIP_NO_MATCH,		/* no identical page found yet */
	KSM_HINT_SKIP_NOT_ZERO,		/* a zero hint on a page not zero */
	KSM_HINT_SKIP_MERGE_FAILED,	/* merge failed, retries used up */
	KSM_HINT_SKIP_EVICTED,		/* pushed out of a full bucket */
};

/*
 * Flag in the low bits of a popped address: a zero hint, which ksmd
 * verifies (the page must be zero) before it searches anything with it.
 */
#define KSM_HINT_POP_ZERO	0x1UL

/* Compares per lookup in one checksum bucket; also the bucket depth. */
#define KSM_HINT_BUCKET_DEPTH	8
/*
 * ksmd's checksum table gets one bucket per KSM_HINT_HASH_SCALE bytes of
 * RAM at boot (alloc_large_system_hash(); the ksm_hint_hash_entries= boot
 * parameter overrides it), 2^12 to 2^20 buckets: room for a hinted page
 * per 8 pages of RAM, for 8 bytes per 64 pages.
 */
#define KSM_HINT_HASH_SCALE	(PAGE_SHIFT + 6)
#define KSM_HINT_HASH_BITS_MIN	12
#define KSM_HINT_HASH_BITS_MAX	20

enum ksm_hint_mode ksm_hint_get_mode(void);
bool ksm_hint_pending(void);
bool ksm_hint_pop(struct mm_struct **mm, unsigned long *addr);
u32 ksm_hint_bucket(u32 checksum);
void ksm_hint_set_hash_bits(unsigned int bits);
unsigned long ksm_hint_hash_table_size(void);
void ksm_hint_note_scanned(void);
void ksm_hint_note_merged(struct mm_struct *mm, unsigned long addr,
			  unsigned int pages);
void ksm_hint_note_skipped(struct mm_struct *mm, unsigned long addr,
			   enum ksm_hint_skip why);
void ksm_hint_table_pages_add(long delta);
void ksm_hint_note_zero_rejected(struct mm_struct *mm, unsigned long addr);
void ksm_hint_note_stale_dropped(void);
void ksm_hint_note_stale_remerged(struct mm_struct *mm, unsigned long addr,
				  unsigned int pages);
void ksm_hint_note_retried(void);
void ksm_hint_note_given_up(struct mm_struct *mm, unsigned long addr);
void ksm_hint_note_table_evicted(struct mm_struct *mm, unsigned long addr);

/* Provided by mm/ksm.c. */
void ksm_hint_wake_ksmd(void);

#endif /* _MM_KSM_HINT_KSMD_H */
