// SPDX-License-Identifier: GPL-2.0
/*
 * Runs in a guest: reads the first N pages of a file, as dd would, then
 * prints the guest physical address of each page cache page that holds
 * them, one a line in hex.  The host's read-to-merge probe (make bench,
 * ksm_hint_vmstat -W) watches exactly those pages for their merge.  The
 * pages are mapped read-only (MAP_POPULATE) after the read, so the mapping
 * reads nothing from storage itself, and found in /proc/self/pagemap
 * (PFNs need root).
 * Pages not in the page cache after the read (none, normally) are left
 * out.  Built static: the rig's guests have busybox only.
 *
 * usage: ksm_hint_gpa FILE N
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE_SZ		4096UL
#define BIT_ULL(n)	(1ULL << (n))
#define PM_PFN_MASK	(BIT_ULL(55) - 1)
#define PM_PRESENT	BIT_ULL(63)

static void die(const char *what)
{
	fprintf(stderr, "ksm_hint_gpa: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	static char buf[PAGE_SZ];
	const char *map;
	unsigned long n, i;
	uint64_t ent;
	ssize_t got;
	int fd, pm;

	n = argc == 3 ? strtoul(argv[2], NULL, 10) : 0;
	if (!n) {
		fprintf(stderr, "usage: ksm_hint_gpa FILE N\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		die(argv[1]);
	for (i = 0; i < n; i++) {
		got = pread(fd, buf, PAGE_SZ, i * PAGE_SZ);
		if (got < 0)
			die("read");
		if (got < (ssize_t)PAGE_SZ)
			break;
	}
	n = i + (got > 0 && i < n);
	if (!n)
		return 0;
	/* Maps the cached pages: pagemap shows mapped pages only. */
	map = mmap(NULL, n * PAGE_SZ, PROT_READ, MAP_SHARED | MAP_POPULATE,
		   fd, 0);
	if (map == MAP_FAILED)
		die("mmap");
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0)
		die("/proc/self/pagemap");
	for (i = 0; i < n; i++) {
		if (pread(pm, &ent, sizeof(ent),
			  ((uintptr_t)map / PAGE_SZ + i) * sizeof(ent)) !=
		    sizeof(ent))
			die("pagemap");
		if ((ent & PM_PRESENT) && (ent & PM_PFN_MASK))
			printf("%llx\n",
			       (unsigned long long)(ent & PM_PFN_MASK) * PAGE_SZ);
	}
	return 0;
}
