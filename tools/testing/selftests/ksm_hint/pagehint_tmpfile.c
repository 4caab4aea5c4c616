// SPDX-License-Identifier: GPL-2.0
/*
 * Guest half of the rig's check that an O_TMPFILE file is not hinted
 * (drivers/virt/pagehint): runs in a nested guest, whose root holds
 * busybox only, so it is linked static.
 *
 * Usage: pagehint_tmpfile <directory on a block filesystem> <pages>
 *
 * Creates a file with no name in the directory, writes <pages> pages of
 * distinct content and syncs them (writeback completes), drops them from
 * the page cache and reads them back from storage (reads complete).  Each
 * of those page cache events would be hinted for a named file; the caller
 * compares the driver's counters before and after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE	4096

int main(int argc, char **argv)
{
	static char buf[PAGE];
	long pages, i;
	int fd;

	pages = argc == 3 ? strtol(argv[2], NULL, 0) : 0;
	if (pages <= 0) {
		fprintf(stderr, "usage: %s <dir> <pages>\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_TMPFILE | O_RDWR, 0600);
	if (fd < 0) {
		fprintf(stderr, "tmpfile: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (i = 0; i < pages; i++) {
		memset(buf, 0, sizeof(buf));
		snprintf(buf, sizeof(buf), "pagehint tmpfile page %ld", i);
		if (write(fd, buf, PAGE) != PAGE) {
			fprintf(stderr, "tmpfile: write: %s\n", strerror(errno));
			return 1;
		}
	}
	if (fsync(fd) || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)) {
		fprintf(stderr, "tmpfile: fsync/fadvise: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < pages; i++) {
		if (pread(fd, buf, PAGE, i * PAGE) != PAGE) {
			fprintf(stderr, "tmpfile: read: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("tmpfile: pages=%ld\n", pages);
	close(fd);
	return 0;
}
