// SPDX-License-Identifier: GPL-2.0
/*
 * File keys.
 *
 * A file key is the 64-bit FNV-1a hash of the file's absolute path in the
 * guest's initial mount namespace (see <uapi/linux/kvm_page_hint.h>), so
 * every guest of an image computes the same key for the same file.  Paths
 * are walked and hashed when a file is opened, in process context; the
 * result is cached per inode in a bounded hash table whose entries leave
 * with their inode, so a page event, possibly in interrupt context, only
 * looks the key up.
 */

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/nsproxy.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "key.h"

#define PAGEHINT_FNV_OFFSET	0xcbf29ce484222325ULL
#define PAGEHINT_FNV_PRIME	0x100000001b3ULL

struct pagehint_key_entry {
	struct rhash_head node;
	struct inode *inode;
	u64 key;
	struct rcu_head rcu;
};

static const struct rhashtable_params pagehint_key_params = {
	.key_len = sizeof(struct inode *),
	.key_offset = offsetof(struct pagehint_key_entry, inode),
	.head_offset = offsetof(struct pagehint_key_entry, node),
	.automatic_shrinking = true,
};

/**
 * pagehint_path_key - the file key of a path
 * @path: absolute path, not NUL-terminated
 * @len: its length in bytes
 *
 * Return: FNV-1a 64 of the path's bytes.
 */
u64 pagehint_path_key(const char *path, size_t len)
{
	u64 h = PAGEHINT_FNV_OFFSET;

	while (len--) {
		h ^= (u8)*path++;
		h *= PAGEHINT_FNV_PRIME;
	}
	return h;
}

/**
 * pagehint_file_key - the file key of an open file, if it may be hinted
 * @file: the file
 * @key: set to the key on success
 *
 * Only regular files of block device backed filesystems that still have
 * a name, opened in the initial mount namespace, have a key: files of
 * pseudo filesystems and tmpfs have no copy on storage that another guest
 * could share, and the path of an unlinked file names nothing stable.
 *
 * Context: process context, may sleep.
 * Return: 0, -EOPNOTSUPP for a file that is not hinted, or -ENOMEM.
 */
int pagehint_file_key(struct file *file, u64 *key)
{
	struct inode *inode = file_inode(file);
	char *buf, *p;

	if (!S_ISREG(inode->i_mode) || (file->f_mode & FMODE_PATH) ||
	    !inode->i_sb->s_bdev || !inode->i_nlink ||
	    d_unlinked(file->f_path.dentry))
		return -EOPNOTSUPP;
	/* A path elsewhere would give another guest's file of that name. */
	if (!current->nsproxy ||
	    current->nsproxy->mnt_ns != init_task.nsproxy->mnt_ns)
		return -EOPNOTSUPP;
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	/*
	 * The path from the opener's root: in the initial mount namespace
	 * and outside a chroot that is the absolute path.  (d_absolute_path()
	 * is not exported to modules; a chrooted opener gives the path in its
	 * chroot, the same in every guest of an image, so still a fair key.)
	 */
	p = d_path(&file->f_path, buf, PATH_MAX);
	if (IS_ERR(p)) {
		kfree(buf);
		return -EOPNOTSUPP;
	}
	*key = pagehint_path_key(p, buf + PATH_MAX - 1 - p);
	kfree(buf);
	return 0;
}

/**
 * pagehint_keys_init - set up an empty key cache
 * @k: the cache
 * @max: most entries it may hold
 *
 * Return: 0 or a negative errno.
 */
int pagehint_keys_init(struct pagehint_keys *k, unsigned int max)
{
	atomic_set(&k->nr, 0);
	k->max = max;
	return rhashtable_init(&k->ht, &pagehint_key_params);
}

static void pagehint_key_free(void *ptr, void *arg)
{
	kfree(ptr);
}

/**
 * pagehint_keys_destroy - free a key cache and every entry
 * @k: the cache; no lookups may run any more
 */
void pagehint_keys_destroy(struct pagehint_keys *k)
{
	rhashtable_free_and_destroy(&k->ht, pagehint_key_free, NULL);
	atomic_set(&k->nr, 0);
}

/**
 * pagehint_keys_set - remember (or update) the key of an inode
 * @k: the cache
 * @inode: the inode
 * @key: its file key
 *
 * Context: process context.
 * Return: 0, -ENOSPC when the cache is full, or -ENOMEM.
 */
int pagehint_keys_set(struct pagehint_keys *k, struct inode *inode, u64 key)
{
	struct pagehint_key_entry *e, *old;

	rcu_read_lock();
	old = rhashtable_lookup(&k->ht, &inode, pagehint_key_params);
	if (old)
		WRITE_ONCE(old->key, key);
	rcu_read_unlock();
	if (old)
		return 0;

	if (atomic_inc_return(&k->nr) > k->max) {
		atomic_dec(&k->nr);
		return -ENOSPC;
	}
	e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (!e) {
		atomic_dec(&k->nr);
		return -ENOMEM;
	}
	e->inode = inode;
	e->key = key;
	old = rhashtable_lookup_get_insert_fast(&k->ht, &e->node,
						pagehint_key_params);
	if (!old)
		return 0;
	/* Lost a race with another opener, or the table refused it. */
	kfree(e);
	atomic_dec(&k->nr);
	if (IS_ERR(old))
		return PTR_ERR(old);
	WRITE_ONCE(old->key, key);
	return 0;
}

/**
 * pagehint_keys_get - look up the key of an inode
 * @k: the cache
 * @inode: the inode
 * @key: set to the key when found
 *
 * Context: any but NMI.
 * Return: true when the inode has a key.
 */
bool pagehint_keys_get(struct pagehint_keys *k, struct inode *inode, u64 *key)
{
	struct pagehint_key_entry *e;

	rcu_read_lock();
	e = rhashtable_lookup(&k->ht, &inode, pagehint_key_params);
	if (e)
		*key = READ_ONCE(e->key);
	rcu_read_unlock();
	return e;
}

/**
 * pagehint_keys_forget - drop the key of an inode
 * @k: the cache
 * @inode: the inode, about to be freed
 */
void pagehint_keys_forget(struct pagehint_keys *k, struct inode *inode)
{
	struct pagehint_key_entry *e;

	rcu_read_lock();
	e = rhashtable_lookup(&k->ht, &inode, pagehint_key_params);
	if (e && !rhashtable_remove_fast(&k->ht, &e->node,
					 pagehint_key_params)) {
		atomic_dec(&k->nr);
		kfree_rcu(e, rcu);
	}
	rcu_read_unlock();
}

#ifdef CONFIG_PAGEHINT_GUEST_KUNIT_TEST
#include "tests/key-kunit.h"
#endif
