/* Time: monotonic and wall clocks in ms, and times as people write them. */
#include "core/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int64_t
clock_read_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
clock_mono_ns(void)
{
	return clock_read_ns(CLOCK_MONOTONIC);
}

int64_t
clock_mono_ms(void)
{
	return clock_read_ns(CLOCK_MONOTONIC) / 1000000;
}

int64_t
clock_wall_ms(void)
{
	return clock_read_ns(CLOCK_REALTIME) / 1000000;
}

/* What follows the date and time: "", "Z" or "+HH:MM"; false when it is none. */
static bool
clock_parse_zone(const char *p, bool *utc, int *offset_s)
{
	int h, m, n = 0;

	*utc = false;
	*offset_s = 0;
	if (*p == '\0')
		return true;
	*utc = true;
	if (p[0] == 'Z' && p[1] == '\0')
		return true;
	if ((*p != '+' && *p != '-') || sscanf(p + 1, "%2d:%2d%n", &h, &m, &n) != 2 ||
	    p[1 + n] != '\0' || h > 23 || m > 59)
		return false;
	*offset_s = (*p == '-' ? -1 : 1) * (h * 3600 + m * 60);
	return true;
}

int
clock_parse_iso(const char *s, int64_t *ms)
{
	struct tm tm = { 0 };
	const char *p;
	int offset_s;
	time_t t;
	bool utc;

	if ((p = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if ((*p == 'T' || *p == ' ') && (p = strptime(p + 1, "%H:%M", &tm)) == NULL)
		return -1;
	if (*p == ':' && (p = strptime(p + 1, "%S", &tm)) == NULL)
		return -1;
	if (!clock_parse_zone(p, &utc, &offset_s))
		return -1;
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) - offset_s : mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}
