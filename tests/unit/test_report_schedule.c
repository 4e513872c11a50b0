/*
 * The scheduled report: `report:` in the config (defaults, the channels of
 * `to`, every mistake at its file:line:col) and the next run from every/at in local time, with
 * a chosen clock and time zone (Europe/Berlin, across its DST changes).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "core/strv.h"
#include "report/schedule.h"

#include "config_asserts.h"

#define MIN_MS		60000LL
#define HOUR_MS		(60 * MIN_MS)
#define DAY_MS		(24 * HOUR_MS)

/* A local time in the test's zone, as wall-clock ms. */
static int64_t
local_ms(int y, int mon, int d, int h, int m)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d,
	    .tm_hour = h, .tm_min = m, .tm_isdst = -1 };

	return (int64_t)mktime(&tm) * 1000;
}

static int
setup(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	config_errors_clear(&errs);
	return 0;
}

static void
the_section_keeps_its_keys_and_fills_defaults(void **state)
{
	struct tend_config *cfg;

	(void)state;
	cfg = load_ok("report: { every: 7d, at: 'Sun 03:00', keep: 4, since: 30d }\n");
	assert_true(cfg->report.enabled);
	assert_int_equal(cfg->report.every_ms, 7 * DAY_MS);
	assert_int_equal(cfg->report.at_wday, 0);
	assert_int_equal(cfg->report.at_min, 3 * 60);
	assert_int_equal(cfg->report.keep, 4);
	assert_int_equal(cfg->report.since_ms, 30 * DAY_MS);
	config_free(cfg);
	cfg = load_ok("report: { every: 2s }\n");
	assert_int_equal(cfg->report.at_wday, -1);
	assert_int_equal(cfg->report.at_min, -1);
	assert_int_equal(cfg->report.keep, 12);
	assert_int_equal(cfg->report.since_ms, 2000);
	config_free(cfg);
	cfg = load_ok("report: {}\n");
	assert_int_equal(cfg->report.every_ms, 7 * DAY_MS);
	config_free(cfg);
	cfg = load_ok("services: {}\n");
	assert_false(cfg->report.enabled);
	config_free(cfg);
}

static void
mistakes_are_named_at_their_place(void **state)
{
	(void)state;
	assert_error("report:\n  at: 'Sunday 3am'\n", 2, 7, "'at': expected a local time");
	assert_error("report:\n  at: '24:00'\n", 2, 7, "'at'");
	assert_error("report:\n  every: 1h\n  at: '03:00'\n", 2, 3, "at least 1d");
	assert_error("report:\n  keep: 0\n", 2, 9, "keep");
	assert_error("report:\n  since: 500d\n", 2, 3, "at most 400d");
	assert_error("report:\n  when: now\n", 2, 3, "when");
}

#define CHANNELS \
    "alerts:\n" \
    "  channels:\n" \
    "    ops: { webhook: 'http://127.0.0.1:9/hook', format: slack }\n" \
    "    am: { webhook: 'http://127.0.0.1:9093', format: alertmanager }\n" \
    "    page: { command: [/bin/true] }\n"

/* to: names channels of alerts:, wherever that section stands in the file. */
static void
to_names_alert_channels(void **state)
{
	struct tend_config *cfg;

	(void)state;
	cfg = load_ok("report: { every: 1d, to: [ops, page] }\n" CHANNELS);
	assert_int_equal(strv_len(cfg->report.to), 2);
	assert_string_equal(cfg->report.to[0], "ops");
	assert_string_equal(cfg->report.to[1], "page");
	assert_int_equal(cfg->report.to_pos[1].line, 1);
	assert_int_equal(cfg->report.to_pos[1].col, 32);
	config_free(cfg);
	cfg = load_ok(CHANNELS "report: { to: page }\n");
	assert_int_equal(strv_len(cfg->report.to), 1);
	config_free(cfg);
	cfg = load_ok("report: {}\n");
	assert_null(cfg->report.to);
	config_free(cfg);
	assert_error("report:\n  to: [ops, pager]\n" CHANNELS, 2, 13,
	    "'pager' is no channel of alerts: channels:");
	assert_error("report: { to: ops }\n", 1, 15, "(there are none)");
	assert_error("report:\n  to:\n    - page\n    - am\n" CHANNELS, 4, 7,
	    "'am' is an Alertmanager");
	assert_error("report:\n  to: [page, page]\n" CHANNELS, 2, 14, "'page' is named twice");
	assert_error("report:\n  to: [{ops: 1}]\n" CHANNELS, 2, 8, "the name of an alert channel");
}

static void
without_at_it_runs_every_period_after_the_last(void **state)
{
	int64_t now = local_ms(2026, 3, 10, 12, 0);

	(void)state;
	assert_int_equal(report_next_run(0, now, 2000, -1, -1), now + 2000);
	assert_int_equal(report_next_run(now, now + 500, 2000, -1, -1), now + 2000);
	/* Late (a suspended host): now, not in the past. */
	assert_int_equal(report_next_run(now, now + 9000, 2000, -1, -1), now + 9000);
}

static void
at_a_weekday_runs_at_that_local_time(void **state)
{
	/* Tuesday 10 March 2026, noon: the next Sunday 03:00 is the 15th. */
	int64_t now = local_ms(2026, 3, 10, 12, 0), sun = local_ms(2026, 3, 15, 3, 0);

	(void)state;
	assert_int_equal(report_next_run(0, now, 7 * DAY_MS, 0, 180), sun);
	/* At 03:00 itself: the run is due now, so the next is a week on. */
	assert_int_equal(report_next_run(sun, sun, 7 * DAY_MS, 0, 180),
	    local_ms(2026, 3, 22, 3, 0));
	/* Daily at 03:00: before it today, today; after it, tomorrow. */
	assert_int_equal(report_next_run(0, local_ms(2026, 3, 10, 2, 59), DAY_MS, -1, 180),
	    local_ms(2026, 3, 10, 3, 0));
	assert_int_equal(report_next_run(0, now, DAY_MS, -1, 180), local_ms(2026, 3, 11, 3, 0));
	/* Every 2 days at 03:00: the day after the last run is skipped. */
	assert_int_equal(report_next_run(local_ms(2026, 3, 11, 3, 0), local_ms(2026, 3, 11, 3, 0),
	    2 * DAY_MS, -1, 180), local_ms(2026, 3, 13, 3, 0));
}

static void
daylight_saving_keeps_the_local_time(void **state)
{
	/* Berlin goes to summer time on Sunday 29 March 2026 at 02:00. */
	int64_t before = local_ms(2026, 3, 22, 3, 0), after = local_ms(2026, 3, 29, 3, 0);

	(void)state;
	assert_int_equal(after - before, 7 * DAY_MS - HOUR_MS);
	assert_int_equal(report_next_run(before, before, 7 * DAY_MS, 0, 180), after);
	/* And back on 25 October: a week of 7 days and an hour. */
	before = local_ms(2026, 10, 18, 3, 0);
	after = local_ms(2026, 10, 25, 3, 0);
	assert_int_equal(after - before, 7 * DAY_MS + HOUR_MS);
	assert_int_equal(report_next_run(before, before + 1000, 7 * DAY_MS, 0, 180), after);
	/* Daily at 03:00 across it, no day skipped. */
	assert_int_equal(report_next_run(local_ms(2026, 3, 28, 3, 0), local_ms(2026, 3, 28, 3, 0),
	    DAY_MS, -1, 180), local_ms(2026, 3, 29, 3, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(the_section_keeps_its_keys_and_fills_defaults, setup),
		cmocka_unit_test_setup(mistakes_are_named_at_their_place, setup),
		cmocka_unit_test_setup(to_names_alert_channels, setup),
		cmocka_unit_test_setup(without_at_it_runs_every_period_after_the_last, setup),
		cmocka_unit_test_setup(at_a_weekday_runs_at_that_local_time, setup),
		cmocka_unit_test_setup(daylight_saving_keeps_the_local_time, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
