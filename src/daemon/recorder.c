#include "daemon/recorder.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "checks/scheduler.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/store.h"

/* Often enough that history is current, rarely enough to batch the writes. */
#define RECORDER_FLUSH_MS	250
/*
 * While nothing comes to write, the tick slows to this: an idle daemon is
 * not woken four times a second for nothing. The recorder's own rows bring
 * the fast tick back at once; others' (the healer's, the alerter's) wait
 * at most this long.
 */
#define RECORDER_IDLE_MS	1000
/*
 * The loop is held this long at most by a flush, and again by a slice of
 * roll-ups and retention; while rows or a pass remain, the next comes
 * after RECORDER_AGAIN_MS, so that the rest of the loop goes on between.
 */
#define RECORDER_BUDGET_MS	2
#define RECORDER_AGAIN_MS	5

struct recorder {
	struct store	*store;
	json_t		*versions;	/* "check\tdependency" -> the last version seen */
	uv_timer_t	 timer;
};

static void
recorder_flush(uv_timer_t *timer)
{
	struct recorder *rec = timer->data;
	uint64_t every = store_pending(rec->store) > 0 ? RECORDER_FLUSH_MS : RECORDER_IDLE_MS;
	bool more;

	/* Also when nothing is queued: a store that would not open tries again. */
	more = store_flush_within(rec->store, RECORDER_BUDGET_MS) >= 0 &&
	    store_pending(rec->store) > 0;
	if (store_maintain_step(rec->store, clock_wall_ms(), &store_default_retention,
	    RECORDER_BUDGET_MS) == 1)
		more = true;
	uv_timer_start(&rec->timer, recorder_flush, more ? RECORDER_AGAIN_MS : every, every);
}

/* Rows are coming: the fast tick, if it had slowed down. */
static void
recorder_busy(struct recorder *rec)
{
	if (uv_timer_get_repeat(&rec->timer) != RECORDER_FLUSH_MS)
		uv_timer_start(&rec->timer, recorder_flush, RECORDER_FLUSH_MS,
		    RECORDER_FLUSH_MS);
}

static void
recorder_load_version(void *arg, const char *check, const char *dependency,
    const char *version)
{
	char key[512];

	snprintf(key, sizeof(key), "%s\t%s", check, dependency);
	json_object_set_new(arg, key, json_string(version ? version : ""));
}

struct recorder *
recorder_open(uv_loop_t *loop, struct statedir *sd)
{
	struct store *st = store_open_state(sd);
	struct recorder *rec;

	store_use_writer(st);
	rec = xcalloc(1, sizeof(*rec));
	rec->store = st;
	rec->versions = json_object();
	store_each_dependency_version(st, recorder_load_version, rec->versions);
	uv_timer_init(loop, &rec->timer);
	rec->timer.data = rec;
	uv_timer_start(&rec->timer, recorder_flush, RECORDER_FLUSH_MS, RECORDER_FLUSH_MS);
	return rec;
}

static void
recorder_closed(uv_handle_t *handle)
{
	struct recorder *rec = handle->data;

	json_decref(rec->versions);
	free(rec);
}

void
recorder_close(struct recorder *rec)
{
	if (rec == NULL)
		return;
	store_close(rec->store);
	rec->store = NULL;
	uv_close((uv_handle_t *)&rec->timer, recorder_closed);
}

/* A row in dependency_changes for each dependency whose version moved. */
static void
recorder_versions(struct recorder *rec, int64_t now, const char *check, json_t *versions)
{
	const char *dep, *old;
	char key[512];
	json_t *v;

	json_object_foreach(versions, dep, v) {
		snprintf(key, sizeof(key), "%s\t%s", check, dep);
		old = json_string_value(json_object_get(rec->versions, key));
		if (old != NULL && strcmp(old, json_string_value(v)) == 0)
			continue;
		store_add_dependency_change(rec->store, now, check, dep, old,
		    json_string_value(v));
		if (old != NULL)
			log_info(NULL, "check %s: %s changed from %s to %s", check, dep, old,
			    json_string_value(v));
		json_object_set(rec->versions, key, v);
	}
}

static void
recorder_result(void *arg, const struct check_conf *conf, const struct check_result *r,
    enum health_state tracked)
{
	struct recorder *rec = arg;
	int64_t now = clock_wall_ms();
	char series[512];
	size_t i;

	recorder_busy(rec);
	store_add_check_result(rec->store, now, conf->name, conf->service, r->state,
	    r->latency_ms, r->message);
	snprintf(series, sizeof(series), "check.%s.latency_ms", conf->name);
	store_add_metric(rec->store, now, series, r->latency_ms);
	for (i = 0; i < r->n_perf; i++) {
		/*
		 * Unknown (a Nagios U) is no sample: a gap in the series. The http
		 * and tcp checks' `time` is the latency again: one row, not two.
		 * A value the last sample's said is in the store already (written
		 * at most 30 s ago: scheduled_mark_repeats).
		 */
		if (isnan(r->perf[i].value) || check_result_metric_is_latency(r, i) ||
		    check_result_metric_is_repeated(r, i))
			continue;
		snprintf(series, sizeof(series), "check.%s.%s", conf->name, r->perf[i].label);
		store_add_metric(rec->store, now, series, r->perf[i].value);
	}
	if (r->versions != NULL)
		recorder_versions(rec, now, conf->name, r->versions);
}

static void
recorder_check_changed(void *arg, const struct check_conf *conf, enum health_state from,
    enum health_state to, const struct check_result *r)
{
	struct recorder *rec = arg;

	recorder_busy(rec);
	store_add_state_change(rec->store, clock_wall_ms(), "check", conf->name,
	    conf->service, health_state_name(from), health_state_name(to), r->message);
}

void
recorder_service_changed(void *arg, const char *service, const char *from,
    const char *to, const char *reason)
{
	struct recorder *rec = arg;

	if (rec == NULL)
		return;
	recorder_busy(rec);
	store_add_state_change(rec->store, clock_wall_ms(), "service", service, service,
	    from, to, reason);
}

void
recorder_watch_checks(struct recorder *rec, struct scheduler *checks)
{
	if (rec == NULL || checks == NULL)
		return;
	scheduler_on_sample(checks, recorder_result, rec);
	scheduler_subscribe(checks, recorder_check_changed, rec);
}

struct store *
recorder_store(struct recorder *rec)
{
	return rec != NULL ? rec->store : NULL;
}
