/*
 * The store's share of the loop, as the daemon's recorder drives it: every
 * 250 ms the rows of the results due in that time (CHECKS checks every
 * EVERY seconds, each a check run and SERIES samples, named as genhistory
 * names them) are queued and flushed, then a slice of maintenance is done
 * (store_maintain_step, 4 ms of work, a pass a minute). For SECONDS
 * seconds; prints, every 10 s and at the end, how long the flushes and the
 * slices held the thread (median, p99, worst), and when each pass ended.
 *
 * usage: flushbench DB [CHECKS [EVERY [SERIES [SECONDS]]]]   (10000 10 2 150)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "store/store.h"

#define TICK_MS		250
#define BUDGET_MS	4

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
	if (t->n == 0) {
		printf("  %-6s none\n", what);
		return;
	}
	qsort(t->v, t->n, sizeof(*t->v), cmp);
	printf("  %-6s %5zu: median %6.2f ms, p99 %6.2f ms, worst %7.2f ms\n", what, t->n,
	    t->v[t->n / 2], t->v[t->n * 99 / 100], t->v[t->n - 1]);
}

static void
sleep_until(int64_t mono_ms)
{
	int64_t left = mono_ms - clock_mono_ms();
	struct timespec ts = { .tv_sec = left / 1000, .tv_nsec = left % 1000 * 1000000 };

	if (left > 0)
		nanosleep(&ts, NULL);
}

int
main(int argc, char **argv)
{
	int checks = argc > 2 ? atoi(argv[2]) : 10000, every = argc > 3 ? atoi(argv[3]) : 10;
	int series = argc > 4 ? atoi(argv[4]) : 2, seconds = argc > 5 ? atoi(argv[5]) : 150;
	struct times flush = { 0 }, slice = { 0 }, all_flush = { 0 }, all_slice = { 0 };
	int64_t start, tick, t0, now, next = 0, due;
	char err[512], name[64];
	struct store *st;
	int c, s, rc, was = 0;

	if (argc < 2 || (st = store_open(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, "usage: flushbench DB [CHECKS [EVERY [SERIES [SECONDS]]]]%s%s\n",
		    argc < 2 ? "" : ": ", argc < 2 ? "" : err);
		return 2;
	}
	start = clock_mono_ms();
	/* The first pass now rather than a minute on: what tend does a minute after it starts. */
	store_maintain_step(st, clock_wall_ms(), &store_default_retention, BUDGET_MS);
	for (tick = start; tick < start + (int64_t)seconds * 1000; tick += TICK_MS) {
		sleep_until(tick);
		now = clock_wall_ms();
		/* The checks whose turn came in this tick: check c runs at c * 997 mod EVERY. */
		due = (tick - start + TICK_MS) * checks / (every * 1000);
		for (; next < due; next++) {
			c = (int)(next % checks);
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
		t0 = clock_mono_ns();
		store_flush(st);
		add(&flush, (double)(clock_mono_ns() - t0) / 1e6);
		add(&all_flush, flush.v[flush.n - 1]);
		t0 = clock_mono_ns();
		rc = store_maintain_step(st, now, &store_default_retention, BUDGET_MS);
		if (rc == 1 || was == 1) {
			add(&slice, (double)(clock_mono_ns() - t0) / 1e6);
			add(&all_slice, slice.v[slice.n - 1]);
		}
		if (was == 1 && rc == 0)
			printf("%5.1f s: a pass ended\n", (double)(clock_mono_ms() - start) / 1000);
		was = rc;
		if ((tick - start + TICK_MS) % 10000 == 0) {
			printf("%5.1f s\n", (double)(tick - start + TICK_MS) / 1000);
			say("flush", &flush);
			say("slice", &slice);
			flush.n = slice.n = 0;
		}
	}
	printf("all %d s (%d checks every %d s, %d series each):\n", seconds, checks, every,
	    series);
	say("flush", &all_flush);
	say("slice", &all_slice);
	store_close(st);
	return 0;
}
