#include "config/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
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

/* A number followed by one of the units; the number may be fractional. */
static int
units_parse(const char *s, const struct unit *units, double *out)
{
	const struct unit *u;
	char *end;
	double v;

	if (s == NULL)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || (!isdigit((unsigned char)*s) && *s != '-' && *s != '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || !isfinite(v))
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	for (u = units; u->suffix != NULL; u++) {
		if (strcasecmp(end, u->suffix) == 0) {
			*out = v * u->factor;
			return 0;
		}
	}
	return -1;
}

int
units_parse_duration(const char *s, int64_t *ms, const char **expected)
{
	double v;

	if (units_parse(s, duration_units, &v) < 0 || v > 9.2e15 || v < -9.2e15) {
		*expected = "a duration like 250ms, 5s, 2m, 1h or 1d";
		return -1;
	}
	*ms = (int64_t)llround(v);
	return 0;
}

int
units_parse_size(const char *s, int64_t *bytes, const char **expected)
{
	double v;

	if (units_parse(s, size_units, &v) < 0 || v < 0 || v > 9.2e18) {
		*expected = "a size like 512KB, 10MB or 1GB";
		return -1;
	}
	*bytes = (int64_t)llround(v);
	return 0;
}

int
units_parse_percent(const char *s, double *pct, const char **expected)
{
	static const struct unit percent_units[] = {
		{ "%", 1 }, { "", 1 }, { NULL, 0 },
	};

	if (units_parse(s, percent_units, pct) < 0 || *pct < 0 || *pct > 100) {
		*expected = "a percentage from 0% to 100%";
		return -1;
	}
	return 0;
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
