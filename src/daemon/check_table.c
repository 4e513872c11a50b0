#include "daemon/check_table.h"

#include <malloc.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check_run.h"
#include "checks/resource.h"
#include "checks/scheduler.h"
#include "core/clock.h"
#include "core/mem.h"
#include "web/snapshot.h"

/* A refill of more checks than this gives the heap it grew back (malloc_trim). */
#define CHECK_TABLE_TRIM_PAST	1000

struct check_table {
	const struct tend_config *cfg;	/* whose checks v holds, in order */
	struct web_check **v;
	size_t		 n;
	bool		 stale;		/* every entry to be made from the scheduler */
	bool		 changed;	/* since published was taken */
	struct web_checks *published;
};

struct check_table *
check_table_new(void)
{
	return xcalloc(1, sizeof(struct check_table));
}

static void
check_table_clear(struct check_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		web_check_unref(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

void
check_table_free(struct check_table *t)
{
	if (t == NULL)
		return;
	check_table_clear(t);
	web_checks_unref(t->published);
	free(t);
}

void
check_table_reset(struct check_table *t, const struct tend_config *cfg)
{
	if (t == NULL)
		return;
	check_table_clear(t);
	t->cfg = cfg;
	t->n = cfg->n_checks;
	t->v = xcalloc(t->n + 1, sizeof(*t->v));
	t->stale = true;
}

void
check_table_stale(struct check_table *t)
{
	if (t != NULL)
		t->stale = true;
}

/*
 * A check's CHECK object after a result: what scheduler_status() says of
 * it then (a check that has a result is not paused), made without asking
 * for the nine thousand others.
 */
static json_t *
check_table_json(const struct check_conf *conf, const struct check_result *r,
    enum health_state tracked)
{
	json_t *o = check_result_json(r);

	json_object_set_new(o, "raw_state", json_string(health_state_name(r->state)));
	json_object_set_new(o, "state", json_string(health_state_name(tracked)));
	json_object_set_new(o, "name", json_string(conf->name));
	json_object_set_new(o, "type", json_string(check_type_name(conf->type)));
	json_object_set_new(o, "service", conf->service != NULL ?
	    json_string(conf->service) : json_null());
	json_object_set_new(o, "checked_at", json_integer(clock_wall_ms()));
	if (conf->type != CHECK_RESOURCE)
		return o;
	json_object_set_new(o, "metric", json_string(resource_metric_name(conf->metric)));
	json_object_set_new(o, "value", r->n_perf > 0 && !isnan(r->perf[0].value) ?
	    json_real(r->perf[0].value) : json_null());
	if (conf->metric == RESOURCE_DISK || conf->metric == RESOURCE_INODES)
		json_object_set_new(o, "path", json_string(conf->path));
	return o;
}

void
check_table_result(struct check_table *t, const struct check_conf *conf,
    const struct check_result *r, enum health_state tracked)
{
	size_t i;
	json_t *o;

	/* Until the table is made from the scheduler, what a result says comes with it. */
	if (t == NULL || t->stale || t->cfg == NULL || conf < t->cfg->checks ||
	    conf >= t->cfg->checks + t->n)
		return;
	i = (size_t)(conf - t->cfg->checks);
	o = check_table_json(conf, r, tracked);
	web_check_unref(t->v[i]);
	t->v[i] = web_check_new(o);
	json_decref(o);
	t->changed = true;
}

/*
 * Every entry made again from the scheduler's own status. That is every
 * check as JSON at once (ten thousand: some 15 MB), freed at once: the
 * heap it grew is given back rather than kept as holes.
 */
static void
check_table_refill(struct check_table *t, const struct scheduler *s)
{
	json_t *all = scheduler_status(s);
	size_t i;

	for (i = 0; i < t->n; i++) {
		web_check_unref(t->v[i]);
		t->v[i] = web_check_new(json_array_get(all, i));
	}
	json_decref(all);
	t->stale = false;
	t->changed = true;
	if (t->n > CHECK_TABLE_TRIM_PAST)
		malloc_trim(0);
}

struct web_checks *
check_table_take(struct check_table *t, const struct scheduler *s)
{
	if (t->stale)
		check_table_refill(t, s);
	if (t->changed || t->published == NULL) {
		web_checks_unref(t->published);
		t->published = web_checks_new(t->v, t->n);
		t->changed = false;
	}
	web_checks_ref(t->published);
	return t->published;
}

json_t *
check_table_problems(const struct check_table *t, size_t max, size_t *more)
{
	static const char *const worst_first[] = { "critical", "warning", "unknown" };
	json_t *list = json_array(), *o;
	const struct web_check *c;
	size_t i, k, n = 0;

	for (k = 0; k < sizeof(worst_first) / sizeof(worst_first[0]); k++) {
		for (i = 0; i < t->n; i++) {
			if ((c = t->v[i]) == NULL || strcmp(c->state, worst_first[k]) != 0)
				continue;
			n++;
			if (json_array_size(list) < max &&
			    (o = json_loadb(c->json.data, c->json.len, 0, NULL)) != NULL)
				json_array_append_new(list, o);
		}
	}
	*more = n - json_array_size(list);
	return list;
}

void
check_table_counts(const struct check_table *t, json_t *by_service)
{
	const struct web_check *c;
	json_t *counts;
	size_t i;

	for (i = 0; i < t->n; i++) {
		if ((c = t->v[i]) == NULL || c->service == NULL ||
		    (counts = json_object_get(by_service, c->service)) == NULL)
			continue;
		json_object_set_new(counts, c->state, json_integer(json_integer_value(
		    json_object_get(counts, c->state)) + 1));
	}
}
