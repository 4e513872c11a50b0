/*
 * `report:`: the scheduled report (docs/report.md) —
 *   report: { every: 7d, at: "Sun 03:00", keep: 12, since: 7d }
 */
#include "config/parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define OFF(type, field)	offsetof(struct type, field)
#define DAY_MS			(24LL * 3600 * 1000)

static const char *const wday_names[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };

/* at: "HH:MM" or "Ddd HH:MM" (Sun, Mon, ...), local time. */
static void
parse_report_at(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct report_conf *rc = target;
	const char *v = walk_scalar(w, node, "a time like \"03:00\" or \"Sun 03:00\"");
	const char *hm = v;
	int wday = -1, hh, mm, n = 0;
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < 7; i++)
		if (strncasecmp(v, wday_names[i], 3) == 0 && v[3] == ' ') {
			wday = (int)i;
			hm = v + 4;
		}
	if (sscanf(hm, "%2d:%2d%n", &hh, &mm, &n) != 2 || hm[n] != '\0' ||
	    strlen(hm) != 5 || hh > 23 || mm > 59 || hh < 0 || mm < 0) {
		walk_error(w, node, "'at': expected a local time like \"03:00\" or "
		    "\"Sun 03:00\" (Sun, Mon, Tue, Wed, Thu, Fri, Sat), got '%s'", v);
		return;
	}
	rc->at_wday = wday;
	rc->at_min = hh * 60 + mm;
}

/* Posting to alert channels is not built: said where it is asked for. */
static void
parse_report_to(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	(void)target;
	(void)spec;
	walk_error(w, node, "'to': sending the report to alert channels is not built yet; "
	    "the daemon writes it to STATE_DIR/reports/ and logs the path");
}

static const struct key_spec report_specs[] = {
	{ "every", parse_duration, OFF(report_conf, every_ms), NULL },
	{ "at", parse_report_at, 0, NULL },
	{ "to", parse_report_to, 0, NULL },
	{ "keep", parse_positive_int, OFF(report_conf, keep), NULL },
	{ "since", parse_duration, OFF(report_conf, since_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

void
parse_report(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	struct report_conf *rc = target;

	(void)spec;
	*rc = (struct report_conf){ .at_wday = -1, .at_min = -1 };
	if (!walk_mapping(w, node, report_specs, rc, "report"))
		return;
	rc->enabled = true;
	if (rc->every_ms == 0)
		rc->every_ms = 7 * DAY_MS;
	if (rc->keep == 0)
		rc->keep = 12;
	if (rc->since_ms == 0)
		rc->since_ms = rc->every_ms;
	if (rc->every_ms < 1000)
		walk_error(w, node, "report: 'every' must be at least 1s");
	else if (rc->at_min >= 0 && rc->every_ms < DAY_MS)
		walk_error(w, node, "report: with 'at', 'every' must be at least 1d "
		    "(a report at that time every day or more)");
	if (rc->since_ms > 400 * DAY_MS)
		walk_error(w, node, "report: 'since' must be at most 400d");
}
