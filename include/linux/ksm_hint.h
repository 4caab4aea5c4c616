/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hint-driven KSM scanning: the interface for hint sources.
 *
 * A hint source (one VM, or one process through debugfs) tells ksmd which
 * of its pages are likely duplicates of pages elsewhere, so ksmd scans those
 * first instead of waiting for its linear scan to reach them.
 */
#ifndef _LINUX_KSM_HINT_H
#define _LINUX_KSM_HINT_H

#include <linux/err.h>
#include <linux/types.h>

struct mm_struct;
struct ksm_hint_source;

/* Same values as the kind field of the guest -> host hint ABI. */
#define KSM_HINT_KIND_INVALID	0	/* front end found the entry bad */
#define KSM_HINT_KIND_READ	1	/* page cache page read from storage */
#define KSM_HINT_KIND_WRITEBACK	2	/* page cache page written back */
#define KSM_HINT_KIND_DROP	3	/* page cache page dropped: forget it */
#define KSM_HINT_KIND_ZERO	4	/* page was zeroed */

/**
 * struct ksm_hint_entry - host-side form of one hint
 * @addr: user address of the page in the source's mm
 * @file_key: hash of the file the page caches, same for every guest
 * @index: page index of the page in that file
 * @kind: one of KSM_HINT_KIND_*
 */
struct ksm_hint_entry {
	unsigned long addr;
	u64 file_key;
	u64 index;
	u32 kind;
};

#ifdef CONFIG_KSM_HINT
struct ksm_hint_source *ksm_hint_source_create(struct mm_struct *mm,
					       const char *name);
void ksm_hint_source_destroy(struct ksm_hint_source *src);
int ksm_hint_submit(struct ksm_hint_source *src,
		    const struct ksm_hint_entry *ents, unsigned int nr);
void ksm_hint_note_rate_limited(struct ksm_hint_source *src, unsigned int nr);
bool ksm_hint_vm_default(void);
bool ksm_hint_enabled(void);
#else
static inline struct ksm_hint_source *
ksm_hint_source_create(struct mm_struct *mm, const char *name)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void ksm_hint_source_destroy(struct ksm_hint_source *src)
{
}

static inline int ksm_hint_submit(struct ksm_hint_source *src,
				  const struct ksm_hint_entry *ents,
				  unsigned int nr)
{
	return 0;
}

static inline void ksm_hint_note_rate_limited(struct ksm_hint_source *src,
					      unsigned int nr)
{
}

static inline bool ksm_hint_vm_default(void)
{
	return false;
}

static inline bool ksm_hint_enabled(void)
{
	return false;
}
#endif /* CONFIG_KSM_HINT */

#endif /* _LINUX_KSM_HINT_H */
