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
 * With -A MiB it measures cost against VM size instead (scale mode): one
 * mergeable area of that size, all pages distinct, is scanned linearly by
 * stock KSM for two full scans (ksmd time per page visit of the second
 * scan, which inserts every page in the unstable tree), then ksm_hint
 * switches to mode hint, P pairs spread over the area are made identical
 * and hinted, and ksmd time per hinted page and hints per second are
 * reported.  The rmap_list then holds one item per page, in address order,
 * as a VM's does after a linear scan; the per-hint cost must not grow with
 * the area.  Run it once per size, in one boot, to compare.
 *
 * usage: ksm_hint_bench [-n pages_per_area] [-p pairs] [-s pages_to_scan]
 *                       [-m sleep_millisecs] [-t timeout_s] [-A MiB]
 */
#include <stdbool.h>
#include <sys/mman.h>

#include "ksm_hint_common.h"

static size_t npages = 8192, npairs = 64;
static long pages_to_scan = 100, sleep_ms = 20;
static double timeout_s = 120;
static size_t area_mib;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static long ksmd_ticks(void)
{
	char buf[512];
	long ut, st;

	if (read_ksmd_file("stat", buf, sizeof(buf)))
		return -1;
	/* Fields 14 and 15: utime, stime; comm has no spaces. */
	if (sscanf(buf, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld",
		   &ut, &st) != 2)
		return -1;
	return ut + st;
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

/* Scale mode (-A): see the comment at the top. */
static int bench_scale(int fd)
{
	size_t n = area_mib * (1024 * 1024 / page_size), stride, half, i;
	long t_lin0, t_lin1, v_lin0, v_lin1, t_h0, t_h1, s_h0, s_h1, m0;
	/* A key of its own: no attribute left over from another run. */
	uint64_t key = 0x5ca1e00000ULL + area_mib;
	long re0, gu0, s_last = -1;
	double t_last = now_s();
	size_t done = 0, linear_visits, hints;
	struct hint_rec *r;
	double t0, t_end;
	char *a;

	if (npairs > n / 2)
		return 1;
	half = n / 2;
	stride = half / npairs;
	a = mmap(NULL, n * page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	madvise(a, n * page_size, MADV_NOHUGEPAGE);
	for (i = 0; i < n; i++)
		fill_page(a + i * page_size, 7 * i + 3);
	write_str(KSM_DIR "run", "2");
	write_str(HINT_DIR "mode", "off");
	/* Build the rmap_list as a linear scan does, quickly. */
	write_num(KSM_DIR "pages_to_scan", 1000);
	write_num(KSM_DIR "sleep_millisecs", 0);
	madvise(a, n * page_size, MADV_MERGEABLE);
	write_str(KSM_DIR "run", "1");
	while (ksm_stat("full_scans") < 1)
		usleep(10000);
	/* A line per scan: minutes of silence look like a hung host. */
	printf("# %zu MiB: first linear scan done\n", area_mib);
	fflush(stdout);
	t_lin0 = ksmd_ticks();
	v_lin0 = ksm_stat("pages_scanned");
	t0 = now_s();
	while (ksm_stat("full_scans") < 2)
		usleep(10000);
	t_lin1 = ksmd_ticks();
	v_lin1 = ksm_stat("pages_scanned");
	/* CLOCK_MONOTONIC, for a profiler's time filter (perf -k). */
	printf("# profile window linear %.6f %.6f\n", t0, now_s());
	/* From the next batch on, ksmd only scans hints. */
	write_str(HINT_DIR "mode", "hint");
	write_num(KSM_DIR "pages_to_scan", pages_to_scan);
	write_num(KSM_DIR "sleep_millisecs", sleep_ms);
	usleep(200000);
	linear_visits = v_lin1 - v_lin0;

	/* Pair i: page i * stride and its twin half an area further. */
	for (i = 0; i < npairs; i++)
		memcpy(a + (i * stride + half) * page_size,
		       a + i * stride * page_size, page_size);
	r = calloc(2 * npairs, sizeof(*r));
	if (!r)
		return 1;
	/*
	 * Warm-up: two hints on the last two pages (no pair, nothing
	 * merges) make ksmd set up what it keeps per mm (the address
	 * index); its cost is reported apart.
	 */
	r[0] = (struct hint_rec){ (uintptr_t)(a + (n - 1) * page_size),
				  key + (1ULL << 32), 0, KIND_READ, 0 };
	r[1] = (struct hint_rec){ (uintptr_t)(a + (n - 2) * page_size),
				  key + (1ULL << 32), 0, KIND_READ, 0 };
	t_h0 = ksmd_ticks();
	s_h0 = hint_stat("hints_scanned");
	t0 = now_s();
	submit(fd, r, 2);
	while (now_s() - t0 < timeout_s &&
	       hint_stat("hints_scanned") - s_h0 < 2)
		usleep(2000);
	printf("scale %5zu MiB: first 2 hints into the area: %.3f s, ksmd %.2f s\n",
	       area_mib, now_s() - t0,
	       (double)(ksmd_ticks() - t_h0) / sysconf(_SC_CLK_TCK));
	for (i = 0; i < npairs; i++) {
		r[2 * i] = (struct hint_rec){
			(uintptr_t)(a + i * stride * page_size), key, i,
			KIND_READ, 0 };
		r[2 * i + 1] = (struct hint_rec){
			(uintptr_t)(a + (i * stride + half) * page_size),
			key, i, KIND_READ, 0 };
	}
	t_h0 = ksmd_ticks();
	s_h0 = hint_stat("hints_scanned");
	m0 = hint_stat("pages_merged");
	re0 = hint_stat("merge_retries");
	gu0 = hint_stat("merges_given_up");
	t0 = now_s();
	for (i = 0; i < 2 * npairs; i += 256)
		submit(fd, r + i, 2 * npairs - i < 256 ? 2 * npairs - i : 256);
	/*
	 * Done when ksmd has scanned every hint and merged the pairs, or
	 * made no progress for a second after scanning them.
	 */
	while (now_s() - t0 < timeout_s) {
		long s_now = hint_stat("hints_scanned");

		if (s_now - s_h0 >= (long)(2 * npairs) &&
		    (hint_stat("pages_merged") - m0 >= (long)(2 * npairs) ||
		     now_s() - t_last > 1.0))
			break;
		if (s_now != s_last) {
			s_last = s_now;
			t_last = now_s();
		}
		usleep(2000);
	}
	t_end = now_s() - t0;
	printf("# profile window hint %.6f %.6f\n", t0, t0 + t_end);
	t_h1 = ksmd_ticks();
	s_h1 = hint_stat("hints_scanned");
	for (i = 0; i < npairs; i++) {
		uint64_t pa = pfn_of(a + i * stride * page_size);

		if (pa && pa == pfn_of(a + (i * stride + half) * page_size))
			done++;
	}
	hints = s_h1 - s_h0;
	printf("scale %5zu MiB: stock linear scan %.3f ms per page visit ",
	       area_mib, linear_visits ? 1000.0 * (t_lin1 - t_lin0) /
	       sysconf(_SC_CLK_TCK) / linear_visits : -1.0);
	printf("(%zu visits, %.2f s ksmd); ", linear_visits,
	       (double)(t_lin1 - t_lin0) / sysconf(_SC_CLK_TCK));
	printf("mode hint %.3f ms per hinted page ",
	       hints ? 1000.0 * (t_h1 - t_h0) / sysconf(_SC_CLK_TCK) / hints :
	       -1.0);
	printf("(%zu hints, %.2f s ksmd, %.0f hints/s), ", hints,
	       (double)(t_h1 - t_h0) / sysconf(_SC_CLK_TCK),
	       t_end > 0 ? hints / t_end : 0);
	printf("%zu/%zu pairs merged, pages_merged +%ld, ", done, npairs,
	       hint_stat("pages_merged") - m0);
	printf("merge_retries +%ld, merges_given_up +%ld\n",
	       hint_stat("merge_retries") - re0,
	       hint_stat("merges_given_up") - gu0);
	write_str(KSM_DIR "run", "2");
	munmap(a, n * page_size);
	free(r);
	return done == npairs ? 0 : 2;
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
	while ((opt = getopt(argc, argv, "n:p:s:m:t:A:")) != -1) {
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
		case 'A':
			area_mib = strtoul(optarg, NULL, 0);
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
	if (area_mib) {
		long rate = hint_stat("vm_hint_rate");
		int ret;

		write_num(HINT_DIR "vm_hint_rate", 0);
		ret = bench_scale(fd);
		write_num(HINT_DIR "vm_hint_rate", rate);
		write_str(KSM_DIR "run", "2");
		write_str(HINT_DIR "mode", saved_mode);
		write_str(KSM_DIR "pages_to_scan", saved_scan);
		write_str(KSM_DIR "sleep_millisecs", saved_sleep);
		write_str(KSM_DIR "run", strcmp(saved_run, "2") ? saved_run : "0");
		close(fd);
		return ret;
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
