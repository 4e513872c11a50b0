/* The scheduled report's next run, in local time (report/schedule.h). */
#include "report/schedule.h"

#include <time.h>

#define SLACK_MS	(2LL * 3600 * 1000)

/* The first local at_min on weekday at_wday (or any day) strictly after from_ms. */
static int64_t
next_at(int64_t from_ms, int at_wday, int at_min)
{
	time_t from = (time_t)(from_ms / 1000), t;
	struct tm base, tm;
	int day;

	localtime_r(&from, &base);
	/* Eight days hold the next of any weekday, even across a DST change. */
	for (day = 0; day <= 8; day++) {
		tm = base;
		tm.tm_mday += day;
		tm.tm_hour = at_min / 60;
		tm.tm_min = at_min % 60;
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) == (time_t)-1)
			continue;
		if ((int64_t)t * 1000 > from_ms && (at_wday < 0 || tm.tm_wday == at_wday))
			return (int64_t)t * 1000;
	}
	return from_ms + 7 * 24 * 3600 * 1000LL;	/* not reached */
}

int64_t
report_next_run(int64_t prev_ms, int64_t now_ms, int64_t every_ms, int at_wday, int at_min)
{
	int64_t from;

	if (at_min < 0) {
		from = prev_ms > 0 ? prev_ms + every_ms : now_ms + every_ms;
		return from > now_ms ? from : now_ms;
	}
	from = now_ms;
	if (prev_ms > 0 && prev_ms + every_ms - SLACK_MS > from)
		from = prev_ms + every_ms - SLACK_MS;
	return next_at(from, at_wday, at_min);
}
