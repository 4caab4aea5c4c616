// SPDX-License-Identifier: GPL-2.0
/*
 * Hint-driven KSM scanning: a test source for processes.
 *
 * Root writes records to /sys/kernel/debug/ksm_hint/submit to hint pages
 * of its own anonymous memory, so the mm side can be tested without KVM.
 * Each open file is one hint source bound to the opener's mm.  The
 * sources file lists every live source (VMs too) with its counters.
 */

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/ksm_hint.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "core.h"

/* The record a process writes: the uapi hint entry with an address. */
struct ksm_hint_user_rec {
	__u64 addr;
	__u64 file_key;
	__u64 index;
	__u32 kind;
	__u32 reserved;
};

#define KH_DEBUGFS_BATCH	64

static int kh_debugfs_open(struct inode *inode, struct file *file)
{
	struct ksm_hint_source *src;

	if (!capable(CAP_SYS_ADMIN) || !current->mm)
		return -EPERM;
	/* Bound to the opener's own mm: it can only hint its own pages. */
	src = ksm_hint_source_create(current->mm, "debugfs");
	if (IS_ERR(src))
		return PTR_ERR(src);
	file->private_data = src;
	return 0;
}

static int kh_debugfs_release(struct inode *inode, struct file *file)
{
	ksm_hint_source_destroy(file->private_data);
	return 0;
}

static ssize_t kh_debugfs_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct ksm_hint_source *src = file->private_data;
	struct ksm_hint_user_rec *recs;
	struct ksm_hint_entry *ents;
	size_t nrec = count / sizeof(*recs), done = 0;
	ssize_t ret = 0;

	/* An inherited fd must not hint into the opener's mm. */
	if (current->mm != src->mm)
		return -EPERM;
	if (!count || count % sizeof(*recs))
		return -EINVAL;
	recs = kmalloc_array(KH_DEBUGFS_BATCH, sizeof(*recs), GFP_KERNEL);
	ents = kmalloc_array(KH_DEBUGFS_BATCH, sizeof(*ents), GFP_KERNEL);
	if (!recs || !ents) {
		ret = -ENOMEM;
		goto out;
	}
	while (done < nrec) {
		unsigned int n = min_t(size_t, nrec - done, KH_DEBUGFS_BATCH);
		unsigned int i, acc;

		if (copy_from_user(recs, ubuf + done * sizeof(*recs),
				   n * sizeof(*recs))) {
			ret = -EFAULT;
			break;
		}
		for (i = 0; i < n; i++) {
			ents[i].addr = recs[i].addr;
			ents[i].file_key = recs[i].file_key;
			ents[i].index = recs[i].index;
			ents[i].kind = recs[i].kind;
			/* The core skips and counts entries marked invalid. */
			if (recs[i].reserved || recs[i].addr >= TASK_SIZE)
				ents[i].kind = KSM_HINT_KIND_INVALID;
		}
		acc = ksm_hint_submit(src, ents, n);
		done += acc;
		if (acc < n) {
			/* Rate limited: count the rest, report the prefix. */
			ksm_hint_note_rate_limited(src, nrec - done - (n - acc));
			break;
		}
		cond_resched();
	}
	if (done)
		ret = done * sizeof(*recs);
	else if (!ret)
		ret = -EAGAIN;	/* rate limited before the first record */
out:
	kfree(recs);
	kfree(ents);
	return ret;
}

static const struct file_operations kh_debugfs_fops = {
	.owner = THIS_MODULE,
	.open = kh_debugfs_open,
	.release = kh_debugfs_release,
	.write = kh_debugfs_write,
	.llseek = noop_llseek,
};

static int kh_sources_show(struct seq_file *m, void *unused)
{
	ksm_hint_sources_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kh_sources);

/**
 * ksm_hint_debugfs_init - create /sys/kernel/debug/ksm_hint/{submit,sources}
 *
 * Called once by the core.  debugfs failures are not fatal.
 */
void __init ksm_hint_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("ksm_hint", NULL);

	debugfs_create_file("submit", 0200, dir, NULL, &kh_debugfs_fops);
	debugfs_create_file("sources", 0400, dir, NULL, &kh_sources_fops);
}
