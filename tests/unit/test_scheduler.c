/*
 * The scheduler on a real loop: checks run on their timers, results are
 * tracked, and subscribers hear every state change (unknown -> healthy ->
 * critical) as a file appears and goes; a run asked for, or a tick that
 * comes, while one is in flight follows it at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "checks/scheduler.h"
#include "config/config.h"

struct changes {
	enum health_state from[8];
	enum health_state to[8];
	int n;
	char path[64];
	uv_loop_t *loop;
};

static void
on_change(void *arg, const struct check_conf *conf, enum health_state from,
    enum health_state to, const struct check_result *r)
{
	struct changes *c = arg;

	if (c->n < 8) {
		c->from[c->n] = from;
		c->to[c->n] = to;
		c->n++;
	}
	/* Once healthy, the file goes: the next run must see it. */
	if (to == HEALTH_HEALTHY)
		unlink(c->path);
}

static void
stop_loop(uv_timer_t *t)
{
	uv_stop(t->loop);
}

static void
subscribers_hear_every_state_change(void **state)
{
	struct config_errors errs = { 0 };
	struct changes ch = { .n = 0 };
	struct check_env env = { 0 };
	struct tend_config *cfg;
	struct scheduler *s;
	uv_timer_t guard;
	uv_loop_t loop;
	char yaml[256];
	json_t *status;
	FILE *f;
	int i;

	snprintf(ch.path, sizeof(ch.path), "/tmp/tend-sched-%d", (int)getpid());
	assert_non_null(f = fopen(ch.path, "w"));
	fclose(f);
	snprintf(yaml, sizeof(yaml),
	    "checks:\n  f: { type: file, path: %s, every: 50ms }\n", ch.path);
	cfg = config_load_string("t.yaml", yaml, &errs);
	assert_non_null(cfg);

	uv_loop_init(&loop);
	env.loop = &loop;
	s = scheduler_start(&env, cfg);
	scheduler_subscribe(s, on_change, &ch);
	uv_timer_init(&loop, &guard);
	for (i = 0; i < 100 && ch.n < 2; i++) {
		uv_timer_start(&guard, stop_loop, 50, 0);
		uv_run(&loop, UV_RUN_DEFAULT);
	}
	assert_int_equal(ch.n, 2);
	assert_int_equal(ch.from[0], HEALTH_UNKNOWN);
	assert_int_equal(ch.to[0], HEALTH_HEALTHY);
	assert_int_equal(ch.from[1], HEALTH_HEALTHY);
	assert_int_equal(ch.to[1], HEALTH_CRITICAL);
	assert_int_equal(scheduler_overall(s), HEALTH_CRITICAL);
	assert_true(scheduler_runs(s) >= 2);
	status = scheduler_status(s);
	assert_string_equal(json_string_value(json_object_get(json_array_get(status, 0),
	    "state")), "critical");
	json_decref(status);

	scheduler_close(s);
	uv_close((uv_handle_t *)&guard, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	config_free(cfg);
}

static void
on_result(void *arg, const struct check_conf *conf, const struct check_result *r,
    enum health_state tracked)
{
	int *results = arg;

	(*results)++;
}

static void
ask_run_now(uv_timer_t *t)
{
	scheduler_run_now(t->data, "slow");
}

/* Asked while a run is in flight, the next run follows it rather than the schedule. */
static void
a_run_asked_for_in_flight_follows_it(void **state)
{
	struct config_errors errs = { 0 };
	struct check_env env = { 0 };
	struct tend_config *cfg;
	struct scheduler *s;
	uv_timer_t guard, ask;
	uv_loop_t loop;
	int results = 0, i;

	cfg = config_load_string("t.yaml", "checks:\n  slow: { type: command, run: [sleep, "
	    "'0.3'], every: 1h, timeout: 5s }\n", &errs);
	assert_non_null(cfg);
	uv_loop_init(&loop);
	env.loop = &loop;
	s = scheduler_start(&env, cfg);
	scheduler_on_result(s, on_result, &results);
	uv_timer_init(&loop, &ask);
	ask.data = s;
	uv_timer_start(&ask, ask_run_now, 100, 0);	/* the first run is in flight */
	uv_timer_init(&loop, &guard);
	for (i = 0; i < 100 && results < 2; i++) {
		uv_timer_start(&guard, stop_loop, 50, 0);
		uv_run(&loop, UV_RUN_DEFAULT);
	}
	/* Within 5 s, not an hour: the second run came right after the first. */
	assert_int_equal(results, 2);
	scheduler_close(s);
	uv_close((uv_handle_t *)&guard, NULL);
	uv_close((uv_handle_t *)&ask, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	config_free(cfg);
}

/*
 * Every 300 ms, a run that takes 350 ms: the tick that comes during a run
 * is not lost, so runs follow each other (results at about 0.35, 0.70,
 * 1.05 s); skipping it, they would come every other tick (0.35, 0.95, 1.55).
 */
static void
a_tick_during_a_run_is_not_lost(void **state)
{
	struct config_errors errs = { 0 };
	struct check_env env = { 0 };
	struct tend_config *cfg;
	struct scheduler *s;
	uv_timer_t guard;
	uv_loop_t loop;
	int results = 0;

	cfg = config_load_string("t.yaml", "checks:\n  slow: { type: command, run: [sleep, "
	    "'0.35'], every: 300ms, timeout: 5s }\n", &errs);
	assert_non_null(cfg);
	uv_loop_init(&loop);
	env.loop = &loop;
	s = scheduler_start(&env, cfg);
	scheduler_on_result(s, on_result, &results);
	uv_timer_init(&loop, &guard);
	uv_timer_start(&guard, stop_loop, 1450, 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_true(results >= 3);
	scheduler_close(s);
	uv_close((uv_handle_t *)&guard, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	config_free(cfg);
}

/*
 * Runs check f, a file check of path every 10 ms with sample_every, with
 * result_fn and sample_fn (either may be NULL) hearing it, until *count
 * reaches want or 10 s pass. path is made empty first and removed after.
 */
static void
run_file_check(const char *sample_every, const char *path, check_result_fn result_fn,
    check_result_fn sample_fn, void *arg, const int *count, int want)
{
	struct config_errors errs = { 0 };
	struct check_env env = { 0 };
	struct tend_config *cfg;
	struct scheduler *s;
	uv_timer_t guard;
	uv_loop_t loop;
	char yaml[256];
	FILE *f;
	int i;

	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	snprintf(yaml, sizeof(yaml), "sample_every: %s\nchecks:\n"
	    "  f: { type: file, path: %s, every: 10ms }\n", sample_every, path);
	assert_non_null(cfg = config_load_string("t.yaml", yaml, &errs));
	uv_loop_init(&loop);
	env.loop = &loop;
	s = scheduler_start(&env, cfg);
	if (result_fn != NULL)
		scheduler_on_result(s, result_fn, arg);
	if (sample_fn != NULL)
		scheduler_on_sample(s, sample_fn, arg);
	uv_timer_init(&loop, &guard);
	for (i = 0; i < 200 && *count < want; i++) {
		uv_timer_start(&guard, stop_loop, 50, 0);
		uv_run(&loop, UV_RUN_DEFAULT);
	}
	scheduler_close(s);
	uv_close((uv_handle_t *)&guard, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	config_free(cfg);
	unlink(path);
}

struct sampled {
	int results, samples;
	int result_critical_at, sample_critical_at;	/* the result's number; 0: none */
	char path[64];
};

static void
count_result(void *arg, const struct check_conf *conf, const struct check_result *r,
    enum health_state tracked)
{
	struct sampled *c = arg;

	c->results++;
	if (r->state == HEALTH_CRITICAL && c->result_critical_at == 0)
		c->result_critical_at = c->results;
	if (c->results == 30)
		unlink(c->path);
}

static void
count_sample(void *arg, const struct check_conf *conf, const struct check_result *r,
    enum health_state tracked)
{
	struct sampled *c = arg;

	c->samples++;
	if (r->state == HEALTH_CRITICAL && c->sample_critical_at == 0)
		c->sample_critical_at = c->results;
}

/*
 * A check every 10 ms with sample_every 200ms: its samples come about every
 * 200 ms, but the run that first fails is one at once; with 0, every run.
 */
static void
a_fast_check_is_sampled_and_its_changes_at_once(void **state)
{
	static const char *every[] = { "200ms", "0" };
	struct sampled c;
	int k;

	for (k = 0; k < 2; k++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.path, sizeof(c.path), "/tmp/tend-sample-%d", (int)getpid());
		run_file_check(every[k], c.path, count_result, count_sample, &c, &c.results, 60);
		assert_true(c.results >= 60);
		assert_true(c.result_critical_at > 30);
		assert_int_equal(c.sample_critical_at, c.result_critical_at);
		if (k == 0) {
			/* 60 runs of 10 ms or more: 0.6 s, 3 samples and more, and the change. */
			assert_true(c.samples >= 3);
			assert_true(c.samples <= c.results / 4);
		} else {
			assert_int_equal(c.samples, c.results);
		}
	}
}

struct repeats {
	int samples, size_new;		/* samples; those whose size was not repeated */
	int grown_at;			/* the sample after which the file grew */
	int new_after_growth;		/* the sample after it: size new (1) or not */
	char path[64];
};

static void
note_repeats(void *arg, const struct check_conf *conf, const struct check_result *r,
    enum health_state tracked)
{
	struct repeats *c = arg;
	FILE *f;

	if (r->n_perf == 0)
		return;
	c->samples++;
	assert_string_equal(r->perf[0].label, "size");
	if (!(r->perf_repeated & 1))
		c->size_new++;
	if (c->grown_at > 0 && c->samples == c->grown_at + 1)
		c->new_after_growth = !(r->perf_repeated & 1);
	if (c->samples == 10) {
		assert_non_null(f = fopen(c->path, "a"));
		fputs("grown", f);
		fclose(f);
		c->grown_at = c->samples;
	}
}

/*
 * A sample's metric that says what the last sample's said is marked
 * repeated (the recorder does not write it again), a changed one is not;
 * with sample_every 0 none is.
 */
static void
a_samples_unchanged_metrics_are_marked_repeated(void **state)
{
	static const char *every[] = { "5ms", "0" };
	struct repeats c;
	int k;

	for (k = 0; k < 2; k++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.path, sizeof(c.path), "/tmp/tend-repeat-%d", (int)getpid());
		run_file_check(every[k], c.path, NULL, note_repeats, &c, &c.samples, 20);
		assert_true(c.samples >= 20);
		assert_int_equal(c.new_after_growth, 1);
		if (k == 0)
			assert_int_equal(c.size_new, 2);	/* the first, and once grown */
		else
			assert_int_equal(c.size_new, c.samples);
	}
}

struct clocks {
	int samples, age_new;		/* samples; those whose age was not repeated */
	int moves;			/* samples whose age differed from the last's */
	double last_age;
	char path[64];
};

static void
note_clock(void *arg, const struct check_conf *conf, const struct check_result *r,
    enum health_state tracked)
{
	struct timespec back[2] = { { .tv_nsec = UTIME_OMIT }, { 0 } };
	struct clocks *c = arg;

	if (r->n_perf < 2)
		return;
	assert_string_equal(r->perf[1].label, "age");
	if (c->samples > 0 && r->perf[1].value != c->last_age)
		c->moves++;
	c->last_age = r->perf[1].value;
	if (!(r->perf_repeated & 2))
		c->age_new++;
	if (++c->samples == 150) {
		/* Modified 100 s ago: the age jumps, as it would if the file were replaced. */
		back[1].tv_sec = time(NULL) - 100;
		assert_int_equal(utimensat(AT_FDCWD, c->path, back, 0), 0);
	}
}

/*
 * A file's age moves with the clock: each sample's differs, none is news
 * (the recorder writes it every 30 s); a jump of the age is.
 */
static void
a_clock_that_moves_with_time_is_marked_repeated(void **state)
{
	struct clocks c;

	memset(&c, 0, sizeof(c));
	snprintf(c.path, sizeof(c.path), "/tmp/tend-clock-%d", (int)getpid());
	run_file_check("10ms", c.path, NULL, note_clock, &c, &c.samples, 160);
	assert_true(c.samples >= 160);
	assert_true(c.moves >= 2);	/* 1.5 s of samples, each age in whole seconds; and the jump */
	assert_int_equal(c.age_new, 2);	/* the first, and the jump */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(subscribers_hear_every_state_change),
		cmocka_unit_test(a_run_asked_for_in_flight_follows_it),
		cmocka_unit_test(a_tick_during_a_run_is_not_lost),
		cmocka_unit_test(a_fast_check_is_sampled_and_its_changes_at_once),
		cmocka_unit_test(a_samples_unchanged_metrics_are_marked_repeated),
		cmocka_unit_test(a_clock_that_moves_with_time_is_marked_repeated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
