/*
 * What the control socket asks of the daemon (docs/cli.md's control
 * protocol): its status, a service started, stopped or restarted, the
 * healer's requests, a chaos fault on a proxy, a chaos hog counted in a
 * service's processes, a heartbeat's ping (and the web API's).
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "chaos/hog.h"
#include "checks/scheduler.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/procid.h"
#include "core/selfhealth.h"
#include "core/strv.h"
#include "daemon/change_watch.h"
#include "daemon/check_table.h"
#include "daemon/daemon_internal.h"
#include "daemon/scaling.h"
#include "daemon/proxy.h"
#include "daemon/publisher.h"
#include "heal/healer.h"
#include "supervise/supervisor.h"
#include "web/web.h"

/* A service's health: the worst of its process state and its checks. */
static enum health_state
daemon_service_health(const struct daemon *d, json_t *svc)
{
	const char *name = json_string_value(json_object_get(svc, "name"));
	const char *state = json_string_value(json_object_get(svc, "state"));
	enum health_state process = HEALTH_HEALTHY;

	if (strcmp(state, "failed") == 0)
		process = HEALTH_CRITICAL;
	else if (strcmp(state, "backoff") == 0 || strcmp(state, "starting") == 0 ||
	    strcmp(state, "waiting") == 0)
		process = HEALTH_WARNING;
	return health_state_worst(process, scheduler_service_health(d->checks, name));
}

/* The snapshot sets as configured, for views that list sets never snapshotted yet too. */
static json_t *
daemon_snapshot_sets(const struct tend_config *cfg)
{
	const struct snapshot_set_conf *s;
	json_t *sets = json_array();
	size_t i;

	for (i = 0; i < cfg->n_snapshots; i++) {
		s = &cfg->snapshots[i];
		json_array_append_new(sets, json_pack("{s:s, s:o, s:o, s:b, s:b, s:I, s:I, s:i, "
		    "s:b}", "name", s->name, "paths", strv_json(s->paths), "restart",
		    strv_json(s->restart), "watch", s->watch, "auto_rollback", s->auto_rollback,
		    "guard_window_ms", (json_int_t)s->guard_window_ms, "lkg_after_ms",
		    (json_int_t)s->lkg_after_ms, "keep", s->keep, "implicit", s->implicit));
	}
	return sets;
}

/*
 * Every check, or only those that are not healthy: ten thousand checks are
 * 12 MB of JSON, and a view of a host wants what is wrong (check_counts
 * says how many are well).
 */
static json_t *
daemon_status_checks(struct daemon *d, bool all)
{
	return all ? scheduler_status(d->checks) : scheduler_status_problems(d->checks);
}

/*
 * A service's check_counts as if all its checks were healthy ("paused" for
 * a copy scaled down, whose checks are), and their names when listed;
 * daemon_count_problems then moves the others to their states. The
 * counts, borrowed.
 */
static json_t *
daemon_service_checks(struct daemon *d, json_t *svc, bool names)
{
	const char *name = json_string_value(json_object_get(svc, "name"));
	bool parked = strcmp(json_string_value(json_object_get(svc, "state")), "parked") == 0;
	size_t n = scheduler_service_count(d->checks, name);
	json_t *counts = json_object();

	if (n > 0)
		json_object_set_new(counts, parked ? "paused" : "healthy",
		    json_integer((json_int_t)n));
	json_object_set_new(svc, "check_counts", counts);
	/* Not made to be counted: 10,000 names a status at scale. */
	if (names)
		json_object_set_new(svc, "checks", scheduler_service_checks(d->checks, name));
	return counts;
}

/* Each listed check that is not healthy (nor paused) counted in its state, not as healthy. */
static void
daemon_count_problems(json_t *by_service, const json_t *checks)
{
	const char *state, *service;
	json_t *counts;
	const json_t *c;
	size_t i;

	json_array_foreach(checks, i, c) {
		state = json_string_value(json_object_get(c, "state"));
		service = json_string_value(json_object_get(c, "service"));
		if (state == NULL || service == NULL || strcmp(state, "healthy") == 0 ||
		    strcmp(state, "paused") == 0 ||
		    (counts = json_object_get(by_service, service)) == NULL)
			continue;
		json_object_set_new(counts, "healthy", json_integer(json_integer_value(
		    json_object_get(counts, "healthy")) - 1));
		if (json_integer_value(json_object_get(counts, "healthy")) <= 0)
			json_object_del(counts, "healthy");
		json_object_set_new(counts, state, json_integer(json_integer_value(
		    json_object_get(counts, state)) + 1));
	}
}

/* Each service's check_counts as the web's table of checks has them. */
static void
daemon_table_counts(const struct check_table *table, json_t *by_service)
{
	const char *name;
	json_t *counts;

	json_object_foreach(by_service, name, counts)
		json_object_clear(counts);
	check_table_counts(table, by_service);
}

/*
 * brief: a table's services (service_status_json), without their health
 * and their checks' names and counts. table (the web's, or NULL): past
 * all_checks_up_to checks, the checks listed and counted are its, and at
 * most all_checks_up_to of those not healthy are listed, the worst first.
 */
static json_t *
daemon_status_build(struct daemon *d, size_t all_checks_up_to, bool brief,
    const struct check_table *table)
{
	const struct tend_config *cfg = supervisor_config(d->sup);
	json_t *services = supervisor_status_json(d->sup, brief), *svc, *status;
	enum health_state overall = scheduler_overall(d->checks), health;
	bool all = cfg->n_checks <= all_checks_up_to, from_table = table != NULL && !all;
	size_t i, more = 0, n_open, escalated;
	json_t *self = selfhealth_json(), *by_service = json_object();
	json_t *checks = from_table ? check_table_problems(table, all_checks_up_to, &more) :
	    daemon_status_checks(d, all);

	json_array_foreach(services, i, svc) {
		health = daemon_service_health(d, svc);
		overall = health_state_worst(overall, health);
		if (brief)	/* the table shows neither */
			continue;
		json_object_set_new(svc, "health", json_string(health_state_name(health)));
		json_object_set(by_service, json_string_value(json_object_get(svc, "name")),
		    daemon_service_checks(d, svc, all));
	}
	if (!brief && from_table)
		daemon_table_counts(table, by_service);
	else if (!brief)
		daemon_count_problems(by_service, checks);
	json_decref(by_service);
	n_open = healer_open_count(d->healer, &escalated);
	status = json_pack("{s:b, s:s, s:{s:i, s:s, s:s, s:I, s:s, s:I, s:I, s:I}, s:o, s:o}",
	    "ok", 1, "state", health_state_name(overall),
	    "tend", "pid", (int)getpid(), "version", TEND_VERSION,
	    "config", cfg->source, "uptime_ms",
	    (json_int_t)(clock_mono_ms() - d->started_ms),
	    "state_dir", d->state_dir,
	    "check_runs", (json_int_t)(d->runs_before_reload + scheduler_runs(d->checks)),
	    "open_incidents", (json_int_t)n_open, "escalated_incidents", (json_int_t)escalated,
	    "services", services,
	    "checks", checks);
	json_object_set_new(status, "check_counts", scheduler_counts(d->checks));
	json_object_set_new(status, "checks_trimmed", json_boolean(!all));
	if (!all)
		json_object_set_new(status, "checks_more", json_integer((json_int_t)more));
	json_object_set_new(status, "snapshot_sets", daemon_snapshot_sets(cfg));
	json_object_set_new(status, "groups", daemon_scale_groups(d));
	json_object_set_new(json_object_get(status, "tend"), "web_url",
	    d->web != NULL ? json_string(web_url(d->web)) : json_null());
	/* metrics.labels, {"env": "prod"}: every series of /metrics has them. */
	json_object_set_new(json_object_get(status, "tend"), "labels",
	    strv_pairs_json(cfg->metrics.labels, json_object()));
	/* tend's own health (its store, its logs) counts in the overall state. */
	if (json_array_size(json_object_get(self, "problems")) > 0)
		json_object_set_new(status, "state", json_string(health_state_name(
		    health_state_worst(overall, HEALTH_WARNING))));
	json_object_update(json_object_get(status, "tend"), self);
	json_decref(self);
	return status;
}

json_t *
daemon_status(struct daemon *d, size_t all_checks_up_to)
{
	return daemon_status_build(d, all_checks_up_to, false, NULL);
}

json_t *
daemon_web_status(struct daemon *d)
{
	return daemon_status_build(d, WEB_STATUS_ALL_CHECKS, false, d->check_table);
}

static bool
daemon_cmd_in(const char *cmd, const char *const *cmds)
{
	size_t i;

	for (i = 0; cmds[i] != NULL; i++)
		if (strcmp(cmd, cmds[i]) == 0)
			return true;
	return false;
}

static json_t *
daemon_error(const char *msg)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

/* The healer's requests: {"cmd": "ack", "id": 3}, {"cmd": "heal", "dry_run": true}, ... */
static json_t *
daemon_heal_request(struct daemon *d, const char *cmd, json_t *req)
{
	json_int_t id = json_integer_value(json_object_get(req, "id"));
	json_t *one;
	char err[256];
	int64_t n;

	/* follow_ms: how long following an incident can take (tend heal, recover). */
	if (strcmp(cmd, "heal") == 0)
		return json_pack("{s:b, s:o, s:I}", "ok", 1, "incidents",
		    healer_heal_now(d->healer, json_is_true(json_object_get(req, "dry_run"))),
		    "follow_ms", (json_int_t)healer_settle_ms(d->healer));
	if (strcmp(cmd, "incidents") == 0)
		return json_pack("{s:b, s:o}", "ok", 1, "incidents",
		    healer_incidents_json(d->healer));
	if (strcmp(cmd, "recover") == 0) {
		n = healer_recover(d->healer,
		    json_string_value(json_object_get(req, "action")),
		    json_string_value(json_object_get(req, "service")), err, sizeof(err));
		return n < 0 ? daemon_error(err) : json_pack("{s:b, s:I, s:I}", "ok", 1, "id",
		    (json_int_t)n, "follow_ms", (json_int_t)healer_settle_ms(d->healer));
	}
	if (!json_is_integer(json_object_get(req, "id")))
		return daemon_error("expected \"id\", an incident number");
	if (strcmp(cmd, "incident") == 0) {
		one = healer_incident_json(d->healer, id);
		return one == NULL ? daemon_error("no such incident in memory") :
		    json_pack("{s:b, s:o}", "ok", 1, "incident", one);
	}
	if ((strcmp(cmd, "ack") == 0 ? healer_ack(d->healer, id, err, sizeof(err)) :
	    healer_resolve(d->healer, id, err, sizeof(err))) < 0)
		return daemon_error(err);
	return json_pack("{s:b}", "ok", 1);
}

/* The control socket's requests; NULL for a command it does not know. */
/* {"cmd": "proxy", "name", "mode", "delay_ms", "duration_ms"}: a chaos fault on a proxy. */
static json_t *
daemon_proxy_request(struct daemon *d, json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "name"));
	json_int_t mode = json_integer_value(json_object_get(req, "mode"));
	json_int_t delay = json_integer_value(json_object_get(req, "delay_ms"));
	json_int_t duration = json_integer_value(json_object_get(req, "duration_ms"));
	char err[256];

	if (name == NULL || mode < PROXY_PASS || mode > PROXY_ERROR)
		return daemon_error("expected \"name\" (a proxy) and \"mode\" (0 to 3)");
	/* A day at most: a fault is an experiment's, never the proxy's new normal. */
	if (delay < 0 || duration < 0 || delay > PROXY_FAULT_MAX_MS ||
	    duration > PROXY_FAULT_MAX_MS)
		return daemon_error("\"delay_ms\" and \"duration_ms\": 0 to 86400000");
	if (proxy_set_fault(d->proxies, name, (int)mode, delay, duration, err,
	    sizeof(err)) < 0)
		return daemon_error(err);
	return json_pack("{s:b}", "ok", 1);
}

/*
 * {"cmd": "attach", "service", "pid", "start"}: a chaos memory fault's hog
 * counted as the service's own until its process ends (then killed with
 * it). Only a hog is taken — its name says so, and pid and start time must
 * still be that process — so no request makes the daemon kill a stranger.
 */
static json_t *
daemon_attach_request(struct daemon *d, json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "service"));
	json_t *start = json_object_get(req, "start");
	struct proc_info pi;
	struct proc_id id;
	char err[256];

	if (name == NULL || !json_is_integer(json_object_get(req, "pid")) ||
	    !json_is_integer(start) || json_integer_value(start) < 0)
		return daemon_error("expected \"service\", \"pid\" and \"start\"");
	id.pid = (pid_t)json_integer_value(json_object_get(req, "pid"));
	id.start = (unsigned long long)json_integer_value(start);
	if (id.pid <= 0 || proc_stat_read(id.pid, &pi) < 0 || pi.id.start != id.start ||
	    strcmp(pi.comm, CHAOS_HOG_COMM) != 0)
		return daemon_error("pid: not a chaos hog (" CHAOS_HOG_COMM ") that runs now");
	if (supervisor_attach(d->sup, name, &id, err, sizeof(err)) < 0)
		return daemon_error(err);
	log_info(name, "chaos: pid %d counted as its own until its process ends",
	    (int)id.pid);
	return json_pack("{s:b}", "ok", 1);
}

/*
 * A heartbeat's ping, from the control socket or the web API: the HTTP
 * status (200, 404 for no such check, 400 for one that is no heartbeat),
 * err set when it is not 200. Not logged but at debug: a busy heartbeat
 * is thousands a minute, and its incidents say what matters.
 */
static int
daemon_ping(struct daemon *d, const char *name, enum heartbeat_ping kind,
    const char *message, char *err, size_t len)
{
	int rc = scheduler_ping(d->checks, name, kind, message);

	if (rc == -1)
		snprintf(err, len, "no check named '%s'", name);
	else if (rc == -2)
		snprintf(err, len, "check '%s' is not a heartbeat", name);
	if (rc < 0)
		return rc == -1 ? 404 : 400;
	log_debug(NULL, "check %s: %s", name, kind == HEARTBEAT_FAIL ? "failure pinged" :
	    kind == HEARTBEAT_START ? "run start pinged" : "pinged");
	publisher_dirty(d->publisher);
	return 200;
}

/* {"cmd": "ping", "check": NAME, "kind": "ping"|"fail"|"start", "message": M} */
static json_t *
daemon_ping_request(struct daemon *d, json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "check"));
	const char *word = json_string_value(json_object_get(req, "kind"));
	json_t *message = json_object_get(req, "message");
	enum heartbeat_ping kind = HEARTBEAT_PING;
	char err[300];

	if (name == NULL || (word != NULL && heartbeat_ping_parse(word, &kind) < 0) ||
	    (message != NULL && !json_is_string(message)))
		return daemon_error("expected \"check\", \"kind\" (ping, fail or start) "
		    "and an optional \"message\" string");
	if (daemon_ping(d, name, kind, json_string_value(message), err, sizeof(err)) != 200)
		return daemon_error(err);
	return json_pack("{s:b}", "ok", 1);
}

void
daemon_web_ping(void *arg, const char *check, const char *kind, const char *message)
{
	enum heartbeat_ping k = HEARTBEAT_PING;
	char err[300];

	/* Checked by the web thread against the table of this config. */
	if (heartbeat_ping_parse(kind, &k) == 0)
		daemon_ping(arg, check, k, message, err, sizeof(err));
}

/*
 * A status request's "all_checks_up_to": past that many checks, the
 * unhealthy only; its "view": "table" asks for the services as a table
 * shows them (see service_status_json).
 */
static size_t
daemon_status_limit(json_t *req)
{
	json_t *v = json_object_get(req, "all_checks_up_to");

	return json_is_integer(v) && json_integer_value(v) >= 0 ?
	    (size_t)json_integer_value(v) : SIZE_MAX;
}

json_t *
daemon_handle_request(void *arg, json_t *req)
{
	static const char *const heal_cmds[] = { "heal", "recover", "ack", "resolve",
	    "incidents", "incident", NULL };
	static const char *const service_cmds[] = { "start", "stop", "restart", NULL };
	struct daemon *d = arg;
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	const char *name = json_string_value(json_object_get(req, "service"));
	const char *view;
	json_t *status;
	char err[256];

	if (strcmp(cmd, "status") == 0) {
		view = json_string_value(json_object_get(req, "view"));
		status = daemon_status_build(d, daemon_status_limit(req),
		    view != NULL && strcmp(view, "table") == 0, NULL);
		publisher_decorate(d->publisher, status);
		return status;
	}
	if (daemon_cmd_in(cmd, heal_cmds))
		return daemon_heal_request(d, cmd, req);
	if (strcmp(cmd, "change") == 0 || strcmp(cmd, "guard") == 0)
		return change_watch_request(d->changes, req);
	if (strcmp(cmd, "proxy") == 0)
		return daemon_proxy_request(d, req);
	if (strcmp(cmd, "attach") == 0)
		return daemon_attach_request(d, req);
	if (strcmp(cmd, "ping") == 0)
		return daemon_ping_request(d, req);
	if (strcmp(cmd, "scale") == 0)
		return daemon_scale_request(d, req);
	if (!daemon_cmd_in(cmd, service_cmds))
		return NULL;
	if (supervisor_control(d->sup, cmd, name, CONTROL_OPERATOR, err, sizeof(err)) < 0)
		return json_pack("{s:b, s:s}", "ok", 0, "error", err);
	daemon_operator_control(d, cmd, name);
	log_info(name, "%s requested over the control socket", cmd);
	return json_pack("{s:b}", "ok", 1);
}
