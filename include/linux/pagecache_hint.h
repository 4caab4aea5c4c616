/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page cache hint hooks: let one observer (a paravirtual guest driver such
 * as drivers/virt/pagehint) learn when a page cache folio's content becomes
 * known and stable, when it leaves the page cache, which file an inode was
 * opened as, when one of its names moves or goes away, and when an inode
 * goes away.
 *
 * Each hook is a static branch that is patched out while no observer is
 * registered, so the page cache pays nothing for it then.
 */
#ifndef _LINUX_PAGECACHE_HINT_H
#define _LINUX_PAGECACHE_HINT_H

#include <linux/jump_label.h>

struct file;
struct folio;
struct inode;

/**
 * enum pagecache_hint_event - what happened to a page cache folio
 * @PAGECACHE_HINT_READ: a read from storage filled the folio (it is still
 *	locked, the uptodate flag is about to be set)
 * @PAGECACHE_HINT_WRITTEN: writeback of the folio completed
 * @PAGECACHE_HINT_REMOVED: the folio is leaving the page cache
 */
enum pagecache_hint_event {
	PAGECACHE_HINT_READ,
	PAGECACHE_HINT_WRITTEN,
	PAGECACHE_HINT_REMOVED,
};

/**
 * struct pagecache_hint_ops - callbacks of a page cache observer
 * @folio_event: a folio event; called in any context but NMI, possibly
 *	with the mapping's i_pages lock held and interrupts off: must not
 *	sleep or take locks held for long
 * @file_open: a file was opened; process context, may sleep
 * @inode_evict: an inode is about to be freed, its pages are gone;
 *	process context, may sleep
 * @name_change: a name of the inode was renamed, exchanged, replaced or
 *	unlinked; for a directory, the paths of everything below it changed;
 *	process context, no inode lock held, may sleep
 */
struct pagecache_hint_ops {
	void (*folio_event)(struct folio *folio,
			    enum pagecache_hint_event event);
	void (*file_open)(struct file *file);
	void (*inode_evict)(struct inode *inode);
	void (*name_change)(struct inode *inode);
};

#ifdef CONFIG_PAGECACHE_HINT
DECLARE_STATIC_KEY_FALSE(pagecache_hint_key);

void __pagecache_hint_folio(struct folio *folio,
			    enum pagecache_hint_event event);
void __pagecache_hint_file_open(struct file *file);
void __pagecache_hint_inode_evict(struct inode *inode);
void __pagecache_hint_name_change(struct inode *inode);
int pagecache_hint_register(const struct pagecache_hint_ops *ops);
void pagecache_hint_unregister(const struct pagecache_hint_ops *ops);

static inline void pagecache_hint_folio(struct folio *folio,
					enum pagecache_hint_event event)
{
	if (static_branch_unlikely(&pagecache_hint_key))
		__pagecache_hint_folio(folio, event);
}

static inline void pagecache_hint_file_open(struct file *file)
{
	if (static_branch_unlikely(&pagecache_hint_key))
		__pagecache_hint_file_open(file);
}

static inline void pagecache_hint_inode_evict(struct inode *inode)
{
	if (static_branch_unlikely(&pagecache_hint_key))
		__pagecache_hint_inode_evict(inode);
}

static inline void pagecache_hint_name_change(struct inode *inode)
{
	if (static_branch_unlikely(&pagecache_hint_key))
		__pagecache_hint_name_change(inode);
}
#else
static inline void pagecache_hint_folio(struct folio *folio,
					enum pagecache_hint_event event)
{
}

static inline void pagecache_hint_file_open(struct file *file)
{
}

static inline void pagecache_hint_inode_evict(struct inode *inode)
{
}

static inline void pagecache_hint_name_change(struct inode *inode)
{
}
#endif /* CONFIG_PAGECACHE_HINT */

#endif /* _LINUX_PAGECACHE_HINT_H */
