/*
 * Schedules in tend.yaml (core/schedule.h), one syntax for the scheduled
 * report and scheduled chaos: a period and, maybe, a local time of day,
 * "HH:MM" or "DDD HH:MM" (Sun .. Sat), either as `at:` beside the period
 *   report: { every: 7d, at: "Sun 03:00" }
 *   chaos:  { schedule: "every 7d", at: "Sun 03:00" }
 * or after "at" in a schedule written as one string
 *   chaos:  { schedule: "every 7d at Sun 03:00" }
 * ("hourly", "daily 03:00" and "weekly Sun 03:00" say the same in words),
 * and, for jobs, a cron line ("0 3 * * mon-fri", "@daily": core/cron.c).
 */
#include "config/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/units.h"

#define DAY_MS		(24LL * 3600 * 1000)
#define AT_EXPECTED	"a local time like \"03:00\" or \"Sun 03:00\" (Sun, Mon, Tue, Wed, " \
			"Thu, Fri, Sat)"
#define TEXT_EXPECTED	"\"every DURATION\" of 1s or more, maybe with a local time of day " \
			"after \"at\", like \"every 24h\", \"every 1d at 03:00\" or " \
			"\"every 7d at Sun 03:00\" (or \"hourly\", \"daily 03:00\", " \
			"\"weekly Sun 03:00\")"

static const char *const wday_names[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};

/* "HH:MM" or "DDD HH:MM" into s's at_wday and at_min; -1 when it is neither. */
static int
at_parse(const char *v, struct schedule *s)
{
	const char *hm = v;
	int wday = -1, hh, mm;
	size_t i;

	for (i = 0; i < 7; i++)
		if (strncasecmp(v, wday_names[i], 3) == 0 && v[3] == ' ') {
			wday = (int)i;
			hm = v + 4;
		}
	if (strlen(hm) != 5 || !isdigit((unsigned char)hm[0]) ||
	    !isdigit((unsigned char)hm[1]) || hm[2] != ':' || !isdigit((unsigned char)hm[3]) ||
	    !isdigit((unsigned char)hm[4]))
		return -1;
	hh = (hm[0] - '0') * 10 + hm[1] - '0';
	mm = (hm[3] - '0') * 10 + hm[4] - '0';
	if (hh > 23 || mm > 59)
		return -1;
	s->at_wday = wday;
	s->at_min = hh * 60 + mm;
	return 0;
}

/*
 * A time of day into s, unless one is there already (written the other
 * way); what names where it is written in messages.
 */
static void
at_set(struct walk *w, yaml_node_t *node, const char *what, const char *v,
    struct schedule *s)
{
	struct schedule at = *s;

	if (s->at_min >= 0)
		walk_error(w, node, "%s: the time of day is given twice (in 'schedule' and in "
		    "'at')", what);
	else if (at_parse(v, &at) < 0)
		walk_error(w, node, "%s: expected " AT_EXPECTED ", got '%s'", what, v);
	else
		*s = at;
}

void
parse_schedule_at(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, AT_EXPECTED);
	char what[64];

	snprintf(what, sizeof(what), "'%s'", spec->name);
	if (v != NULL)
		at_set(w, node, what, v, target);
}

/* Five words, none "every" nor "at": a cron line ("0 3 * * 1-5"). */
static bool
schedule_is_cron_line(const char *v)
{
	int words = 0;
	bool in = false;

	if (*v == '@')
		return true;	/* @daily and its kin */
	if (strncmp(v, "every ", 6) == 0 || strstr(v, " at ") != NULL)
		return false;
	for (; *v != '\0'; v++) {
		if (*v != ' ' && *v != '\t' && !in)
			words++;
		in = *v != ' ' && *v != '\t';
	}
	return words == 5;
}

/*
 * "daily 03:00", "hourly", "weekly Sun 03:00" as the every/at form they
 * mean ("every 1d at 03:00"), into buf; else v itself.
 */
static const char *
schedule_words(const char *v, char *buf, size_t len)
{
	static const char *const words[][2] = {
		{ "hourly", "1h" }, { "daily", "1d" }, { "weekly", "7d" }, { NULL, NULL },
	};
	size_t i, n;

	for (i = 0; words[i][0] != NULL; i++) {
		n = strlen(words[i][0]);
		if (strncmp(v, words[i][0], n) != 0 || (v[n] != '\0' && v[n] != ' '))
			continue;
		snprintf(buf, len, "every %s%s%s", words[i][1], v[n] ? " at" : "", v + n);
		return buf;
	}
	return v;
}

void
parse_schedule_text(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	const char *written = walk_scalar(w, node, TEXT_EXPECTED), *v, *d, *at, *expected;
	struct schedule *s = target;
	char every[64], what[64], cron_err[256], words[128];
	int64_t ms;
	size_t len;

	if (written == NULL)
		return;
	v = schedule_words(written, words, sizeof(words));
	if (spec->arg != NULL && schedule_is_cron_line(v)) {
		if (schedule_parse_cron(v, s, cron_err, sizeof(cron_err)) < 0)
			walk_error(w, node, "'%s': %s", spec->name, cron_err);
		return;
	}
	d = strncmp(v, "every ", 6) == 0 ? v + 6 : v;
	at = strstr(d, " at ");
	len = at != NULL ? (size_t)(at - d) : strlen(d);
	if (len >= sizeof(every))
		len = sizeof(every) - 1;
	memcpy(every, d, len);
	every[len] = '\0';
	if (units_parse_duration(every, &ms, &expected) < 0 || ms < 1000) {
		walk_error(w, node, "'%s': expected " TEXT_EXPECTED ", got '%s'", spec->name,
		    written);
		return;
	}
	s->every_ms = ms;
	if (at == NULL)
		return;
	snprintf(what, sizeof(what), "'%s', after \"at\"", spec->name);
	at_set(w, node, what, at + 4, s);
	snprintf(what, sizeof(what), "'%s'", spec->name);
	if (s->at_min >= 0)
		parse_schedule_check(w, node, s, what);
}

void
parse_schedule_check(struct walk *w, yaml_node_t *node, const struct schedule *s,
    const char *what)
{
	if (s->every_ms < 1000)
		walk_error(w, node, "%s: 'every' must be at least 1s", what);
	else if (s->at_min >= 0 && s->every_ms < DAY_MS)
		walk_error(w, node, "%s: with a time of day ('at'), 'every' must be at least 1d "
		    "(a run at that time every day or less often)", what);
}
