/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ksm_hint selftest and benchmark: sysfs access,
 * pagemap lookups and the debugfs hint submission file.
 */
#ifndef KSM_HINT_COMMON_H
#define KSM_HINT_COMMON_H

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KSM_DIR		"/sys/kernel/mm/ksm/"
#define HINT_DIR	"/sys/kernel/mm/ksm_hint/"
#define SUBMIT_PATH	"/sys/kernel/debug/ksm_hint/submit"
#define SOURCES_PATH	"/sys/kernel/debug/ksm_hint/sources"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define KIND_READ	1
#define KIND_WRITEBACK	2
#define KIND_DROP	3
#define KIND_ZERO	4

/* The record /sys/kernel/debug/ksm_hint/submit takes. */
struct hint_rec {
	uint64_t addr;
	uint64_t file_key;
	uint64_t index;
	uint32_t kind;
	uint32_t reserved;
};

static size_t page_size;

static inline int read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

/* Returns 0 or -errno of the write. */
static inline int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* Read /proc/<ksmd's pid>/@name into @buf; 0 or a negative errno. */
static inline int read_ksmd_file(const char *name, char *buf, size_t len)
{
	char path[300];
	struct dirent *d;
	DIR *dir = opendir("/proc");
	int ret = -ESRCH;

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		if (read_str(path, buf, len) || strcmp(buf, "ksmd"))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/%s", d->d_name, name);
		ret = read_str(path, buf, len);
		break;
	}
	closedir(dir);
	return ret;
}

static inline long read_num(const char *path)
{
	char buf[64];

	if (read_str(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 0);
}

static inline int write_num(const char *path, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	return write_str(path, buf);
}

static inline long hint_stat(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), HINT_DIR "%s", name);
	return read_num(path);
}

static inline long ksm_stat(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), KSM_DIR "%s", name);
	return read_num(path);
}

static inline uint64_t pfn_of(const void *addr)
{
	static int fd = -1;
	uint64_t ent;

	if (fd < 0)
		fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent),
		  (uintptr_t)addr / page_size * sizeof(ent)) != sizeof(ent))
		return 0;
	if (!(ent & (1ULL << 63)))
		return 0;
	return ent & ((1ULL << 55) - 1);
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Submit @n records.  Returns the records consumed (each one accepted, or
 * skipped as bad and counted in hints_rejected), fewer than @n only when
 * the source's vm_hint_rate ran out; or -errno.
 */
static inline long submit(int fd, const struct hint_rec *recs, size_t n)
{
	ssize_t r = write(fd, recs, n * sizeof(*recs));

	if (r < 0)
		return -errno;
	return r / sizeof(*recs);
}

static inline void fill_page(char *p, unsigned int seed)
{
	size_t i;

	for (i = 0; i < page_size; i += sizeof(unsigned int))
		*(unsigned int *)(p + i) = seed * 2654435761U + i;
}

#endif /* KSM_HINT_COMMON_H */
