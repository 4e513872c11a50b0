/*
 * Schedules in the config (config/parse_schedule.c): chaos's `schedule:`
 * with a time of day in its string or in `at:` beside it, report's `at:`,
 * the same time forms in both, and each mistake at its file:line:col
 * saying what was expected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

#include "config_asserts.h"

#define DAY_MS		(24 * 3600 * 1000LL)

/* Line 4 of each config is `chaos:`, line 5 its first key. */
#define CHAOS \
	"services:\n" \
	"  web: { run: [sleep, '60'] }\n" \
	"  # the chaos section\n" \
	"chaos:\n"
#define EXPERIMENTS \
	"  experiments:\n" \
	"    crash: { fault: kill, target: web }\n"

static int
reset(void **state)
{
	(void)state;
	config_errors_clear(&errs);
	return 0;
}

/* The chaos schedule of a config that must load. */
static struct schedule
chaos_schedule(const char *keys)
{
	char yaml[1024];
	struct tend_config *cfg;
	struct schedule s;

	snprintf(yaml, sizeof(yaml), CHAOS "%s" EXPERIMENTS, keys);
	cfg = load_ok(yaml);
	s = cfg->chaos_schedule;
	config_free(cfg);
	return s;
}

static void
assert_schedule(struct schedule s, int64_t every_ms, int wday, int min)
{
	assert_int_equal(s.every_ms, every_ms);
	assert_int_equal(s.at_wday, wday);
	assert_int_equal(s.at_min, min);
}

static void
chaos_takes_a_time_of_day_in_its_schedule_or_beside_it(void **state)
{
	(void)state;
	assert_schedule(chaos_schedule("  schedule: every 24h\n"), DAY_MS, -1, -1);
	assert_schedule(chaos_schedule("  schedule: 12h\n"), DAY_MS / 2, -1, -1);
	assert_schedule(chaos_schedule("  schedule: every 24h at 03:00\n"), DAY_MS, -1, 180);
	assert_schedule(chaos_schedule("  schedule: 'every 7d at Sun 03:00'\n"), 7 * DAY_MS, 0,
	    180);
	assert_schedule(chaos_schedule("  schedule: every 14d at sat 23:59\n"), 14 * DAY_MS, 6,
	    23 * 60 + 59);
	assert_schedule(chaos_schedule("  schedule: every 7d\n  at: 'Wed 00:00'\n"),
	    7 * DAY_MS, 3, 0);
	assert_schedule(chaos_schedule("  at: '06:30'\n  schedule: every 1d\n"), DAY_MS, -1,
	    390);
}

static void
report_and_chaos_read_a_time_alike(void **state)
{
	static const char *const times[] = { "00:00", "03:00", "23:59", "Sun 03:00",
	    "mon 12:00", "SAT 23:59" };
	char yaml[256], keys[128];
	struct tend_config *cfg;
	struct schedule s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		snprintf(yaml, sizeof(yaml), "report: { every: 7d, at: '%s' }\n", times[i]);
		cfg = load_ok(yaml);
		snprintf(keys, sizeof(keys), "  schedule: 'every 7d at %s'\n", times[i]);
		s = chaos_schedule(keys);
		assert_int_equal(cfg->report.schedule.at_wday, s.at_wday);
		assert_int_equal(cfg->report.schedule.at_min, s.at_min);
		assert_true(s.at_min >= 0);
		config_free(cfg);
	}
}

static void
chaos_mistakes_say_what_was_expected(void **state)
{
	(void)state;
	assert_error(CHAOS "  schedule: every 24h at 25:00\n" EXPERIMENTS, 5, 13,
	    "'schedule', after \"at\": expected a local time like \"03:00\" or \"Sun 03:00\" "
	    "(Sun, Mon, Tue, Wed, Thu, Fri, Sat), got '25:00'");
	assert_error(CHAOS "  schedule: every 7d at Funday 03:00\n" EXPERIMENTS, 5, 13,
	    "got 'Funday 03:00'");
	assert_error(CHAOS "  schedule: every 1d at 3:00\n" EXPERIMENTS, 5, 13, "got '3:00'");
	assert_error(CHAOS "  schedule: every 1d at 03:60\n" EXPERIMENTS, 5, 13, "got '03:60'");
	assert_error(CHAOS "  schedule: every 0s\n" EXPERIMENTS, 5, 13,
	    "'schedule': expected \"every DURATION\" of 1s or more, maybe with a local time "
	    "of day after \"at\"");
	assert_error(CHAOS "  schedule: every 500ms\n" EXPERIMENTS, 5, 13, "of 1s or more");
	assert_error(CHAOS "  schedule: every day at 03:00\n" EXPERIMENTS, 5, 13,
	    "got 'every day at 03:00'");
	assert_error(CHAOS "  schedule: every 1h at 03:00\n" EXPERIMENTS, 5, 13,
	    "with a time of day ('at'), 'every' must be at least 1d");
	assert_error(CHAOS "  schedule: every 1h\n  at: '03:00'\n" EXPERIMENTS, 6, 3,
	    "at least 1d");
	assert_error(CHAOS "  at: '03:00'\n" EXPERIMENTS, 5, 3, "'at' needs 'schedule'");
	assert_error(CHAOS "  at: 'Funday 03:00'\n  schedule: every 1d\n" EXPERIMENTS, 5, 7,
	    "'at': expected a local time like \"03:00\"");
	assert_error(CHAOS "  schedule: every 1d at 03:00\n  at: '04:00'\n" EXPERIMENTS, 6, 7,
	    "the time of day is given twice");
	assert_error(CHAOS "  at: '04:00'\n  schedule: every 1d at 03:00\n" EXPERIMENTS, 6, 13,
	    "the time of day is given twice");
	assert_error(CHAOS "  schedule: [every, 1d]\n" EXPERIMENTS, 5, 13, "every DURATION");
}

static void
report_mistakes_say_what_was_expected(void **state)
{
	(void)state;
	assert_error("report:\n  at: '25:00'\n", 2, 7, "'at': expected a local time like");
	assert_error("report:\n  at: 'Funday 03:00'\n", 2, 7, "got 'Funday 03:00'");
	assert_error("report:\n  every: 0s\n", 2, 10, "'every'");
	assert_error("report:\n  every: 12h\n  at: 'Sun 03:00'\n", 2, 3, "at least 1d");
}

/* jobs: every/at or a cron line; each gets a heartbeat of its name unless a check has it. */
static void
jobs_take_every_at_or_a_cron_line(void **state)
{
	struct tend_config *cfg = load_ok("jobs:\n"
	    "  backup: { run: [/bin/true], schedule: every 1d at 03:00, timeout: 1h }\n"
	    "  rotate: { run: [/bin/true], schedule: '0 * * * 1-5', jitter: 1m }\n"
	    "  watched: { run: [/bin/true], schedule: every 1h }\n"
	    "checks:\n  watched: { type: heartbeat, period: 2h }\n");
	const struct check_conf *hb;

	(void)state;
	assert_int_equal(cfg->n_jobs, 3);
	assert_int_equal(cfg->jobs[0].schedule.at_min, 180);
	assert_int_equal(cfg->jobs[0].timeout_ms, 3600000);
	assert_true(cfg->jobs[1].schedule.is_cron);
	assert_int_equal(cfg->jobs[1].jitter_ms, 60000);
	hb = config_find_check(cfg, "backup");
	assert_non_null(hb);
	assert_int_equal(hb->type, CHECK_HEARTBEAT);
	assert_int_equal(hb->heartbeat.period_ms, 24 * 3600000LL + 3600000);
	assert_int_equal(config_find_check(cfg, "watched")->heartbeat.period_ms, 7200000);
	config_free(cfg);
	assert_error("jobs:\n  x: { run: [/bin/true], schedule: '61 * * * *' }\n", 2, 36,
	    "cron minute '61'");
	/* In words: daily/hourly/weekly, and cron's @words and names. */
	cfg = load_ok("jobs:\n"
	    "  a: { run: [/bin/true], schedule: daily 03:00 }\n"
	    "  b: { run: [/bin/true], schedule: hourly }\n"
	    "  c: { run: [/bin/true], schedule: weekly Sun 04:30 }\n"
	    "  d: { run: [/bin/true], schedule: '@daily' }\n"
	    "  e: { run: [/bin/true], schedule: '0 3 * * mon-fri' }\n");
	assert_int_equal(cfg->jobs[0].schedule.every_ms, 24 * 3600000LL);
	assert_int_equal(cfg->jobs[0].schedule.at_min, 180);
	assert_int_equal(cfg->jobs[1].schedule.every_ms, 3600000);
	assert_int_equal(cfg->jobs[1].schedule.at_min, -1);
	assert_int_equal(cfg->jobs[2].schedule.at_wday, 0);
	assert_int_equal(cfg->jobs[2].schedule.at_min, 270);
	assert_true(cfg->jobs[3].schedule.is_cron);
	assert_true(cfg->jobs[4].schedule.is_cron);
	config_free(cfg);
	assert_error("jobs:\n  x: { run: [/bin/true], schedule: daily 25:00 }\n", 2, 36,
	    "after \"at\"");
	assert_error("jobs:\n  x: { run: [/bin/true] }\n", 2, 3, "'schedule' is required");
	assert_error("jobs:\n  x: { schedule: every 1h }\n", 2, 3, "'run' is required");
	/* Only a job's schedule reads cron: chaos's says what it expects. */
	assert_error("chaos:\n  schedule: '0 3 * * *'\n  experiments: { a: { fault: cpu } }\n",
	    2, 13, "every DURATION");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(chaos_takes_a_time_of_day_in_its_schedule_or_beside_it,
		    reset),
		cmocka_unit_test_setup(report_and_chaos_read_a_time_alike, reset),
		cmocka_unit_test_setup(chaos_mistakes_say_what_was_expected, reset),
		cmocka_unit_test_setup(report_mistakes_say_what_was_expected, reset),
		cmocka_unit_test_setup(jobs_take_every_at_or_a_cron_line, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
