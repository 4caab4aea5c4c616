// SPDX-License-Identifier: GPL-2.0
/*
 * Test of ksm_hint_vmstat against two processes of known memory.  Each
 * child maps an anonymous region of N MiB, aligned to 2 MiB, and fills it
 * by 2 MiB chunks: some chunks untouched (not present), some only read
 * (the zero page, or the huge zero page under THP), the others written
 * page by page with contents shared by both children, unique to one,
 * repeated within one, one content repeated hundreds of times, and zeros.
 * The expected numbers are counted here from the same layout and the
 * tool's must match exactly: present, zero, distinct frames, saved (0:
 * nothing is merged), and the oracle's zeros and duplicates.  The oracle
 * must fault nothing in.  Phases: 4 KiB pages; THP (MADV_HUGEPAGE) where
 * THP is available; then, where /sys/kernel/mm/ksm exists and is idle,
 * KSM with use_zero_pages 0 and 1: saved must equal pages_sharing, and
 * equal the merged duplicates the oracle sees.  KSM settings are restored.
 * A file of some of the children's contents (plus zeros, a content neither
 * holds and a partial block) stands for a guest's disk (-F): the oracle's
 * file keys must count exactly the pages and duplicates of those contents.
 * Then the read-to-merge watch (-W, phase_watch()).
 * Needs root.  Output is TAP.
 *
 * usage: ksm_hint_vmstat_test [-n MiB] [-t path of ksm_hint_vmstat] [-K]
 *        (-K: no KSM phases)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ksm_hint_tap.h"

#define PAGE_SZ		4096UL
#define CHUNK_PAGES	512UL		/* 2 MiB */
#define KSM_DIR		"/sys/kernel/mm/ksm/"
#define MAX_KEYS	40
/*
 * Watch phase: pages 1-4 (merged) rewritten while watched in both
 * children, page 5 left unique, page 6 (unique) rewritten to equal
 * content, written in place as a read into an unshared frame is.
 */
#define WATCH_FIRST	1
#define WATCH_LAST	4
#define WATCH_IN_PLACE	6
/* Pages merged again 2 s into the watch in make check; CI is slower. */
#define WATCH_SECS	30

static unsigned long mib = 32, npages;
static char tool[4096];

/* Chunk kinds. */
enum { C_WRITTEN, C_UNTOUCHED, C_READ };

static int chunk_kind(unsigned long c)
{
	if (c % 8 == 3)
		return C_UNTOUCHED;
	if (c % 8 == 6)
		return C_READ;
	return C_WRITTEN;
}

/*
 * Content id of page @i of child @who in a written chunk; 0 is all zeros.
 * Distinct ids give distinct contents (the id is the first word).
 */
static uint64_t content_id(int who, unsigned long i)
{
	switch (i % 16) {
	case 0: case 1: case 2: case 3: case 4:
		return 0x100000000ULL + i;		/* in both children */
	case 5: case 6: case 7: case 8:
		return 0x200000000ULL * (who + 2) + i;	/* unique */
	case 9:
		return 0;				/* zeros */
	case 10: case 11: case 12:
		return 0x800000000ULL * (who + 2) + i / 64; /* within one */
	case 13: case 14:
		return 0x7777;				/* everywhere */
	default:
		return 0x1000000000ULL + i / CHUNK_PAGES; /* per chunk, both */
	}
}

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fill(uint64_t *p, uint64_t id)
{
	size_t k;

	if (!id) {
		memset(p, 0, PAGE_SZ);
		return;
	}
	p[0] = id;
	for (k = 1; k < PAGE_SZ / 8; k++)
		p[k] = mix(id * 4099 + k);
}

/* ---- the children ---- */

struct child {
	pid_t pid;
	int cmd;	/* write end: commands */
	int ack;	/* read end: one byte per command done */
};

static void child_main(int who, bool thp, int cmd, int ack)
{
	size_t len = npages * PAGE_SZ, hsz = CHUNK_PAGES * PAGE_SZ;
	unsigned long i;
	char *raw, *p, c;

	raw = mmap(NULL, len + hsz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		_exit(1);
	p = (char *)(((uintptr_t)raw + hsz - 1) & ~(uintptr_t)(hsz - 1));
	if (p > raw)
		munmap(raw, p - raw);
	if (raw + hsz > p)
		munmap(p + len, raw + hsz - p);
	if (madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		_exit(1);
	for (i = 0; i < npages; i++) {
		switch (chunk_kind(i / CHUNK_PAGES)) {
		case C_READ:
			if (p[i * PAGE_SZ])	/* a read fault */
				_exit(1);
			break;
		case C_WRITTEN:
			fill((uint64_t *)(p + i * PAGE_SZ), content_id(who, i));
			break;
		}
	}
	c = 'r';
	if (write(ack, &c, 1) != 1)
		_exit(1);
	while (read(cmd, &c, 1) == 1) {
		if (c == 'm' && madvise(p, len, MADV_MERGEABLE))
			_exit(1);
		/* New content, the same in both, over pages merged before. */
		for (i = WATCH_FIRST; c == 'w' && i <= WATCH_LAST; i++)
			fill((uint64_t *)(p + i * PAGE_SZ), 0x3000000000ULL + i);
		/* ... and over a page that was unique: written in place. */
		if (c == 'w')
			fill((uint64_t *)(p + WATCH_IN_PLACE * PAGE_SZ),
			     0x3000000000ULL + WATCH_IN_PLACE);
		if (write(ack, &c, 1) != 1)
			_exit(1);
	}
	_exit(0);
}

static int start_child(struct child *ch, int who, bool thp)
{
	int to[2], from[2];
	char c;

	if (pipe(to) || pipe(from))
		return -1;
	ch->pid = fork();
	if (ch->pid < 0)
		return -1;
	if (!ch->pid) {
		int fd;

		/* Only our own pipes: the other child's EOF must not wait. */
		for (fd = 3; fd < 1024; fd++)
			if (fd != to[0] && fd != from[1])
				close(fd);
		child_main(who, thp, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	ch->cmd = to[1];
	ch->ack = from[0];
	return read(ch->ack, &c, 1) == 1 && c == 'r' ? 0 : -1;
}

static int child_cmd(struct child *ch, char c)
{
	char r;

	if (write(ch->cmd, &c, 1) != 1 || read(ch->ack, &r, 1) != 1)
		return -1;
	return r == c ? 0 : -1;
}

static void stop_child(struct child *ch)
{
	if (ch->pid <= 0)
		return;
	close(ch->cmd);
	close(ch->ack);
	waitpid(ch->pid, NULL, 0);
	ch->pid = 0;
}

/* ---- expected numbers ---- */

struct expect {
	uint64_t pages, present, zero_read, zero_written, contents;
	uint64_t dup_contents, dup, file_pages, file_dup;
};

/* The contents the -F file holds: a few of each kind the children hold. */
static bool in_file(uint64_t id)
{
	const uint64_t both = 0x100000000ULL, uniq0 = 0x400000000ULL;

	if (id == 0x7777)
		return true;
	if (id >= both && id < both + npages)
		return (id - both) % 16 <= 1;
	if (id >= uniq0 && id < uniq0 + npages)
		return (id - uniq0) % 16 == 5;
	return false;
}

static char file_path[64];

/*
 * Writes the -F file: a block of each in_file() content of the written
 * chunks, in layout order, with a zero block and a content no child holds
 * between them, and half a block of another content at the end.
 */
static int write_file(void)
{
	uint64_t *blk = malloc(PAGE_SZ), id;
	int fd, who, ok = 1;
	unsigned long p;

	snprintf(file_path, sizeof(file_path), "/tmp/ksm_hint_vmstat.XXXXXX");
	fd = mkstemp(file_path);
	if (fd < 0 || !blk)
		return -1;
	for (who = 0; who < 2 && ok; who++) {
		for (p = 0; p < npages && ok; p++) {
			if (chunk_kind(p / CHUNK_PAGES) != C_WRITTEN)
				continue;
			id = content_id(who, p);
			if (!in_file(id))
				continue;
			fill(blk, id);
			ok = write(fd, blk, PAGE_SZ) == (ssize_t)PAGE_SZ;
			if (p % 97 == 0 && ok) {
				fill(blk, p % 2 ? 0 : 0x5eed0000ULL + p);
				ok = write(fd, blk, PAGE_SZ) == (ssize_t)PAGE_SZ;
			}
		}
	}
	fill(blk, 0x100000000ULL + 2);		/* held, but only half here */
	if (ok)
		ok = write(fd, blk, PAGE_SZ / 2) == (ssize_t)(PAGE_SZ / 2);
	free(blk);
	close(fd);
	return ok ? 0 : -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void expected(struct expect *e)
{
	uint64_t *ids = malloc(2 * npages * sizeof(*ids)), n = 0, i, j;
	unsigned long p;
	int who;

	memset(e, 0, sizeof(*e));
	e->pages = 2 * npages;
	for (who = 0; who < 2; who++) {
		for (p = 0; p < npages; p++) {
			switch (chunk_kind(p / CHUNK_PAGES)) {
			case C_READ:
				e->present++;
				e->zero_read++;
				break;
			case C_WRITTEN:
				e->present++;
				ids[n] = content_id(who, p);
				if (ids[n])
					n++;
				else
					e->zero_written++;
				break;
			}
		}
	}
	qsort(ids, n, sizeof(*ids), cmp_u64);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && ids[j] == ids[i]; j++)
			;
		e->contents++;
		if (in_file(ids[i]))
			e->file_pages += j - i;
		if (j - i > 1) {
			e->dup_contents++;
			e->dup += j - i - 1;
			if (in_file(ids[i]))
				e->file_dup += j - i - 1;
		}
	}
	free(ids);
}

/* ---- running the tool ---- */

struct result {
	int n;
	char key[MAX_KEYS][32];
	long long val[MAX_KEYS];
	double fval[MAX_KEYS];
	char line[2048];
};

static long long get(const struct result *r, const char *key)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->key[i], key))
			return r->val[i];
	printf("# key %s missing\n", key);
	return -12345;
}

static double getf(const struct result *r, const char *key)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->key[i], key))
			return r->fval[i];
	return -1;
}

/* Runs the tool on both children; parses its (last) line into @r. */
static int run_tool(struct child *ch, bool oracle, struct result *r)
{
	char mibs[32], p0[32], p1[32], *argv[10], *tok, *eq;
	int fds[2], status, argc = 0;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	snprintf(mibs, sizeof(mibs), "%lu", mib);
	snprintf(p0, sizeof(p0), "%d", ch[0].pid);
	snprintf(p1, sizeof(p1), "%d", ch[1].pid);
	argv[argc++] = tool;
	argv[argc++] = "-m";
	argv[argc++] = mibs;
	if (oracle)
		argv[argc++] = "-o";
	if (oracle && file_path[0]) {
		argv[argc++] = "-F";
		argv[argc++] = file_path;
	}
	argv[argc++] = p0;
	argv[argc++] = p1;
	argv[argc] = NULL;
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(tool, argv);
		fprintf(stderr, "exec %s: %s\n", tool, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], r->line + got,
			 sizeof(r->line) - 1 - got)) > 0)
		got += n;
	close(fds[0]);
	r->line[got] = 0;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("# tool failed (status %#x)\n", status);
		return -1;
	}
	printf("# %s", r->line);
	r->n = 0;
	for (tok = strtok(r->line, "\n "); tok && r->n < MAX_KEYS;
	     tok = strtok(NULL, "\n ")) {
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = 0;
		snprintf(r->key[r->n], sizeof(r->key[0]), "%s", tok);
		r->val[r->n] = strtoll(eq + 1, NULL, 10);
		r->fval[r->n] = strtod(eq + 1, NULL);
		r->n++;
	}
	return 0;
}

static void check(const char *what, long long got, long long want)
{
	if (got == want)
		tap_result(true, "%s = %lld", what, got);
	else
		tap_result(false, "%s = %lld, expected %lld", what, got, want);
}

static void check_true(const char *what, bool ok)
{
	tap_result(ok, "%s", what);
}

/* Checks the value of @key in @r. */
static void check_key(const char *tag, const struct result *r,
		      const char *key, long long want)
{
	char name[128];

	snprintf(name, sizeof(name), "%s: %s", tag, key);
	check(name, get(r, key), want);
}

/* ---- phases ---- */

static void phase_plain(bool thp)
{
	const char *tag = thp ? "thp" : "4k";
	struct child ch[2] = {};
	struct result r, r2;
	struct expect e;
	char name[128];
	bool hzero;

	expected(&e);
	if (start_child(&ch[0], 0, thp) || start_child(&ch[1], 1, thp)) {
		check_true("start children", false);
		goto out;
	}
	if (run_tool(ch, true, &r)) {
		check_true("tool runs", false);
		goto out;
	}
	check_key(tag, &r, "pages", e.pages);
	check_key(tag, &r, "present", e.present);
	check_key(tag, &r, "swapped", 0);
	check_key(tag, &r, "zero", e.zero_read);
	check_key(tag, &r, "distinct_nonzero", e.present - e.zero_read);
	check_key(tag, &r, "saved", 0);
	check_key(tag, &r, "o_pages", e.present);
	check_key(tag, &r, "o_unread", 0);
	check_key(tag, &r, "o_zero", e.zero_read + e.zero_written);
	check_key(tag, &r, "o_zero_merged", 0);
	check_key(tag, &r, "o_contents", e.contents);
	check_key(tag, &r, "o_dup_contents", e.dup_contents);
	check_key(tag, &r, "o_dup", e.dup);
	check_key(tag, &r, "o_dup_merged", 0);
	if (file_path[0]) {
		check_key(tag, &r, "o_file_pages", e.file_pages);
		check_key(tag, &r, "o_file_dup", e.file_dup);
		check_key(tag, &r, "o_file_dup_merged", 0);
		snprintf(name, sizeof(name), "%s: file pages and duplicates > 0",
			 tag);
		check_true(name, e.file_pages > e.file_dup && e.file_dup > 0);
	}
	/* Read-only zero chunks: one zero page, or whole huge zero pages. */
	hzero = thp && e.zero_read && get(&r, "distinct") ==
		(long long)(e.present - e.zero_read + CHUNK_PAGES);
	if (hzero)
		check_key(tag, &r, "distinct", e.present - e.zero_read + CHUNK_PAGES);
	else
		check_key(tag, &r, "distinct", e.present - e.zero_read + !!e.zero_read);
	printf("# %s: zero chunks backed by the %s\n", tag,
	       hzero ? "huge zero page" : "zero page");
	check_true("pagemap pass under 1 s", getf(&r, "pagemap_ms") < 1000);
	printf("# %s: 2 x %lu MiB: pagemap pass %.1f ms, oracle %.1f ms\n",
	       tag, mib, getf(&r, "pagemap_ms"), getf(&r, "oracle_ms"));
	/* The oracle read only present pages: nothing was faulted in. */
	if (!run_tool(ch, false, &r2)) {
		snprintf(name, sizeof(name), "%s: present after the oracle",
			 tag);
		check(name, get(&r2, "present"), e.present);
		snprintf(name, sizeof(name), "%s: no o_ keys without -o", tag);
		check_true(name, !strstr(r2.line, "o_dup"));
	}
out:
	stop_child(&ch[0]);
	stop_child(&ch[1]);
}

/* Saved and restored; ksm_hint's mode only where the kernel has it. */
static const char * const ksm_knobs[] = {
	"run", "pages_to_scan", "sleep_millisecs", "use_zero_pages",
	"../ksm_hint/mode",
};

static char ksm_saved[ARRAY_SIZE(ksm_knobs)][32];
static bool ksm_touched;

static int ksm_read(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), KSM_DIR "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static long long ksm_num(const char *name)
{
	char buf[32];

	return ksm_read(name, buf, sizeof(buf)) ? -1 : strtoll(buf, NULL, 10);
}

static int ksm_write(const char *name, const char *val)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), KSM_DIR "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

static void ksm_restore(void)
{
	size_t i;

	if (!ksm_touched)
		return;
	ksm_touched = false;
	ksm_write("run", "2");		/* unmerge everything */
	for (i = ARRAY_SIZE(ksm_knobs); i-- > 0;)
		if (ksm_saved[i][0])
			ksm_write(ksm_knobs[i], ksm_saved[i]);
}

static void on_signal(int sig)
{
	ksm_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Does any process but ours have mergeable memory (VmFlags mg)? */
static bool others_mergeable(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd),
		 "grep -l '^VmFlags:.* mg' /proc/[0-9]*/smaps 2>/dev/null | grep -qv '^/proc/%d/'",
		 getpid());
	return system(cmd) == 0;
}

/* Waits until two full scans in a row leave pages_sharing unchanged. */
static int ksm_settle(void)
{
	long long scans = ksm_num("full_scans"), last = -1, sharing;
	time_t end = time(NULL) + 120;

	while (time(NULL) < end) {
		usleep(50000);
		if (ksm_num("full_scans") < scans + 2)
			continue;
		scans = ksm_num("full_scans");
		sharing = ksm_num("pages_sharing");
		if (sharing == last && sharing > 0)
			return 0;
		last = sharing;
	}
	return -1;
}

static void phase_ksm(const char *zero_pages)
{
	bool zp = !strcmp(zero_pages, "1");
	char tag[32];
	struct child ch[2] = {};
	long long sharing;
	struct result r;
	struct expect e;
	char name[128];

	snprintf(tag, sizeof(tag), "ksm zero_pages=%s", zero_pages);
	expected(&e);
	if (start_child(&ch[0], 0, false) || start_child(&ch[1], 1, false) ||
	    child_cmd(&ch[0], 'm') || child_cmd(&ch[1], 'm')) {
		check_true("start mergeable children", false);
		goto out;
	}
	if (ksm_write("use_zero_pages", zero_pages) ||
	    ksm_write("pages_to_scan", "5000") ||
	    ksm_write("sleep_millisecs", "20") || ksm_write("run", "1")) {
		check_true("KSM settings written", false);
		goto out;
	}
	if (ksm_settle()) {
		check_true("KSM settles within 120 s", false);
		goto out;
	}
	if (run_tool(ch, true, &r)) {
		check_true("tool runs", false);
		goto out;
	}
	sharing = ksm_num("pages_sharing");
	check_key(tag, &r, "present", e.present);
	check_key(tag, &r, "o_pages", e.present);
	check_key(tag, &r, "o_zero", e.zero_read + e.zero_written);
	check_key(tag, &r, "o_dup", e.dup);
	if (file_path[0]) {
		check_key(tag, &r, "o_file_dup", e.file_dup);
		snprintf(name, sizeof(name),
			 "%s: 0 < o_file_dup_merged <= o_file_dup", tag);
		check_true(name, get(&r, "o_file_dup_merged") > 0 &&
			   get(&r, "o_file_dup_merged") <=
			   get(&r, "o_file_dup"));
	}
	check_key(tag, &r, "saved", get(&r, "ksm_sharing"));
	check_key(tag, &r, "saved", sharing);
	check_key(tag, &r, "saved", get(&r, "o_dup_merged") + get(&r, "o_zero_merged"));
	if (zp) {
		check_key(tag, &r, "zero", e.zero_read + e.zero_written);
		check_key(tag, &r, "ksm_zero_pages", e.zero_written);
		check_key(tag, &r, "o_zero_merged", 0);
	} else {
		check_key(tag, &r, "zero", e.zero_read);
		snprintf(name, sizeof(name),
			 "ksm zero_pages=0: 0 < o_zero_merged < %llu",
			 (unsigned long long)e.zero_written);
		check_true(name, get(&r, "o_zero_merged") > 0 &&
			   get(&r, "o_zero_merged") < (long long)e.zero_written);
	}
	snprintf(name, sizeof(name),
		 "ksm zero_pages=%s: merged duplicates o_dup_merged > 0",
		 zero_pages);
	check_true(name, get(&r, "o_dup_merged") > 0);
	printf("# ksm zero_pages=%s: o_dup_merged/o_dup = %lld/%lld (max_page_sharing %lld)\n",
	       zero_pages,
	       get(&r, "o_dup_merged"), get(&r, "o_dup"),
	       ksm_num("max_page_sharing"));
out:
	ksm_write("run", "2");
	stop_child(&ch[0]);
	stop_child(&ch[1]);
}

/*
 * Read to merge (-W) on child 1, its region standing for guest RAM (page
 * i at "guest physical address" i * 4 KiB).  After KSM settled, both
 * children write new, equal content over pages WATCH_FIRST..WATCH_LAST,
 * which had merged: each write lands in a new frame, which KSM merges
 * again; those pages must be reported merged within the watch.  Page 0,
 * merged before the watch and not written, must be reported as not read;
 * page 5, unique to child 1, as not merged (99) when the watch ends.
 * Page 6 was unique and gets equal content in both: the write stays in
 * its frame, and only its soft-dirty bit tells the tool it was written,
 * so it must be reported merged with 0 <= r <= s, not as never read.
 */
static void phase_watch(void)
{
	char mibs[32], pid1[32], wsecs[96], gpa_file[64], tmp[80], buf[4096];
	unsigned long long gpa, pages = 0, merged = 0, unread = 0;
	double secs[WATCH_IN_PLACE + 1], rsecs[WATCH_IN_PLACE + 1];
	int soft_dirty = -1;
	long long scans0 = 0;
	struct child ch[2] = {};
	bool ready = false;
	int fds[2], status;
	char *argv[10], *line;
	size_t got = 0, i;
	pid_t pid = -1;
	ssize_t n;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		secs[i] = -2;
		rsecs[i] = -2;
	}
	snprintf(gpa_file, sizeof(gpa_file), "/tmp/ksm_hint_vmstat_test.%d",
		 getpid());
	snprintf(tmp, sizeof(tmp), "%s.new", gpa_file);
	unlink(gpa_file);
	if (start_child(&ch[0], 0, false) || start_child(&ch[1], 1, false) ||
	    child_cmd(&ch[0], 'm') || child_cmd(&ch[1], 'm') ||
	    ksm_write("use_zero_pages", "0") ||
	    ksm_write("pages_to_scan", "5000") ||
	    ksm_write("sleep_millisecs", "20") || ksm_write("run", "1") ||
	    ksm_settle()) {
		check_true("watch: mergeable children merged", false);
		goto out;
	}
	snprintf(mibs, sizeof(mibs), "%lu", mib);
	snprintf(pid1, sizeof(pid1), "%d", ch[1].pid);
	snprintf(wsecs, sizeof(wsecs), "%d:%s", WATCH_SECS, gpa_file);
	argv[0] = tool;
	argv[1] = "-m";
	argv[2] = mibs;
	argv[3] = "-W";
	argv[4] = wsecs;
	argv[5] = pid1;
	argv[6] = NULL;
	if (pipe(fds)) {
		check_true("watch: tool started", false);
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		check_true("watch: tool started", false);
		close(fds[0]);
		close(fds[1]);
		goto out;
	}
	if (!pid) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(tool, argv);
		_exit(127);
	}
	close(fds[1]);
	/* Nothing is written before the tool's first poll. */
	while (!ready && (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0) {
		got += n;
		buf[got] = 0;
		ready = strstr(buf, "ready\n");
	}
	check_true("watch: tool ready", ready);
	if (!ready || child_cmd(&ch[0], 'w') || child_cmd(&ch[1], 'w'))
		goto out_tool;
	scans0 = ksm_num("full_scans");
	f = fopen(tmp, "w");
	if (!f)
		goto out_tool;
	for (i = 0; i <= WATCH_IN_PLACE; i++)
		fprintf(f, "%lx\n", i * PAGE_SZ);
	if (fclose(f) || rename(tmp, gpa_file))
		goto out_tool;
	while ((n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		double t, r;

		printf("# %s\n", line);
		if (sscanf(line, "r2m gpa=%llx s=%lf r=%lf", &gpa, &t, &r) == 3 &&
		    gpa / PAGE_SZ < ARRAY_SIZE(secs)) {
			secs[gpa / PAGE_SZ] = t;
			rsecs[gpa / PAGE_SZ] = r;
		}
		if (sscanf(line, "r2m pages=%llu merged=%llu unread=%llu",
			   &pages, &merged, &unread) == 3 &&
		    strstr(line, " soft_dirty="))
			soft_dirty = atoi(strstr(line, " soft_dirty=") + 12);
	}
	printf("# KSM during the watch: full_scans +%lld, pages_sharing %lld\n",
	       ksm_num("full_scans") - scans0, ksm_num("pages_sharing"));
	check_true("watch: page 0, merged before, not read (-1)", secs[0] == -1);
	for (i = WATCH_FIRST; i <= WATCH_LAST; i++) {
		tap_result(secs[i] > 0 && secs[i] < WATCH_SECS,
			   "watch: page %zu, rewritten, merged within the watch (%.2f s)",
			   i, secs[i]);
		/* Counted from the rewrite, seen after time 0. */
		tap_result(rsecs[i] >= 0 && rsecs[i] <= secs[i],
			   "watch: page %zu, from its rewrite to merged %.2f s, within s",
			   i, rsecs[i]);
	}
	check_true("watch: page 5, unique, not merged (99)",
		   secs[WATCH_LAST + 1] == 99);
	/* The project's kernel config has CONFIG_MEM_SOFT_DIRTY. */
	check("watch: soft-dirty tracked", soft_dirty, 1);
	tap_result(secs[WATCH_IN_PLACE] > 0 &&
		   secs[WATCH_IN_PLACE] < WATCH_SECS,
		   "watch: page 6, written in place, merged within the watch (%.2f s)",
		   secs[WATCH_IN_PLACE]);
	tap_result(rsecs[WATCH_IN_PLACE] >= 0 &&
		   rsecs[WATCH_IN_PLACE] <= secs[WATCH_IN_PLACE],
		   "watch: page 6, from its write to merged %.2f s, within s",
		   rsecs[WATCH_IN_PLACE]);
	check("watch: pages", pages, WATCH_IN_PLACE + 1);
	check("watch: merged", merged, WATCH_LAST - WATCH_FIRST + 2);
	check("watch: unread", unread, 1);
out_tool:
	close(fds[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) != pid ||
			!WIFEXITED(status) || WEXITSTATUS(status)))
		check_true("watch: tool exits 0", false);
	unlink(gpa_file);
	unlink(tmp);
out:
	ksm_write("run", "2");
	stop_child(&ch[0]);
	stop_child(&ch[1]);
}

int main(int argc, char **argv)
{
	bool ksm = true;
	char self[4096];
	size_t i;
	int opt;

	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(tool, sizeof(tool), "%s/ksm_hint_vmstat", dirname(self));
	while ((opt = getopt(argc, argv, "n:t:K")) != -1) {
		switch (opt) {
		case 'n':
			mib = strtoul(optarg, NULL, 10);
			break;
		case 't':
			snprintf(tool, sizeof(tool), "%s", optarg);
			break;
		case 'K':
			ksm = false;
			break;
		default:
			fprintf(stderr, "usage: %s [-n MiB] [-t tool] [-K]\n",
				argv[0]);
			return 2;
		}
	}
	if (!mib || mib % 2) {
		fprintf(stderr, "-n: a positive even number of MiB\n");
		return 2;
	}
	npages = mib << 20 >> 12;
	printf("TAP version 13\n");
	if (geteuid()) {
		printf("1..0 # SKIP needs root (pagemap PFNs)\n");
		return KSFT_SKIP;
	}
	if (access(tool, X_OK)) {
		printf("1..0 # SKIP no %s\n", tool);
		return KSFT_SKIP;
	}
	tap_took();

	if (write_file()) {
		check_true("-F file written", false);
		file_path[0] = 0;
	}
	phase_plain(false);
	if (ksm_num("../transparent_hugepage/hpage_pmd_size") ==
	    (long long)(CHUNK_PAGES * PAGE_SZ))
		phase_plain(true);
	else
		tap_skip("thp", "no 2 MiB THP");

	if (!ksm) {
		tap_skip("ksm", "-K");
	} else if (access(KSM_DIR "run", W_OK)) {
		tap_skip("ksm", "no " KSM_DIR);
	} else if (ksm_num("run") != 0 || ksm_num("pages_sharing") != 0 ||
		   others_mergeable()) {
		tap_skip("ksm", "KSM in use or other mergeable processes");
	} else {
		for (i = 0; i < ARRAY_SIZE(ksm_knobs); i++)
			if (ksm_read(ksm_knobs[i], ksm_saved[i],
				     sizeof(ksm_saved[i])))
				ksm_saved[i][0] = 0;
		ksm_touched = true;
		/* Stock KSM's linear scan: ksm_hint's mode off, if any. */
		if (ksm_saved[4][0] && ksm_write("../ksm_hint/mode", "off"))
			check_true("ksm_hint mode off", false);
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		phase_ksm("0");
		phase_ksm("1");
		phase_watch();
		ksm_restore();
		printf("# KSM restored: run=%lld pages_sharing=%lld\n",
		       ksm_num("run"), ksm_num("pages_sharing"));
	}
	if (file_path[0])
		unlink(file_path);
	printf("1..%d\n", tap_tests);
	return tap_summary();
}
