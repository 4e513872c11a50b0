#include "web/snapshot.h"

#include <stdlib.h>
#include <string.h>

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

/* The checks of one service, in status order. */
static json_t *
service_checks(const json_t *checks, const char *service)
{
	json_t *mine = json_array(), *c;
	size_t i;

	json_array_foreach(checks, i, c) {
		const char *s = json_string_value(json_object_get(c, "service"));

		if (s != NULL && strcmp(s, service) == 0)
			json_array_append(mine, c);
	}
	return mine;
}

static int
page_cmp(const void *a, const void *b)
{
	return strcmp(((const struct web_service_page *)a)->name,
	    ((const struct web_service_page *)b)->name);
}

static void
build_pages(struct web_snapshot *snap, const json_t *services, const json_t *checks)
{
	const json_t *svc;
	const char *name;
	size_t i;

	snap->pages = xcalloc(json_array_size(services) + 1, sizeof(*snap->pages));
	json_array_foreach(services, i, svc) {
		if ((name = json_string_value(json_object_get(svc, "name"))) == NULL)
			continue;
		snap->pages[snap->n_pages].name = xstrdup(name);
		snap->pages[snap->n_pages].body = body_of(json_pack("{s:O, s:o}",
		    "service", svc, "checks", service_checks(checks, name)));
		snap->n_pages++;
	}
	qsort(snap->pages, snap->n_pages, sizeof(*snap->pages), page_cmp);
}

/* host.* and every check's latency and perfdata labels, as the recorder names them. */
static json_t *
series_names(const json_t *status)
{
	static const char *const host[] = { "host.cpu_pct", "host.memory_pct",
	    "host.swap_pct", "host.disk_pct", "host.load1", NULL };
	json_t *names = json_array(), *c, *m;
	const char *check;
	size_t i, k;

	for (i = 0; host[i] != NULL; i++)
		json_array_append_new(names, json_string(host[i]));
	json_array_foreach(json_object_get(status, "checks"), i, c) {
		check = json_string_value(json_object_get(c, "name"));
		if (check == NULL)
			continue;
		json_array_append_new(names, json_sprintf("check.%s.latency_ms", check));
		json_array_foreach(json_object_get(c, "metrics"), k, m)
			if (json_is_string(json_object_get(m, "label")))
				json_array_append_new(names, json_sprintf("check.%s.%s", check,
				    json_string_value(json_object_get(m, "label"))));
	}
	return json_pack("{s:o}", "series", names);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of a series body's list, sorted for web_snapshot_has_series. */
static void
build_series_names(struct web_snapshot *snap, const json_t *names)
{
	const json_t *n;
	size_t i;

	snap->series_names = xcalloc(json_array_size(names) + 1, sizeof(char *));
	json_array_foreach(names, i, n)
		if (json_is_string(n))
			snap->series_names[snap->n_series++] = xstrdup(json_string_value(n));
	qsort(snap->series_names, snap->n_series, sizeof(char *), name_cmp);
}

static struct web_body
sse_status(const struct web_body *status)
{
	struct web_body b;

	b.data = xasprintf("event: status\ndata: %s\n\n", status->data);
	b.len = strlen(b.data);
	return b;
}

struct web_snapshot *
web_snapshot_build(const json_t *status)
{
	struct web_snapshot *snap = xcalloc(1, sizeof(*snap));
	const json_t *tend = json_object_get(status, "tend");
	json_t *services = json_object_get(status, "services");
	json_t *checks = json_object_get(status, "checks");
	json_t *families, *series;

	atomic_init(&snap->refs, 1);
	snap->generated_at = json_integer_value(json_object_get(status, "generated_at"));
	snap->status = body_of(json_incref((json_t *)status));
	snap->services = body_of(json_pack("{s:o}", "services",
	    services != NULL ? json_incref(services) : json_array()));
	snap->checks = body_of(json_pack("{s:o}", "checks",
	    checks != NULL ? json_incref(checks) : json_array()));
	series = series_names(status);
	build_series_names(snap, json_object_get(series, "series"));
	snap->series = body_of(series);
	families = metrics_families(status);
	snap->metrics.data = prometheus_text(families);
	json_decref(families);
	snap->metrics.len = strlen(snap->metrics.data);
	/* ok: tend answers; health and problems: its store, its logs (docs/api.md). */
	snap->healthz = body_of(json_pack("{s:b, s:s?, s:O?, s:O?, s:s?, s:O?}", "ok", 1,
	    "version", json_string_value(json_object_get(tend, "version")),
	    "uptime_ms", json_object_get(tend, "uptime_ms"),
	    "loop_lag_ms", json_object_get(tend, "loop_lag_ms"),
	    "health", json_string_value(json_object_get(tend, "health")),
	    "problems", json_object_get(tend, "problems")));
	snap->sse_status = sse_status(&snap->status);
	build_pages(snap, services, checks);
	return snap;
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
	free(snap->status.data);
	free(snap->services.data);
	free(snap->checks.data);
	free(snap->series.data);
	free(snap->metrics.data);
	free(snap->healthz.data);
	free(snap->sse_status.data);
	for (i = 0; i < snap->n_pages; i++) {
		free(snap->pages[i].name);
		free(snap->pages[i].body.data);
	}
	free(snap->pages);
	for (i = 0; i < snap->n_series; i++)
		free(snap->series_names[i]);
	free(snap->series_names);
	free(snap);
}

const struct web_service_page *
web_snapshot_page(const struct web_snapshot *snap, const char *name)
{
	struct web_service_page key = { .name = (char *)name };

	return bsearch(&key, snap->pages, snap->n_pages, sizeof(key), page_cmp);
}

bool
web_snapshot_has_series(const struct web_snapshot *snap, const char *name)
{
	return bsearch(&name, snap->series_names, snap->n_series, sizeof(char *),
	    name_cmp) != NULL;
}
