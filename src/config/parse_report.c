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
	{ "every", parse_duration, OFF(report_conf, schedule.every_ms), NULL },
	{ "at", parse_schedule_at, OFF(report_conf, schedule), NULL },
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
	*rc = (struct report_conf){ .schedule = { .at_wday = -1, .at_min = -1 } };
	if (!walk_mapping(w, node, report_specs, rc, "report"))
		return;
	rc->enabled = true;
	if (rc->schedule.every_ms == 0)
		rc->schedule.every_ms = 7 * DAY_MS;
	if (rc->keep == 0)
		rc->keep = 12;
	if (rc->since_ms == 0)
		rc->since_ms = rc->schedule.every_ms;
	parse_schedule_check(w, node, &rc->schedule, "report");
	if (rc->since_ms > 400 * DAY_MS)
		walk_error(w, node, "report: 'since' must be at most 400d");
}
