/*
 * When something the daemon does on a schedule runs next — the scheduled
 * report (docs/report.md) and scheduled chaos (docs/chaos.md): "every N",
 * or "every N at [WEEKDAY] HH:MM" in local time. Pure functions of the
 * clock, so that a test can choose the time and the time zone.
 */
#ifndef TEND_CORE_SCHEDULE_H
#define TEND_CORE_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A run late by less than this after its time of day still counts for its
 * day: it absorbs a daylight saving shift (a week of Sun 03:00 is an hour
 * short in spring) and a timer that fires a little early or late.
 */
#define SCHEDULE_SLACK_MS	(2LL * 3600 * 1000)

struct schedule {
	int64_t		 every_ms;	/* 0: no schedule */
	int		 at_wday;	/* 0 Sunday .. 6 Saturday; -1: any day */
	int		 at_min;	/* minute of the day; -1: no time of day */
};

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
