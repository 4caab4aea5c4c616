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
 */
struct pagehint_keys {
	struct rhashtable ht;
	atomic_t nr;
	unsigned int max;
};

u64 pagehint_path_key(const char *path, size_t len);
int pagehint_file_key(struct file *file, u64 *key);
int pagehint_keys_init(struct pagehint_keys *k, unsigned int max);
void pagehint_keys_destroy(struct pagehint_keys *k);
int pagehint_keys_set(struct pagehint_keys *k, struct inode *inode, u64 key);
bool pagehint_keys_get(struct pagehint_keys *k, struct inode *inode,
		       u64 *key);
void pagehint_keys_forget(struct pagehint_keys *k, struct inode *inode);

#endif /* _PAGEHINT_KEY_H */
