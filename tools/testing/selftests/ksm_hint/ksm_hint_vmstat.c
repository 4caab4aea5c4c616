// SPDX-License-Identifier: GPL-2.0
/*
 * The real memory sharing between VMM processes (QEMU), measured from the
 * host so that no KSM counter can flatter a mode.  Needs root: PFNs in
 * /proc/PID/pagemap need CAP_SYS_ADMIN, /proc/PID/mem needs ptrace access.
 *
 * Each PID's guest RAM is the private anonymous mapping of exactly the
 * guest RAM size in its /proc/PID/maps (or the range given as PID@ADDR).
 *
 * Pagemap pass, over all guest RAM pages of all PIDs (pages of 4 KiB):
 *   pages             guest RAM pages of all PIDs
 *   present           pages present (mapped to a frame); swapped: in swap
 *   zero              present pages backed by the shared zero page or the
 *                     huge zero page (read faults, or KSM's use_zero_pages),
 *                     found by read-faulting pages of our own
 *   distinct          distinct frames among the present pages
 *   distinct_nonzero  distinct frames among the others than zero
 *   saved             (present - zero) - distinct_nonzero: the pages that
 *                     sharing saves, what pages_sharing should say (it also
 *                     counts other processes' sharing, and saved counts any
 *                     frame shared among the PIDs, KSM's or not)
 * and KSM's pages_sharing, pages_shared, ksm_zero_pages and full_scans
 * read right after it (-1 where absent).
 *
 * Oracle (-o), from the contents read through /proc/PID/mem: present pages
 * only, so nothing is faulted in; zero-page-backed pages count as zeros
 * unread.  Not process_vm_readv(): it pins pages (FOLL_PIN), and pinning a
 * KSM page read-only unshares it, so it would undo the merging it measures.
 * Each page is hashed (two 64-bit NH hashes with independent keys) and the
 * hashes sorted; over the non-zero contents held more than once it counts
 * the pages beyond the first copy (o_dup) and, of those, the pages already
 * merged, copies minus distinct frames (o_dup_merged).  All-zero contents
 * are counted apart: o_zero pages of zeros, of which o_zero_merged share a
 * frame other than the zero page with another (KSM without use_zero_pages
 * merges zeros into KSM pages).  saved = o_dup_merged + o_zero_merged when
 * the contents hold still between the two passes.  The share of the oracle
 * reached is o_dup_merged / o_dup; KSM's max_page_sharing (256 copies per
 * KSM page) keeps it a little under 1 for contents held very many times.
 *
 * File contents (-F FILE, with -o): the guests' disk images, read again at
 * every oracle pass and hashed by 4 KiB block.  A guest page whose content
 * is that of a non-zero block of one of them is counted as file content:
 * on a filesystem of 4 KiB blocks that is what a clean page cache page of
 * a file holds (its metadata blocks count too; a copy of file data in
 * anonymous memory, such as a read() buffer, does as well).  o_file_pages
 * such pages, and over the contents among them held more than once
 * o_file_dup and o_file_dup_merged as above, so o_file_dup_merged /
 * o_file_dup is the share of the page cache's duplicates merged: what a
 * hint can reach, apart from the anonymous memory only a scan finds.
 *
 * One line of key=value pairs per sample on stdout, written at once; the
 * names are stable; the o_ keys only on lines with oracle=1.  See help().
 *
 * Read to merge (-W SECS:FILE, one PID): when did the pages a guest just
 * read get merged, per page, from the host's page tables rather than from
 * a counter that other pages' merges and unmerges move too.  It polls the
 * guest RAM's pagemap every -i seconds (default 0.05), and from the first
 * write to a page (below) looks at its flags and mapping count at every
 * poll, keeping when it was first seen merged after it was last written.
 * Once FILE appears (guest physical addresses in hex, one a line, written
 * by whoever learnt them from the guest after the read) it stops as soon
 * as every listed page is a KSM page mapped more than once
 * (/proc/kpageflags, /proc/kpagecount), or after SECS seconds.  A read is a
 * write into guest RAM (a new frame if it breaks sharing, else in place),
 * and the merge either replaces that frame with a KSM page (or the zero
 * page, with use_zero_pages) or makes it one in place, so a page's merge
 * time is the first poll that saw it merged after it was last seen
 * written; a listed page never seen written was not read during the watch
 * (already in the guest's page cache) and is counted apart.  Prints "ready"
 * after the first poll (time 0), then "r2m gpa=ADDR s=SECONDS r=SECONDS"
 * per listed page and a summary line.  s counts from time 0, so it includes
 * the time the guest took to start the read (99: not merged in time; -1:
 * not read during the watch); r counts from the first poll that saw the
 * page written (99 and -1 as s).
 *
 * Written means soft-dirty: the watch starts by clearing the VMM's
 * soft-dirty bits (/proc/PID/clear_refs 4), and the device's write of a
 * read, like any write through the VMM's or KVM's mapping, sets the bit
 * again (pagemap bit 55), whether it breaks a shared frame or lands in
 * place.  So r is the time from the read's arrival in guest RAM to the
 * merge, within one poll; longer only if something else wrote that frame
 * after the watch began.  Without CONFIG_MEM_SOFT_DIRTY only a frame
 * change is seen: r is then a lower bound (0 for a read written in place,
 * whose first change is the merge), and the summary says soft_dirty=0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE_SZ		4096UL
#define PAGE_WORDS	(PAGE_SZ / sizeof(uint64_t))
#define BIT_ULL(n)	(1ULL << (n))
#define PM_PFN_MASK	(BIT_ULL(55) - 1)
#define PM_SOFT_DIRTY	BIT_ULL(55)
#define PM_SWAP		BIT_ULL(62)
#define PM_PRESENT	BIT_ULL(63)
#define KPF_KSM		21
#define KPF_ZERO_PAGE	24
#define READ_CHUNK	256		/* pages per /proc/PID/mem read */
#define KSM_DIR		"/sys/kernel/mm/ksm/"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define THP_DIR		"/sys/kernel/mm/transparent_hugepage/"

struct vmm {
	int pid;
	unsigned long long start;	/* guest RAM start address */
	int pagemap_fd;
	int mem_fd;
	uint64_t *ent;		/* pagemap entries of the last pass */
};

/* One present, non-zero-page-backed page of the oracle: content and frame. */
struct orec {
	uint64_t h0, h1;
	uint64_t pfn;
};

struct pm_stats {
	unsigned long long pages, present, swapped, zero, distinct;
	unsigned long long distinct_nonzero, saved;
	double ms;
};

struct oracle_stats {
	unsigned long long pages, unread, zero, zero_merged;
	unsigned long long contents, dup_contents, dup, dup_merged;
	unsigned long long file_blocks, file_pages, file_dup, file_dup_merged;
	double ms;
};

static struct vmm *vmms;
static int nvmm;
static unsigned long long ram_pages;
static unsigned long long zero_pfn, hzero_pfn, hzero_nr; /* hzero_nr 0: none */
static struct orec *orecs, *orecs_tmp;
static uint64_t nh_key[PAGE_WORDS + 2];
static uint64_t zero_h0, zero_h1;
static const char *prog = "ksm_hint_vmstat";

/* Extra counters printed with every sample (-f, -k). */
#define MAX_EXTRA 32
static struct { const char *key, *path; } extra[MAX_EXTRA];
static int nextra;
static int cpu_pid;

/* Disk images whose block contents the oracle calls file contents (-F). */
#define MAX_FILES 8
static const char *files[MAX_FILES];
static int nfiles;
static struct orec *fblocks;	/* hashes only: pfn 0 */
static size_t nfblocks, fblocks_cap;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void help(void)
{
	fprintf(stderr,
		"usage: %s -m MiB [-o] [-e N] [-i SEC] [-c COUNT] [-f KEY=FILE]...\n"
		"          [-k PID] [-F FILE]... PID[@ADDR]...\n"
		"       %s -m MiB -W SECS:FILE [-i SEC] PID[@ADDR]\n"
		"  -m MiB    guest RAM size: each PID's guest RAM is its private\n"
		"            anonymous mapping of exactly that size (PID@ADDR:\n"
		"            the range from hex ADDR instead)\n"
		"  -o        also run the content oracle (costly: reads guest RAM)\n"
		"  -e N      with -o, run the oracle on every Nth sample (1)\n"
		"  -i SEC    loop: one sample every SEC seconds (default: one\n"
		"            sample and exit)\n"
		"  -c COUNT  stop after COUNT samples (default 1, or unbounded\n"
		"            with -i)\n"
		"  -f KEY=FILE  also print KEY=<the number FILE holds> (-1 if\n"
		"            unreadable), e.g. a sysfs counter; up to 32\n"
		"  -k PID    also print cpu_ms=<user+system CPU of PID in ms>\n"
		"  -F FILE   with -o, a disk image whose 4 KiB blocks are file\n"
		"            contents (read at every oracle pass); adds the o_file\n"
		"            keys; up to 8\n"
		"  -W SECS:FILE  read to merge: poll the guest RAM's frames every\n"
		"            -i seconds (0.05) until the guest physical addresses\n"
		"            in FILE (hex, one a line; FILE may appear later) are\n"
		"            all merged (KSM pages mapped more than once), or for\n"
		"            SECS seconds; prints \"ready\"\n"
		"            after the first poll, then \"r2m gpa=ADDR s=SECONDS\n"
		"            r=SECONDS\" per address (s from the first poll, r from\n"
		"            the first poll that saw the page written (soft-dirty,\n"
		"            or without it a frame change: a lower bound); 99:\n"
		"            not merged; -1: not written during the watch) and a\n"
		"            summary line\n"
		"output, one line per sample, key=value (pages of 4 KiB; time:\n"
		"epoch seconds; t: seconds since start):\n"
		"  seq time t pids ram_mib pages present swapped zero distinct\n"
		"  distinct_nonzero saved ksm_sharing ksm_shared ksm_zero_pages\n"
		"  ksm_full_scans pagemap_ms oracle [o_pages o_unread o_zero\n"
		"  o_zero_merged o_contents o_dup_contents o_dup o_dup_merged\n"
		"  oracle_ms [o_file_blocks o_file_pages o_file_dup\n"
		"  o_file_dup_merged]], then the -k and -f values\n",
		prog, prog);
	exit(2);
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reads @len bytes at @off; returns the bytes read (short at EOF) or -1. */
static ssize_t pread_full(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done, off + done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return done ? (ssize_t)done : -1;
		}
		if (!n)
			break;
		done += n;
	}
	return done;
}

/* Reads a small file into @buf as a string; false if empty or unreadable. */
static bool read_small(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return true;
}

static long long read_ll(const char *path)
{
	char buf[64];

	return read_small(path, buf, sizeof(buf)) ? strtoll(buf, NULL, 0) : -1;
}

static uint64_t self_pagemap(const void *addr)
{
	uint64_t ent;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		die("/proc/self/pagemap: %s", strerror(errno));
	if (pread_full(fd, &ent, sizeof(ent),
		       (uintptr_t)addr / PAGE_SZ * sizeof(ent)) != sizeof(ent))
		die("/proc/self/pagemap: short read");
	close(fd);
	return ent;
}

/*
 * Returns @pfn's word of a /proc/kpage* file, or -1 when unreadable.  The
 * file stays open in *@fd: the read-to-merge watch reads pages every poll.
 */
static int64_t kpage_word(const char *path, int *fd, uint64_t pfn)
{
	uint64_t word;

	if (*fd < 0)
		*fd = open(path, O_RDONLY);
	if (*fd < 0)
		return -1;
	if (pread_full(*fd, &word, sizeof(word), pfn * sizeof(word)) !=
	    sizeof(word))
		return -1;
	return word;
}

static int kpageflags_fd = -1, kpagecount_fd = -1;

/* Returns the /proc/kpageflags word of @pfn, or -1 when unreadable. */
static int64_t page_flags(uint64_t pfn)
{
	return kpage_word("/proc/kpageflags", &kpageflags_fd, pfn);
}

/*
 * The zero page's frame: read-fault a fresh page of our own and look it
 * up.  Then the huge zero page's, if THP maps one on a read fault of an
 * aligned huge page range; our mm keeps its reference (and so its frame)
 * until we exit.  /proc/kpageflags, where readable, must confirm both.
 */
static void find_zero_pfns(void)
{
	long long hsz = read_ll(THP_DIR "hpage_pmd_size");
	uint64_t ent;
	char *p, *q;

	p = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	madvise(p, PAGE_SZ, MADV_NOHUGEPAGE);
	if (p[0])
		die("a fresh anonymous page does not read as zeros");
	ent = self_pagemap(p);
	if (!(ent & PM_PRESENT))
		die("probe page not present after a read fault");
	zero_pfn = ent & PM_PFN_MASK;
	if (!zero_pfn)
		die("pagemap shows no PFNs: run as root (CAP_SYS_ADMIN)");
	if (page_flags(zero_pfn) >= 0 &&
	    !(page_flags(zero_pfn) & BIT_ULL(KPF_ZERO_PAGE)))
		die("PFN %#llx of a read-faulted page is not the zero page",
		    zero_pfn);

	if (hsz <= (long long)PAGE_SZ || read_ll(THP_DIR "use_zero_page") != 1)
		return;
	q = mmap(NULL, 2 * hsz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	p = (char *)(((uintptr_t)q + hsz - 1) & ~(uintptr_t)(hsz - 1));
	if (madvise(p, hsz, MADV_HUGEPAGE))
		return;
	if (p[0])
		die("a fresh anonymous page does not read as zeros");
	ent = self_pagemap(p);
	if (!(ent & PM_PRESENT) || (ent & PM_PFN_MASK) == zero_pfn)
		return;			/* THP off here: no huge zero page */
	ent &= PM_PFN_MASK;
	if (ent % (hsz / PAGE_SZ))
		die("huge page probe: PFN %#llx not aligned",
		    (unsigned long long)ent);
	if (page_flags(ent) >= 0 &&
	    !(page_flags(ent) & BIT_ULL(KPF_ZERO_PAGE)))
		die("huge page probe: PFN %#llx is not the huge zero page",
		    (unsigned long long)ent);
	hzero_pfn = ent;
	hzero_nr = hsz / PAGE_SZ;
}

static bool is_zero_pfn(unsigned long long pfn)
{
	return pfn == zero_pfn ||
	       (pfn >= hzero_pfn && pfn - hzero_pfn < hzero_nr);
}

/* Finds @v's guest RAM in /proc/PID/maps; dies unless exactly one fits. */
static void find_ram(struct vmm *v, bool given)
{
	unsigned long long size = ram_pages * PAGE_SZ, lo, hi, off, ino;
	unsigned long long cand[8];
	char path[64], line[512], perms[8], name[256];
	int found = 0, i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", v->pid);
	f = fopen(path, "r");
	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		name[0] = 0;
		if (sscanf(line, "%llx-%llx %7s %llx %*s %llu %255s",
			   &lo, &hi, perms, &off, &ino, name) < 5)
			continue;
		if (given) {
			if (v->start >= lo && v->start < hi)
				found = 1;
			continue;
		}
		if (hi - lo != size || strcmp(perms, "rw-p") || ino ||
		    (name[0] && strncmp(name, "[anon:", 6)))
			continue;
		if (found < (int)ARRAY_SIZE(cand))
			cand[found] = lo;
		found++;
	}
	fclose(f);
	if (given && !found)
		die("pid %d: no mapping at %#llx", v->pid, v->start);
	if (!found)
		die("pid %d: no private anonymous rw mapping of exactly %llu MiB in %s",
		    v->pid, size >> 20, path);
	if (found > 1) {
		for (i = 0; i < found && i < (int)ARRAY_SIZE(cand); i++)
			fprintf(stderr, "%s: pid %d: candidate %llx\n",
				prog, v->pid, cand[i]);
		die("pid %d: %d mappings of %llu MiB; name one as PID@ADDR",
		    v->pid, found, size >> 20);
	}
	if (!given)
		v->start = cand[0];
}

static void open_vmm(struct vmm *v, const char *arg)
{
	char path[64], *end;
	const char *addr;
	bool given = false;

	v->pid = strtol(arg, &end, 10);
	if (end == arg || v->pid <= 0)
		die("bad PID '%s'", arg);
	if (*end == '@') {
		addr = end + 1;
		v->start = strtoull(addr, &end, 16);
		if (end == addr)
			die("bad address in '%s'", arg);
		if (v->start % PAGE_SZ)
			die("'%s': address not page aligned", arg);
		given = true;
	}
	if (*end)
		die("bad PID '%s'", arg);
	find_ram(v, given);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", v->pid);
	v->pagemap_fd = open(path, O_RDONLY);
	if (v->pagemap_fd < 0)
		die("%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "/proc/%d/mem", v->pid);
	v->mem_fd = open(path, O_RDONLY);
	if (v->mem_fd < 0)
		die("%s: %s", path, strerror(errno));
	v->ent = malloc(ram_pages * sizeof(*v->ent));
	if (!v->ent)
		die("out of memory");
	fprintf(stderr, "%s: pid %d: guest RAM %llx-%llx\n",
		prog, v->pid, v->start, v->start + ram_pages * PAGE_SZ);
}

/*
 * A bitmap of PFNs, to count distinct frames in O(n) instead of sorting:
 * at most a bit per frame of the host, grown on demand.
 */
static uint64_t *seen;
static unsigned long long seen_words;

/* Sets @pfn's bit; returns whether it was clear. */
static bool pfn_first(unsigned long long pfn)
{
	unsigned long long w = pfn / 64, n;
	uint64_t bit = BIT_ULL(pfn % 64);

	if (w >= seen_words) {
		if (pfn >= BIT_ULL(40))
			die("PFN %#llx out of range", pfn);
		n = (w + 1 + 16383) & ~16383ULL;	/* 1 MiB of frames */
		seen = realloc(seen, n * sizeof(*seen));
		if (!seen)
			die("out of memory");
		memset(seen + seen_words, 0,
		       (n - seen_words) * sizeof(*seen));
		seen_words = n;
	}
	if (seen[w] & bit)
		return false;
	seen[w] |= bit;
	return true;
}

static void pfn_clear(unsigned long long pfn)
{
	seen[pfn / 64] &= ~BIT_ULL(pfn % 64);
}

static void pagemap_pass(struct pm_stats *s)
{
	size_t len = ram_pages * sizeof(uint64_t);
	unsigned long long i, pfn;
	double t0 = mono_ms();
	struct vmm *v;
	ssize_t got;
	uint64_t e;
	int k;

	memset(s, 0, sizeof(*s));
	for (k = 0; k < nvmm; k++) {
		v = &vmms[k];
		got = pread_full(v->pagemap_fd, v->ent, len,
				 v->start / PAGE_SZ * sizeof(uint64_t));
		if (got < 0)
			die("pid %d: pagemap: %s", v->pid, strerror(errno));
		if (!got)
			die("pid %d exited", v->pid);
		if (got != (ssize_t)len)
			die("pid %d: short pagemap read: guest RAM unmapped?",
			    v->pid);
		for (i = 0; i < ram_pages; i++) {
			e = v->ent[i];
			if (e & PM_SWAP)
				s->swapped++;
			if (!(e & PM_PRESENT))
				continue;
			s->present++;
			pfn = e & PM_PFN_MASK;
			if (is_zero_pfn(pfn))
				s->zero++;
			if (pfn_first(pfn)) {
				s->distinct++;
				if (!is_zero_pfn(pfn))
					s->distinct_nonzero++;
			}
		}
	}
	/* Clear exactly the bits set: the entries are still at hand. */
	for (k = 0; k < nvmm; k++)
		for (i = 0; i < ram_pages; i++)
			if (vmms[k].ent[i] & PM_PRESENT)
				pfn_clear(vmms[k].ent[i] & PM_PFN_MASK);
	s->pages = ram_pages * nvmm;
	s->saved = s->present - s->zero - s->distinct_nonzero;
	s->ms = mono_ms() - t0;
}

/*
 * NH (the hash of UMAC, Black et al. 1999): the sum over word pairs of
 * (m[2i] + k[2i]) * (m[2i+1] + k[2i+1]) as 128-bit products, which two
 * different pages collide in with probability at most 2^-64 for a random
 * key.  Twice, the second key being the first shifted by two words
 * (Toeplitz), for 2^-128; each 128-bit sum is folded to 64 bits.
 */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t fold128(unsigned __int128 x)
{
	uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
	uint64_t z = lo ^ (hi * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31) ^ hi;
}

static void hash_page(const uint64_t *m, uint64_t *h0, uint64_t *h1)
{
	unsigned __int128 a = 0, b = 0;
	size_t i;

	for (i = 0; i < PAGE_WORDS; i += 2) {
		a += (unsigned __int128)(m[i] + nh_key[i]) *
		     (m[i + 1] + nh_key[i + 1]);
		b += (unsigned __int128)(m[i] + nh_key[i + 2]) *
		     (m[i + 1] + nh_key[i + 3]);
	}
	*h0 = fold128(a);
	*h1 = fold128(b);
}

static void hash_init(void)
{
	static const uint64_t zeros[PAGE_WORDS];
	uint64_t seed = 0x6b736d5f68696e74ULL;	/* fixed: reproducible */
	size_t i;

	for (i = 0; i < PAGE_WORDS + 2; i++)
		nh_key[i] = splitmix64(&seed);
	hash_page(zeros, &zero_h0, &zero_h1);
}

static bool page_is_zero(const uint64_t *m)
{
	size_t i;

	for (i = 0; i < PAGE_WORDS; i++)
		if (m[i])
			return false;
	return true;
}

static int cmp_orec(const void *a, const void *b)
{
	const struct orec *x = a, *y = b;

	if (x->h0 != y->h0)
		return x->h0 < y->h0 ? -1 : 1;
	return x->h1 < y->h1 ? -1 : x->h1 > y->h1;
}

/*
 * Sorts @n records by (h0, h1): LSD radix sort on h0, 16 bits a pass,
 * through @tmp; then each run of equal h0 with more than one h1 (a 64-bit
 * collision: hardly ever) by qsort.
 */
static void sort_orecs(struct orec *r, struct orec *tmp, size_t n)
{
	static size_t count[65536];
	struct orec *src = r, *dst = tmp, *t;
	size_t i, j, sum, c;
	int shift;

	for (shift = 0; shift < 64; shift += 16) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(src[i].h0 >> shift) & 0xffff]++;
		for (i = 0, sum = 0; i < 65536; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i].h0 >> shift) & 0xffff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	/* Four passes: the result is back in @r. */
	for (i = 0; i < n; i = j) {
		bool mixed = false;

		for (j = i + 1; j < n && r[j].h0 == r[i].h0; j++)
			mixed |= r[j].h1 != r[i].h1;
		if (mixed)
			qsort(r + i, j - i, sizeof(*r), cmp_orec);
	}
}

/* Hashes @n pages read into @buf from @v's guest RAM page @first on. */
static uint64_t hash_run(struct vmm *v, uint64_t first, uint64_t n,
			 uint64_t *buf, struct oracle_stats *s, uint64_t nrec)
{
	uint64_t i, *m, h0, h1;
	ssize_t got;

	got = pread_full(v->mem_fd, buf, n * PAGE_SZ,
			 v->start + first * PAGE_SZ);
	if (got < 0)
		got = 0;
	for (i = 0; i < n; i++) {
		if ((i + 1) * PAGE_SZ > (uint64_t)got) {
			/* A chunk failed: retry its pages one by one. */
			if (pread_full(v->mem_fd, buf + i * PAGE_WORDS,
				       PAGE_SZ, v->start +
				       (first + i) * PAGE_SZ) != PAGE_SZ) {
				s->unread++;
				continue;
			}
		}
		m = buf + i * PAGE_WORDS;
		hash_page(m, &h0, &h1);
		s->pages++;
		if (h0 == zero_h0 && h1 == zero_h1 && page_is_zero(m)) {
			s->zero++;
			h0 = 0;		/* (0, 0) marks zeros */
			h1 = 0;
		} else if (!h0 && !h1) {
			h1 = 1;
		}
		orecs[nrec].h0 = h0;
		orecs[nrec].h1 = h1;
		orecs[nrec].pfn = v->ent[first + i] & PM_PFN_MASK;
		nrec++;
	}
	return nrec;
}

/*
 * Hashes every non-zero 4 KiB block of the -F files into fblocks, sorted
 * and without repeats.  The files are read again at every pass: the
 * guests write to their disks while they run.
 */
static void load_file_blocks(uint64_t *buf)
{
	uint64_t off, i, n;
	struct orec *b;
	ssize_t got;
	int k, fd;

	nfblocks = 0;
	for (k = 0; k < nfiles; k++) {
		fd = open(files[k], O_RDONLY);
		if (fd < 0)
			die("%s: %s", files[k], strerror(errno));
		for (off = 0; ; off += got) {
			got = pread_full(fd, buf, READ_CHUNK * PAGE_SZ, off);
			if (got < 0)
				die("%s: %s", files[k], strerror(errno));
			n = got / PAGE_SZ;	/* a partial last block: not one */
			if (nfblocks + n > fblocks_cap) {
				fblocks_cap = (nfblocks + n) * 2;
				b = realloc(fblocks, fblocks_cap * sizeof(*b));
				if (!b)
					die("out of memory");
				fblocks = b;
			}
			for (i = 0; i < n; i++) {
				if (page_is_zero(buf + i * PAGE_WORDS))
					continue;
				b = &fblocks[nfblocks++];
				b->pfn = 0;
				hash_page(buf + i * PAGE_WORDS, &b->h0, &b->h1);
				if (!b->h0 && !b->h1)
					b->h1 = 1;	/* as hash_run() */
			}
			if (got < (ssize_t)(READ_CHUNK * PAGE_SZ))
				break;
		}
		close(fd);
	}
	if (!nfblocks)
		return;
	qsort(fblocks, nfblocks, sizeof(*fblocks), cmp_orec);
	for (i = 1, n = 1; i < nfblocks; i++)
		if (cmp_orec(&fblocks[i], &fblocks[n - 1]))
			fblocks[n++] = fblocks[i];
	nfblocks = n;
}

static bool is_file_content(const struct orec *r)
{
	return nfblocks && bsearch(r, fblocks, nfblocks, sizeof(*r), cmp_orec);
}

/* The oracle over the present pages of the last pagemap pass. */
static void oracle_pass(struct oracle_stats *s)
{
	uint64_t i, j, run, nrec = 0, e, copies, frames;
	static uint64_t *buf;
	double t0 = mono_ms();
	struct vmm *v;
	bool file;
	int k;

	memset(s, 0, sizeof(*s));
	if (!buf) {
		buf = aligned_alloc(PAGE_SZ, READ_CHUNK * PAGE_SZ);
		if (!buf)
			die("out of memory");
	}
	if (nfiles) {
		load_file_blocks(buf);
		s->file_blocks = nfblocks;
	}
	for (k = 0; k < nvmm; k++) {
		v = &vmms[k];
		for (i = 0; i < ram_pages; i += run ? run : 1) {
			run = 0;
			e = v->ent[i];
			if (!(e & PM_PRESENT))
				continue;
			if (is_zero_pfn(e & PM_PFN_MASK)) {
				s->pages++;
				s->zero++;
				continue;
			}
			while (i + run < ram_pages && run < READ_CHUNK) {
				e = v->ent[i + run];
				if (!(e & PM_PRESENT) ||
				    is_zero_pfn(e & PM_PFN_MASK))
					break;
				run++;
			}
			nrec = hash_run(v, i, run, buf, s, nrec);
		}
	}
	sort_orecs(orecs, orecs_tmp, nrec);
	for (i = 0; i < nrec; i = j) {
		copies = 0;
		frames = 0;
		for (j = i; j < nrec && orecs[j].h0 == orecs[i].h0 &&
		     orecs[j].h1 == orecs[i].h1; j++) {
			copies++;
			frames += pfn_first(orecs[j].pfn);
		}
		for (e = i; e < j; e++)
			pfn_clear(orecs[e].pfn);
		if (!orecs[i].h0 && !orecs[i].h1) {
			s->zero_merged = copies - frames;
			continue;
		}
		s->contents++;
		file = nfiles && is_file_content(&orecs[i]);
		if (file)
			s->file_pages += copies;
		if (copies < 2)
			continue;
		s->dup_contents++;
		s->dup += copies - 1;
		s->dup_merged += copies - frames;
		if (file) {
			s->file_dup += copies - 1;
			s->file_dup_merged += copies - frames;
		}
	}
	s->ms = mono_ms() - t0;
}

/* User plus system CPU time of @pid in ms, or -1. */
static long long cpu_ms(int pid)
{
	unsigned long long ut, st;
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!read_small(path, buf, sizeof(buf)))
		return -1;
	/* Fields 14 and 15, counted after the ")" that ends the name. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return -1;
	return (long long)(ut + st) * 1000 / sysconf(_SC_CLK_TCK);
}

static void sample(unsigned long long seq, bool oracle, double t_start)
{
	struct oracle_stats os;
	struct pm_stats ps;
	struct timespec now;
	char line[4096];
	int len, k;

	clock_gettime(CLOCK_REALTIME, &now);
	pagemap_pass(&ps);
	len = snprintf(line, sizeof(line),
		       "seq=%llu time=%lld.%03ld t=%.3f pids=%d ram_mib=%llu pages=%llu present=%llu swapped=%llu zero=%llu distinct=%llu distinct_nonzero=%llu saved=%llu ksm_sharing=%lld ksm_shared=%lld ksm_zero_pages=%lld ksm_full_scans=%lld pagemap_ms=%.1f",
		       seq, (long long)now.tv_sec, now.tv_nsec / 1000000,
		       (mono_ms() - t_start) / 1e3, nvmm,
		       ram_pages * PAGE_SZ >> 20, ps.pages, ps.present,
		       ps.swapped, ps.zero, ps.distinct, ps.distinct_nonzero,
		       ps.saved, read_ll(KSM_DIR "pages_sharing"),
		       read_ll(KSM_DIR "pages_shared"),
		       read_ll(KSM_DIR "ksm_zero_pages"),
		       read_ll(KSM_DIR "full_scans"), ps.ms);
	if (oracle) {
		oracle_pass(&os);
		len += snprintf(line + len, sizeof(line) - len,
				" oracle=1 o_pages=%llu o_unread=%llu o_zero=%llu o_zero_merged=%llu o_contents=%llu o_dup_contents=%llu o_dup=%llu o_dup_merged=%llu oracle_ms=%.1f",
				os.pages, os.unread, os.zero, os.zero_merged,
				os.contents, os.dup_contents, os.dup,
				os.dup_merged, os.ms);
		if (nfiles)
			len += snprintf(line + len, sizeof(line) - len,
					" o_file_blocks=%llu o_file_pages=%llu o_file_dup=%llu o_file_dup_merged=%llu",
					os.file_blocks, os.file_pages,
					os.file_dup, os.file_dup_merged);
	} else {
		len += snprintf(line + len, sizeof(line) - len, " oracle=0");
	}
	if (cpu_pid)
		len += snprintf(line + len, sizeof(line) - len, " cpu_ms=%lld",
				cpu_ms(cpu_pid));
	for (k = 0; k < nextra; k++)
		len += snprintf(line + len, sizeof(line) - len, " %s=%lld",
				extra[k].key, read_ll(extra[k].path));
	len += snprintf(line + len, sizeof(line) - len, "\n");
	if (write(STDOUT_FILENO, line, len) != len)
		die("stdout: %s", strerror(errno));
}

/* Loads the guest physical addresses of @path; returns how many, 0 if none yet. */
static size_t watch_load(const char *path, unsigned long long **idx)
{
	unsigned long long gpa, *v = NULL;
	size_t n = 0, cap = 0;
	char line[64], *end;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		gpa = strtoull(line, &end, 16);
		if (end == line)
			continue;
		if (gpa / PAGE_SZ >= ram_pages)
			die("%s: %#llx beyond guest RAM (known: below 4 GiB)",
			    path, gpa);
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				die("out of memory");
		}
		v[n++] = gpa / PAGE_SZ;
	}
	fclose(f);
	*idx = v;
	return n;
}

/* Returns the /proc/kpagecount value of @pfn (mappings), or -1. */
static int64_t page_count(uint64_t pfn)
{
	return kpage_word("/proc/kpagecount", &kpagecount_fd, pfn);
}

/*
 * A KSM page mapped more than once, or the zero page KSM maps with
 * use_zero_pages.  The mapping count is what tells: in 6.12 KPF_KSM is set
 * for every anonymous page (fs/proc/page.c tests mapping against
 * PAGE_MAPPING_KSM, which includes PAGE_MAPPING_ANON).
 */
static bool page_is_ksm(uint64_t ent)
{
	uint64_t pfn = ent & PM_PFN_MASK;
	int64_t flags;

	if (!(ent & PM_PRESENT))
		return false;
	if (is_zero_pfn(pfn))
		return true;
	flags = page_flags(pfn);
	return flags >= 0 && (flags & BIT_ULL(KPF_KSM)) && page_count(pfn) > 1;
}

/*
 * Does the kernel track soft-dirty pages?  Then a page of a new mapping
 * reads as soft-dirty in pagemap; without CONFIG_MEM_SOFT_DIRTY bit 55 is
 * always 0 (and clear_refs 4 is accepted and does nothing).
 */
static bool soft_dirty_tracked(void)
{
	char *p = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t ent;

	if (p == MAP_FAILED)
		return false;
	*p = 1;
	ent = self_pagemap(p);
	munmap(p, PAGE_SZ);
	return ent & PM_SOFT_DIRTY;
}

/*
 * Clears the soft-dirty bits of @pid's pages, so that the next write to
 * each sets its bit again; false if that cannot be done.
 */
static bool clear_soft_dirty(int pid)
{
	char path[64];
	bool ok;
	int fd;

	if (!soft_dirty_tracked())
		return false;
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", pid);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	ok = write(fd, "4", 1) == 1;
	close(fd);
	return ok;
}

/* -W: see the comment at the top of this file. */
static void watch(const char *arg, double interval)
{
	size_t len = ram_pages * sizeof(uint64_t), n = 0, k, merged, before;
	unsigned long long *idx = NULL, *moved = NULL, i;
	double secs, t0, now, *since, *first_at, *merged_at;
	size_t nmoved = 0, moved_cap = 0;
	struct vmm *v = &vmms[0];
	uint64_t *prev;
	bool soft_dirty;
	const char *path;
	char *end;

	secs = strtod(arg, &end);
	if (end == arg || *end != ':' || secs <= 0 || !end[1])
		help();
	path = end + 1;
	prev = malloc(len);
	since = calloc(ram_pages, sizeof(*since));
	first_at = calloc(ram_pages, sizeof(*first_at));
	merged_at = calloc(ram_pages, sizeof(*merged_at));
	if (!prev || !since || !first_at || !merged_at)
		die("out of memory");
	soft_dirty = clear_soft_dirty(v->pid);
	if (pread_full(v->pagemap_fd, prev, len,
		       v->start / PAGE_SZ * sizeof(uint64_t)) != (ssize_t)len)
		die("pid %d: short pagemap read", v->pid);
	t0 = mono_ms();
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		usleep(interval * 1e6);
		if (pread_full(v->pagemap_fd, v->ent, len,
			       v->start / PAGE_SZ * sizeof(uint64_t)) !=
		    (ssize_t)len)
			die("pid %d exited or unmapped its guest RAM", v->pid);
		now = mono_ms() - t0;
		for (i = 0; i < ram_pages; i++) {
			/*
			 * A new frame, or a write in place: soft-dirty again
			 * (only one write is seen until the bit is cleared,
			 * which replacing the frame by a KSM page does).
			 */
			if (!((v->ent[i] ^ prev[i]) & (PM_PRESENT | PM_PFN_MASK)) &&
			    !(soft_dirty && (v->ent[i] & ~prev[i] & PM_SOFT_DIRTY)))
				continue;
			if (!since[i]) {
				if (nmoved == moved_cap) {
					moved_cap = moved_cap ? moved_cap * 2 : 1024;
					moved = realloc(moved, moved_cap * sizeof(*moved));
					if (!moved)
						die("out of memory");
				}
				moved[nmoved++] = i;
				first_at[i] = now;
			}
			since[i] = now;
			merged_at[i] = 0;
			prev[i] = v->ent[i];
		}
		/*
		 * KSM keeps one page of a pair in place as the KSM page, so a
		 * merge need not change the frame: look at every page whose
		 * frame changed or that was written until it is seen merged.
		 */
		for (k = 0; k < nmoved; k++)
			if (!merged_at[moved[k]] && page_is_ksm(prev[moved[k]]))
				merged_at[moved[k]] = now;
		if (!n)
			n = watch_load(path, &idx);
		for (k = 0; k < n && page_is_ksm(prev[idx[k]]); k++)
			;
		if ((n && k == n) || now >= secs * 1e3)
			break;
	}
	merged = 0;
	before = 0;
	for (k = 0; k < n; k++) {
		i = idx[k];
		if (!page_is_ksm(prev[i])) {
			printf("r2m gpa=%#llx s=99 r=99\n", i * PAGE_SZ);
		} else if (!since[i]) {
			before++;
			printf("r2m gpa=%#llx s=-1 r=-1\n", i * PAGE_SZ);
		} else {
			merged++;
			printf("r2m gpa=%#llx s=%.2f r=%.2f\n", i * PAGE_SZ,
			       merged_at[i] / 1e3,
			       (merged_at[i] - first_at[i]) / 1e3);
		}
	}
	printf("r2m pages=%zu merged=%zu unread=%zu watched_s=%.2f soft_dirty=%d\n",
	       n, merged, before, (mono_ms() - t0) / 1e3, soft_dirty);
	free(moved);
	free(idx);
	free(merged_at);
	free(first_at);
	free(since);
	free(prev);
}

int main(int argc, char **argv)
{
	uint64_t count = 1, every = 1, seq;
	double interval = 0, t_start, next;
	bool oracle = false, counted = false;
	struct timespec ts;
	const char *watch_arg = NULL;
	long long mib = 0;
	char *end;
	int opt, j, k;

	while ((opt = getopt(argc, argv, "m:oe:i:c:f:k:F:W:h")) != -1) {
		switch (opt) {
		case 'W':
			watch_arg = optarg;
			break;
		case 'f':
			end = strchr(optarg, '=');
			if (!end || end == optarg || nextra == MAX_EXTRA)
				help();
			*end = 0;
			extra[nextra].key = optarg;
			extra[nextra++].path = end + 1;
			break;
		case 'F':
			if (nfiles == MAX_FILES)
				help();
			files[nfiles++] = optarg;
			break;
		case 'k':
			cpu_pid = atoi(optarg);
			if (cpu_pid <= 0)
				help();
			break;
		case 'm':
			mib = strtoll(optarg, &end, 10);
			if (*end || mib <= 0)
				help();
			break;
		case 'o':
			oracle = true;
			break;
		case 'e':
			every = strtoull(optarg, &end, 10);
			if (*end || !every)
				help();
			break;
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || interval <= 0)
				help();
			break;
		case 'c':
			count = strtoull(optarg, &end, 10);
			if (*end)
				help();
			counted = true;
			break;
		default:
			help();
		}
	}
	if (!mib || optind >= argc || (nfiles && !oracle))
		help();
	if (watch_arg && (argc - optind != 1 || oracle || nextra || cpu_pid))
		help();
	if (interval > 0 && !counted)
		count = 0;		/* unbounded */
	ram_pages = (uint64_t)mib << 20 >> 12;
	nvmm = argc - optind;
	vmms = calloc(nvmm, sizeof(*vmms));
	if (oracle) {
		orecs = malloc(ram_pages * nvmm * sizeof(*orecs));
		orecs_tmp = malloc(ram_pages * nvmm * sizeof(*orecs));
	}
	if (!vmms || (oracle && (!orecs || !orecs_tmp)))
		die("out of memory");
	find_zero_pfns();
	hash_init();
	fprintf(stderr, "%s: zero page PFN %#llx, huge zero page %s%#llx (%llu pages)\n",
		prog, zero_pfn, hzero_nr ? "PFN " : "none ", hzero_pfn,
		hzero_nr);
	for (k = 0; k < nvmm; k++) {
		open_vmm(&vmms[k], argv[optind + k]);
		for (j = 0; j < k; j++)
			if (vmms[j].pid == vmms[k].pid)
				die("pid %d given twice", vmms[k].pid);
	}

	if (watch_arg) {
		watch(watch_arg, interval > 0 ? interval : 0.05);
		return 0;
	}
	t_start = mono_ms();
	next = t_start;
	for (seq = 0; !count || seq < count; seq++) {
		sample(seq, oracle && seq % every == 0, t_start);
		if (count && seq + 1 >= count)
			break;
		if (interval <= 0)
			continue;
		/* Next tick on the grid; ticks missed by a slow sample skip. */
		next += interval * 1e3;
		while (next <= mono_ms())
			next += interval * 1e3;
		ts.tv_sec = (time_t)(next / 1e3);
		ts.tv_nsec = (long)((next - ts.tv_sec * 1e3) * 1e6);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
				       NULL) == EINTR)
			;
	}
	return 0;
}
