/* A cron line read into the sets of values it matches (core/schedule.h). */
#include "core/schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct cron_field {
	const char	*name;
	int		 lo, hi;
	const char *const *names;	/* names of lo, lo + 1, ...; or NULL */
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL,
};
static const char *const weekday_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL,
};

static const struct cron_field fields[] = {
	{ "minute", 0, 59, NULL }, { "hour", 0, 23, NULL }, { "day", 1, 31, NULL },
	{ "month", 1, 12, month_names }, { "weekday", 0, 7, weekday_names },
};

/* cron's words for the lines people write most: "@daily" and its kin. */
static const char *const cron_words[][2] = {
	{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" }, { "@daily", "0 0 * * *" }, { "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" }, { NULL, NULL },
};

/* A number (or, in months and weekdays, a name: "jan", "mon") from s into *v; the end, or NULL. */
static const char *
cron_number(const char *s, int *v, const struct cron_field *f)
{
	char *end;
	long n;
	int i;

	for (i = 0; f->names != NULL && f->names[i] != NULL; i++)
		if (strncasecmp(s, f->names[i], 3) == 0 && !isalpha((unsigned char)s[3])) {
			*v = f->lo + i;
			return s + 3;
		}
	if (!isdigit((unsigned char)*s))
		return NULL;
	n = strtol(s, &end, 10);
	if (n > 99)
		return NULL;
	*v = (int)n;
	return end;
}

/* One field ("*", "1,15", "1-5", "*\/10", "0-30/5") into bits; 0, or -1. */
static int
cron_field(const char *text, const struct cron_field *f, uint64_t *bits, bool *any)
{
	const char *p = text;
	int lo, hi, step, v;

	*bits = 0;
	*any = strcmp(text, "*") == 0;
	for (;;) {
		step = 1;
		if (*p == '*') {
			lo = f->lo, hi = f->hi;
			p++;
		} else if ((p = cron_number(p, &lo, f)) == NULL) {
			return -1;
		} else if (*p == '-') {
			if ((p = cron_number(p + 1, &hi, f)) == NULL)
				return -1;
		} else {
			hi = lo;
		}
		if (*p == '/' && ((p = cron_number(p + 1, &step, &fields[0])) == NULL ||
		    step == 0))
			return -1;
		if (lo < f->lo || hi > f->hi || lo > hi)
			return -1;
		for (v = lo; v <= hi; v += step)
			*bits |= 1ULL << v;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

int
schedule_parse_cron(const char *line, struct schedule *s, char *err, size_t errlen)
{
	char copy[256], *words[6], *save = NULL;
	uint64_t bits[5];
	bool any[5];
	int n = 0, i;

	for (i = 0; cron_words[i][0] != NULL; i++)
		if (strcasecmp(line, cron_words[i][0]) == 0)
			line = cron_words[i][1];
	if (*line == '@') {
		snprintf(err, errlen, "'%s': expected @hourly, @daily, @midnight, @weekly, "
		    "@monthly, @yearly or @annually", line);
		return -1;
	}
	if (strlen(line) >= sizeof(copy)) {
		snprintf(err, errlen, "a cron line is too long (at most %zu characters)",
		    sizeof(copy) - 1);
		return -1;
	}
	memcpy(copy, line, strlen(line) + 1);
	for (words[n] = strtok_r(copy, " \t", &save); words[n] != NULL && n < 5;
	    words[n] = strtok_r(NULL, " \t", &save))
		n++;
	if (n != 5 || words[5] != NULL) {
		snprintf(err, errlen, "a cron line has 5 fields (minute hour day month weekday)");
		return -1;
	}
	for (i = 0; i < 5; i++)
		if (cron_field(words[i], &fields[i], &bits[i], &any[i]) < 0) {
			snprintf(err, errlen, "cron %s '%s': expected numbers from %d to %d%s, "
			    "*, lists (1,15), ranges (1-5) or steps (*/10)", fields[i].name,
			    words[i], fields[i].lo, fields[i].hi, i == 3 ? " or jan..dec" :
			    i == 4 ? " or sun..sat" : "");
			return -1;
		}
	*s = (struct schedule){ .at_wday = -1, .at_min = -1, .is_cron = true, .cron = {
	    .minutes = bits[0], .hours = (uint32_t)bits[1], .days = (uint32_t)bits[2],
	    .months = (uint16_t)bits[3],
	    .weekdays = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f),	/* 7 is Sunday */
	    .any_day = any[2], .any_weekday = any[4] } };
	/* The longest gap between runs, for what watches them: the next runs from now. */
	if ((s->every_ms = schedule_cron_period(s, (int64_t)time(NULL) * 1000)) <= 0) {
		snprintf(err, errlen, "the cron line '%s' never runs", line);
		return -1;
	}
	return 0;
}
