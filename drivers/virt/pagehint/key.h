/* SPDX-License-Identifier: GPL-2.0 */
/*
 * File keys: a hash of a file's path, cached per inode.
 */
#ifndef _PAGEHINT_KEY_H
#define _PAGEHINT_KEY_H

#include <linux/atomic.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>

struct file;
struct inode;

/**
 * struct pagehint_keys - inode -> file key cache
 * @ht: entries keyed by inode address; an entry leaves with its inode
 * @nr: entries in @ht
 * @max: bound on @nr; files opened when the cache is full are not hinted
 * @gen: generation; an entry set in an earlier one is stale (a directory
 *	above its file may have moved since its path was hashed)
 */
struct pagehint_keys {
	struct rhashtable ht;
	atomic_t nr;
	unsigned int max;
	atomic_t gen;
};

/**
 * enum pagehint_key_state - what the cache knows of an inode's key
 * @PAGEHINT_KEY_NONE: no key: the file was not opened while hinting was on,
 *	or it is not hinted
 * @PAGEHINT_KEY_STALE: the key of a path the file may no longer have (it
 *	or a directory above it was renamed, or it lost a name, since it was
 *	opened); good only to retract what was hinted under it
 * @PAGEHINT_KEY_CURRENT: the key of the path the file was last opened by,
 *	with no rename or unlink seen since
 */
enum pagehint_key_state {
	PAGEHINT_KEY_NONE,
	PAGEHINT_KEY_STALE,
	PAGEHINT_KEY_CURRENT,
};

u64 pagehint_path_key(const char *path, size_t len);
int pagehint_file_key(struct file *file, u64 *key);
int pagehint_keys_init(struct pagehint_keys *k, unsigned int max);
void pagehint_keys_destroy(struct pagehint_keys *k);
unsigned int pagehint_keys_gen(struct pagehint_keys *k);
int pagehint_keys_set(struct pagehint_keys *k, struct inode *inode, u64 key,
		      unsigned int gen);
enum pagehint_key_state pagehint_keys_get(struct pagehint_keys *k,
					  struct inode *inode, u64 *key);
void pagehint_keys_stale(struct pagehint_keys *k, struct inode *inode);
void pagehint_keys_stale_all(struct pagehint_keys *k);
void pagehint_keys_forget(struct pagehint_keys *k, struct inode *inode);

#endif /* _PAGEHINT_KEY_H */
