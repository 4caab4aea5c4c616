/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the KVM_HC_PAGE_HINT selftests share: the page contents they write
 * and check, the host-to-guest command loop, sysfs access, the knobs they
 * change (put back at exit) and page frame numbers from pagemap.
 */
#ifndef SELFTEST_KVM_PAGE_HINT_UTIL_H
#define SELFTEST_KVM_PAGE_HINT_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"

/* Word @word of the page seeded @seed: distinct pages for distinct seeds. */
static inline uint64_t pattern(uint64_t seed, uint64_t word)
{
	return (seed + 1) * 0x9e3779b97f4a7c15ULL ^ (word * 0xff51afd7ed558ccdULL);
}

/* What the guest does next; the host syncs it in before each run. */
static struct {
	uint64_t op, a0, a1, a2;
} cmd;

/* Runs guest operation @op to its GUEST_SYNC and returns its result. */
static inline uint64_t guest_do(struct kvm_vcpu *vcpu, uint64_t op,
				uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct ucall uc;

	cmd.op = op;
	cmd.a0 = a0;
	cmd.a1 = a1;
	cmd.a2 = a2;
	sync_global_to_guest(vcpu->vm, cmd);
	vcpu_run(vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		return uc.args[1];
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("unexpected ucall %lu", uc.cmd);
	}
	return 0;
}

/* A number from a sysfs file, -1 if it holds none. */
static inline long sysfs_read(const char *path)
{
	char buf[64] = "", *end;
	long v;
	int fd;

	fd = open(path, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open %s", path);
	TEST_ASSERT(read(fd, buf, sizeof(buf) - 1) > 0, "read %s", path);
	close(fd);
	errno = 0;
	v = strtol(buf, &end, 10);
	return errno || end == buf ? -1 : v;
}

static inline void sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	TEST_ASSERT(fd >= 0, "open %s", path);
	TEST_ASSERT(write(fd, val, strlen(val)) == (ssize_t)strlen(val),
		    "write '%s' to %s", val, path);
	close(fd);
}

#define PH_MAX_KNOBS	16

static const char * const *ph_knobs;
static unsigned int ph_nr_knobs;
static char ph_saved[PH_MAX_KNOBS][32];

static inline void ph_restore_knobs(void)
{
	unsigned int i;

	for (i = 0; i < ph_nr_knobs; i++) {
		int fd = open(ph_knobs[i], O_WRONLY);

		if (fd < 0)
			continue;
		if (write(fd, ph_saved[i], strlen(ph_saved[i])) < 0)
			perror(ph_knobs[i]);
		close(fd);
	}
}

/*
 * Remembers the values of the @n files in @knobs and writes them back at
 * exit, however the test ends.
 */
static inline void ph_save_knobs(const char * const *knobs, unsigned int n)
{
	unsigned int i;

	TEST_ASSERT(n <= PH_MAX_KNOBS, "too many knobs");
	for (i = 0; i < n; i++) {
		int fd = open(knobs[i], O_RDONLY);
		char *s = ph_saved[i];
		ssize_t len;

		TEST_ASSERT(fd >= 0, "open %s", knobs[i]);
		len = read(fd, s, sizeof(ph_saved[i]) - 1);
		TEST_ASSERT(len > 0, "read %s", knobs[i]);
		close(fd);
		s[len] = 0;
		/* "off [hint] hybrid" style: keep the selected word. */
		if (strchr(s, '[')) {
			memmove(s, strchr(s, '[') + 1, strlen(strchr(s, '[')));
			*strchrnul(s, ']') = 0;
		}
		*strchrnul(s, '\n') = 0;
	}
	ph_knobs = knobs;
	ph_nr_knobs = n;
	atexit(ph_restore_knobs);
}

/* Page frames of @n pages from @start, 0 for pages not present. */
static inline void read_pfns(void *start, uint64_t n, uint64_t *pfn)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t i;

	TEST_ASSERT(fd >= 0, "open pagemap");
	TEST_ASSERT(pread(fd, pfn, n * sizeof(*pfn),
			  (uintptr_t)start / PAGE_SIZE * sizeof(*pfn)) ==
		    (ssize_t)(n * sizeof(*pfn)), "read pagemap");
	close(fd);
	for (i = 0; i < n; i++)
		pfn[i] = pfn[i] & BIT_ULL(63) ? pfn[i] & (BIT_ULL(55) - 1) : 0;
}

static inline uint64_t pfn_of(void *hva)
{
	uint64_t pfn;

	read_pfns(hva, 1, &pfn);
	return pfn;
}

#endif /* SELFTEST_KVM_PAGE_HINT_UTIL_H */
