/* The next run of a schedule, in local time (core/schedule.h). */
#include "core/schedule.h"

#include <stdio.h>
#include <time.h>

#define WEEK_MS		(7 * 24 * 3600 * 1000LL)

/*
 * The instants the day of tm shows local at_min, earliest first, into t:
 * one; two where a DST change repeats the hour; where it skips the hour,
 * the one after the gap (02:30 then comes at 03:30). Each is asked of
 * mktime with tm_isdst 0 and 1, since with -1 glibc's choice between the
 * two of a repeated hour depends on its earlier calls.
 */
static int
day_times(const struct tm *day, int at_min, time_t t[2])
{
	time_t c, gap = (time_t)-1;
	struct tm tm, lt;
	int dst, n = 0;

	for (dst = 0; dst <= 1; dst++) {
		tm = *day;
		tm.tm_hour = at_min / 60;
		tm.tm_min = at_min % 60;
		tm.tm_sec = 0;
		tm.tm_isdst = dst;
		if ((c = mktime(&tm)) == (time_t)-1 || localtime_r(&c, &lt) == NULL)
			continue;
		if (lt.tm_mday == day->tm_mday && lt.tm_hour * 60 + lt.tm_min == at_min) {
			if (n == 0 || c != t[0])
				t[n++] = c;
		} else if (c > gap) {
			gap = c;
		}
	}
	if (n == 0 && gap != (time_t)-1)
		t[n++] = gap;
	if (n == 2 && t[1] < t[0]) {
		c = t[0];
		t[0] = t[1];
		t[1] = c;
	}
	return n;
}

/* The first local at_min on weekday at_wday (or any day) strictly after from_ms. */
static int64_t
next_at(int64_t from_ms, int at_wday, int at_min)
{
	time_t from = (time_t)(from_ms / 1000), t[2];
	struct tm base, day;
	int d, i, n;

	localtime_r(&from, &base);
	/* Eight days hold the next of any weekday, even across a DST change. */
	for (d = 0; d <= 8; d++) {
		/* The day, normalized at noon, a time no DST change is near. */
		day = base;
		day.tm_mday += d;
		day.tm_hour = 12;
		day.tm_min = day.tm_sec = 0;
		day.tm_isdst = -1;
		if (mktime(&day) == (time_t)-1 || (at_wday >= 0 && day.tm_wday != at_wday))
			continue;
		n = day_times(&day, at_min, t);
		for (i = 0; i < n; i++)
			if ((int64_t)t[i] * 1000 > from_ms)
				return (int64_t)t[i] * 1000;
	}
	return from_ms + WEEK_MS;	/* not reached */
}

/* Whether the cron line runs on day at all (month, and day or weekday as cron reads them). */
static bool
cron_day(const struct cron *c, const struct tm *day)
{
	bool dom = (c->days >> day->tm_mday) & 1, dow = (c->weekdays >> day->tm_wday) & 1;

	if (!((c->months >> (day->tm_mon + 1)) & 1))
		return false;
	if (c->any_day && c->any_weekday)
		return true;
	if (c->any_day || c->any_weekday)
		return c->any_day ? dow : dom;
	return dom || dow;
}

/* The first time the cron line matches strictly after from_ms; -1: none in 4 years. */
static int64_t
cron_next(const struct cron *c, int64_t from_ms)
{
	time_t from = (time_t)(from_ms / 1000), t[2];
	struct tm base, day;
	int d, h, m, i, n;

	localtime_r(&from, &base);
	/* Four years and a day hold a 29 February. */
	for (d = 0; d <= 4 * 366; d++) {
		day = base;
		day.tm_mday += d;
		day.tm_hour = 12;
		day.tm_min = day.tm_sec = 0;
		day.tm_isdst = -1;
		if (mktime(&day) == (time_t)-1 || !cron_day(c, &day))
			continue;
		for (h = 0; h < 24; h++)
			for (m = 0; ((c->hours >> h) & 1) && m < 60; m++) {
				if (!((c->minutes >> m) & 1))
					continue;
				n = day_times(&day, h * 60 + m, t);
				for (i = 0; i < n; i++)
					if ((int64_t)t[i] * 1000 > from_ms)
						return (int64_t)t[i] * 1000;
			}
	}
	return -1;
}

bool
schedule_equal(const struct schedule *a, const struct schedule *b)
{
	const struct cron *x = &a->cron, *y = &b->cron;

	if (a->is_cron != b->is_cron)
		return false;
	if (a->is_cron)
		return x->minutes == y->minutes && x->hours == y->hours && x->days == y->days &&
		    x->months == y->months && x->weekdays == y->weekdays &&
		    x->any_day == y->any_day && x->any_weekday == y->any_weekday;
	return a->every_ms == b->every_ms && a->at_wday == b->at_wday && a->at_min == b->at_min;
}

int64_t
schedule_cron_period(const struct schedule *s, int64_t now_ms)
{
	int64_t at = cron_next(&s->cron, now_ms), next, gap = -1;
	int i;

	for (i = 0; at > 0 && i < 8; i++, at = next)
		if ((next = cron_next(&s->cron, at)) > 0 && next - at > gap)
			gap = next - at;
	return at > 0 && gap < 0 ? 4 * 366 * 24 * 3600 * 1000LL : gap;
}

int64_t
schedule_next(const struct schedule *s, int64_t prev_ms, int64_t now_ms)
{
	int64_t from;

	if (s->is_cron) {
		/* After the last run too: a timer that fires early does not run it twice. */
		from = cron_next(&s->cron, prev_ms > now_ms ? prev_ms : now_ms);
		return from > 0 ? from : now_ms + 4 * 366 * 24 * 3600 * 1000LL;
	}
	if (s->at_min < 0) {
		from = prev_ms > 0 ? prev_ms + s->every_ms : now_ms + s->every_ms;
		return from > now_ms ? from : now_ms;
	}
	from = now_ms;
	if (prev_ms > 0 && prev_ms + s->every_ms - SCHEDULE_SLACK_MS > from)
		from = prev_ms + s->every_ms - SCHEDULE_SLACK_MS;
	return next_at(from, s->at_wday, s->at_min);
}

void
schedule_format_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
		snprintf(buf, len, "@%lld", (long long)t);
}
