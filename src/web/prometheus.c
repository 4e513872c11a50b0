#include "web/prometheus.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/selfhealth.h"
#include "web/snapshot.h"

static const char *const check_states[] = { "healthy", "warning", "critical", "unknown",
	NULL };

static json_t *
family(json_t *families, const char *name, const char *type, const char *help)
{
	json_t *samples = json_array();

	json_array_append_new(families, json_pack("{s:s, s:s, s:s, s:o}", "name", name,
	    "type", type, "help", help, "samples", samples));
	return samples;
}

/* labels: a JSON object, taken; NULL for none. */
static void
sample(json_t *samples, json_t *labels, double value)
{
	json_array_append_new(samples, json_pack("{s:o, s:f}", "labels",
	    labels != NULL ? labels : json_object(), "value", value));
}

static double
number(const json_t *obj, const char *key)
{
	return json_number_value(json_object_get(obj, key));
}

static const char *
string(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

/* One check's samples: one per state, and its latency when it has one. */
static void
check_samples(json_t *states, json_t *latency, const char *name, const char *service,
    const char *state, double latency_ms)
{
	size_t k;

	for (k = 0; check_states[k] != NULL; k++)
		sample(states, json_pack("{s:s, s:s, s:s}", "check", name, "service", service,
		    "state", check_states[k]), strcmp(state, check_states[k]) == 0);
	if (!isnan(latency_ms))
		sample(latency, json_pack("{s:s, s:s}", "check", name, "service", service),
		    latency_ms / 1000);
}

static const char check_state_help[] =
    "1 for the check's current state (healthy, warning, critical, unknown), 0 for the others.";
static const char check_latency_help[] = "How long the check's last run took.";

static void
checks_families(json_t *families, const json_t *list)
{
	json_t *states, *latency;
	const json_t *c;
	size_t i;

	states = family(families, "tend_check_state", "gauge", check_state_help);
	latency = family(families, "tend_check_latency_seconds", "gauge", check_latency_help);
	json_array_foreach(list, i, c)
		check_samples(states, latency, string(c, "name"), string(c, "service"),
		    string(c, "state"), json_is_number(json_object_get(c, "latency_ms")) ?
		    number(c, "latency_ms") : NAN);
}

static void
services_families(json_t *families, const json_t *services)
{
	json_t *up, *parked, *restarts, *count;
	const json_t *s;
	const char *reason;
	size_t i;

	up = family(families, "tend_service_up", "gauge", "1 when the service is up, else 0.");
	/* A copy scaled down is down on purpose: rules on tend_service_up leave it out. */
	parked = family(families, "tend_service_parked", "gauge",
	    "1 for a copy of a service scaled down (instances, scale), else 0.");
	restarts = family(families, "tend_service_restarts_total", "counter",
	    "Replacements of the service's process since tend started, by reason.");
	json_array_foreach(services, i, s) {
		sample(up, json_pack("{s:s}", "service", string(s, "name")),
		    strcmp(string(s, "state"), "up") == 0);
		sample(parked, json_pack("{s:s}", "service", string(s, "name")),
		    strcmp(string(s, "state"), "parked") == 0);
		json_object_foreach(json_object_get(s, "restarts_by_reason"), reason, count)
			sample(restarts, json_pack("{s:s, s:s}", "service", string(s, "name"),
			    "reason", reason), json_number_value(count));
	}
}

static void
heal_families(json_t *families, const json_t *tend, const json_t *actions)
{
	json_t *acted;
	const json_t *a;
	size_t i;

	sample(family(families, "tend_incidents_total", "counter",
	    "Incidents opened since tend started."), NULL, number(tend, "incidents_total"));
	sample(family(families, "tend_incidents_open", "gauge", "Incidents open now."), NULL,
	    number(tend, "open_incidents"));
	sample(family(families, "tend_incidents_escalated", "gauge", "Incidents open now that "
	    "tend escalated: it has no action left, and waits for a human or a recovery."), NULL,
	    number(tend, "escalated_incidents"));
	acted = family(families, "tend_heal_actions_total", "counter",
	    "Healing actions ended since tend started, by action and outcome.");
	json_array_foreach(actions, i, a)
		sample(acted, json_pack("{s:s, s:s}", "action", string(a, "action"),
		    "outcome", string(a, "outcome")), number(a, "count"));
}

static void
host_families(json_t *families, const json_t *host)
{
	static const struct { const char *key, *name, *help; double scale; } gauges[] = {
		{ "cpu_pct", "tend_host_cpu_ratio", "Host CPU busy, 0-1.", 100 },
		{ "memory_pct", "tend_host_memory_ratio", "Host memory in use, 0-1.", 100 },
		{ "swap_pct", "tend_host_swap_ratio", "Host swap in use, 0-1.", 100 },
		{ "disk_pct", "tend_host_disk_ratio", "Root filesystem in use, 0-1.", 100 },
		{ "load1", "tend_host_load1", "Load average over 1 minute.", 1 },
		{ "load5", "tend_host_load5", "Load average over 5 minutes.", 1 },
		{ "load15", "tend_host_load15", "Load average over 15 minutes.", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		if (json_is_number(json_object_get(host, gauges[i].key)))
			sample(family(families, gauges[i].name, "gauge", gauges[i].help), NULL,
			    number(host, gauges[i].key) / gauges[i].scale);
}

/* tend's own troubles (core/selfhealth.h): tend_store_errors_total, ... */
static void
self_health_families(json_t *families, const json_t *tend)
{
	const json_t *counters = json_object_get(tend, "counters");
	char name[128];
	int c;

	sample(family(families, "tend_self_problems", "gauge", "Parts of tend itself "
	    "failing now (its store, its logs): tend status says what to do."), NULL,
	    (double)json_array_size(json_object_get(tend, "problems")));
	for (c = 0; c < SELF_COUNTERS; c++) {
		snprintf(name, sizeof(name), "tend_%s", selfhealth_counter_name(c));
		sample(family(families, name, "counter", selfhealth_counter_help(c)), NULL,
		    number(counters, selfhealth_counter_name(c)));
	}
}

static void
self_families(json_t *families, const json_t *tend)
{
	sample(family(families, "tend_up", "gauge", "1: tend is running."), NULL, 1);
	sample(family(families, "tend_uptime_seconds", "gauge", "Seconds since tend started."),
	    NULL, number(tend, "uptime_ms") / 1000);
	sample(family(families, "tend_check_runs_total", "counter",
	    "Check runs completed since tend started."), NULL, number(tend, "check_runs"));
	sample(family(families, "tend_resident_memory_bytes", "gauge",
	    "tend's own resident memory."), NULL, number(tend, "rss_bytes"));
	sample(family(families, "tend_loop_lag_seconds", "gauge",
	    "How late the daemon's event loop ran its last 250 ms timer."), NULL,
	    number(tend, "loop_lag_ms") / 1000);
	self_health_families(families, tend);
}

/* What follows the checks' families: services, healing, the host. */
static void
other_families(json_t *families, const json_t *status)
{
	const json_t *tend = json_object_get(status, "tend");

	services_families(families, json_object_get(status, "services"));
	heal_families(families, tend, json_object_get(status, "heal_actions"));
	host_families(families, json_object_get(status, "host"));
}

/* metrics.labels, {"env": "prod"}: every series has them (docs/api.md). */
static const json_t *
status_labels(const json_t *status)
{
	return json_object_get(json_object_get(status, "tend"), "labels");
}

/* labels on every sample of families (a sample's own label of a name wins). */
static void
families_label(json_t *families, const json_t *labels)
{
	const json_t *f;
	json_t *s;
	size_t i, k;

	if (json_object_size(labels) == 0)
		return;
	json_array_foreach(families, i, f)
		json_array_foreach(json_object_get(f, "samples"), k, s)
			json_object_update_missing(json_object_get(s, "labels"), (json_t *)labels);
}

json_t *
metrics_families(const json_t *status)
{
	json_t *families = json_array();

	self_families(families, json_object_get(status, "tend"));
	checks_families(families, json_object_get(status, "checks"));
	other_families(families, status);
	families_label(families, status_labels(status));
	return families;
}

/* The text, in a memory stream. */

/* A label value: backslash, double quote and newline escaped. */
static void
put_label_value(FILE *out, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
}

static void
put_value(FILE *out, double v)
{
	if (isnan(v))
		fputs("NaN", out);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", out);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(out, "%.0f", v);
	else
		fprintf(out, "%.9g", v);
}

static void
put_sample(FILE *out, const char *name, const json_t *s)
{
	const json_t *labels = json_object_get(s, "labels"), *v;
	const char *key;
	bool first = true;

	fputs(name, out);
	json_object_foreach((json_t *)labels, key, v) {
		fprintf(out, "%s%s=\"", first ? "{" : ",", key);
		put_label_value(out, json_string_value(v) != NULL ? json_string_value(v) : "");
		fputc('"', out);
		first = false;
	}
	if (!first)
		fputc('}', out);
	fputc(' ', out);
	put_value(out, number(s, "value"));
	fputc('\n', out);
}

static void
put_families(FILE *out, const json_t *families)
{
	const json_t *f, *s;
	size_t i, k;

	json_array_foreach(families, i, f) {
		fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", string(f, "name"),
		    string(f, "help"), string(f, "name"), string(f, "type"));
		json_array_foreach(json_object_get(f, "samples"), k, s)
			put_sample(out, string(f, "name"), s);
	}
}

char *
prometheus_text(const json_t *families)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL)
		return xstrdup("");
	put_families(out, families);
	fclose(out);
	return text;
}

/* check="NAME",service="SERVICE" */
static void
put_check_labels(FILE *out, const struct web_check *c)
{
	fputs("{check=\"", out);
	put_label_value(out, c->name);
	fputs("\",service=\"", out);
	put_label_value(out, c->service != NULL ? c->service : "");
	fputc('"', out);
}

/* ",name=\"value\"" for each of labels, escaped: made once for every check's samples. */
static char *
labels_text(const json_t *labels)
{
	const char *key;
	const json_t *v;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL)
		return xstrdup("");
	json_object_foreach((json_t *)labels, key, v) {
		fprintf(out, ",%s=\"", key);
		put_label_value(out, json_string_value(v) != NULL ? json_string_value(v) : "");
		fputc('"', out);
	}
	fclose(out);
	return text;
}

/*
 * The checks' two families written straight from the table: ten thousand
 * checks are fifty thousand samples, which as JSON objects first took a
 * quarter of a second and 10 MB.
 */
static void
put_check_families(FILE *out, const struct web_checks *t, const char *extra)
{
	size_t i, k;

	fprintf(out, "# HELP tend_check_state %s\n# TYPE tend_check_state gauge\n",
	    check_state_help);
	for (i = 0; i < t->n; i++) {
		for (k = 0; check_states[k] != NULL; k++) {
			fputs("tend_check_state", out);
			put_check_labels(out, t->v[i]);
			fprintf(out, ",state=\"%s\"%s} %d\n", check_states[k], extra,
			    strcmp(t->v[i]->state, check_states[k]) == 0);
		}
	}
	fprintf(out, "# HELP tend_check_latency_seconds %s\n"
	    "# TYPE tend_check_latency_seconds gauge\n", check_latency_help);
	for (i = 0; i < t->n; i++) {
		if (isnan(t->v[i]->latency_ms))
			continue;
		fputs("tend_check_latency_seconds", out);
		put_check_labels(out, t->v[i]);
		fprintf(out, "%s} ", extra);
		put_value(out, t->v[i]->latency_ms / 1000);
		fputc('\n', out);
	}
}

char *
metrics_text(const json_t *status, const struct web_checks *checks)
{
	json_t *before = json_array(), *after = json_array();
	char *text = NULL, *extra;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL)
		return xstrdup("");
	self_families(before, json_object_get(status, "tend"));
	other_families(after, status);
	families_label(before, status_labels(status));
	families_label(after, status_labels(status));
	extra = labels_text(status_labels(status));
	put_families(out, before);
	put_check_families(out, checks, extra);
	put_families(out, after);
	fclose(out);
	free(extra);
	json_decref(before);
	json_decref(after);
	return text;
}
