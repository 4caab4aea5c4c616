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
	unsigned int gen;
	u64 key;

	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_EQ(test, pagehint_keys_init(k, 2), 0);
	gen = pagehint_keys_gen(k);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, a, &key), PAGEHINT_KEY_NONE);
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, a, 11, gen), 0);
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, b, 22, gen), 0);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, a, &key),
			PAGEHINT_KEY_CURRENT);
	KUNIT_EXPECT_EQ(test, key, 11ULL);
	/* Opened under a new path: the new key replaces the old. */
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, a, 12, gen), 0);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, a, &key),
			PAGEHINT_KEY_CURRENT);
	KUNIT_EXPECT_EQ(test, key, 12ULL);
	/* Bounded. */
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, c, 33, gen), -ENOSPC);
	KUNIT_EXPECT_EQ(test, atomic_read(&k->nr), 2);
	/* Gone with its inode, which makes room. */
	pagehint_keys_forget(k, a);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, a, &key), PAGEHINT_KEY_NONE);
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, c, 33, gen), 0);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, c, &key),
			PAGEHINT_KEY_CURRENT);
	KUNIT_EXPECT_EQ(test, key, 33ULL);
	pagehint_keys_destroy(k);
}

static void ph_test_key_stale(struct kunit *test)
{
	struct pagehint_keys *k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);
	static char inodes[3];
	struct inode *a = (void *)&inodes[0], *b = (void *)&inodes[1];
	struct inode *c = (void *)&inodes[2];
	unsigned int gen;
	u64 key;

	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_EQ(test, pagehint_keys_init(k, 8), 0);
	gen = pagehint_keys_gen(k);
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, a, 11, gen), 0);
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, b, 22, gen), 0);

	/* A file renamed: only its key is stale, and still readable. */
	pagehint_keys_stale(k, a);
	pagehint_keys_stale(k, c);	/* no key: nothing to do */
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, a, &key), PAGEHINT_KEY_STALE);
	KUNIT_EXPECT_EQ(test, key, 11ULL);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, b, &key),
			PAGEHINT_KEY_CURRENT);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, c, &key), PAGEHINT_KEY_NONE);
	/* Opened again under its new name: current again. */
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, a, 13, gen), 0);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, a, &key),
			PAGEHINT_KEY_CURRENT);
	KUNIT_EXPECT_EQ(test, key, 13ULL);

	/* A directory renamed: every key is stale, none is lost. */
	pagehint_keys_stale_all(k);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, a, &key), PAGEHINT_KEY_STALE);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, b, &key), PAGEHINT_KEY_STALE);
	KUNIT_EXPECT_EQ(test, key, 22ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&k->nr), 2);
	/*
	 * A key hashed from a path read before that rename (the generation
	 * was taken first) stays stale; one hashed after it is current.
	 */
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, b, 23, gen), 0);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, b, &key), PAGEHINT_KEY_STALE);
	gen = pagehint_keys_gen(k);
	KUNIT_EXPECT_EQ(test, pagehint_keys_set(k, b, 24, gen), 0);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, b, &key),
			PAGEHINT_KEY_CURRENT);
	KUNIT_EXPECT_EQ(test, key, 24ULL);
	/* A file renamed after a directory rename is stale too. */
	pagehint_keys_stale(k, b);
	KUNIT_EXPECT_EQ(test, pagehint_keys_get(k, b, &key), PAGEHINT_KEY_STALE);
	pagehint_keys_destroy(k);
}

static struct kunit_case pagehint_key_test_cases[] = {
	KUNIT_CASE(ph_test_path_key),
	KUNIT_CASE(ph_test_unhintable),
	KUNIT_CASE(ph_test_key_cache),
	KUNIT_CASE(ph_test_key_stale),
	{},
};

static struct kunit_suite pagehint_key_test_suite = {
	.name = "pagehint_key",
	.test_cases = pagehint_key_test_cases,
};

kunit_test_suite(pagehint_key_test_suite);

#endif /* _PAGEHINT_KEY_KUNIT_H */
