/*
 * `alerts:`: the repeat interval, the retry policy and the channels alerts
 * are sent to. A channel is a webhook (tend's JSON, a Slack message or
 * Alertmanager's API v2) or a command, and says which events it wants:
 *
 *   alerts:
 *     repeat_interval: 4h
 *     retry: { attempts: 5, initial: 1s, max: 1m }
 *     channels:
 *       ops: { webhook: 'http://127.0.0.1:9000/hook', on: [critical, resolved] }
 *       am:  { webhook: 'http://127.0.0.1:9093', format: alertmanager }
 *       pager: { command: [/usr/local/bin/page], on: [escalated] }
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parse.h"
#include "config/validate.h"
#include "core/mem.h"
#include "core/strv.h"

#define OFF(type, field)	offsetof(struct type, field)

/* As enum alert_event: the words of `on:`. */
const char *const alert_event_names[] = {
	[ALERT_CRITICAL] = "critical", [ALERT_WARNING] = "warning",
	[ALERT_ESCALATED] = "escalated", [ALERT_RESOLVED] = "resolved",
	[ALERT_ANOMALY] = "anomaly", [ALERT_EVENT_COUNT] = NULL,
};

/* As enum alert_format. */
const char *const alert_format_names[] = { "json", "slack", "alertmanager", NULL };

static void	parse_alert_on(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_alert_channels(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec channel_specs[] = {
	{ "webhook", parse_string, OFF(alert_channel_conf, webhook), NULL },
	{ "command", parse_argv, OFF(alert_channel_conf, command), NULL },
	{ "format", parse_enum, OFF(alert_channel_conf, format), alert_format_names },
	{ "headers", parse_header_map, OFF(alert_channel_conf, headers), NULL },
	{ "labels", parse_labels, OFF(alert_channel_conf, labels), NULL },
	{ "on", parse_alert_on, OFF(alert_channel_conf, on), NULL },
	{ "timeout", parse_duration, OFF(alert_channel_conf, timeout_ms), NULL },
	{ "resend", parse_duration, OFF(alert_channel_conf, resend_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec retry_specs[] = {
	{ "attempts", parse_positive_int, OFF(alerts_conf, retry_attempts), NULL },
	{ "initial", parse_duration, OFF(alerts_conf, retry.initial_ms), NULL },
	{ "max", parse_duration, OFF(alerts_conf, retry.max_ms), NULL },
	{ "multiplier", parse_number, OFF(alerts_conf, retry.multiplier), NULL },
	{ "jitter", parse_fraction, OFF(alerts_conf, retry.jitter), NULL },
	{ NULL, NULL, 0, NULL },
};

static void	parse_alert_retry(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec alerts_specs[] = {
	{ "repeat_interval", parse_duration_or_zero, OFF(alerts_conf, repeat_interval_ms), NULL },
	{ "retry", parse_alert_retry, 0, NULL },
	{ "channels", parse_alert_channels, 0, NULL },
	{ NULL, NULL, 0, NULL },
};

/* retry: its keys land in alerts_conf itself (attempts beside the backoff). */
static void
parse_alert_retry(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	walk_mapping(w, node, retry_specs, target, "'alerts.retry'");
}

/* One word of `on:` into the mask. */
static void
alert_on_word(struct walk *w, yaml_node_t *node, unsigned *on)
{
	const char *v = walk_scalar(w, node, "an event");
	int i;

	if (v == NULL)
		return;
	for (i = 0; alert_event_names[i] != NULL; i++)
		if (strcmp(v, alert_event_names[i]) == 0) {
			*on |= 1u << i;
			return;
		}
	walk_error(w, node, "'on': expected critical, warning, escalated, resolved or "
	    "anomaly, got '%s'", v);
}

/* on: [critical, escalated], or one word; [] sends the channel nothing. */
static void
parse_alert_on(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	unsigned *on = target;
	yaml_node_item_t *item;

	*on = 0;
	if (node->type != YAML_SEQUENCE_NODE) {
		alert_on_word(w, node, on);
		return;
	}
	for (item = node->data.sequence.items.start;
	    item < node->data.sequence.items.top; item++)
		alert_on_word(w, yaml_document_get_node(w->doc, *item), on);
}

/*
 * An Alertmanager is named by its base URL; alerts go to /api/v2/alerts
 * under it, unless the URL already says so.
 */
static void
alert_alertmanager_url(struct alert_channel_conf *c)
{
	static const char path[] = "/api/v2/alerts";
	size_t len = strlen(c->webhook), n = sizeof(path) - 1;
	char *url;

	while (len > 0 && c->webhook[len - 1] == '/')
		len--;
	if (len >= n && strncmp(c->webhook + len - n, path, n) == 0)
		url = xstrndup(c->webhook, len);
	else
		url = xasprintf("%.*s%s", (int)len, c->webhook, path);
	free(c->webhook);
	c->webhook = url;
}

/* What a channel's keys mean together: a webhook or a command, and what goes with each. */
static void
alert_channel_check(struct walk *w, yaml_node_t *key, yaml_node_t *value,
    struct alert_channel_conf *c)
{
	static const char *const webhook_only[] = { "format", "headers", "labels",
	    "resend", NULL };
	yaml_node_t *k;
	int i;

	if ((c->webhook != NULL) == (c->command != NULL)) {
		walk_error(w, key, "alert channel '%s': expected either 'webhook' (a URL) "
		    "or 'command' (a program and its arguments)", c->name);
		return;
	}
	if (c->command != NULL) {
		for (i = 0; webhook_only[i] != NULL; i++)
			if ((k = walk_key_node(w, value, webhook_only[i])) != NULL)
				walk_error(w, k, "alert channel '%s': '%s' is for a webhook, "
				    "not a command", c->name, webhook_only[i]);
		if (c->timeout_ms == 0)
			c->timeout_ms = 30000;
		return;
	}
	if (strncmp(c->webhook, "http://", 7) != 0 && strncmp(c->webhook, "https://", 8) != 0)
		walk_error(w, walk_key_node(w, value, "webhook"), "alert channel '%s': "
		    "'webhook': expected an http:// or https:// URL, got '%s'", c->name,
		    c->webhook);
	if (c->format != ALERT_FORMAT_ALERTMANAGER) {
		if ((k = walk_key_node(w, value, "labels")) != NULL)
			walk_error(w, k, "alert channel '%s': 'labels' is for format: "
			    "alertmanager", c->name);
		if ((k = walk_key_node(w, value, "resend")) != NULL)
			walk_error(w, k, "alert channel '%s': 'resend' is for format: "
			    "alertmanager", c->name);
	} else
		alert_alertmanager_url(c);
	if (c->timeout_ms == 0)
		c->timeout_ms = 10000;
	if (c->resend_ms == 0)
		c->resend_ms = 60000;
}

static void
parse_one_alert_channel(struct walk *w, yaml_node_t *key, yaml_node_t *value)
{
	struct alerts_conf *alerts = &w->cfg->alerts;
	struct alert_channel_conf *c;
	const char *name = (const char *)key->data.scalar.value;
	char what[300];

	alerts->channels = xgrow(alerts->channels, alerts->n_channels,
	    sizeof(*alerts->channels));
	c = &alerts->channels[alerts->n_channels++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->pos = walk_pos(w, key);
	c->format = ALERT_FORMAT_JSON;
	c->on = ALERT_EVENTS_DEFAULT;
	snprintf(what, sizeof(what), "alert channel '%s'", c->name);
	if (walk_mapping(w, value, channel_specs, c, what))
		alert_channel_check(w, key, value, c);
}

static void
parse_alert_channels(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_named_entries(w, node, "alerts.channels", "alert channel",
	    parse_one_alert_channel);
}

void
parse_alerts(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct alerts_conf *alerts = target;
	yaml_node_t *retry;

	alerts->repeat_interval_ms = 4 * 3600 * 1000;
	alerts->retry_attempts = 5;
	alerts->retry = (struct backoff_conf){ .initial_ms = 1000, .max_ms = 60000,
	    .multiplier = 2.0, .jitter = 0.1 };
	if (!walk_mapping(w, node, alerts_specs, alerts, "'alerts'") ||
	    (retry = walk_key_node(w, node, "retry")) == NULL)
		return;
	if (alerts->retry.multiplier < 1)
		walk_error(w, retry, "'alerts.retry.multiplier': must be at least 1");
	if (alerts->retry.max_ms < alerts->retry.initial_ms)
		walk_error(w, retry, "'alerts.retry': 'max' must not be below 'initial'");
}

/* Whether one of "name=value" v (may be NULL) names the n bytes at name. */
static bool
pairs_have_name(char *const *v, const char *name, size_t n)
{
	for (; v != NULL && *v != NULL; v++)
		if (strncmp(*v, name, n) == 0 && (*v)[n] == '=')
			return true;
	return false;
}

/*
 * metrics.labels on what goes to an Alertmanager too (a fleet routes by
 * them), under the channel's own labels: a channel's label of a name wins.
 */
void
alerts_take_metric_labels(struct tend_config *cfg)
{
	struct alert_channel_conf *c;
	char **kv, **labels;
	size_t i, n;

	for (i = 0; i < cfg->alerts.n_channels; i++) {
		c = &cfg->alerts.channels[i];
		/* Alertmanager's and tend's JSON carry labels; Slack's text and commands do not. */
		if (c->webhook == NULL || c->format == ALERT_FORMAT_SLACK ||
		    cfg->metrics.labels == NULL)
			continue;
		labels = NULL;
		for (kv = cfg->metrics.labels; *kv != NULL; kv++) {
			n = strcspn(*kv, "=");
			if (!pairs_have_name(c->labels, *kv, n))
				labels = strv_push(labels, *kv);
		}
		labels = strv_extend(labels, c->labels);
		strv_free(c->labels);
		c->labels = labels;
	}
}

/* Command channels' programs, once relative paths are resolved (load.c). */
void
config_validate_alerts(const struct tend_config *cfg, struct config_errors *errs)
{
	const struct alert_channel_conf *c;
	char owner[300];
	size_t i;

	for (i = 0; i < cfg->alerts.n_channels; i++) {
		c = &cfg->alerts.channels[i];
		snprintf(owner, sizeof(owner), "alert channel '%s'", c->name);
		validate_program(&c->pos, owner, c->command, "command", errs);
	}
}
