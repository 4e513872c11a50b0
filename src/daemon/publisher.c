#include "daemon/publisher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/resource.h"
#include "core/clock.h"
#include "core/mem.h"
#include "store/store.h"
#include "web/web.h"

#define TICK_MS			250
/* With no web server nothing is published: the tick only measures the lag. */
#define TICK_NO_WEB_MS		1000
#define HOST_EVERY_MS		5000
#define PUBLISH_AT_LEAST_MS	1000
/*
 * A status that lists only what is wrong (past WEB_STATUS_ALL_CHECKS) is
 * published as that changes; with nothing changed, every 5 s (with the
 * host's figures) rather than every second: a thousand services are a
 * status of some 30,000 values made and freed each time.
 */
#define PUBLISH_TRIMMED_AT_LEAST_MS	5000
/*
 * A big status can take the loop tens of milliseconds to build: the next
 * one waits this many times as long, so that building takes at most a
 * fifth of the loop and pings, results and signals keep their pace.
 */
#define PUBLISH_SPACING		4
#define HOST_DISK_PATH		"/"	/* the filesystem of the host's disk_pct */

struct action_count {
	char	*action;
	char	*outcome;
	int64_t	 count;
};

struct publisher {
	struct web_server *web;
	struct store	*store;
	publisher_status_fn status;
	publisher_checks_fn checks;
	void		*status_arg;
	uv_timer_t	*tick;
	uint64_t	 tick_ms;
	uint64_t	 tick_due_ns;
	double		 lag_ms;
	struct resource_sampler *sampler;
	json_t		*host;
	int64_t		 host_at;
	bool		 dirty;
	int64_t		 published_at;
	int64_t		 build_ms;		/* what the last publish took */
	bool		 checks_dirty;		/* a result the status does not show */
	bool		 trimmed;		/* the last status listed what is wrong */
	struct web_snapshot *last;		/* published */
	int64_t		 incidents_total;
	int64_t		 last_incident_id;
	struct action_count *actions;
	size_t		 n_actions;
};

static long
publisher_rss_bytes(void)
{
	long pages = 0, size = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &size, &pages) != 2)
			pages = 0;
		fclose(f);
	}
	return pages * sysconf(_SC_PAGESIZE);
}

static void
publisher_sample_one(struct publisher *p, json_t *host, const char *key,
    enum resource_metric metric, int64_t now)
{
	struct check_conf conf = { .metric = metric, .path = (char *)HOST_DISK_PATH, .warn = 100,
	    .crit = 100 };
	struct resource_result r;
	char series[64];

	resource_sample(p->sampler, &conf, &r);
	if (r.state == HEALTH_UNKNOWN)
		return;
	json_object_set_new(host, key, json_real(r.value));
	snprintf(series, sizeof(series), "host.%s", key);
	if (p->store != NULL)
		store_add_metric(p->store, now, series, r.value);
}

static void
publisher_sample_host(struct publisher *p)
{
	json_t *host = json_object();
	int64_t now = clock_wall_ms();
	double load[3];

	publisher_sample_one(p, host, "cpu_pct", RESOURCE_CPU, now);
	publisher_sample_one(p, host, "memory_pct", RESOURCE_MEMORY, now);
	publisher_sample_one(p, host, "swap_pct", RESOURCE_SWAP, now);
	publisher_sample_one(p, host, "disk_pct", RESOURCE_DISK, now);
	/* What disk_pct measures: the dashboard's Disk tile takes the check of this path. */
	if (json_object_get(host, "disk_pct") != NULL)
		json_object_set_new(host, "disk_path", json_string(HOST_DISK_PATH));
	if (getloadavg(load, 3) == 3) {
		json_object_set_new(host, "load1", json_real(load[0]));
		json_object_set_new(host, "load5", json_real(load[1]));
		json_object_set_new(host, "load15", json_real(load[2]));
		if (p->store != NULL)
			store_add_metric(p->store, now, "host.load1", load[0]);
	}
	json_decref(p->host);
	p->host = host;
	p->host_at = clock_mono_ms();
}

static json_t *
publisher_actions_json(const struct publisher *p)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < p->n_actions; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "action",
		    p->actions[i].action, "outcome", p->actions[i].outcome, "count",
		    (json_int_t)p->actions[i].count));
	return list;
}

void
publisher_decorate(const struct publisher *p, json_t *status)
{
	json_t *tend = json_object_get(status, "tend");

	json_object_set_new(status, "generated_at", json_integer(clock_wall_ms()));
	json_object_set(status, "host", p->host);
	json_object_set_new(status, "heal_actions", publisher_actions_json(p));
	if (tend == NULL)
		return;
	json_object_set_new(tend, "loop_lag_ms", json_real(p->lag_ms));
	json_object_set_new(tend, "rss_bytes", json_integer(publisher_rss_bytes()));
	json_object_set_new(tend, "incidents_total", json_integer(p->incidents_total));
}

/* snap (taken) to the web server, kept to publish new results with its status. */
static void
publisher_hand_over(struct publisher *p, struct web_snapshot *snap)
{
	web_snapshot_unref(p->last);
	web_snapshot_ref(snap);
	p->last = snap;
	web_publish(p->web, snap);
}

void
publisher_publish(struct publisher *p)
{
	struct web_checks *checks;
	struct web_snapshot *snap;
	json_t *status;

	p->dirty = p->checks_dirty = false;
	p->published_at = clock_mono_ms();
	if (p->web == NULL)
		return;
	/* The table first: past its threshold, the status is made from it. */
	checks = p->checks(p->status_arg);
	status = p->status(p->status_arg);
	p->trimmed = json_is_true(json_object_get(status, "checks_trimmed"));
	publisher_decorate(p, status);
	snap = web_snapshot_build(status, checks);
	publisher_hand_over(p, snap);
	json_decref(status);
	p->build_ms = clock_mono_ms() - p->published_at;
}

/* The same status with the checks' new results: what most results change at scale. */
static void
publisher_publish_checks(struct publisher *p)
{
	p->checks_dirty = false;
	publisher_hand_over(p, web_snapshot_with_checks(p->last, p->checks(p->status_arg)));
}

static void
publisher_on_tick(uv_timer_t *timer)
{
	struct publisher *p = timer->data;
	uint64_t now = uv_hrtime();
	int64_t mono = clock_mono_ms();

	/* How late this tick came: the loop was busy for that long. */
	p->lag_ms = now > p->tick_due_ns ? (double)(now - p->tick_due_ns) / 1e6 : 0;
	p->tick_due_ns = now + p->tick_ms * 1000000;
	if (mono - p->host_at >= HOST_EVERY_MS) {
		publisher_sample_host(p);
		p->dirty = true;
	}
	if ((p->dirty || mono - p->published_at >= (p->trimmed ? PUBLISH_TRIMMED_AT_LEAST_MS :
	    PUBLISH_AT_LEAST_MS)) && mono - p->published_at >= (PUBLISH_SPACING + 1) * p->build_ms)
		publisher_publish(p);
	else if (p->checks_dirty && p->last != NULL)
		publisher_publish_checks(p);
}

struct publisher *
publisher_new(uv_loop_t *loop, struct web_server *web, struct store *st,
    publisher_status_fn status, publisher_checks_fn checks, void *arg)
{
	struct publisher *p = xcalloc(1, sizeof(*p));

	p->web = web;
	p->store = st;
	p->status = status;
	p->checks = checks;
	p->status_arg = arg;
	p->sampler = resource_sampler_new(NULL);
	publisher_sample_host(p);
	p->tick = xcalloc(1, sizeof(*p->tick));
	uv_timer_init(loop, p->tick);
	p->tick->data = p;
	p->tick_ms = web != NULL ? TICK_MS : TICK_NO_WEB_MS;
	p->tick_due_ns = uv_hrtime() + p->tick_ms * 1000000;
	uv_timer_start(p->tick, publisher_on_tick, p->tick_ms, p->tick_ms);
	return p;
}

static void
publisher_tick_closed(uv_handle_t *handle)
{
	free(handle);
}

void
publisher_free(struct publisher *p)
{
	size_t i;

	if (p == NULL)
		return;
	uv_close((uv_handle_t *)p->tick, publisher_tick_closed);
	web_snapshot_unref(p->last);
	resource_sampler_free(p->sampler);
	json_decref(p->host);
	for (i = 0; i < p->n_actions; i++) {
		free(p->actions[i].action);
		free(p->actions[i].outcome);
	}
	free(p->actions);
	free(p);
}

void
publisher_dirty(struct publisher *p)
{
	if (p != NULL)
		p->dirty = true;
}

void
publisher_checks_dirty(struct publisher *p)
{
	if (p != NULL)
		p->checks_dirty = true;
}

void
publisher_event(struct publisher *p, const char *event, const json_t *data)
{
	if (p == NULL)
		return;
	p->dirty = true;
	if (p->web != NULL)
		web_event(p->web, event, data);
}

static void
publisher_count_action(struct publisher *p, const char *action, const char *outcome)
{
	size_t i;

	for (i = 0; i < p->n_actions; i++) {
		if (strcmp(p->actions[i].action, action) == 0 &&
		    strcmp(p->actions[i].outcome, outcome) == 0) {
			p->actions[i].count++;
			return;
		}
	}
	p->actions = xrealloc(p->actions, (p->n_actions + 1) * sizeof(*p->actions));
	p->actions[p->n_actions++] = (struct action_count){ .action = xstrdup(action),
	    .outcome = xstrdup(outcome), .count = 1 };
}

void
publisher_heal_changed(struct publisher *p, const char *what, const json_t *data)
{
	json_int_t id = json_integer_value(json_object_get(data, "id"));
	const char *action = json_string_value(json_object_get(data, "action"));
	const char *outcome = json_string_value(json_object_get(data, "outcome"));

	if (p == NULL)
		return;
	if (strcmp(what, "incident") == 0 && id > p->last_incident_id) {
		/* Ids only grow: a new one is a new incident. */
		p->last_incident_id = id;
		p->incidents_total++;
	}
	if (strcmp(what, "action") == 0 && action != NULL && outcome != NULL)
		publisher_count_action(p, action, outcome);
	publisher_event(p, what, data);
}
