/*
 * When something the daemon does on a schedule runs next — the scheduled
 * report (docs/report.md), scheduled chaos (docs/chaos.md) and jobs:
 * "every N", "every N at [WEEKDAY] HH:MM" in local time, or a cron line
 * ("0 3 * * 1-5"). Pure functions of the clock, so that a test can choose
 * the time and the time zone.
 */
#ifndef TEND_CORE_SCHEDULE_H
#define TEND_CORE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A run late by less than this after its time of day still counts for its
 * day: it absorbs a daylight saving shift (a week of Sun 03:00 is an hour
 * short in spring) and a timer that fires a little early or late.
 */
#define SCHEDULE_SLACK_MS	(2LL * 3600 * 1000)

/* A cron line's fields as sets of the values that match (bit N: value N). */
struct cron {
	uint64_t	 minutes;	/* 0-59 */
	uint32_t	 hours;		/* 0-23 */
	uint32_t	 days;		/* 1-31 */
	uint16_t	 months;	/* 1-12 */
	uint8_t		 weekdays;	/* 0-6, Sunday 0 (7 is Sunday too) */
	bool		 any_day, any_weekday;	/* "*": cron's rule for the two */
};

struct schedule {
	int64_t		 every_ms;	/* 0: no schedule; a cron line's longest gap */
	int		 at_wday;	/* 0 Sunday .. 6 Saturday; -1: any day */
	int		 at_min;	/* minute of the day; -1: no time of day */
	bool		 is_cron;	/* cron below, not every/at */
	struct cron	 cron;
};

/*
 * "MIN HOUR DAY MONTH WEEKDAY" (numbers, *, lists, ranges, /steps; the
 * day matches when either restricted day field does, as cron's) into s;
 * 0, or -1 with what is wrong in err. A line that never runs is refused.
 */
int	schedule_parse_cron(const char *line, struct schedule *s, char *err, size_t errlen);
/* Whether a and b run at the same times. */
bool	schedule_equal(const struct schedule *a, const struct schedule *b);
/* A cron schedule's longest gap between its next runs after now_ms; -1: it never runs. */
int64_t	schedule_cron_period(const struct schedule *s, int64_t now_ms);

/*
 * The next run, in wall-clock ms, after the last one at prev_ms (0: none
 * known) seen at now_ms. Without a time of day: every_ms after the last
 * run, or after now for the first; now when that is past (a suspended
 * host). With one: the first local time at at_min, on weekday at_wday if
 * it names one, that is after now and at least every_ms less the slack
 * after the last run. A local time that daylight saving skips (02:30 on
 * the spring day) comes an hour later; one it repeats comes once, the
 * first time (the second only when the first was missed).
 */
int64_t	schedule_next(const struct schedule *s, int64_t prev_ms, int64_t now_ms);

/* A wall-clock time in local time for logs: "2026-03-29 03:00:00 CEST". */
void	schedule_format_time(int64_t ms, char *buf, size_t len);

#endif
