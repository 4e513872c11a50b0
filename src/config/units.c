#include "config/units.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit {
	const char	*suffix;
	double		 factor;
};

static const struct unit duration_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	{ "d", 86400000 }, { "", 1000 }, { NULL, 0 },
};

static const struct unit size_units[] = {
	{ "B", 1 }, { "KB", 1024.0 }, { "K", 1024.0 }, { "KiB", 1024.0 },
	{ "MB", 1048576.0 }, { "M", 1048576.0 }, { "MiB", 1048576.0 },
	{ "GB", 1073741824.0 }, { "G", 1073741824.0 }, { "GiB", 1073741824.0 },
	{ "TB", 1099511627776.0 }, { "", 1 }, { NULL, 0 },
};

static const struct unit percent_units[] = {
	{ "%", 1 }, { "", 1 }, { NULL, 0 },
};

static const struct unit no_units[] = {
	{ "", 1 }, { NULL, 0 },
};

/* Indexed by enum number_kind. */
static const struct {
	const struct unit *units;
	bool		 fraction;	/* digits after a point */
	bool		 exponent;	/* 2e3 */
	bool		 sign;		/* a leading '-' (the caller judges it) */
	double		 min, max;	/* after the unit's factor */
	const char	*expected;
} kinds[] = {
	[NUMBER_COUNT] = { no_units, false, false, false, 0, 1e9,
	    "a whole number (decimal digits)" },
	[NUMBER_REAL] = { no_units, true, true, true, -1e15, 1e15,
	    "a number like 2 or 1.5" },
	[NUMBER_RATIO] = { no_units, true, false, false, 0, 1,
	    "a fraction from 0 to 1, like 0.1" },
	[NUMBER_DURATION] = { duration_units, true, false, true, -9.2e15, 9.2e15,
	    "a duration like 250ms, 5s, 2m, 1h or 1d" },
	[NUMBER_SIZE] = { size_units, true, false, false, 0, 9.2e18,
	    "a size like 512KB, 10MB or 1GB" },
	[NUMBER_PERCENT] = { percent_units, true, false, false, 0, 100,
	    "a percentage from 0% to 100%" },
};

static const char *
units_digits(const char *p)
{
	while (isdigit((unsigned char)*p))
		p++;
	return p;
}

/*
 * The decimal number at the start of s, as the kind allows it written:
 * [-] digits [. digits] [e [+-] digits]. strtod alone would take hex,
 * inf, nan and leading blanks as numbers too. The end of the number, or
 * NULL.
 */
static const char *
units_scan(const char *s, enum number_kind kind)
{
	const char *p = s, *start;

	if (*p == '-' && kinds[kind].sign)
		p++;
	start = p;
	p = units_digits(p);
	if (*p == '.' && kinds[kind].fraction)
		p = units_digits(p + 1);
	if (p == start || (p == start + 1 && *start == '.'))
		return NULL;
	if ((*p == 'e' || *p == 'E') && kinds[kind].exponent) {
		start = p + 1;
		if (*start == '-' || *start == '+')
			start++;
		if (!isdigit((unsigned char)*start))
			return NULL;
		p = units_digits(start);
	}
	return p;
}

int
units_parse_number(const char *s, enum number_kind kind, double *out,
    const char **expected)
{
	const struct unit *u;
	const char *end;
	char num[64];
	double v;

	*expected = kinds[kind].expected;
	if (s == NULL || (end = units_scan(s, kind)) == NULL ||
	    (size_t)(end - s) >= sizeof(num))
		return -1;
	memcpy(num, s, (size_t)(end - s));
	num[end - s] = '\0';
	v = strtod(num, NULL);
	if (*end == ' ') {	/* "10 MB"; never a blank at the end */
		while (*end == ' ')
			end++;
		if (*end == '\0')
			return -1;
	}
	for (u = kinds[kind].units; u->suffix != NULL; u++) {
		if (strcasecmp(end, u->suffix) != 0)
			continue;
		v *= u->factor;
		if (!isfinite(v) || v < kinds[kind].min || v > kinds[kind].max)
			return -1;
		*out = v;
		return 0;
	}
	return -1;
}

int
units_parse_duration(const char *s, int64_t *ms, const char **expected)
{
	double v;

	if (units_parse_number(s, NUMBER_DURATION, &v, expected) < 0)
		return -1;
	/* A unit as small as 1e-9s is a typo, not a timeout of nothing. */
	if (v != 0 && llround(v) == 0) {
		*expected = "a duration of at least 1ms";
		return -1;
	}
	*ms = (int64_t)llround(v);
	return 0;
}

int
units_parse_size(const char *s, int64_t *bytes, const char **expected)
{
	double v;

	if (units_parse_number(s, NUMBER_SIZE, &v, expected) < 0)
		return -1;
	*bytes = (int64_t)llround(v);
	return 0;
}

int
units_parse_percent(const char *s, double *pct, const char **expected)
{
	return units_parse_number(s, NUMBER_PERCENT, pct, expected);
}

void
units_format_duration(int64_t ms, char *buf, size_t len)
{
	static const struct unit exact[] = {
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 },
		{ NULL, 0 },
	};
	const struct unit *u;

	for (u = exact; u->suffix != NULL; u++) {
		if (ms != 0 && ms % (int64_t)u->factor == 0) {
			snprintf(buf, len, "%lld%s", (long long)(ms / (int64_t)u->factor),
			    u->suffix);
			return;
		}
	}
	snprintf(buf, len, "%lldms", (long long)ms);
}

void
units_format_size(double bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%.0f B", bytes);
		return;
	}
	bytes /= 1024.0;
	while (bytes >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1024.0;
		u++;
	}
	snprintf(buf, len, "%.1f %s", bytes, units[u]);
}
