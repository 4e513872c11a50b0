/*
 * The store's share of the loop, as the daemon's recorder drives it: the
 * rows of the results due (CHECKS checks every EVERY seconds, each a check
 * run and SERIES samples, named as genhistory names them) are queued and
 * flushed, 2 ms of writing at most, then a slice of maintenance is done
 * (store_maintain_step, 2 ms of work, a pass every 5 minutes, the first at
 * once); again 5 ms later while rows or a pass remain, else 250 ms later.
 * For SECONDS
 * seconds; prints, every 10 s and at the end, how long the flushes and the
 * slices held the thread (median, p99, worst), and when each pass ended.
 *
 * usage: flushbench DB [CHECKS [EVERY [SERIES [SECONDS]]]]   (10000 10 2 150)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "core/clock.h"
#include "store/store.h"
#include "store/store_internal.h"

#define TICK_MS		250
#define BUDGET_MS	2
#define AGAIN_MS	5

struct times {
	double	*v;
	size_t	 n, cap;
};

static void
add(struct times *t, double ms)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n++] = ms;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
say(const char *what, struct times *t)
{
	double sum = 0;
	size_t i;

	if (t->n == 0) {
		printf("  %-6s none\n", what);
		return;
	}
	for (i = 0; i < t->n; i++)
		sum += t->v[i];
	qsort(t->v, t->n, sizeof(*t->v), cmp);
	printf("  %-6s %5zu: median %6.2f ms, p99 %6.2f ms, worst %7.2f ms, %.0f ms in all\n",
	    what, t->n, t->v[t->n / 2], t->v[t->n * 99 / 100], t->v[t->n - 1], sum);
}

static void
sleep_until(int64_t mono_ms)
{
	int64_t left = mono_ms - clock_mono_ms();
	struct timespec ts = { .tv_sec = left / 1000, .tv_nsec = left % 1000 * 1000000 };

	if (left > 0)
		nanosleep(&ts, NULL);
}

/* The rows of the results due by elapsed ms: check c runs at c * EVERY / CHECKS. */
static void
queue_due(struct store *st, int64_t *next, int64_t due, int checks, int series)
{
	int64_t now = clock_wall_ms();
	char name[64];
	int c, s;

	for (; *next < due; (*next)++) {
		c = (int)(*next % checks);
		snprintf(name, sizeof(name), "c%d", c);
		store_add_check_result(st, now, name, NULL, HEALTH_HEALTHY, 0.4,
		    "127.0.0.1:20000 accepted in 0ms");
		for (s = 0; s < series; s++) {
			if (s == 0)
				snprintf(name, sizeof(name), "check.c%d.latency_ms", c);
			else
				snprintf(name, sizeof(name), "check.c%d.m%d", c, s);
			store_add_metric(st, now, name, 0.4);
		}
	}
}

int
main(int argc, char **argv)
{
	int checks = argc > 2 ? atoi(argv[2]) : 10000, every = argc > 3 ? atoi(argv[3]) : 10;
	int series = argc > 4 ? atoi(argv[4]) : 2, seconds = argc > 5 ? atoi(argv[5]) : 150;
	struct times flush = { 0 }, slice = { 0 }, all_flush = { 0 }, all_slice = { 0 };
	int64_t start, wake, t0, next = 0, report;
	struct store *st;
	char err[512];
	int rc, was = 0;
	bool more;

	if (argc < 2 || (st = store_open(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, "usage: flushbench DB [CHECKS [EVERY [SERIES [SECONDS]]]]%s%s\n",
		    argc < 2 ? "" : ": ", argc < 2 ? "" : err);
		return 2;
	}
	start = wake = clock_mono_ms();
	report = start + 10000;
	/* The first pass now: what tend does 5 minutes after it starts. */
	st->pass.due = 1;
	while (wake < start + (int64_t)seconds * 1000) {
		sleep_until(wake);
		queue_due(st, &next, (clock_mono_ms() - start) * checks / (every * 1000), checks,
		    series);
		/* As the recorder does: a flush, a slice, again soon while work remains. */
		t0 = clock_mono_ns();
		rc = store_flush_within(st, BUDGET_MS);
		if (rc < 0)
			fprintf(stderr, "flush: %s\n", st->db ? sqlite3_errmsg(st->db) : "not open");
		more = rc >= 0 && store_pending(st) > 0;
		add(&flush, (double)(clock_mono_ns() - t0) / 1e6);
		add(&all_flush, flush.v[flush.n - 1]);
		t0 = clock_mono_ns();
		rc = store_maintain_step(st, clock_wall_ms(), &store_default_retention,
		    BUDGET_MS);
		if (rc == 1 || was == 1) {
			add(&slice, (double)(clock_mono_ns() - t0) / 1e6);
			add(&all_slice, slice.v[slice.n - 1]);
		}
		if (was == 1 && rc == 0)
			printf("%5.1f s: a pass ended\n", (double)(clock_mono_ms() - start) / 1000);
		was = rc;
		wake = clock_mono_ms() + (more || rc == 1 ? AGAIN_MS : TICK_MS);
		if (clock_mono_ms() >= report) {
			printf("%5.1f s, %zu rows queued\n", (double)(report - start) / 1000,
			    store_pending(st));
			say("flush", &flush);
			say("slice", &slice);
			flush.n = slice.n = 0;
			report += 10000;
		}
	}
	printf("all %d s (%d checks every %d s, %d series each):\n", seconds, checks, every,
	    series);
	say("flush", &all_flush);
	say("slice", &all_slice);
	store_close(st);
	return 0;
}
