/*
 * bench/check_throughput: the HTTP checks alone, on one loop as the daemon
 * runs them — the scheduler, its timers and trackers, the HTTP engine and
 * its kept connections — without what the daemon does with a result
 * (the store, the healer, the anomaly watch, the publisher). What the
 * checks' own path sustains, beside `tend run`'s figure.
 *
 * usage: checkbench BASE COUNT EVERY_MS SECONDS
 *   COUNT http checks of http://127.0.0.1:BASE+i/, each every EVERY_MS,
 *   measured for SECONDS after 2 s to warm up; prints one line of numbers:
 *   checks/s, CPU % of a core, us a check, the loop lag (how late a 250 ms
 *   timer fired, as tend's publisher measures it) p50, p99 and max in ms,
 *   the lag samples, the results that were not healthy, and the ns its
 *   loop was runnable but waiting for a CPU (another process had it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <uv.h>

#include "checks/http_engine.h"
#include "checks/scheduler.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/dl_curl.h"

#define TICK_MS		250
#define MAX_TICKS	4096
#define WARMUP_MS	2000

struct bench {
	uv_loop_t	*loop;
	struct scheduler *s;
	uv_timer_t	 tick;
	int64_t		 due_ns;
	double		 lag_ms[MAX_TICKS];
	int		 n_lag;
	uint64_t	 runs0;
	double		 cpu0;
	int64_t		 t0_ns;
	int64_t		 end_ns;
	bool		 measuring;
	uint64_t	 failing;
	long long	 runq0;
};

/* ns this thread has waited on a run queue (schedstat's second field). */
static long long
runq_ns(void)
{
	long long run = 0, wait = 0;
	FILE *f = fopen("/proc/self/schedstat", "r");

	if (f != NULL) {
		if (fscanf(f, "%lld %lld", &run, &wait) != 2)
			wait = 0;
		fclose(f);
	}
	return wait;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
at(const double *v, int n, double p)
{
	return n > 0 ? v[(int)((n - 1) * p + 0.5)] : 0;
}

static void
on_result(void *arg, const struct check_conf *conf, const struct check_result *r,
    enum health_state tracked)
{
	struct bench *b = arg;

	if (b->measuring && r->state != HEALTH_HEALTHY)
		b->failing++;
}

/* A 250 ms tick, as tend's publisher has: how late it fires is the loop's lag. */
static void
on_tick(uv_timer_t *timer)
{
	struct bench *b = timer->data;
	int64_t now = clock_mono_ns();

	if (!b->measuring && now - b->t0_ns >= (int64_t)WARMUP_MS * 1000000) {
		b->measuring = true;
		b->runs0 = scheduler_runs(b->s);
		b->cpu0 = cpu_seconds();
		b->runq0 = runq_ns();
		b->t0_ns = now;
		b->end_ns += now;
	} else if (b->measuring && b->n_lag < MAX_TICKS)
		b->lag_ms[b->n_lag++] = now > b->due_ns ? (double)(now - b->due_ns) / 1e6 : 0;
	if (b->measuring && now >= b->end_ns) {
		uv_stop(b->loop);
		return;
	}
	b->due_ns = now + (int64_t)TICK_MS * 1000000;
	uv_timer_start(&b->tick, on_tick, TICK_MS, 0);
}

static struct tend_config *
make_config(int base, int count, int every_ms)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg;
	size_t len = 32 + (size_t)count * 128, off;
	char *yaml = malloc(len);
	int i;

	off = (size_t)snprintf(yaml, len, "checks:\n");
	for (i = 0; i < count; i++)
		off += (size_t)snprintf(yaml + off, len - off, "  ep%d: { type: http, url: "
		    "'http://127.0.0.1:%d/', every: %dms, timeout: 2s }\n", i, base + i,
		    every_ms);
	cfg = config_load_string("bench.yaml", yaml, &errs);
	free(yaml);
	return cfg;
}

int
main(int argc, char **argv)
{
	struct check_env env = { 0 };
	struct tend_config *cfg;
	struct bench b = { 0 };
	double secs, cpu, rate;
	uint64_t runs;

	if (argc != 5) {
		fprintf(stderr, "usage: checkbench BASE COUNT EVERY_MS SECONDS\n");
		return 2;
	}
	if ((cfg = make_config(atoi(argv[1]), atoi(argv[2]), atoi(argv[3]))) == NULL) {
		fprintf(stderr, "checkbench: bad config\n");
		return 2;
	}
	b.loop = uv_default_loop();
	env.loop = b.loop;
	env.http = http_engine_new(b.loop);
	b.s = scheduler_start(&env, cfg);
	scheduler_on_result(b.s, on_result, &b);
	b.t0_ns = clock_mono_ns();
	b.end_ns = (int64_t)atoi(argv[4]) * 1000000000;
	uv_timer_init(b.loop, &b.tick);
	b.tick.data = &b;
	b.due_ns = clock_mono_ns() + (int64_t)TICK_MS * 1000000;
	uv_timer_start(&b.tick, on_tick, TICK_MS, 0);
	uv_run(b.loop, UV_RUN_DEFAULT);

	secs = (double)(clock_mono_ns() - b.t0_ns) / 1e9;
	cpu = cpu_seconds() - b.cpu0;
	runs = scheduler_runs(b.s) - b.runs0;
	rate = (double)runs / secs;
	qsort(b.lag_ms, (size_t)b.n_lag, sizeof(double), cmp_double);
	printf("%.0f %.0f %.1f %.2f %.2f %.2f %d %llu %lld\n", rate, 100 * cpu / secs,
	    runs > 0 ? 1e6 * cpu / (double)runs : 0, at(b.lag_ms, b.n_lag, 0.5),
	    at(b.lag_ms, b.n_lag, 0.99), at(b.lag_ms, b.n_lag, 1), b.n_lag,
	    (unsigned long long)b.failing, runq_ns() - b.runq0);

	scheduler_close(b.s);
	uv_close((uv_handle_t *)&b.tick, NULL);
	uv_run(b.loop, UV_RUN_DEFAULT);
	http_engine_free(env.http);
	uv_run(b.loop, UV_RUN_DEFAULT);
	config_free(cfg);
	dl_curl_stop();
	return 0;
}
