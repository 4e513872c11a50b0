#include "alert/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/strv.h"
#include "core/text.h"

/* Alertmanager forgets a firing alert it has not heard of in this many resends. */
#define ALERT_AM_LEASE_RESENDS	3

void
alert_rfc3339(int64_t wall_ms, char *buf, size_t len)
{
	time_t secs = (time_t)(wall_ms / 1000);
	struct tm tm;
	char day[32];

	gmtime_r(&secs, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", day, (int)(wall_ms % 1000));
}

/* Alertmanager keeps a firing alert this long after it last heard of it. */
static int64_t
alert_am_lease_ms(const struct alert_channel_conf *ch)
{
	return ALERT_AM_LEASE_RESENDS * (ch->resend_ms > 0 ? ch->resend_ms : 60000);
}

/* Alertmanager's labels and annotations are strings, never null. */
static json_t *
str_or_empty(const char *s)
{
	return text_json(s != NULL ? s : "");
}

json_t *
alert_format_json(const struct alert_msg *m, const char *host, int64_t id,
    char *const *labels)
{
	char time[40], started[40];
	json_t *o = json_object();

	alert_rfc3339(m->at, time, sizeof(time));
	alert_rfc3339(m->started_at, started, sizeof(started));
	json_object_set_new(o, "source", json_string("tend"));
	json_object_set_new(o, "host", text_json(host));
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "event", json_string(alert_event_names[m->event]));
	json_object_set_new(o, "target", text_json(m->target));
	json_object_set_new(o, "state", text_json(m->state));
	json_object_set_new(o, "severity", text_json(m->severity));
	json_object_set_new(o, "message", text_json(m->message));
	json_object_set_new(o, "incident", m->incident > 0 ? json_integer(m->incident) :
	    json_null());
	json_object_set_new(o, "at", json_integer(m->at));
	json_object_set_new(o, "time", json_string(time));
	json_object_set_new(o, "started_at", json_string(started));
	json_object_set_new(o, "repeat", json_boolean(m->repeat));
	if (labels != NULL)
		json_object_set_new(o, "labels", strv_pairs_json(labels, json_object()));
	return o;
}

/* Slack's three control characters in message text. */
static char *
slack_escape(const char *s)
{
	size_t len = 0;
	const char *p;
	char *out, *q;

	for (p = s; *p != '\0'; p++)
		len += *p == '&' ? 5 : (*p == '<' || *p == '>') ? 4 : 1;
	out = q = xmalloc(len + 1);
	for (p = s; *p != '\0'; p++) {
		if (*p == '&')
			q = stpcpy(q, "&amp;");
		else if (*p == '<')
			q = stpcpy(q, "&lt;");
		else if (*p == '>')
			q = stpcpy(q, "&gt;");
		else
			*q++ = *p;
	}
	*q = '\0';
	return out;
}

/* As enum alert_event. */
static const char *const slack_emoji[] = {
	":red_circle:", ":large_orange_circle:", ":rotating_light:",
	":white_check_mark:", ":chart_with_upwards_trend:",
};
static const char *const slack_color[] = {
	"#d32f2f", "#f9a825", "#b71c1c", "#2e7d32", "#f9a825",
};

json_t *
alert_format_slack(const struct alert_msg *m, const char *host)
{
	char *target = slack_escape(m->target ? m->target : ""), *msg, *summary;
	char incident[48] = "";
	json_t *o;

	if (m->incident > 0)
		snprintf(incident, sizeof(incident), " (incident #%lld)",
		    (long long)m->incident);
	summary = xasprintf("%s *%s* %s%s on %s%s", slack_emoji[m->event],
	    alert_event_names[m->event], target, incident, host,
	    m->repeat ? ", still open" : "");
	msg = slack_escape(m->message ? m->message : "");
	o = json_pack("{s:o, s:[{s:o, s:s, s:o, s:s, s:I}]}", "text", text_json(summary),
	    "attachments", "fallback", text_json(summary), "color", slack_color[m->event],
	    "text", text_json(msg), "footer", "tend", "ts", (json_int_t)(m->at / 1000));
	free(target);
	free(msg);
	free(summary);
	return o;
}

static const char *
am_alertname(enum alert_source source)
{
	switch (source) {
	case ALERT_SOURCE_ANOMALY:
		return "TendAnomaly";
	case ALERT_SOURCE_SERVICE:
		return "TendServiceFailed";
	default:
		return "TendIncident";
	}
}

static json_t *
am_labels(const struct alert_msg *m, const struct alert_channel_conf *ch,
    const char *host)
{
	json_t *labels = json_object();
	char id[32];

	json_object_set_new(labels, "alertname", json_string(am_alertname(m->source)));
	json_object_set_new(labels, "instance", str_or_empty(host));
	json_object_set_new(labels, "job", json_string("tend"));
	json_object_set_new(labels, "target", str_or_empty(m->target));
	json_object_set_new(labels, "severity", str_or_empty(m->severity));
	if (m->incident > 0) {
		snprintf(id, sizeof(id), "%lld", (long long)m->incident);
		json_object_set_new(labels, "incident", json_string(id));
	}
	/* The channel's own labels come last: they may route, or override. */
	return strv_pairs_json(ch->labels, labels);
}

json_t *
alert_format_alertmanager(const struct alert_msg *m, const struct alert_channel_conf *ch,
    const char *host, int64_t now_wall)
{
	char starts[40], ends[40], *summary;
	json_t *o;

	alert_rfc3339(m->started_at, starts, sizeof(starts));
	alert_rfc3339(m->ended_at > 0 ? m->ended_at : now_wall + alert_am_lease_ms(ch),
	    ends, sizeof(ends));
	summary = m->incident > 0 ? xasprintf("%s: %s (incident #%lld)", m->severity,
	    m->target, (long long)m->incident) : xasprintf("%s: %s", m->severity, m->target);
	o = json_pack("{s:o, s:{s:o, s:o, s:s}, s:s, s:s}",
	    "labels", am_labels(m, ch, host),
	    "annotations", "summary", str_or_empty(summary),
	    "description", str_or_empty(m->message),
	    "event", alert_event_names[m->event],
	    "startsAt", starts, "endsAt", ends);
	free(summary);
	return o;
}

static char *
json_text(json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	return text != NULL ? text : xstrdup("{}");
}

char *
alert_format_body(const struct alert_channel_conf *ch, const struct alert_msg *m,
    const char *host, int64_t id, int64_t now_wall)
{
	switch (ch->format) {
	case ALERT_FORMAT_SLACK:
		return json_text(alert_format_slack(m, host));
	case ALERT_FORMAT_ALERTMANAGER:
		return json_text(json_pack("[o]", alert_format_alertmanager(m, ch, host,
		    now_wall)));
	default:
		return json_text(alert_format_json(m, host, id, ch->labels));
	}
}

char *
alert_format_am_batch(const struct alert_channel_conf *ch, const struct alert_msg *v,
    size_t n, const char *host, int64_t now_wall)
{
	json_t *all = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(all, alert_format_alertmanager(&v[i], ch, host,
		    now_wall));
	return json_text(all);
}

static char **
env_push(char **env, const char *name, const char *value)
{
	char *var = xasprintf("%s=%s", name, value != NULL ? value : "");

	env = strv_push(env, var);
	free(var);
	return env;
}

char **
alert_command_env(const struct alert_msg *m, const char *host)
{
	char incident[32] = "", time[40];
	char **env = NULL;

	if (m->incident > 0)
		snprintf(incident, sizeof(incident), "%lld", (long long)m->incident);
	alert_rfc3339(m->at, time, sizeof(time));
	env = env_push(env, "TEND_EVENT", alert_event_names[m->event]);
	env = env_push(env, "TEND_TARGET", m->target);
	env = env_push(env, "TEND_STATE", m->state);
	env = env_push(env, "TEND_MESSAGE", m->message);
	env = env_push(env, "TEND_INCIDENT", incident);
	env = env_push(env, "TEND_SEVERITY", m->severity);
	env = env_push(env, "TEND_HOST", host);
	env = env_push(env, "TEND_TIME", time);
	return env;
}

json_t *
alert_format_report_json(const struct alert_report *rep, const char *host, int64_t id)
{
	char time[40];

	alert_rfc3339(rep->at, time, sizeof(time));
	return json_pack("{s:s, s:o, s:I, s:s, s:o, s:o, s:I, s:s, s:O, s:o, s:{s:o, s:o, "
	    "s:o}}", "source", "tend", "host", text_json(host), "id", (json_int_t)id,
	    "event", "report", "name", text_json(rep->name), "title", text_json(rep->title),
	    "at", (json_int_t)rep->at, "time", time, "summary", rep->numbers != NULL ?
	    rep->numbers : json_null(), "text", text_json(rep->summary), "files",
	    "html", text_json(rep->html), "markdown", text_json(rep->markdown), "json",
	    text_json(rep->json));
}

json_t *
alert_format_report_slack(const struct alert_report *rep, const char *host)
{
	char *title = xasprintf(":bar_chart: *%s* on %s", rep->title, host), *body, *text;
	json_t *o;

	body = xasprintf("%s\nthe report: %s on %s", rep->summary, rep->html, host);
	text = slack_escape(body);
	o = json_pack("{s:o, s:[{s:o, s:s, s:o, s:s, s:I}]}", "text", text_json(title),
	    "attachments", "fallback", text_json(title), "color", "#1565c0",
	    "text", text_json(text), "footer", "tend", "ts", (json_int_t)(rep->at / 1000));
	free(title);
	free(body);
	free(text);
	return o;
}

char *
alert_format_report_body(const struct alert_channel_conf *ch, const struct alert_report *rep,
    const char *host, int64_t id)
{
	if (ch->format == ALERT_FORMAT_SLACK)
		return json_text(alert_format_report_slack(rep, host));
	return json_text(alert_format_report_json(rep, host, id));
}

char **
alert_report_command_env(const struct alert_report *rep, const char *host)
{
	char time[40], *message = xasprintf("%s\n%s", rep->title, rep->summary);
	char **env = NULL;

	alert_rfc3339(rep->at, time, sizeof(time));
	env = env_push(env, "TEND_EVENT", "report");
	env = env_push(env, "TEND_TARGET", rep->name);
	env = env_push(env, "TEND_MESSAGE", message);
	env = env_push(env, "TEND_HOST", host);
	env = env_push(env, "TEND_TIME", time);
	env = env_push(env, "TEND_REPORT_HTML", rep->html);
	env = env_push(env, "TEND_REPORT_MARKDOWN", rep->markdown);
	env = env_push(env, "TEND_REPORT_JSON", rep->json);
	free(message);
	return env;
}
