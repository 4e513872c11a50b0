#include "web/snapshot.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dl_mhd.h"
#include "core/mem.h"
#include "web/prometheus.h"

static struct web_body
body_of(json_t *doc)
{
	struct web_body b;

	b.data = json_dumps(doc, WEB_JSON_FLAGS);
	b.len = b.data != NULL ? strlen(b.data) : 0;
	if (b.data == NULL)
		b.data = xstrdup("");
	json_decref(doc);
	return b;
}

/* The labels of a CHECK's metrics, each NUL-ended, then an empty one; their length. */
static size_t
check_labels(const json_t *metrics, char *out)
{
	const json_t *m;
	const char *label;
	size_t i, at = 0;

	json_array_foreach(metrics, i, m) {
		if ((label = json_string_value(json_object_get(m, "label"))) == NULL)
			continue;
		if (out != NULL)
			memcpy(out + at, label, strlen(label) + 1);
		at += strlen(label) + 1;
	}
	if (out != NULL)
		out[at] = '\0';
	return at + 1;
}

/* The state names a check may have, so that an entry's is a static string. */
static const char *
check_state(const char *state)
{
	static const char *const states[] = { "healthy", "warning", "critical", "unknown",
	    "paused", NULL };
	size_t i;

	for (i = 0; state != NULL && states[i] != NULL; i++)
		if (strcmp(state, states[i]) == 0)
			return states[i];
	return "unknown";
}

/* s copied to *at, which moves past it. */
static char *
check_put(char **at, const char *s)
{
	char *copy = *at;
	size_t n = strlen(s) + 1;

	memcpy(copy, s, n);
	*at += n;
	return copy;
}

/* "name\nservice\nmessage" at *at, in lower case (ASCII), which moves past it. */
static const char *
check_words(char **at, const char *name, const char *service, const char *message)
{
	char *words = *at, *p;

	*at += sprintf(words, "%s\n%s\n%s", name, service != NULL ? service : "", message) + 1;
	for (p = words; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return words;
}

/*
 * One allocation for the entry and everything in it: ten thousand checks
 * are a result each every few seconds, and seven blocks each came and went.
 */
struct web_check *
web_check_new(const json_t *check)
{
	const char *name = json_string_value(json_object_get(check, "name"));
	const char *service = json_string_value(json_object_get(check, "service"));
	const char *type = json_string_value(json_object_get(check, "type"));
	const char *message = json_string_value(json_object_get(check, "message"));
	const json_t *latency = json_object_get(check, "latency_ms");
	const json_t *metrics = json_object_get(check, "metrics");
	char *json, *at;
	struct web_check *c;
	size_t len;

	if (name == NULL || (json = json_dumps(check, WEB_JSON_FLAGS)) == NULL)
		return NULL;
	type = type != NULL ? type : "";
	message = message != NULL ? message : "";
	len = sizeof(*c) + 2 * (strlen(name) + (service != NULL ? strlen(service) : 0) + 2) +
	    strlen(message) + 1 + strlen(type) + 1 + check_labels(metrics, NULL) +
	    strlen(json) + 1;
	c = xmalloc(len);
	at = (char *)(c + 1);
	atomic_init(&c->refs, 1);
	c->name = check_put(&at, name);
	c->service = service != NULL ? check_put(&at, service) : NULL;
	c->type = check_put(&at, type);
	c->state = check_state(json_string_value(json_object_get(check, "state")));
	c->latency_ms = json_is_number(latency) ? json_number_value(latency) : NAN;
	c->labels = at;
	at += check_labels(metrics, at);
	c->words = check_words(&at, name, service, message);
	c->json.len = strlen(json);
	c->json.data = check_put(&at, json);
	free(json);
	return c;
}

void
web_check_unref(struct web_check *c)
{
	if (c != NULL && atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
		free(c);
}

struct web_checks *
web_checks_new(struct web_check *const *v, size_t n)
{
	struct web_checks *t = xcalloc(1, sizeof(*t));
	size_t i;

	atomic_init(&t->refs, 1);
	t->v = xcalloc(n + 1, sizeof(*t->v));
	for (i = 0; i < n; i++) {
		if (v[i] == NULL)
			continue;
		atomic_fetch_add_explicit(&v[i]->refs, 1, memory_order_relaxed);
		t->v[t->n++] = v[i];
	}
	return t;
}

void
web_checks_ref(struct web_checks *t)
{
	atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
}

void
web_checks_unref(struct web_checks *t)
{
	size_t i;

	if (t == NULL || atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (i = 0; i < t->n; i++)
		web_check_unref(t->v[i]);
	free(t->v);
	free(t);
}

/* A table of the status's own "checks" (tests, and the fuzz harness). */
static struct web_checks *
checks_of_status(const json_t *status)
{
	const json_t *list = json_object_get(status, "checks");
	struct web_check **v = xcalloc(json_array_size(list) + 1, sizeof(*v));
	struct web_checks *t;
	const json_t *c;
	size_t i;

	json_array_foreach(list, i, c)
		v[i] = web_check_new(c);
	t = web_checks_new(v, json_array_size(list));
	for (i = 0; i < json_array_size(list); i++)
		web_check_unref(v[i]);
	free(v);
	return t;
}

/* ok: tend answers; health and problems: its store, its logs (docs/api.md). */
static struct web_body
healthz_of(const json_t *status)
{
	const json_t *tend = json_object_get(status, "tend");

	return body_of(json_pack("{s:b, s:s?, s:O?, s:O?, s:s?, s:O?}", "ok", 1,
	    "version", json_string_value(json_object_get(tend, "version")),
	    "uptime_ms", json_object_get(tend, "uptime_ms"),
	    "loop_lag_ms", json_object_get(tend, "loop_lag_ms"),
	    "health", json_string_value(json_object_get(tend, "health")),
	    "problems", json_object_get(tend, "problems")));
}

/* Whether a state, as the status names it, keeps tend from being ready. */
static bool
readyz_waits(const char *state, const char *fine, const char *also_fine)
{
	return state != NULL && strcmp(state, fine) != 0 && strcmp(state, also_fine) != 0;
}

/*
 * Ready, as Kubernetes' readiness probe means it: every service up (or a
 * copy scaled down) and every check healthy (or paused); else what is not,
 * named (the checks as the status lists them: past 200, the worst first).
 */
static struct web_body
readyz_of(const json_t *status, bool *ready)
{
	json_t *waiting = json_array(), *n;
	const json_t *item;
	const char *state;
	size_t i;

	json_array_foreach(json_object_get(status, "services"), i, item) {
		state = json_string_value(json_object_get(item, "state"));
		if (readyz_waits(state, "up", "parked"))
			json_array_append_new(waiting, json_sprintf("service %s: %s",
			    json_string_value(json_object_get(item, "name")), state));
	}
	json_array_foreach(json_object_get(status, "checks"), i, item) {
		state = json_string_value(json_object_get(item, "state"));
		if (readyz_waits(state, "healthy", "paused"))
			json_array_append_new(waiting, json_sprintf("check %s: %s",
			    json_string_value(json_object_get(item, "name")), state));
	}
	/* The counts have every check, listed or not. */
	*ready = json_array_size(waiting) == 0;
	json_object_foreach((json_t *)json_object_get(status, "check_counts"), state, n)
		if (readyz_waits(state, "healthy", "paused") && json_integer_value(n) > 0)
			*ready = false;
	return body_of(json_pack("{s:b, s:o}", "ready", *ready, "waiting", waiting));
}

static void
web_status_unref(struct web_status *st)
{
	size_t i;

	if (atomic_fetch_sub_explicit(&st->refs, 1, memory_order_acq_rel) != 1)
		return;
	/* Made only with libmicrohttpd loaded; no request holds them now (web_request.held). */
	for (i = 0; i < WEB_SHARED_COUNT; i++)
		if (st->shared[i] != NULL)
			MHD_destroy_response(st->shared[i]);
	pthread_mutex_destroy(&st->shared_lock);
	json_decref(st->doc);
	free(st->status.data);
	free(st->healthz.data);
	free(st->readyz.data);
	free(st);
}

static struct web_snapshot *
snapshot_new(struct web_status *st, struct web_checks *checks)
{
	struct web_snapshot *snap = xcalloc(1, sizeof(*snap));

	atomic_init(&snap->refs, 1);
	pthread_mutex_init(&snap->lazy_lock, NULL);
	snap->st = st;
	snap->checks = checks;
	return snap;
}

struct web_snapshot *
web_snapshot_build(json_t *status, struct web_checks *checks)
{
	struct web_status *st = xcalloc(1, sizeof(*st));

	atomic_init(&st->refs, 1);
	pthread_mutex_init(&st->shared_lock, NULL);
	st->generated_at = json_integer_value(json_object_get(status, "generated_at"));
	st->doc = json_incref(status);
	st->healthz = healthz_of(status);
	st->readyz = readyz_of(status, &st->ready);
	return snapshot_new(st, checks != NULL ? checks : checks_of_status(status));
}

/*
 * Written by the first web thread to want it, not by the loop: a thousand
 * services are 10 ms of json_dumps, and a status nobody reads (published
 * every second, many an hour with no dashboard open) is never written.
 */
const struct web_body *
web_status_text(struct web_status *st)
{
	pthread_mutex_lock(&st->shared_lock);
	if (st->status.data == NULL) {
		st->status.data = json_dumps(st->doc, WEB_JSON_FLAGS);
		st->status.len = st->status.data != NULL ? strlen(st->status.data) : 0;
		if (st->status.data == NULL)
			st->status.data = xstrdup("");
	}
	pthread_mutex_unlock(&st->shared_lock);
	return &st->status;
}

struct web_snapshot *
web_snapshot_with_checks(const struct web_snapshot *prev, struct web_checks *checks)
{
	atomic_fetch_add_explicit(&prev->st->refs, 1, memory_order_relaxed);
	return snapshot_new(prev->st, checks);
}

void
web_snapshot_ref(struct web_snapshot *snap)
{
	atomic_fetch_add_explicit(&snap->refs, 1, memory_order_relaxed);
}

void
web_snapshot_unref(struct web_snapshot *snap)
{
	size_t i;

	if (snap == NULL || atomic_fetch_sub_explicit(&snap->refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	web_status_unref(snap->st);
	web_checks_unref(snap->checks);
	for (i = 0; i < sizeof(snap->lazy) / sizeof(snap->lazy[0]); i++)
		free(snap->lazy[i].data);
	pthread_mutex_destroy(&snap->lazy_lock);
	free(snap);
}

const json_t *
web_snapshot_service(const struct web_snapshot *snap, const char *name)
{
	const json_t *svc;
	const char *s;
	size_t i;

	json_array_foreach(json_object_get(snap->st->doc, "services"), i, svc)
		if ((s = json_string_value(json_object_get(svc, "name"))) != NULL &&
		    strcmp(s, name) == 0)
			return svc;
	return NULL;
}

static const char *const host_series[] = { "host.cpu_pct", "host.memory_pct",
    "host.swap_pct", "host.disk_pct", "host.load1", NULL };

/* host.* and every check's latency and metric labels, as the recorder names them. */
static struct web_body
series_body(const struct web_snapshot *snap)
{
	json_t *names = json_array();
	const struct web_check *c;
	const char *l;
	size_t i;

	for (i = 0; host_series[i] != NULL; i++)
		json_array_append_new(names, json_string(host_series[i]));
	for (i = 0; i < snap->checks->n; i++) {
		c = snap->checks->v[i];
		json_array_append_new(names, json_sprintf("check.%s.latency_ms", c->name));
		for (l = c->labels; *l != '\0'; l += strlen(l) + 1)
			json_array_append_new(names, json_sprintf("check.%s.%s", c->name, l));
	}
	return body_of(json_pack("{s:o}", "series", names));
}

bool
web_snapshot_has_series(const struct web_snapshot *snap, const char *name)
{
	const struct web_check *c;
	const char *rest, *l;
	size_t i, n;

	for (i = 0; host_series[i] != NULL; i++)
		if (strcmp(name, host_series[i]) == 0)
			return true;
	if (strncmp(name, "check.", 6) != 0)
		return false;
	for (i = 0; i < snap->checks->n; i++) {
		c = snap->checks->v[i];
		n = strlen(c->name);
		if (strncmp(name + 6, c->name, n) != 0 || name[6 + n] != '.')
			continue;
		rest = name + 7 + n;
		if (strcmp(rest, "latency_ms") == 0)
			return true;
		for (l = c->labels; *l != '\0'; l += strlen(l) + 1)
			if (strcmp(rest, l) == 0)
				return true;
	}
	return false;
}

/* {"services": [...]}: the status's own list, written again. */
static struct web_body
services_body(const struct web_snapshot *snap)
{
	const json_t *services = json_object_get(snap->st->doc, "services");
	char *list = services != NULL ? json_dumps(services, WEB_JSON_FLAGS) : NULL;
	struct web_body b;

	b.data = xasprintf("{\"services\":%s}", list != NULL ? list : "[]");
	b.len = strlen(b.data);
	free(list);
	return b;
}

static struct web_body
metrics_body(const struct web_snapshot *snap)
{
	struct web_body b;

	b.data = metrics_text(snap->st->doc, snap->checks);
	b.len = strlen(b.data);
	return b;
}

const struct web_body *
web_snapshot_lazy(struct web_snapshot *snap, enum web_lazy which)
{
	struct web_body *b = &snap->lazy[which];

	pthread_mutex_lock(&snap->lazy_lock);
	if (b->data == NULL)
		*b = which == WEB_LAZY_SERVICES ? services_body(snap) :
		    which == WEB_LAZY_SERIES ? series_body(snap) : metrics_body(snap);
	pthread_mutex_unlock(&snap->lazy_lock);
	return b;
}
