/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of file keys and the key cache; included at the end of
 * key.c.
 */
#ifndef _PAGEHINT_KEY_KUNIT_H
#define _PAGEHINT_KEY_KUNIT_H

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/shmem_fs.h>
#include <linux/string.h>

static u64 ph_key_of(const char *s)
{
	return pagehint_path_key(s, strlen(s));
}

static void ph_test_path_key(struct kunit *test)
{
	/*
	 * The documented function (FNV-1a 64): these values are what any
	 * guest, on any boot, computes for these paths.
	 */
	KUNIT_EXPECT_EQ(test, ph_key_of(""), 0xcbf29ce484222325ULL);
	KUNIT_EXPECT_EQ(test, ph_key_of("a"), 0xaf63dc4c8601ec8cULL);
	KUNIT_EXPECT_EQ(test, ph_key_of("foobar"), 0x85944171f73967e8ULL);
	KUNIT_EXPECT_EQ(test, ph_key_of("/etc/hostname"), 0xed297ff01810aaf0ULL);
	KUNIT_EXPECT_NE(test, ph_key_of("/etc/hostname"),
			ph_key_of("/etc/hostnamf"));
	KUNIT_EXPECT_NE(test, ph_key_of("/lib/a"), ph_key_of("/lib/a/"));
}

static const struct file_operations ph_test_anon_fops;

static void ph_test_unhintable(struct kunit *test)
{
	struct file *file;
	u64 key = 0;

	/* tmpfs: no copy on storage. */
	file = shmem_file_setup("pagehint-kunit", PAGE_SIZE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_EXPECT_EQ(test, pagehint_file_key(file, &key), -EOPNOTSUPP);
	fput(file);
	/* Anonymous inode: no path at all. */
	file = anon_inode_getfile("pagehint-kunit", &ph_test_anon_fops, NULL,
				  O_RDONLY);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_EXPECT_EQ(test, pagehint_file_key(file, &key), -EOPNOTSUPP);
	fput(file);
	KUNIT_EXPECT_EQ(test, key, 0ULL);
}

static void ph_test_key_cache(struct kunit *test)
{
	struct pagehint_keys *k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);
	/* The cache never dereferences an inode: any distinct addresses do. */
	static char inodes[3];
	struct inode *a = (void *)&inodes[0], *b = (void *)&inodes[1];
	struct inode *c = (void *)&inodes[2];
	u64 key;

	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_EQ(test, pagehint_keys_init(k, 2), 0);
	KUNIT_EXPECT_FALSE(test, pagehint_keys_get(k, a, &key));
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, a, 11), 0);
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, b, 22), 0);
	KUNIT_EXPECT_TRUE(test, pagehint_keys_get(k, a, &key));
	KUNIT_EXPECT_EQ(test, key, 11ULL);
	/* A new path for a known inode (rename) replaces its key. */
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, a, 12), 0);
	KUNIT_EXPECT_TRUE(test, pagehint_keys_get(k, a, &key));
	KUNIT_EXPECT_EQ(test, key, 12ULL);
	/* Bounded. */
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, c, 33), -ENOSPC);
	KUNIT_EXPECT_EQ(test, atomic_read(&k->nr), 2);
	/* Gone with its inode, which makes room. */
	pagehint_keys_forget(k, a);
	KUNIT_EXPECT_FALSE(test, pagehint_keys_get(k, a, &key));
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, c, 33), 0);
	KUNIT_EXPECT_TRUE(test, pagehint_keys_get(k, c, &key));
	KUNIT_EXPECT_EQ(test, key, 33ULL);
	pagehint_keys_destroy(k);
}

static struct kunit_case pagehint_key_test_cases[] = {
	KUNIT_CASE(ph_test_path_key),
	KUNIT_CASE(ph_test_unhintable),
	KUNIT_CASE(ph_test_key_cache),
	{},
};

static struct kunit_suite pagehint_key_test_suite = {
	.name = "pagehint_key",
	.test_cases = pagehint_key_test_cases,
};

kunit_test_suite(pagehint_key_test_suite);

#endif /* _PAGEHINT_KEY_KUNIT_H */
