/*
 * `report:`: the scheduled report (docs/report.md) —
 *   report: { every: 7d, at: "Sun 03:00", keep: 12, since: 7d, to: [ops] }
 * and, once the whole config is read, that `to` names alert channels a
 * report can be posted to.
 */
#include "config/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/validate.h"
#include "core/mem.h"
#include "core/strv.h"

#define OFF(type, field)	offsetof(struct type, field)
#define DAY_MS			(24LL * 3600 * 1000)

/* One name of `to`, with where it stands: checked against `alerts:` once all is read. */
static void
report_to_name(struct walk *w, yaml_node_t *node, struct report_conf *rc)
{
	const char *v = walk_scalar(w, node, "the name of an alert channel");
	size_t n = strv_len(rc->to);

	if (v == NULL)
		return;
	if (strv_contains(rc->to, v)) {
		walk_error(w, node, "'to': '%s' is named twice", v);
		return;
	}
	rc->to = strv_push(rc->to, v);
	rc->to_pos = xrealloc(rc->to_pos, (n + 1) * sizeof(*rc->to_pos));
	rc->to_pos[n] = walk_pos(w, node);
}

/* to: [ops, pager], or one name: the alert channels each report is posted to. */
static void
parse_report_to(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct report_conf *rc = target;
	yaml_node_item_t *item;

	(void)spec;
	if (node->type != YAML_SEQUENCE_NODE) {
		report_to_name(w, node, rc);
		return;
	}
	for (item = node->data.sequence.items.start;
	    item < node->data.sequence.items.top; item++)
		report_to_name(w, yaml_document_get_node(w->doc, *item), rc);
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

/*
 * Each name of `to` is a channel of `alerts:` that takes a report: a
 * webhook (tend's JSON or Slack) or a command. An Alertmanager takes
 * alerts, with labels and an end, and has nothing to show a report with.
 */
void
config_validate_report(const struct tend_config *cfg, struct config_errors *errs)
{
	const struct report_conf *rc = &cfg->report;
	const struct alert_channel_conf *ch;
	size_t i, j;

	for (i = 0; rc->to != NULL && rc->to[i] != NULL; i++) {
		ch = NULL;
		for (j = 0; j < cfg->alerts.n_channels; j++)
			if (strcmp(cfg->alerts.channels[j].name, rc->to[i]) == 0)
				ch = &cfg->alerts.channels[j];
		if (ch == NULL)
			validate_error(errs, &rc->to_pos[i], "report: 'to': '%s' is no "
			    "channel of alerts: channels:%s", rc->to[i],
			    cfg->alerts.n_channels == 0 ? " (there are none)" : "");
		else if (ch->webhook != NULL && ch->format == ALERT_FORMAT_ALERTMANAGER)
			validate_error(errs, &rc->to_pos[i], "report: 'to': '%s' is an "
			    "Alertmanager, which takes alerts, not reports: name a webhook "
			    "(json or slack) or a command channel", rc->to[i]);
	}
}
