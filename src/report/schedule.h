/*
 * When the scheduled report runs next (docs/report.md): a pure function
 * of the clock, so that a test can choose the time and the time zone.
 */
#ifndef TEND_REPORT_SCHEDULE_H
#define TEND_REPORT_SCHEDULE_H

#include <stdint.h>

/*
 * The next run, in wall-clock ms, after the last one at prev_ms (0: none
 * yet) seen at now_ms. Without `at` (at_min < 0): every_ms after the last
 * run, or after now for the first. With it: the first local time at
 * at_min (minute of the day), on weekday at_wday (0 Sunday; -1 any), that
 * is after now and at least every_ms less two hours after the last run —
 * the two hours absorb a daylight saving shift.
 */
int64_t	report_next_run(int64_t prev_ms, int64_t now_ms, int64_t every_ms, int at_wday,
	    int at_min);

#endif
