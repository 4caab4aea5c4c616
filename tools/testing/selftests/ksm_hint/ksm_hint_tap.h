/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP result lines of the ksm_hint selftests, numbered in order.  The
 * plan may come first (a fixed number of tests) or last (when phases
 * depend on the machine); ksft_test_result() wants it first and prints
 * kselftest's own totals, hence these.
 */
#ifndef KSM_HINT_TAP_H
#define KSM_HINT_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "../kselftest.h"

static int tap_tests, tap_failed, tap_skipped;
static double tap_last;

/*
 * A comment line with the seconds since the last result (or the first
 * call): make check's log then shows which test grew when a run slows.
 */
static inline void tap_took(void)
{
	struct timespec ts;
	double now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec + ts.tv_nsec / 1e9;
	if (tap_last)
		printf("# took %.1f s\n", now - tap_last);
	tap_last = now;
}

/* "ok N <name>" or "not ok N <name>"; the name is a printf format. */
static inline __printf(2, 3) void tap_result(bool ok, const char *fmt, ...)
{
	va_list ap;

	tap_took();
	tap_tests++;
	if (!ok)
		tap_failed++;
	printf("%sok %d ", ok ? "" : "not ", tap_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static inline void tap_skip(const char *name, const char *why)
{
	tap_tests++;
	tap_skipped++;
	printf("ok %d %s # SKIP %s\n", tap_tests, name, why);
	fflush(stdout);
}

/* The closing comment; returns the exit status (1 on any failure). */
static inline int tap_summary(void)
{
	printf("# %d passed, %d failed, %d skipped\n",
	       tap_tests - tap_failed - tap_skipped, tap_failed, tap_skipped);
	return tap_failed ? 1 : 0;
}

#endif /* KSM_HINT_TAP_H */
