/*
 * Scaling a service's copies (`instances:`, `scale:`, docs/scaling.md):
 * `tend scale`, the `scale` heal action and the automatic scaling that
 * `scale: {up_when, down_when}` asks for are one path, daemon_scale().
 * The supervisor runs or parks the copies (supervise/scale.c); here the
 * checks of parked copies are paused and their incidents closed, each
 * scaling is logged and streamed, and once a second every group with
 * up_when is judged by heal/autoscale.c.
 */
#include "daemon/scaling.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/scheduler.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "daemon/check_table.h"
#include "daemon/daemon_internal.h"
#include "daemon/publisher.h"
#include "heal/autoscale.h"
#include "heal/healer.h"
#include "supervise/supervisor.h"

#define SCALING_TICK_MS	1000
/* A count or step asked for, at most: a group's copies are at most 256 (parse_instances.c). */
#define SCALING_MAX	256

struct scaling_group {
	char		*name;
	struct autoscale_memory memory;
};

struct scaling {
	struct daemon	*d;
	uv_timer_t	*timer;
	struct scaling_group *v;
	size_t		 n;
};

static struct autoscale_memory *
scaling_memory(struct scaling *sc, const char *group)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		if (strcmp(sc->v[i].name, group) == 0)
			return &sc->v[i].memory;
	sc->v = xgrow(sc->v, sc->n, sizeof(*sc->v));
	sc->v[sc->n] = (struct scaling_group){ .name = xstrdup(group) };
	return &sc->v[sc->n++].memory;
}

void
daemon_sync_parked(struct daemon *d)
{
	const struct tend_config *cfg = supervisor_config(d->sup);
	const char *state;
	size_t i;

	for (i = 0; i < cfg->n_services; i++) {
		if (cfg->services[i].instance_of == NULL)
			continue;
		state = supervisor_service_state(d->sup, cfg->services[i].name);
		scheduler_pause_service(d->checks, cfg->services[i].name,
		    state != NULL && strcmp(state, "parked") == 0);
	}
	healer_services_parked(d->healer);
	check_table_stale(d->check_table);
}

/* The group of a name: a copy's ("web" of "web@2"), else the name itself. */
static const char *
scaling_group_of(struct daemon *d, const char *name)
{
	const struct service_conf *s = config_find_service(supervisor_config(d->sup), name);

	return s != NULL && s->instance_of != NULL ? s->instance_of : name;
}

int
daemon_scale(struct daemon *d, const char *name, int count, bool relative, const char *why,
    char *msg, size_t len)
{
	const char *group = scaling_group_of(d, name);
	struct scale_conf conf;
	int was = supervisor_group_count(d->sup, group, &conf);

	if (was < 0) {
		snprintf(msg, len, "%s: not a service with instances", name);
		return -1;
	}
	if (relative) {
		count += was;
		if (count > conf.max || count < conf.min) {
			snprintf(msg, len, "%s runs %d copies, its %s: %d", group, was,
			    count > conf.max ? "max" : "min", count > conf.max ? conf.max :
			    conf.min);
			return -1;
		}
	}
	if (supervisor_scale(d->sup, group, count, why, msg, len) < 0)
		return -1;
	daemon_sync_parked(d);
	publisher_dirty(d->publisher);
	if (d->scaling != NULL)
		autoscale_note(scaling_memory(d->scaling, group), clock_mono_ms());
	snprintf(msg, len, count == was ? "%s: %d copies already" :
	    "%s: scaled from %d to %d copies", group, was, count);
	if (count != was)
		daemon_stream(d, "scale", json_pack("{s:s, s:i, s:i, s:s}", "service", group,
		    "from", was, "to", count, "why", why));
	return 0;
}

/* up_when's check on each running copy: the worst state, and whether all are healthy. */
static enum health_state
scaling_up_check(struct daemon *d, const struct scale_conf *conf, int count,
    bool *all_healthy)
{
	const struct tend_config *cfg = supervisor_config(d->sup);
	enum health_state worst = HEALTH_HEALTHY, st;
	char name[300];
	int i;

	*all_healthy = true;
	if (config_find_check(cfg, conf->up_check) != NULL) {
		st = scheduler_check_state(d->checks, conf->up_check);
		*all_healthy = st == HEALTH_HEALTHY;
		return st;
	}
	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s@%d", conf->up_check, i);
		st = scheduler_check_state(d->checks, name);
		*all_healthy &= st == HEALTH_HEALTHY;
		if (st != HEALTH_UNKNOWN)
			worst = health_state_worst(worst, st);
	}
	return worst;
}

static void
scaling_judge(struct scaling *sc, const struct service_conf *s)
{
	struct daemon *d = sc->d;
	struct scale_conf conf;
	enum health_state worst;
	bool all_healthy;
	int count = supervisor_group_count(d->sup, s->instance_of, &conf), by;
	char why[400], msg[300];

	if (count < 0 || conf.up_check == NULL)
		return;
	worst = scaling_up_check(d, &conf, count, &all_healthy);
	by = autoscale_decide(scaling_memory(sc, s->instance_of), &conf, count, worst,
	    all_healthy, clock_mono_ms());
	if (by == 0)
		return;
	if (by > 0)
		snprintf(why, sizeof(why), "auto: %s is %s", conf.up_check,
		    health_state_name(worst));
	else
		snprintf(why, sizeof(why), "auto: %s healthy on every copy for %lld s",
		    conf.up_check, (long long)(conf.down_after_ms / 1000));
	if (daemon_scale(d, s->name, by, true, why, msg, sizeof(msg)) < 0)
		log_warn(s->instance_of, "automatic scaling: %s", msg);
}

static void
scaling_tick(uv_timer_t *timer)
{
	struct scaling *sc = timer->data;
	const struct tend_config *cfg = supervisor_config(sc->d->sup);
	size_t i;

	if (sc->d->stopping || sc->d->opts->monitor_only || !cfg->heal.auto_heal ||
	    !cfg->self_healing.auto_scaling_enabled)
		return;
	for (i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].instance == 0 && cfg->services[i].instance_of != NULL &&
		    cfg->services[i].scale.present)
			scaling_judge(sc, &cfg->services[i]);
}

struct scaling *
scaling_new(struct daemon *d)
{
	struct scaling *sc = xcalloc(1, sizeof(*sc));

	sc->d = d;
	sc->timer = xcalloc(1, sizeof(*sc->timer));
	uv_timer_init(d->loop, sc->timer);
	sc->timer->data = sc;
	uv_timer_start(sc->timer, scaling_tick, SCALING_TICK_MS, SCALING_TICK_MS);
	return sc;
}

static void
scaling_timer_closed(uv_handle_t *handle)
{
	free(handle);
}

void
scaling_free(struct scaling *sc)
{
	size_t i;

	if (sc == NULL)
		return;
	uv_close((uv_handle_t *)sc->timer, scaling_timer_closed);
	for (i = 0; i < sc->n; i++)
		free(sc->v[i].name);
	free(sc->v);
	free(sc);
}

/*
 * A request's {"count": N} or {"by": N}, as the control socket and the web
 * API take it: exactly one, a whole number a group could run (a huge one
 * would wrap in an int). 0 with the scaling done and said in msg; -1 for a
 * bad request, -2 when the scaling was refused, each with why in msg.
 */
static int
scaling_asked(struct daemon *d, const char *name, const json_t *req, const char *where,
    char *msg, size_t len)
{
	json_t *count = json_object_get(req, "count"), *by = json_object_get(req, "by");
	json_int_t n = json_integer_value(json_is_integer(count) ? count : by);
	char why[64];

	if (json_is_integer(count) == json_is_integer(by) || n < -SCALING_MAX ||
	    n > SCALING_MAX) {
		snprintf(msg, len, "give one of count (copies to run) or by (copies to add "
		    "or remove), a whole number from %d to %d", -SCALING_MAX, SCALING_MAX);
		return -1;
	}
	snprintf(why, sizeof(why), "asked %s", where);
	if (daemon_scale(d, name, (int)n, !json_is_integer(count), why, msg, len) < 0)
		return -2;
	log_info(scaling_group_of(d, name), "%s (%s)", msg, why);
	return 0;
}

/* {"cmd": "scale", "service": NAME, "count": N} or {..., "by": N}; without a service, the groups. */
json_t *
daemon_scale_request(struct daemon *d, json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "service"));
	char msg[300];

	if (name == NULL)
		return json_pack("{s:b, s:o}", "ok", 1, "groups", daemon_scale_groups(d));
	if (scaling_asked(d, name, req, "over the control socket", msg, sizeof(msg)) < 0)
		return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
	return json_pack("{s:b, s:s}", "ok", 1, "message", msg);
}

json_t *
daemon_scale_groups(struct daemon *d)
{
	const struct tend_config *cfg = supervisor_config(d->sup);
	json_t *arr = json_array();
	struct scale_conf conf;
	size_t i;
	int n;

	for (i = 0; i < cfg->n_services; i++) {
		if (cfg->services[i].instance != 0 || cfg->services[i].instance_of == NULL ||
		    (n = supervisor_group_count(d->sup, cfg->services[i].instance_of,
		    &conf)) < 0)
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:i, s:i, s:i, s:b, s:s?}",
		    "service", cfg->services[i].instance_of, "running", n, "min", conf.min,
		    "max", conf.max, "auto", conf.present && conf.up_check != NULL,
		    "up_when", conf.up_check));
	}
	return arr;
}

void
daemon_operator_control(struct daemon *d, const char *cmd, const char *name)
{
	const struct tend_config *cfg = supervisor_config(d->sup);
	size_t i;

	if (!config_is_group(cfg, name)) {
		healer_operator_control(d->healer, cmd, name);
		return;
	}
	for (i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].instance_of != NULL &&
		    strcmp(cfg->services[i].instance_of, name) == 0)
			healer_operator_control(d->healer, cmd, cfg->services[i].name);
}

/* POST /api/services/NAME/scale {"count": N} or {"by": N}. */
int
daemon_web_scale(struct daemon *d, const char *name, const json_t *body, json_t **answer)
{
	char msg[300];
	int status;

	switch (scaling_asked(d, name, body, "over the web API", msg, sizeof(msg))) {
	case 0:
		*answer = json_pack("{s:b, s:s}", "ok", 1, "message", msg);
		return 200;
	case -1:
		status = 400;
		break;
	default:
		status = 409;
		break;
	}
	*answer = json_pack("{s:b, s:i, s:s}", "ok", 0, "status", status, "error", msg);
	return status;
}
