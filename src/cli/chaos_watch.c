/*
 * What the daemon says of a chaos experiment: its status (a service up,
 * ready and healthy as the same process; the checks that watch a fault of
 * the host or a path), asked every CHAOS_POLL_MS while a fault lasts, and
 * its incidents — from which tend chaos measures detection and recovery.
 */
#include <stdio.h>
#include <string.h>

#include "cli/chaos_run.h"
#include "config/config.h"
#include "core/strv.h"

/* What a fault is of: its service, its path, or the host. */
const char *
chaos_subject(const struct chaos_experiment *x)
{
	if (CHAOS_OF_SERVICE(x->fault, x->target))
		return x->target;
	if (x->fault == CHAOS_CONFIG)
		return x->set;
	if (x->fault == CHAOS_PROXY)
		return x->proxy;
	return x->fault == CHAOS_FILL_DISK ? x->path : "host";
}

/* The daemon's view of service name in a status document, or NULL. */
static json_t *
status_service(json_t *status, const char *name)
{
	json_t *svc;
	size_t i;

	json_array_foreach(json_object_get(status, "services"), i, svc)
		if (strcmp(json_string_value(json_object_get(svc, "name")), name) == 0)
			return svc;
	return NULL;
}

static bool
service_well(json_t *svc)
{
	const char *state = json_string_value(json_object_get(svc, "state"));
	const char *health = json_string_value(json_object_get(svc, "health"));

	return svc != NULL && state != NULL && strcmp(state, "up") == 0 &&
	    json_is_true(json_object_get(svc, "ready")) && health != NULL &&
	    strcmp(health, "healthy") == 0;
}

/* Every service up, ready and healthy, and every check healthy: nothing to heal. */
static bool
all_well(json_t *status)
{
	const char *state;
	json_t *svc, *ck;
	size_t i;

	json_array_foreach(json_object_get(status, "services"), i, svc)
		if (!service_well(svc))
			return false;
	json_array_foreach(json_object_get(status, "checks"), i, ck) {
		state = json_string_value(json_object_get(ck, "state"));
		if (state != NULL && (strcmp(state, "warning") == 0 ||
		    strcmp(state, "critical") == 0))
			return false;
	}
	return true;
}

/*
 * Whether check ck watches what a fault of the host or a path does: a
 * disk check of the filled path, a cpu or memory check for a hog.
 */
static bool
check_watches(const struct chaos_experiment *x, const struct check_conf *ck)
{
	if (ck->type != CHECK_RESOURCE)
		return false;
	switch (x->fault) {
	case CHAOS_FILL_DISK:
		return ck->metric == RESOURCE_DISK && ck->path != NULL && x->path != NULL &&
		    strcmp(ck->path, x->path) == 0;
	case CHAOS_CPU:
		return ck->metric == RESOURCE_CPU || ck->metric == RESOURCE_LOAD;
	case CHAOS_MEMORY:
		return ck->metric == RESOURCE_MEMORY || ck->metric == RESOURCE_SWAP;
	default:
		return false;
	}
}

/* No check watching a fault of the host or a path is warning or critical in status. */
static bool
watchers_well(const struct chaos_cli *c, const struct chaos_experiment *x, json_t *status)
{
	const char *name, *state;
	json_t *ck;
	size_t i, k;

	for (i = 0; i < c->cfg->n_checks; i++) {
		if (!check_watches(x, &c->cfg->checks[i]))
			continue;
		json_array_foreach(json_object_get(status, "checks"), k, ck) {
			name = json_string_value(json_object_get(ck, "name"));
			state = json_string_value(json_object_get(ck, "state"));
			/* unknown: not measured yet (a cpu check's first sample), no alarm */
			if (name != NULL && strcmp(name, c->cfg->checks[i].name) == 0 &&
			    state != NULL && (strcmp(state, "warning") == 0 ||
			    strcmp(state, "critical") == 0))
				return false;
		}
	}
	return true;
}

/* Restarts of every service, by name, in a status document (a new reference). */
static json_t *
restart_counts(json_t *status)
{
	json_t *counts = json_object(), *svc;
	size_t i;

	json_array_foreach(json_object_get(status, "services"), i, svc)
		json_object_set(counts, json_string_value(json_object_get(svc, "name")),
		    json_object_get(svc, "restarts"));
	return counts;
}

void
chaos_dependents(struct chaos_cli *c, const struct chaos_experiment *x, json_t *before,
    struct chaos_seen *seen)
{
	json_t *status = cli_call(&c->opts, json_pack("{s:s}", "cmd", "status")), *after;
	const struct service_conf *svc;
	size_t i;

	after = status != NULL ? restart_counts(status) : json_object();
	for (i = 0; i < c->cfg->n_services; i++) {
		svc = &c->cfg->services[i];
		if (x->target != NULL && strv_contains(svc->depends_on, x->target) &&
		    json_integer_value(json_object_get(after, svc->name)) !=
		    json_integer_value(json_object_get(before, svc->name)))
			snprintf(seen->restarted, sizeof(seen->restarted), "%s", svc->name);
	}
	json_decref(after);
	json_decref(status);
}

/*
 * The blast radius: the target must be well, and (without --force)
 * nothing else may be critical — a fault on top of a fault measures neither.
 */
static bool
may_run(struct chaos_cli *c, const struct chaos_experiment *x, json_t *status,
    char *why, size_t whylen)
{
	json_t *svc;
	size_t i;

	if (CHAOS_OF_SERVICE(x->fault, x->target) &&
	    !service_well(status_service(status, x->target))) {
		snprintf(why, whylen, "%s is not up and healthy now", x->target);
		return false;
	}
	if ((x->fault == CHAOS_CONFIG || x->fault == CHAOS_PROXY) && !all_well(status)) {
		snprintf(why, whylen, "something is not up and healthy now");
		return false;
	}
	if (!CHAOS_OF_SERVICE(x->fault, x->target) && !watchers_well(c, x, status)) {
		snprintf(why, whylen, "a check that watches this fault is not healthy now");
		return false;
	}
	if (c->force)
		return true;
	json_array_foreach(json_object_get(status, "services"), i, svc)
		if (!service_well(svc)) {
			snprintf(why, whylen, "%s is not up and healthy (--force runs anyway)",
			    json_string_value(json_object_get(svc, "name")));
			return false;
		}
	return true;
}

/* Whether an incident's service (for a fault of the host or a path, target) is the fault's. */
static bool
incident_of(const struct chaos_cli *c, const struct chaos_experiment *x, const char *name)
{
	const struct check_conf *ck;

	if (CHAOS_OF_SERVICE(x->fault, x->target))
		return strcmp(name, x->target) == 0;
	if (x->fault == CHAOS_CONFIG || x->fault == CHAOS_PROXY)
		return true;	/* whatever the fault broke (nothing was failing before) */
	ck = config_find_check(c->cfg, name);
	return ck != NULL && check_watches(x, ck);
}

void
chaos_incident(struct chaos_cli *c, const struct chaos_experiment *x, int64_t since_wall,
    struct chaos_seen *seen)
{
	json_t *answer = cli_call(&c->opts, json_pack("{s:s}", "cmd", "incidents")), *inc;
	const char *phase, *service, *cause;
	size_t i;

	json_array_foreach(json_object_get(answer, "incidents"), i, inc) {
		service = json_string_value(json_object_get(inc, CHAOS_OF_SERVICE(x->fault, x->target) ?
		    "service" : "target"));
		if (service == NULL || !incident_of(c, x, service) ||
		    json_integer_value(json_object_get(inc, "detected_at")) < since_wall)
			continue;
		seen->incident = json_integer_value(json_object_get(inc, "id"));
		phase = json_string_value(json_object_get(inc, "phase"));
		seen->escalated |= phase != NULL && strcmp(phase, "escalated") == 0;
		if ((cause = json_string_value(json_object_get(inc, "root_cause"))) != NULL)
			snprintf(seen->root_cause, sizeof(seen->root_cause), "%s", cause);
	}
	json_decref(answer);
}

/*
 * Waits for tend to see the fault and to put it right: detected when the
 * target is no longer up, ready and healthy as the same process; healed
 * when it is all three again (a new process, but for a hang resumed).
 * A hang lasts `duration` unless healed first.
 */
void
chaos_watch(struct chaos_cli *c, const struct chaos_experiment *x,
    const struct chaos_injected *f, double t0, struct chaos_seen *seen)
{
	json_t *status, *svc;
	char hash[65];
	bool well, same;
	double t;

	for (;;) {
		t = chaos_now_ms() - t0;
		if (chaos_stop_asked || t > (double)x->timeout_ms)
			return;
		/* Not healed within the fault's duration: undone by the caller. */
		if (f->fault != CHAOS_KILL && f->fault != CHAOS_STOP && seen->healed_ms < 0 &&
		    t >= (double)x->duration_ms)
			return;
		status = cli_call(&c->opts, json_pack("{s:s}", "cmd", "status"));
		if (CHAOS_OF_SERVICE(x->fault, x->target)) {
			svc = status != NULL ? status_service(status, x->target) : NULL;
			well = service_well(svc);
			same = svc != NULL && json_integer_value(json_object_get(svc, "pid")) ==
			    f->proc.pid;
		} else if (x->fault == CHAOS_PROXY) {
			/* What goes through the proxy fails: healed only if it passes again. */
			well = status != NULL && all_well(status);
			same = true;
		} else if (x->fault == CHAOS_CONFIG) {
			/* Healed: the file as it was (rolled back by tend), and all well. */
			well = status != NULL && all_well(status) &&
			    chaos_file_hash(f, hash) == 0 && strcmp(hash, f->file_hash) == 0;
			same = true;
		} else {
			well = status != NULL && watchers_well(c, x, status);
			same = true;
		}
		json_decref(status);
		if (seen->detected_ms < 0 && (!well || (f->fault == CHAOS_KILL && !same)))
			seen->detected_ms = chaos_now_ms() - t0;
		if (seen->detected_ms >= 0 && well && (f->fault != CHAOS_KILL || !same)) {
			seen->healed_ms = chaos_now_ms() - t0;
			return;
		}
		chaos_sleep_ms(CHAOS_POLL_MS);
	}
}

void
chaos_settle(struct chaos_cli *c, const struct chaos_experiment *x, double t0)
{
	json_t *status;
	bool well;

	while (!chaos_stop_asked && chaos_now_ms() - t0 < (double)x->timeout_ms) {
		status = cli_call(&c->opts, json_pack("{s:s}", "cmd", "status"));
		well = status != NULL && (CHAOS_OF_SERVICE(x->fault, x->target) ?
		    service_well(status_service(status, x->target)) : x->fault == CHAOS_CONFIG ||
		    x->fault == CHAOS_PROXY ? all_well(status) : watchers_well(c, x, status));
		json_decref(status);
		if (well)
			return;
		chaos_sleep_ms(CHAOS_POLL_MS * 10);
	}
}

bool
chaos_may_run(struct chaos_cli *c, const struct chaos_experiment *x, char *why,
    size_t whylen, json_t **restarts)
{
	json_t *status = cli_call(&c->opts, json_pack("{s:s}", "cmd", "status"));
	bool ok;

	if (status == NULL) {
		snprintf(why, whylen, "the daemon does not answer");
		*restarts = json_object();
		return false;
	}
	ok = may_run(c, x, status, why, whylen);
	*restarts = restart_counts(status);
	json_decref(status);
	return ok;
}

pid_t
chaos_service_pid(struct chaos_cli *c, const char *name)
{
	json_t *status = cli_call(&c->opts, json_pack("{s:s}", "cmd", "status"));
	pid_t pid = (pid_t)json_integer_value(json_object_get(status_service(status, name),
	    "pid"));

	json_decref(status);
	return pid;
}
