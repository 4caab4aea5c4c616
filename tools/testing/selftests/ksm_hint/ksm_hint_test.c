// SPDX-License-Identifier: GPL-2.0
/*
 * Functional tests of hint-driven KSM scanning (CONFIG_KSM_HINT) through
 * its real interfaces: /sys/kernel/mm/ksm_hint and the debugfs hint file.
 * Needs root (pagemap PFNs, sysfs writes, debugfs).  Output is TAP.
 */
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "ksm_hint_common.h"

#define NPAIRS		64
#define MERGE_TIMEOUT	10.0	/* seconds; ksmd needs well under one */

static int tests, failed, skipped;

static void result(bool ok, const char *name)
{
	tests++;
	if (!ok)
		failed++;
	printf("%sok %d %s\n", ok ? "" : "not ", tests, name);
	fflush(stdout);
}

static void skip(const char *name, const char *why)
{
	tests++;
	skipped++;
	printf("ok %d %s # SKIP %s\n", tests, name, why);
	fflush(stdout);
}

/* ---- settings saved at start and restored at exit ---- */

static const char * const saved_names[] = {
	KSM_DIR "run", KSM_DIR "pages_to_scan", KSM_DIR "sleep_millisecs",
	HINT_DIR "mode", HINT_DIR "hint_stack_size", HINT_DIR "attr_table_size",
	HINT_DIR "vm_hint_rate", HINT_DIR "vm_default",
};

#define NSAVED ARRAY_SIZE(saved_names)
static char saved_vals[NSAVED][64];

static void save_settings(void)
{
	unsigned int i;

	for (i = 0; i < NSAVED; i++)
		read_str(saved_names[i], saved_vals[i], sizeof(saved_vals[i]));
}

static void restore_settings(void)
{
	unsigned int i;

	for (i = 0; i < NSAVED; i++) {
		/* run=2 would unmerge everything: put back 0 or 1 only. */
		if (!strcmp(saved_names[i], KSM_DIR "run") &&
		    !strcmp(saved_vals[i], "2"))
			continue;
		write_str(saved_names[i], saved_vals[i]);
	}
}

/* ---- test 1: knobs ---- */

struct bad_write {
	const char *knob;
	const char *val;
};

static void test_knobs(void)
{
	static const char * const knobs[] = {
		"mode", "hint_stack_size", "attr_table_size", "vm_default",
		"vm_hint_rate", "hints_received", "hints_rejected",
		"hints_rate_limited", "attr_matches", "stack_overwrites",
		"hints_scanned", "pages_merged", "hash_table_pages",
		"attr_table_entries",
	};
	static const struct bad_write bad[] = {
		{ "mode", "bogus" }, { "mode", "\n" }, { "mode", "hintx" },
		{ "hint_stack_size", "0" }, { "hint_stack_size", "abc" },
		{ "hint_stack_size", "99999999999" }, { "hint_stack_size", "-1" },
		{ "attr_table_size", "1" }, { "attr_table_size", "x" },
		{ "attr_table_size", "4294967296" },
		{ "vm_default", "2" }, { "vm_default", "yes" },
		{ "vm_hint_rate", "-1" }, { "vm_hint_rate", "1e3" },
	};
	char path[256], before[64], after[64];
	bool ok = true;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), HINT_DIR "%s", knobs[i]);
		if (access(path, R_OK)) {
			printf("# missing %s\n", path);
			ok = false;
		}
	}
	result(ok, "sysfs knobs and counters exist");

	ok = true;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(path, sizeof(path), HINT_DIR "%s", bad[i].knob);
		read_str(path, before, sizeof(before));
		err = write_str(path, bad[i].val);
		read_str(path, after, sizeof(after));
		if (err != -EINVAL || strcmp(before, after)) {
			printf("# %s <- '%s': err %d, '%s' -> '%s'\n",
			       bad[i].knob, bad[i].val, err, before, after);
			ok = false;
		}
	}
	result(ok, "bad knob writes fail with EINVAL and change nothing");

	ok = !write_str(HINT_DIR "mode", "hybrid");
	read_str(HINT_DIR "mode", after, sizeof(after));
	ok = ok && !strcmp(after, "hybrid");
	ok = ok && !write_str(HINT_DIR "mode", "off\n");
	read_str(HINT_DIR "mode", after, sizeof(after));
	ok = ok && !strcmp(after, "off");
	ok = ok && !write_num(HINT_DIR "hint_stack_size", 100) &&
	     hint_stat("hint_stack_size") == 100;
	ok = ok && !write_num(HINT_DIR "attr_table_size", 1000) &&
	     hint_stat("attr_table_size") == 1000;
	ok = ok && !write_num(HINT_DIR "vm_default", 1) &&
	     hint_stat("vm_default") == 1;
	ok = ok && !write_num(HINT_DIR "vm_default", 0);
	result(ok, "good knob writes take effect");
}

/* ---- helpers for the merge tests ---- */

static char *map_area(size_t pages, bool mergeable)
{
	char *p = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* THP would hide the per-page merges this test looks at. */
	madvise(p, pages * page_size, MADV_NOHUGEPAGE);
	if (mergeable && madvise(p, pages * page_size, MADV_MERGEABLE)) {
		munmap(p, pages * page_size);
		return NULL;
	}
	return p;
}

static void hint_pairs(int fd, char *a, char *b, size_t n, uint64_t key)
{
	struct hint_rec *r = calloc(2 * n, sizeof(*r));
	size_t i;

	for (i = 0; i < n; i++) {
		r[i] = (struct hint_rec){ (uintptr_t)(a + i * page_size), key,
					  i, KIND_READ, 0 };
		r[n + i] = (struct hint_rec){ (uintptr_t)(b + i * page_size),
					      key, i, KIND_READ, 0 };
	}
	if (submit(fd, r, 2 * n) != (long)(2 * n))
		printf("# short submit\n");
	free(r);
}

static size_t count_merged(char *a, char *b, size_t n)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		uint64_t pa = pfn_of(a + i * page_size);

		m += pa && pa == pfn_of(b + i * page_size);
	}
	return m;
}

/* Wait until ksmd has scanned @n more hinted pages, then one more batch. */
static void wait_scanned(long base, long n)
{
	double end = now_s() + MERGE_TIMEOUT;

	while (hint_stat("hints_scanned") < base + n && now_s() < end)
		usleep(10000);
	usleep(200000);
}

/* ---- test: identical hinted pages merge, then stay separate ---- */

static void test_merge(int fd)
{
	char *a = map_area(NPAIRS, true), *b = map_area(NPAIRS, true);
	long sharing0 = ksm_stat("pages_sharing");
	long merged0 = hint_stat("pages_merged");
	long matches0 = hint_stat("attr_matches");
	size_t i, m = 0;
	bool ok = true;
	double t0, t;

	if (!a || !b) {
		result(false, "mmap/MADV_MERGEABLE");
		return;
	}
	for (i = 0; i < NPAIRS; i++) {
		fill_page(a + i * page_size, 1000 + i);
		fill_page(b + i * page_size, 1000 + i);
	}
	t0 = now_s();
	hint_pairs(fd, a, b, NPAIRS, 0xa11ce);
	do {
		usleep(5000);
		m = count_merged(a, b, NPAIRS);
	} while (m < NPAIRS && now_s() - t0 < MERGE_TIMEOUT);
	t = now_s() - t0;
	printf("# %zu/%d merged in %.3f s; matches +%ld, merged +%ld, sharing %ld -> %ld\n",
	       m, NPAIRS, t, hint_stat("attr_matches") - matches0,
	       hint_stat("pages_merged") - merged0, sharing0,
	       ksm_stat("pages_sharing"));
	result(m == NPAIRS, "hinted identical pages merge (pagemap PFNs equal)");
	result(ksm_stat("pages_sharing") >= sharing0 + NPAIRS &&
	       hint_stat("pages_merged") >= merged0 + 2 * NPAIRS,
	       "pages_sharing and pages_merged go up");

	/* COW keeps the data of each side separate. */
	for (i = 0; i < NPAIRS; i++)
		a[i * page_size + 8] ^= 0x5a;
	for (i = 0; i < NPAIRS; i++) {
		char ref[page_size];

		fill_page(ref, 1000 + i);
		if (memcmp(b + i * page_size, ref, page_size))
			ok = false;
		ref[8] ^= 0x5a;
		if (memcmp(a + i * page_size, ref, page_size))
			ok = false;
		b[i * page_size + 16] ^= 0x33;
		ref[8] ^= 0x5a;
		ref[16] ^= 0x33;
		if (memcmp(b + i * page_size, ref, page_size))
			ok = false;
		if (pfn_of(a + i * page_size) == pfn_of(b + i * page_size))
			ok = false;
	}
	result(ok, "writes after merging keep each side's data");
	munmap(a, NPAIRS * page_size);
	munmap(b, NPAIRS * page_size);
}

/* ---- test: same attribute, different content, never merged ---- */

static void test_hostile(int fd)
{
	char *a = map_area(NPAIRS, true), *b = map_area(NPAIRS, true);
	long scanned0 = hint_stat("hints_scanned");
	bool ok = true;
	size_t i;

	if (!a || !b) {
		result(false, "mmap/MADV_MERGEABLE");
		return;
	}
	for (i = 0; i < NPAIRS; i++) {
		fill_page(a + i * page_size, 5000 + i);
		fill_page(b + i * page_size, 9000 + i);
	}
	hint_pairs(fd, a, b, NPAIRS, 0xbad);
	hint_pairs(fd, a, b, NPAIRS, 0xbad);
	wait_scanned(scanned0, 2 * NPAIRS);
	if (count_merged(a, b, NPAIRS))
		ok = false;
	for (i = 0; i < NPAIRS; i++) {
		char ref[page_size];

		fill_page(ref, 5000 + i);
		ok = ok && !memcmp(a + i * page_size, ref, page_size);
		fill_page(ref, 9000 + i);
		ok = ok && !memcmp(b + i * page_size, ref, page_size);
	}
	printf("# hints_scanned +%ld\n", hint_stat("hints_scanned") - scanned0);
	result(ok && hint_stat("hints_scanned") >= scanned0 + 2 * NPAIRS,
	       "same attribute with different content never merges");
	munmap(a, NPAIRS * page_size);
	munmap(b, NPAIRS * page_size);
}

/* ---- test: unmapped and non-mergeable addresses are skipped ---- */

static void test_unmergeable(int fd)
{
	char *a = map_area(NPAIRS, false), *b = map_area(NPAIRS, true);
	char *gone = map_area(NPAIRS, true);
	long scanned0 = hint_stat("hints_scanned");
	bool ok;
	size_t i;

	if (!a || !b || !gone) {
		result(false, "mmap");
		return;
	}
	for (i = 0; i < NPAIRS; i++) {
		fill_page(a + i * page_size, 20000 + i);
		fill_page(b + i * page_size, 20000 + i);
		fill_page(gone + i * page_size, 20000 + i);
	}
	munmap(gone, NPAIRS * page_size);
	hint_pairs(fd, a, b, NPAIRS, 0xdead);
	hint_pairs(fd, gone, b, NPAIRS, 0xdeae);
	wait_scanned(scanned0, 4 * NPAIRS);
	ok = count_merged(a, b, NPAIRS) == 0;
	for (i = 0; i < NPAIRS; i++) {
		char ref[page_size];

		fill_page(ref, 20000 + i);
		ok = ok && !memcmp(a + i * page_size, ref, page_size);
	}
	result(ok, "hints for unmapped or non-mergeable pages are skipped");
	munmap(a, NPAIRS * page_size);
	munmap(b, NPAIRS * page_size);
}

/* ---- test: invalid records and other processes' mms ---- */

static void test_rejects(int fd)
{
	struct hint_rec r[3] = {
		{ 0x10000, 1, 1, 9, 0 },		/* unknown kind */
		{ 0x10000, 1, 1, KIND_READ, 1 },	/* reserved set */
		{ 0x10000, 1, 1, 0, 0 },		/* kind 0 */
	};
	long rej0 = hint_stat("hints_rejected");
	ssize_t n;
	pid_t pid;
	int st;

	n = write(fd, r, sizeof(r) - 1);
	result(n < 0 && errno == EINVAL, "partial record write fails with EINVAL");
	submit(fd, r, 3);
	result(hint_stat("hints_rejected") == rej0 + 3,
	       "bad kind and reserved fields are counted in hints_rejected");

	pid = fork();
	if (!pid) {
		r[0].kind = KIND_READ;
		n = write(fd, r, sizeof(r[0]));
		_exit(n < 0 && errno == EPERM ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	result(WIFEXITED(st) && !WEXITSTATUS(st),
	       "an inherited fd cannot hint into another process's mm");
}

/* ---- test: rate limit ---- */

static void test_rate(void)
{
	long lim0 = hint_stat("hints_rate_limited");
	struct hint_rec *r = calloc(1000, sizeof(*r));
	long acc;
	size_t i;
	int fd;

	write_num(HINT_DIR "vm_hint_rate", 100);
	fd = open(SUBMIT_PATH, O_WRONLY);
	for (i = 0; i < 1000; i++)
		r[i] = (struct hint_rec){ 0x10000, 77, i, KIND_READ, 0 };
	acc = submit(fd, r, 1000);
	printf("# rate 100/s: %ld of 1000 accepted\n", acc);
	/* The debugfs file stops at the first refused batch of 64. */
	result(acc >= 50 && acc <= 200 &&
	       hint_stat("hints_rate_limited") > lim0,
	       "vm_hint_rate limits a source");
	close(fd);
	write_num(HINT_DIR "vm_hint_rate", 0);
	free(r);
}

/* ---- test: a flood of hints stays within the knobs ---- */

static long meminfo_kb(const char *field)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)) &&
		    line[strlen(field)] == ':')
			v = strtol(line + strlen(field) + 1, NULL, 10);
	fclose(f);
	return v;
}

static void test_flood(int fd)
{
	const size_t total = 1000000, chunk = 4096;
	long over0 = hint_stat("stack_overwrites");
	long attr_size = hint_stat("attr_table_size");
	long slab0 = meminfo_kb("Slab"), vm0 = meminfo_kb("VmallocUsed");
	char *a = map_area(2, true);
	struct hint_rec *r = calloc(chunk, sizeof(*r));
	size_t done, i;
	long acc = 0;
	double t0;
	bool ok;

	fill_page(a, 1);
	fill_page(a + page_size, 2);
	t0 = now_s();
	for (done = 0; done < total; done += chunk) {
		for (i = 0; i < chunk; i++) {
			size_t k = done + i;

			/* Pairs share an attribute, so half of them match. */
			r[i] = (struct hint_rec){
				(uintptr_t)(a + (k & 1) * page_size),
				0xf100d, k / 2, KIND_READ, 0 };
		}
		acc += submit(fd, r, chunk);
	}
	printf("# %ld hints in %.2f s; attr_table_entries %ld (size %ld), stack_overwrites +%ld\n",
	       acc, now_s() - t0, hint_stat("attr_table_entries"), attr_size,
	       hint_stat("stack_overwrites") - over0);
	printf("# memory: Slab %ld -> %ld kB, VmallocUsed %ld -> %ld kB\n",
	       slab0, meminfo_kb("Slab"), vm0, meminfo_kb("VmallocUsed"));
	ok = acc >= (long)(total - chunk) &&
	     hint_stat("attr_table_entries") <= attr_size &&
	     hint_stat("stack_overwrites") > over0 &&
	     meminfo_kb("Slab") - slab0 < 8192;
	result(ok, "1000000 hints stay within attr_table_size and hint_stack_size");
	munmap(a, 2 * page_size);
	free(r);
}

/* ---- test: mode switches, run=2 and exits with hints pending ---- */

static void child_hinter(unsigned int seed)
{
	char *a = map_area(NPAIRS, true), *b = map_area(NPAIRS, true);
	int fd = open(SUBMIT_PATH, O_WRONLY);
	size_t i;

	for (i = 0; i < NPAIRS; i++) {
		fill_page(a + i * page_size, seed + i);
		fill_page(b + i * page_size, seed + i);
	}
	for (i = 0; i < 20; i++)
		hint_pairs(fd, a, b, NPAIRS, 0xc0de0000 + seed);
	/* Exit with the fd open and hints pending. */
	_exit(0);
}

static void test_churn(void)
{
	static const char * const modes[] = { "hint", "hybrid", "off" };
	unsigned int i;
	bool ok = true;
	pid_t pid;
	int st;

	for (i = 0; i < 12; i++) {
		pid = fork();
		if (!pid)
			child_hinter(i * 1000);
		write_str(HINT_DIR "mode", modes[i % 3]);
		if (i % 4 == 3) {
			ok = ok && !write_str(KSM_DIR "run", "2");
			ok = ok && !write_str(KSM_DIR "run", "1");
		}
		if (i % 5 == 4)
			write_num(HINT_DIR "hint_stack_size", 64 + i);
		waitpid(pid, &st, 0);
		ok = ok && WIFEXITED(st) && !WEXITSTATUS(st);
	}
	write_str(HINT_DIR "mode", "hint");
	usleep(500000);
	ok = ok && !write_str(KSM_DIR "run", "2");
	/* run=2 unmerged everything, the hash table included. */
	ok = ok && hint_stat("hash_table_pages") == 0;
	ok = ok && !write_str(KSM_DIR "run", "1");
	result(ok, "mode switches, resizes, run=2 and exits with pending hints");
}

int main(int argc, char **argv)
{
	/* The scan mode for the merge tests: hint (default) or hybrid. */
	const char *mode = argc > 1 ? argv[1] : "hint";
	int fd;

	page_size = sysconf(_SC_PAGESIZE);
	printf("TAP version 13\n");
	if (geteuid()) {
		printf("1..0 # SKIP needs root\n");
		return 4;
	}
	if (access(HINT_DIR "mode", F_OK)) {
		printf("1..0 # SKIP no %s (CONFIG_KSM_HINT off?)\n", HINT_DIR);
		return 4;
	}
	printf("1..14\n");
	save_settings();

	test_knobs();

	write_num(HINT_DIR "hint_stack_size", 4096);
	write_num(HINT_DIR "attr_table_size", 16384);
	write_num(HINT_DIR "vm_hint_rate", 0);
	write_num(KSM_DIR "pages_to_scan", 100);
	write_num(KSM_DIR "sleep_millisecs", 20);
	if (write_str(HINT_DIR "mode", mode))
		printf("# bad mode %s\n", mode);
	printf("# mode %s\n", mode);
	write_str(KSM_DIR "run", "1");

	fd = open(SUBMIT_PATH, O_WRONLY);
	if (fd < 0) {
		printf("# open %s: %s\n", SUBMIT_PATH, strerror(errno));
		for (int i = 0; i < 11; i++)
			skip("hint submission", "no debugfs submit file");
	} else {
		test_merge(fd);
		test_hostile(fd);
		test_unmergeable(fd);
		test_rejects(fd);
		test_rate();
		test_flood(fd);
		close(fd);
		test_churn();
	}
	restore_settings();
	printf("# %d passed, %d failed, %d skipped\n",
	       tests - failed - skipped, failed, skipped);
	return failed ? 1 : 0;
}
