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
 *
 * A rename or unlink cannot walk the paths of every cached file below the
 * name that changed, so it marks keys stale instead: the file's own for a
 * file, all of them (a new generation) for a directory.  A stale key is
 * not used for new hints until the file is opened again.
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
	unsigned int gen;
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
	atomic_set(&k->gen, 0);
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
 * pagehint_keys_gen - the cache's generation, to pass to pagehint_keys_set()
 * @k: the cache
 *
 * Read before the path is hashed, so that a directory rename that runs
 * meanwhile leaves the new key stale rather than current.
 *
 * Return: the current generation.
 */
unsigned int pagehint_keys_gen(struct pagehint_keys *k)
{
	return atomic_read(&k->gen);
}

static void pagehint_key_update(struct pagehint_key_entry *e, u64 key,
				unsigned int gen)
{
	WRITE_ONCE(e->key, key);
	/* Readers pair this with their read of the key. */
	smp_store_release(&e->gen, gen);
}

/**
 * pagehint_keys_set - remember (or update) the key of an inode
 * @k: the cache
 * @inode: the inode
 * @key: its file key
 * @gen: pagehint_keys_gen() from before @key was computed
 *
 * Context: process context.
 * Return: 0, -ENOSPC when the cache is full, or -ENOMEM.
 */
int pagehint_keys_set(struct pagehint_keys *k, struct inode *inode, u64 key,
		      unsigned int gen)
{
	struct pagehint_key_entry *e, *old;

	rcu_read_lock();
	old = rhashtable_lookup(&k->ht, &inode, pagehint_key_params);
	if (old)
		pagehint_key_update(old, key, gen);
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
	e->gen = gen;
	/* Under RCU: a lost race returns the winner, which forget may free. */
	rcu_read_lock();
	old = rhashtable_lookup_get_insert_fast(&k->ht, &e->node,
						pagehint_key_params);
	if (!IS_ERR_OR_NULL(old))
		pagehint_key_update(old, key, gen);
	rcu_read_unlock();
	if (!old)
		return 0;
	/* Lost a race with another opener, or the table refused it. */
	kfree(e);
	atomic_dec(&k->nr);
	return PTR_ERR_OR_ZERO(old);
}

/**
 * pagehint_keys_get - look up the key of an inode
 * @k: the cache
 * @inode: the inode
 * @key: set to the key when one is cached, current or stale
 *
 * Context: any but NMI.
 * Return: whether the inode has a key, and whether it is still current.
 */
enum pagehint_key_state pagehint_keys_get(struct pagehint_keys *k,
					  struct inode *inode, u64 *key)
{
	enum pagehint_key_state state = PAGEHINT_KEY_NONE;
	struct pagehint_key_entry *e;
	unsigned int gen;

	rcu_read_lock();
	e = rhashtable_lookup(&k->ht, &inode, pagehint_key_params);
	if (e) {
		/* Pairs with pagehint_key_update(): a gen comes with its key. */
		gen = smp_load_acquire(&e->gen);
		*key = READ_ONCE(e->key);
		state = gen == atomic_read(&k->gen) ? PAGEHINT_KEY_CURRENT :
						      PAGEHINT_KEY_STALE;
	}
	rcu_read_unlock();
	return state;
}

/**
 * pagehint_keys_stale - mark the key of one inode stale
 * @k: the cache
 * @inode: a file that was renamed or lost one of its names
 *
 * The key stays, to retract hints sent under it, until the file is opened
 * again or freed.
 *
 * Context: process context.
 */
void pagehint_keys_stale(struct pagehint_keys *k, struct inode *inode)
{
	struct pagehint_key_entry *e;

	rcu_read_lock();
	e = rhashtable_lookup(&k->ht, &inode, pagehint_key_params);
	if (e)
		WRITE_ONCE(e->gen, atomic_read(&k->gen) - 1);
	rcu_read_unlock();
}

/**
 * pagehint_keys_stale_all - mark every cached key stale
 * @k: the cache
 *
 * For a directory rename: the path of any file below it changed, and the
 * cache does not know which files those are.  Each file gets a current
 * key again at its next open.
 */
void pagehint_keys_stale_all(struct pagehint_keys *k)
{
	atomic_inc(&k->gen);
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
