// SPDX-License-Identifier: GPL-2.0
/*
 * Time to merge with ksm_hint mode=hint against stock KSM (mode=off) at the
 * same pages_to_scan/sleep_millisecs, side by side in one run, plus ksmd's
 * CPU time while mode=hint is idle.  Prints numbers; asserts nothing.
 *
 * Two areas of N pages each, all pages distinct except P pairs (A[j], B[j])
 * spread over the areas.  Mode hint: the pairs are hinted at t0.  Stock: KSM
 * starts at t0 and must find them by scanning.  For each pair the time at
 * which both pages map the same PFN is recorded.
 *
 * usage: ksm_hint_bench [-n pages_per_area] [-p pairs] [-s pages_to_scan]
 *                       [-m sleep_millisecs] [-t timeout_s]
 */
#include <dirent.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "ksm_hint_common.h"

static size_t npages = 8192, npairs = 64;
static long pages_to_scan = 100, sleep_ms = 20;
static double timeout_s = 120;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static long ksmd_ticks(void)
{
	char path[300], buf[512];
	struct dirent *d;
	long ut, st;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		if (read_str(path, buf, sizeof(buf)) || strcmp(buf, "ksmd"))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		closedir(dir);
		if (read_str(path, buf, sizeof(buf)))
			return -1;
		/* Fields 14 and 15: utime, stime; comm has no spaces. */
		if (sscanf(buf, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld",
			   &ut, &st) != 2)
			return -1;
		return ut + st;
	}
	closedir(dir);
	return -1;
}

static void fill(char *a, char *b, size_t stride)
{
	size_t i;

	for (i = 0; i < npages; i++) {
		fill_page(a + i * page_size, 3 * i + 1);
		fill_page(b + i * page_size, 3 * i + 2);
	}
	for (i = 0; i < npairs; i++)
		fill_page(b + i * stride * page_size, 3 * i * stride + 1);
}

/* Returns the number of pairs merged; times[] gets seconds since t0. */
static size_t wait_pairs(char *a, char *b, size_t stride, double t0,
			 double *times)
{
	size_t i, done = 0;

	for (i = 0; i < npairs; i++)
		times[i] = -1;
	while (done < npairs && now_s() - t0 < timeout_s) {
		for (i = 0; i < npairs; i++) {
			uint64_t pa;

			if (times[i] >= 0)
				continue;
			pa = pfn_of(a + i * stride * page_size);
			if (pa && pa == pfn_of(b + i * stride * page_size)) {
				times[i] = now_s() - t0;
				done++;
			}
		}
		usleep(2000);
	}
	return done;
}

static void report(const char *name, double *times, size_t done,
		   long ticks)
{
	double sorted[npairs];
	size_t i, n = 0;

	for (i = 0; i < npairs; i++)
		if (times[i] >= 0)
			sorted[n++] = times[i];
	qsort(sorted, n, sizeof(double), cmp_double);
	if (!n) {
		printf("%-6s merged 0/%zu pairs within %.0f s\n", name, npairs,
		       timeout_s);
		return;
	}
	printf("%-6s %zu/%zu pairs: median %.3f p95 %.3f max %.3f s, ksmd cpu %.2f s\n",
	       name, done, npairs, sorted[n / 2], sorted[(n * 95) / 100 < n ?
	       (n * 95) / 100 : n - 1], sorted[n - 1],
	       (double)ticks / sysconf(_SC_CLK_TCK));
}

int main(int argc, char **argv)
{
	char *a, *b, saved_mode[32], saved_run[8], saved_scan[32],
	     saved_sleep[32];
	double t0, times_hint[4096], times_ksm[4096];
	struct hint_rec *r;
	size_t stride, i, done;
	long ticks, full0;
	int fd, opt;

	page_size = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "n:p:s:m:t:")) != -1) {
		switch (opt) {
		case 'n':
			npages = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			npairs = strtoul(optarg, NULL, 0);
			break;
		case 's':
			pages_to_scan = strtol(optarg, NULL, 0);
			break;
		case 'm':
			sleep_ms = strtol(optarg, NULL, 0);
			break;
		case 't':
			timeout_s = strtod(optarg, NULL);
			break;
		default: return 1;
		}
	}
	if (!npairs || npairs > 4096 || npairs > npages)
		return 1;
	stride = npages / npairs;
	read_str(HINT_DIR "mode", saved_mode, sizeof(saved_mode));
	read_str(KSM_DIR "run", saved_run, sizeof(saved_run));
	read_str(KSM_DIR "pages_to_scan", saved_scan, sizeof(saved_scan));
	read_str(KSM_DIR "sleep_millisecs", saved_sleep, sizeof(saved_sleep));

	a = mmap(NULL, npages * page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, npages * page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED || b == MAP_FAILED)
		return 1;
	madvise(a, npages * page_size, MADV_NOHUGEPAGE);
	madvise(b, npages * page_size, MADV_NOHUGEPAGE);
	fd = open(SUBMIT_PATH, O_WRONLY);
	if (fd < 0) {
		perror(SUBMIT_PATH);
		return 4;
	}
	printf("# %zu pages per area, %zu pairs, pages_to_scan %ld, sleep_millisecs %ld\n",
	       npages, npairs, pages_to_scan, sleep_ms);
	write_str(KSM_DIR "run", "2");
	write_num(KSM_DIR "pages_to_scan", pages_to_scan);
	write_num(KSM_DIR "sleep_millisecs", sleep_ms);

	/* Idle ksmd in mode hint: areas registered, no hints. */
	fill(a, b, stride);
	madvise(a, npages * page_size, MADV_MERGEABLE);
	madvise(b, npages * page_size, MADV_MERGEABLE);
	write_str(HINT_DIR "mode", "hint");
	write_str(KSM_DIR "run", "1");
	sleep(1);
	ticks = ksmd_ticks();
	sleep(5);
	printf("idle   mode=hint, no hints: ksmd cpu %ld ticks in 5 s\n",
	       ksmd_ticks() - ticks);

	/* Mode hint. */
	r = calloc(2 * npairs, sizeof(*r));
	for (i = 0; i < npairs; i++) {
		r[2 * i] = (struct hint_rec){
			(uintptr_t)(a + i * stride * page_size), 0xbe4c, i,
			KIND_READ, 0 };
		r[2 * i + 1] = (struct hint_rec){
			(uintptr_t)(b + i * stride * page_size), 0xbe4c, i,
			KIND_READ, 0 };
	}
	ticks = ksmd_ticks();
	full0 = ksm_stat("full_scans");
	t0 = now_s();
	submit(fd, r, 2 * npairs);
	done = wait_pairs(a, b, stride, t0, times_hint);
	report("hint", times_hint, done, ksmd_ticks() - ticks);
	printf("# hint full scans: %ld\n", ksm_stat("full_scans") - full0);

	/* Stock KSM on the same pages, from scratch. */
	write_str(KSM_DIR "run", "2");
	write_str(HINT_DIR "mode", "off");
	ticks = ksmd_ticks();
	/* run=2 resets full_scans; count the scans of this run only. */
	full0 = ksm_stat("full_scans");
	t0 = now_s();
	write_str(KSM_DIR "run", "1");
	done = wait_pairs(a, b, stride, t0, times_ksm);
	report("stock", times_ksm, done, ksmd_ticks() - ticks);
	printf("# stock full scans: %ld\n", ksm_stat("full_scans") - full0);

	write_str(KSM_DIR "run", "2");
	write_str(HINT_DIR "mode", saved_mode);
	write_str(KSM_DIR "pages_to_scan", saved_scan);
	write_str(KSM_DIR "sleep_millisecs", saved_sleep);
	write_str(KSM_DIR "run", strcmp(saved_run, "2") ? saved_run : "0");
	close(fd);
	return 0;
}
