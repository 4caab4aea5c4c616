// SPDX-License-Identifier: GPL-2.0
/*
 * Page cache hint hooks: one registered observer, called through SRCU.
 *
 * SRCU rather than RCU because two of the callbacks may sleep; its read
 * side is also safe in interrupt context, where folio reads complete.
 * Unregistering patches the branches out, then waits for every caller
 * already inside a callback, so a module can free its code afterwards.
 */

#include <linux/export.h>
#include <linux/mutex.h>
#include <linux/pagecache_hint.h>
#include <linux/srcu.h>

/* Not exported: only built-in page cache code tests it. */
DEFINE_STATIC_KEY_FALSE(pagecache_hint_key);

DEFINE_STATIC_SRCU(pagecache_hint_srcu);
static const struct pagecache_hint_ops __rcu *pagecache_hint_ops;
static DEFINE_MUTEX(pagecache_hint_mutex);

/**
 * __pagecache_hint_folio - pass a folio event to the observer
 * @folio: the page cache folio
 * @event: what happened to it
 *
 * Called through pagecache_hint_folio() only while an observer may be
 * registered.
 */
void __pagecache_hint_folio(struct folio *folio,
			    enum pagecache_hint_event event)
{
	const struct pagecache_hint_ops *ops;
	int idx;

	idx = srcu_read_lock(&pagecache_hint_srcu);
	ops = srcu_dereference(pagecache_hint_ops, &pagecache_hint_srcu);
	if (ops)
		ops->folio_event(folio, event);
	srcu_read_unlock(&pagecache_hint_srcu, idx);
}

/**
 * __pagecache_hint_file_open - pass a file open to the observer
 * @file: the file just opened
 */
void __pagecache_hint_file_open(struct file *file)
{
	const struct pagecache_hint_ops *ops;
	int idx;

	idx = srcu_read_lock(&pagecache_hint_srcu);
	ops = srcu_dereference(pagecache_hint_ops, &pagecache_hint_srcu);
	if (ops)
		ops->file_open(file);
	srcu_read_unlock(&pagecache_hint_srcu, idx);
}

/**
 * __pagecache_hint_inode_evict - pass an inode eviction to the observer
 * @inode: the inode about to be freed
 */
void __pagecache_hint_inode_evict(struct inode *inode)
{
	const struct pagecache_hint_ops *ops;
	int idx;

	idx = srcu_read_lock(&pagecache_hint_srcu);
	ops = srcu_dereference(pagecache_hint_ops, &pagecache_hint_srcu);
	if (ops)
		ops->inode_evict(inode);
	srcu_read_unlock(&pagecache_hint_srcu, idx);
}

/**
 * __pagecache_hint_name_change - pass a rename or unlink to the observer
 * @inode: the inode one of whose names moved or went away
 */
void __pagecache_hint_name_change(struct inode *inode)
{
	const struct pagecache_hint_ops *ops;
	int idx;

	idx = srcu_read_lock(&pagecache_hint_srcu);
	ops = srcu_dereference(pagecache_hint_ops, &pagecache_hint_srcu);
	if (ops)
		ops->name_change(inode);
	srcu_read_unlock(&pagecache_hint_srcu, idx);
}

/**
 * pagecache_hint_register - install the page cache observer
 * @ops: its callbacks, all set
 *
 * Return: 0, -EINVAL for a missing callback, or -EBUSY when another
 * observer is installed.
 */
int pagecache_hint_register(const struct pagecache_hint_ops *ops)
{
	int ret = 0;

	if (!ops->folio_event || !ops->file_open || !ops->inode_evict ||
	    !ops->name_change)
		return -EINVAL;
	mutex_lock(&pagecache_hint_mutex);
	if (rcu_access_pointer(pagecache_hint_ops)) {
		ret = -EBUSY;
	} else {
		rcu_assign_pointer(pagecache_hint_ops, ops);
		static_branch_enable(&pagecache_hint_key);
	}
	mutex_unlock(&pagecache_hint_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(pagecache_hint_register);

/**
 * pagecache_hint_unregister - remove the page cache observer
 * @ops: the callbacks that pagecache_hint_register() installed
 *
 * On return no CPU runs or will run any of @ops' callbacks.
 */
void pagecache_hint_unregister(const struct pagecache_hint_ops *ops)
{
	mutex_lock(&pagecache_hint_mutex);
	if (rcu_access_pointer(pagecache_hint_ops) == ops) {
		static_branch_disable(&pagecache_hint_key);
		RCU_INIT_POINTER(pagecache_hint_ops, NULL);
		synchronize_srcu(&pagecache_hint_srcu);
	}
	mutex_unlock(&pagecache_hint_mutex);
}
EXPORT_SYMBOL_GPL(pagecache_hint_unregister);
