/*
 * core/schedule: the next run of "every N [at [WEEKDAY] HH:MM]" in local
 * time, for the scheduled report and scheduled chaos, with a chosen clock
 * and time zone (Europe/Berlin, across its DST changes).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/schedule.h"

#define SEC_MS		1000LL
#define MIN_MS		(60 * SEC_MS)
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

/* The next run of every_ms at [wday] hh:mm (hh < 0: no time of day). */
static int64_t
next(int64_t prev, int64_t now, int64_t every_ms, int wday, int hh, int mm)
{
	struct schedule s = { .every_ms = every_ms, .at_wday = wday,
	    .at_min = hh < 0 ? -1 : hh * 60 + mm };

	return schedule_next(&s, prev, now);
}

static int
setup(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	return 0;
}

static void
without_a_time_of_day_it_runs_every_period_after_the_last(void **state)
{
	int64_t now = local_ms(2026, 3, 10, 12, 0);

	(void)state;
	assert_int_equal(next(0, now, 2000, -1, -1, 0), now + 2000);
	assert_int_equal(next(now, now + 500, 2000, -1, -1, 0), now + 2000);
	/* Known from before a restart: the period counts from the last run. */
	assert_int_equal(next(now - HOUR_MS, now, DAY_MS, -1, -1, 0), now + 23 * HOUR_MS);
	/* Late (a suspended host): now, not in the past. */
	assert_int_equal(next(now, now + 9000, 2000, -1, -1, 0), now + 9000);
}

static void
daily_runs_today_before_the_time_and_tomorrow_after(void **state)
{
	(void)state;
	assert_int_equal(next(0, local_ms(2026, 3, 10, 2, 59), DAY_MS, -1, 3, 0),
	    local_ms(2026, 3, 10, 3, 0));
	assert_int_equal(next(0, local_ms(2026, 3, 10, 3, 0), DAY_MS, -1, 3, 0),
	    local_ms(2026, 3, 11, 3, 0));
	assert_int_equal(next(0, local_ms(2026, 3, 10, 12, 0), DAY_MS, -1, 3, 0),
	    local_ms(2026, 3, 11, 3, 0));
	/* Just before midnight, 00:00 is in a minute. */
	assert_int_equal(next(0, local_ms(2026, 3, 10, 23, 59), DAY_MS, -1, 0, 0),
	    local_ms(2026, 3, 11, 0, 0));
	assert_int_equal(next(0, local_ms(2026, 12, 31, 23, 30), DAY_MS, -1, 23, 59),
	    local_ms(2026, 12, 31, 23, 59));
	/* Every 2 days at 03:00: the day after the last run is skipped. */
	assert_int_equal(next(local_ms(2026, 3, 11, 3, 0), local_ms(2026, 3, 11, 3, 0),
	    2 * DAY_MS, -1, 3, 0), local_ms(2026, 3, 13, 3, 0));
	/* ... also when the daemon restarts in between and learns of the last run. */
	assert_int_equal(next(local_ms(2026, 3, 11, 3, 0), local_ms(2026, 3, 11, 18, 0),
	    2 * DAY_MS, -1, 3, 0), local_ms(2026, 3, 13, 3, 0));
}

static void
a_weekday_runs_on_that_day_at_that_local_time(void **state)
{
	/* Tuesday 10 March 2026, noon. */
	int64_t now = local_ms(2026, 3, 10, 12, 0), sun = local_ms(2026, 3, 15, 3, 0);

	(void)state;
	assert_int_equal(next(0, now, 7 * DAY_MS, 0, 3, 0), sun);
	assert_int_equal(next(0, now, 7 * DAY_MS, 1, 3, 0), local_ms(2026, 3, 16, 3, 0));
	assert_int_equal(next(0, now, 7 * DAY_MS, 6, 23, 45), local_ms(2026, 3, 14, 23, 45));
	/* Its own day: later today, or a week on once the time has passed. */
	assert_int_equal(next(0, now, 7 * DAY_MS, 2, 13, 0), local_ms(2026, 3, 10, 13, 0));
	assert_int_equal(next(0, now, 7 * DAY_MS, 2, 11, 0), local_ms(2026, 3, 17, 11, 0));
	/* At 03:00 itself: the run is due now, so the next is a week on. */
	assert_int_equal(next(sun, sun, 7 * DAY_MS, 0, 3, 0), local_ms(2026, 3, 22, 3, 0));
	/* Every 14 days on Sunday: every other Sunday. */
	assert_int_equal(next(sun, sun + SEC_MS, 14 * DAY_MS, 0, 3, 0),
	    local_ms(2026, 3, 29, 3, 0));
}

static void
the_slack_keeps_a_run_from_coming_twice(void **state)
{
	int64_t slot = local_ms(2026, 3, 10, 3, 0);

	(void)state;
	/*
	 * The timer fired a little early by the wall clock (or the daemon
	 * restarted just then): without the last run 03:00 today would come
	 * again; with it, tomorrow.
	 */
	assert_int_equal(next(0, slot - 2 * SEC_MS, DAY_MS, -1, 3, 0), slot);
	assert_int_equal(next(slot, slot - 2 * SEC_MS, DAY_MS, -1, 3, 0), slot + DAY_MS);
	/* A run more than the slack late is not made up: the next day's time. */
	assert_int_equal(next(slot - DAY_MS, slot + 30 * MIN_MS, DAY_MS, -1, 3, 0),
	    slot + DAY_MS);
	/* The time moved earlier (04:00 yesterday, 03:00 now): still today, within the slack. */
	assert_int_equal(next(local_ms(2026, 3, 9, 4, 0), local_ms(2026, 3, 10, 1, 0), DAY_MS,
	    -1, 3, 0), slot);
	/* Moved earlier by more than the slack (06:00 to 03:00): tomorrow, not a day of two. */
	assert_int_equal(next(local_ms(2026, 3, 9, 6, 0), local_ms(2026, 3, 10, 1, 0), DAY_MS,
	    -1, 3, 0), slot + DAY_MS);
	assert_int_equal(SCHEDULE_SLACK_MS, 2 * HOUR_MS);
}

static void
daylight_saving_keeps_the_local_time(void **state)
{
	/* Berlin goes to summer time on Sunday 29 March 2026 at 02:00. */
	int64_t before = local_ms(2026, 3, 22, 3, 0), after = local_ms(2026, 3, 29, 3, 0);

	(void)state;
	assert_int_equal(after - before, 7 * DAY_MS - HOUR_MS);
	assert_int_equal(next(before, before, 7 * DAY_MS, 0, 3, 0), after);
	/* And back on 25 October: a week of 7 days and an hour. */
	before = local_ms(2026, 10, 18, 3, 0);
	after = local_ms(2026, 10, 25, 3, 0);
	assert_int_equal(after - before, 7 * DAY_MS + HOUR_MS);
	assert_int_equal(next(before, before + 1000, 7 * DAY_MS, 0, 3, 0), after);
	/* Daily at 03:00 across both, no day skipped, none twice. */
	assert_int_equal(next(local_ms(2026, 3, 28, 3, 0), local_ms(2026, 3, 28, 3, 0),
	    DAY_MS, -1, 3, 0), local_ms(2026, 3, 29, 3, 0));
	assert_int_equal(next(local_ms(2026, 3, 29, 3, 0), local_ms(2026, 3, 29, 3, 0),
	    DAY_MS, -1, 3, 0), local_ms(2026, 3, 30, 3, 0));
	assert_int_equal(next(local_ms(2026, 10, 24, 3, 0), local_ms(2026, 10, 24, 3, 0),
	    DAY_MS, -1, 3, 0), local_ms(2026, 10, 25, 3, 0));
	assert_int_equal(next(local_ms(2026, 10, 25, 3, 0), local_ms(2026, 10, 25, 3, 0),
	    DAY_MS, -1, 3, 0), local_ms(2026, 10, 26, 3, 0));
}

static void
a_time_daylight_saving_skips_or_repeats_comes_once(void **state)
{
	int64_t first, second;

	(void)state;
	/* 02:30 does not exist on 29 March: it comes at 03:30 summer time. */
	assert_int_equal(next(local_ms(2026, 3, 28, 2, 30), local_ms(2026, 3, 28, 2, 30),
	    DAY_MS, -1, 2, 30), local_ms(2026, 3, 29, 3, 30));
	/* 02:30 comes twice on 25 October (summer time, then winter time): one run. */
	first = local_ms(2026, 10, 25, 1, 30) + HOUR_MS;
	second = first + HOUR_MS;
	assert_int_equal(next(local_ms(2026, 10, 24, 2, 30), local_ms(2026, 10, 24, 2, 30),
	    DAY_MS, -1, 2, 30), first);
	assert_int_equal(next(first, first, DAY_MS, -1, 2, 30), local_ms(2026, 10, 26, 2, 30));
	/* The first missed (the daemon was down): the second is the day's run. */
	assert_int_equal(next(local_ms(2026, 10, 24, 2, 30), first + MIN_MS, DAY_MS, -1, 2, 30),
	    second);
	/* A weekly Sunday 02:30 the same. */
	assert_int_equal(next(local_ms(2026, 10, 18, 2, 30), local_ms(2026, 10, 18, 2, 30),
	    7 * DAY_MS, 0, 2, 30), first);
}

/* Where the clock changes at midnight the day still counts (São Paulo, 2018-19). */
static void
a_change_at_midnight_keeps_the_day(void **state)
{
	(void)state;
	setenv("TZ", "America/Sao_Paulo", 1);
	tzset();
	/* Sunday 4 November 2018 starts at 01:00 (-02): its 00:00 and 00:30 come then. */
	assert_int_equal(next(0, local_ms(2018, 11, 3, 12, 0), 7 * DAY_MS, 0, 0, 0),
	    1541300400 * SEC_MS);
	assert_int_equal(next(local_ms(2018, 11, 3, 0, 30), local_ms(2018, 11, 3, 0, 30),
	    DAY_MS, -1, 0, 30), 1541302200 * SEC_MS);
	/* Saturday 16 February 2019 has 23:30 twice (-02, then -03): the first. */
	assert_int_equal(next(local_ms(2019, 2, 15, 23, 30), local_ms(2019, 2, 15, 23, 30),
	    DAY_MS, -1, 23, 30), 1550367000 * SEC_MS);
	assert_int_equal(next(1550367000 * SEC_MS, 1550367000 * SEC_MS, DAY_MS, -1, 23, 30),
	    local_ms(2019, 2, 17, 23, 30));
}

static void
a_time_is_logged_in_local_time_with_its_zone(void **state)
{
	char buf[64];

	(void)state;
	schedule_format_time(local_ms(2026, 3, 29, 3, 0), buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-29 03:00:00 CEST");
	schedule_format_time(local_ms(2026, 3, 10, 12, 0) + 5500, buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-10 12:00:05 CET");
}

/* The next run of a cron line after now (and the last run at prev). */
static int64_t
cron(const char *line, int64_t prev, int64_t now)
{
	struct schedule s;
	char err[256];

	assert_int_equal(schedule_parse_cron(line, &s, err, sizeof(err)), 0);
	assert_true(s.is_cron);
	return schedule_next(&s, prev, now);
}

static void
a_cron_line_runs_at_the_times_it_names(void **state)
{
	/* Tuesday 10 March 2026, noon, in Berlin. */
	int64_t now = local_ms(2026, 3, 10, 12, 0);

	(void)state;
	assert_int_equal(cron("0 3 * * *", 0, now), local_ms(2026, 3, 11, 3, 0));
	assert_int_equal(cron("*/15 * * * *", 0, now), local_ms(2026, 3, 10, 12, 15));
	assert_int_equal(cron("5,35 12 * * *", 0, now), local_ms(2026, 3, 10, 12, 5));
	/* Weekdays: from Friday evening, Monday morning; 7 is Sunday too. */
	assert_int_equal(cron("0 9 * * 1-5", 0, local_ms(2026, 3, 13, 18, 0)),
	    local_ms(2026, 3, 16, 9, 0));
	assert_int_equal(cron("0 9 * * 7", 0, now), local_ms(2026, 3, 15, 9, 0));
	/* Day and weekday both given: either, as cron reads them (the 1st, or a Monday). */
	assert_int_equal(cron("0 0 1 * 1", 0, now), local_ms(2026, 3, 16, 0, 0));
	/* The next 29 February, two years on. */
	assert_int_equal(cron("0 0 29 2 *", 0, now), local_ms(2028, 2, 29, 0, 0));
	/* A run's own time is never run again, whatever the clock says. */
	assert_int_equal(cron("0 3 * * *", local_ms(2026, 3, 11, 3, 0),
	    local_ms(2026, 3, 11, 2, 59)), local_ms(2026, 3, 12, 3, 0));
	/* Names of months and weekdays, and cron's @words. */
	assert_int_equal(cron("0 9 * * MON-fri", 0, local_ms(2026, 3, 13, 18, 0)),
	    local_ms(2026, 3, 16, 9, 0));
	assert_int_equal(cron("0 0 1 jun,dec *", 0, now), local_ms(2026, 6, 1, 0, 0));
	assert_int_equal(cron("@daily", 0, now), local_ms(2026, 3, 11, 0, 0));
	assert_int_equal(cron("@hourly", 0, now), local_ms(2026, 3, 10, 13, 0));
	assert_int_equal(cron("@weekly", 0, now), local_ms(2026, 3, 15, 0, 0));
	assert_int_equal(cron("@monthly", 0, now), local_ms(2026, 4, 1, 0, 0));
	assert_int_equal(cron("@yearly", 0, now), local_ms(2027, 1, 1, 0, 0));
	/* 02:30 on the spring night Berlin skips it: an hour later, once. */
	assert_int_equal(cron("30 2 * * *", 0, local_ms(2026, 3, 28, 12, 0)),
	    local_ms(2026, 3, 29, 3, 30));
}

static void
a_cron_line_is_read_strictly(void **state)
{
	struct schedule s;
	char err[256];

	(void)state;
	assert_int_equal(schedule_parse_cron("0 3 * * 1-5", &s, err, sizeof(err)), 0);
	/* Friday to Monday, the longest gap (an hour more or less over a DST change). */
	assert_true(s.every_ms >= 3 * DAY_MS - HOUR_MS && s.every_ms <= 3 * DAY_MS + HOUR_MS);
	assert_int_equal(schedule_parse_cron("0 3 * *", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "5 fields"));
	assert_int_equal(schedule_parse_cron("60 3 * * *", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cron minute '60'"));
	assert_int_equal(schedule_parse_cron("0 3 * * monday", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cron weekday 'monday'"));
	assert_non_null(strstr(err, "sun..sat"));
	assert_int_equal(schedule_parse_cron("0 3 * jan-foo *", &s, err, sizeof(err)), -1);
	assert_int_equal(schedule_parse_cron("@fortnightly", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "@daily"));
	assert_int_equal(schedule_parse_cron("*/0 * * * *", &s, err, sizeof(err)), -1);
	assert_int_equal(schedule_parse_cron("0 0 5-1 * *", &s, err, sizeof(err)), -1);
	assert_int_equal(schedule_parse_cron("0 0 31 2 *", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "never runs"));
	/* Too long to read whole: refused, not cut (here to Mondays only, dropping ",2"). */
	{
		char line[300] = "0 3 * * ";
		size_t i;

		for (i = 0; i < 125; i++)
			strcat(line, "1,");
		strcat(line, "2");
		assert_int_equal(schedule_parse_cron(line, &s, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "too long"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(without_a_time_of_day_it_runs_every_period_after_the_last,
		    setup),
		cmocka_unit_test_setup(daily_runs_today_before_the_time_and_tomorrow_after, setup),
		cmocka_unit_test_setup(a_weekday_runs_on_that_day_at_that_local_time, setup),
		cmocka_unit_test_setup(the_slack_keeps_a_run_from_coming_twice, setup),
		cmocka_unit_test_setup(daylight_saving_keeps_the_local_time, setup),
		cmocka_unit_test_setup(a_time_daylight_saving_skips_or_repeats_comes_once, setup),
		cmocka_unit_test_setup(a_change_at_midnight_keeps_the_day, setup),
		cmocka_unit_test_setup(a_time_is_logged_in_local_time_with_its_zone, setup),
		cmocka_unit_test_setup(a_cron_line_runs_at_the_times_it_names, setup),
		cmocka_unit_test_setup(a_cron_line_is_read_strictly, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
