#include "heal/healer_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check_log.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/strv.h"
#include "diagnose/classify.h"
#include "diagnose/rootcause.h"
#include "heal/learning.h"
#include "store/store.h"

/* The way in and out: see struct healer's depth. */

void
healer_enter(struct healer *h)
{
	h->depth++;
}


void
healer_leave(struct healer *h)
{
	struct incident *inc;

	if (--h->depth > 0)
		return;
	while ((inc = h->closing) != NULL) {
		h->closing = inc->next;
		incident_free(inc);
	}
}


/* Configuration lookups. */

long
check_index(const struct healer *h, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < h->cfg->n_checks; i++)
		if (strcmp(h->cfg->checks[i].name, name) == 0)
			return (long)i;
	return -1;
}



const char *
watch_message(const struct watch *w)
{
	return w->message != NULL ? w->message : "";
}

static void
healer_free_watch(struct healer *h)
{
	size_t i;

	for (i = 0; h->watch != NULL && i < h->n_watch; i++)
		free(h->watch[i].message);
	free(h->watch);
	h->watch = NULL;
	h->n_watch = 0;
}

struct watch *
watch_of(const struct healer *h, const char *check)
{
	long i = check_index(h, check);

	return i < 0 ? NULL : &h->watch[i];
}


bool
healer_auto(const struct healer *h)
{
	return h->cfg->heal.auto_heal && !h->monitor_only;
}


bool
incident_is_open(const struct incident *inc)
{
	return inc->phase != PHASE_RESOLVED && inc->phase != PHASE_MERGED &&
	    inc->phase != PHASE_INTERRUPTED;
}


/* The open incident a check already belongs to, as a target, check or symptom. */
struct incident *
incident_covering(const struct healer *h, const char *check)
{
	struct incident *inc;

	for (inc = h->open; inc != NULL; inc = inc->next)
		if (incident_is_open(inc) && (strcmp(inc->target, check) == 0 ||
		    strv_contains(inc->checks, check) || strv_contains(inc->symptoms, check)))
			return inc;
	return NULL;
}


/*
 * The open incident a new failure of `service` belongs to: one of the same
 * service, or of a service it depends on (the deepest such). NULL for a
 * host check, which only joins an incident of its own.
 */
struct incident *
incident_for_service(const struct healer *h, const char *service)
{
	struct incident *inc, *best = NULL;

	if (service == NULL)
		return NULL;
	for (inc = h->open; inc != NULL; inc = inc->next) {
		if (!incident_is_open(inc) || inc->service == NULL ||
		    strcmp(inc->error_type, "manual") == 0)
			continue;
		if (strcmp(inc->service, service) != 0 &&
		    !dep_closure_depends(h->deps, service, inc->service))
			continue;
		if (best == NULL || dep_closure_depends(h->deps, best->service, inc->service))
			best = inc;
	}
	return best;
}


static struct incident *
incident_by_id(const struct healer *h, int64_t id)
{
	struct incident *inc;

	for (inc = h->open; inc != NULL; inc = inc->next)
		if (inc->id == id)
			return inc;
	return NULL;
}


/*
 * The ids of the open incidents, newest first. Working on one incident can
 * close others (a merge), so loops go by id and look each one up again.
 */
static int64_t *
healer_open_ids(const struct healer *h, size_t *n)
{
	const struct incident *inc;
	int64_t *ids;

	*n = 0;
	for (inc = h->open; inc != NULL; inc = inc->next)
		(*n)++;
	ids = xcalloc(*n + 1, sizeof(*ids));
	*n = 0;
	for (inc = h->open; inc != NULL; inc = inc->next)
		ids[(*n)++] = inc->id;
	return ids;
}


/* Incidents: opening. */

static enum failure_category
healer_classify(const struct healer *h, const struct check_conf *conf,
    const char *message, char *why, size_t len)
{
	if (conf != NULL && conf->type == CHECK_RESOURCE) {
		snprintf(why, len, "a %s threshold", conf->path && (conf->metric ==
		    RESOURCE_DISK || conf->metric == RESOURCE_INODES) ? "disk" : "resource");
		return FAILURE_RESOURCE;
	}
	if (conf != NULL && conf->type == CHECK_DEPS) {
		snprintf(why, len, "a deps check");
		return FAILURE_DEPENDENCY;
	}
	/* A log check: what the line says, not the counts before it. */
	if (conf != NULL && conf->type == CHECK_LOG && message != NULL &&
	    strstr(message, CHECK_LOG_LAST) != NULL)
		message = strstr(message, CHECK_LOG_LAST) + strlen(CHECK_LOG_LAST);
	return classify_failure(h->classifier, -1, 0, false, message, why, len);
}


int64_t
healer_next_id(struct healer *h)
{
	static int64_t memory_only;

	return h->store != NULL ? store_incident_new_id(h->store) : ++memory_only;
}


/*
 * Opens an incident for a failing check (service may be NULL). Returns its
 * id: by then it may already have been merged into a dependency's.
 */
int64_t
healer_open_for_check(struct healer *h, const struct check_conf *conf,
    const struct watch *w, bool requested)
{
	enum failure_category category;
	struct incident *inc;
	char why[256];
	int64_t id;

	category = healer_classify(h, conf, watch_message(w), why, sizeof(why));
	inc = incident_new(h, 0, conf->name, conf->service, "check", category,
	    w->tracked == HEALTH_HEALTHY || w->tracked == HEALTH_UNKNOWN ? w->raw : w->tracked);
	inc->requested = requested;
	inc->checks = strv_push(NULL, conf->name);
	if (w->healthy_wall > 0)
		inc->mttd_ms = inc->detected_wall - w->healthy_wall;
	snprintf(inc->diagnosis, sizeof(inc->diagnosis), "check %s: %s", conf->name,
	    watch_message(w));
	incident_note_category(inc, why);
	id = inc->id;
	incident_start(inc);
	return id;
}


static void
healer_tick(uv_timer_t *timer)
{
	struct healer *h = timer->data;
	struct incident *inc;
	int64_t now = clock_mono_ms(), *ids;
	size_t i, n;

	healer_enter(h);
	ids = healer_open_ids(h, &n);
	/* Nothing open, nothing to time: incident_new starts the tick again. */
	if (n == 0)
		uv_timer_stop(h->tick);
	for (i = 0; i < n; i++) {
		if ((inc = incident_by_id(h, ids[i])) == NULL)
			continue;
		/* Escalation is for healing that does not work, not for waiting. */
		if (inc->phase != PHASE_ESCALATED && inc->phase != PHASE_MONITORING &&
		    inc->phase != PHASE_HELD &&
		    now - inc->detected_mono >= h->cfg->heal.escalation_timeout_ms) {
			incident_escalate(inc, "escalation_timeout passed");
			continue;
		}
		incident_timer_tick(inc);
	}
	free(ids);
	healer_leave(h);
}

void
healer_tick_start(struct healer *h)
{
	if (h->tick != NULL && !uv_is_active((uv_handle_t *)h->tick))
		uv_timer_start(h->tick, healer_tick, HEALER_TICK_MS, HEALER_TICK_MS);
}


/* The interface. */

static void
healer_load_learning(void *arg, const char *category, const char *action,
    int attempts, int successes)
{
	learning_add(arg, category, action, attempts, successes);
}


static void
healer_apply_config(struct healer *h, const struct tend_config *cfg)
{
	char err[256];
	size_t i;

	h->cfg = cfg;
	classifier_free(h->classifier);
	h->classifier = classifier_new();
	for (i = 0; i < cfg->n_classify; i++)
		if (classifier_add_rule(h->classifier, cfg->classify[i].name, cfg->classify[i].match,
		    (enum failure_category)failure_category_from_name(cfg->classify[i].category),
		    err, sizeof(err)) < 0)
			log_warn(NULL, "classify: %s", err);
	dep_closure_free(h->deps);
	h->deps = dep_closure_new(cfg);
	healer_free_watch(h);
	h->watch = xcalloc(cfg->n_checks + 1, sizeof(*h->watch));
	h->n_watch = cfg->n_checks;
	for (i = 0; i < cfg->n_checks; i++) {
		h->watch[i].tracked = HEALTH_UNKNOWN;
		h->watch[i].raw = HEALTH_UNKNOWN;
	}
}


struct healer *
healer_new(uv_loop_t *loop, const struct tend_config *cfg, struct store *st,
    const struct heal_ops *ops, bool monitor_only)
{
	struct healer *h = xcalloc(1, sizeof(*h));

	h->loop = loop;
	h->store = st;
	h->ops = *ops;
	h->monitor_only = monitor_only;
	h->learning = learning_new();
	h->closed = json_array();
	healer_apply_config(h, cfg);
	if (st != NULL)
		store_each_procedure(st, healer_load_learning, h->learning);
	h->tick = xcalloc(1, sizeof(*h->tick));
	uv_timer_init(loop, h->tick);
	h->tick->data = h;
	if (monitor_only || !cfg->heal.auto_heal)
		log_info(NULL, "auto-heal is off: failures are recorded and alerted, "
		    "never acted on");
	return h;
}


void
healer_set_config(struct healer *h, const struct tend_config *cfg)
{
	struct incident *inc;
	int64_t *ids;
	size_t i, n;

	/* Plans point into the old config: incidents in flight end here. */
	healer_enter(h);
	ids = healer_open_ids(h, &n);
	for (i = 0; i < n; i++) {
		if ((inc = incident_by_id(h, ids[i])) == NULL)
			continue;
		/* A failure that lasts opens a new incident, planned from the new config. */
		if (inc->phase == PHASE_ACTING || inc->phase == PHASE_VERIFYING ||
		    inc->phase == PHASE_COOLDOWN || inc->phase == PHASE_DIAGNOSING) {
			incident_close(inc, PHASE_INTERRUPTED, "interrupted: config reloaded");
			continue;
		}
		heal_steps_clear(&inc->steps);
		inc->current = NULL;
	}
	free(ids);
	healer_apply_config(h, cfg);
	healer_close_orphans(h);
	healer_leave(h);
}


static void
healer_tick_closed(uv_handle_t *handle)
{
	free(handle);
}


void
healer_free(struct healer *h)
{
	struct incident *inc, *next;
	size_t i;

	if (h == NULL)
		return;
	for (inc = h->open; inc != NULL; inc = next) {
		next = inc->next;
		if (inc->run != NULL)
			action_detach(inc->run);
		incident_free(inc);
	}
	for (inc = h->closing; inc != NULL; inc = next) {
		next = inc->next;
		incident_free(inc);
	}
	uv_close((uv_handle_t *)h->tick, healer_tick_closed);
	for (i = 0; i < h->n_ends; i++)
		free(h->ends[i].target);
	free(h->ends);
	strv_free(h->stopped);
	json_decref(h->closed);
	classifier_free(h->classifier);
	dep_closure_free(h->deps);
	learning_free(h->learning);
	healer_free_watch(h);
	free(h);
}


static bool
state_is_failing(enum health_state s, const struct check_conf *conf)
{
	/* A warning is an incident only where the config says what to do about it. */
	return s == HEALTH_CRITICAL || (s == HEALTH_WARNING && conf->heal.present &&
	    conf->heal.n > 0);
}


/*
 * A service that is starting, backing off or stopping is the supervisor's
 * business: its checks fail for a reason already being handled.
 */
static bool
healer_service_settled(const struct healer *h, const char *service)
{
	const char *state;

	if (service == NULL || h->ops.service_state == NULL)
		return true;
	state = h->ops.service_state(h->ops.arg, service);
	return state == NULL || strcmp(state, "up") == 0;
}


static void
healer_on_result(struct healer *h, const struct check_conf *conf,
    const struct check_result *r, enum health_state tracked)
{
	long idx = conf - h->cfg->checks;
	struct incident *inc, *owner;
	struct watch *w;
	int64_t *ids;
	size_t i, n;

	if (idx < 0 || (size_t)idx >= h->cfg->n_checks || &h->cfg->checks[idx] != conf) {
		idx = check_index(h, conf->name);
		if (idx < 0)
			return;		/* a check of a config being replaced */
		conf = &h->cfg->checks[idx];
	}
	w = &h->watch[idx];
	w->raw = r->state;
	w->tracked = tracked;
	w->result_mono = clock_mono_ms();
	/* Held at its length: ten thousand checks' messages, not 512 bytes each. */
	if (w->message == NULL || strcmp(w->message, r->message) != 0) {
		free(w->message);
		w->message = xstrdup(r->message);
	}
	if (r->state == HEALTH_HEALTHY)
		w->healthy_wall = clock_wall_ms();

	ids = h->open != NULL ? healer_open_ids(h, &n) : NULL;
	for (i = 0; ids != NULL && i < n; i++) {
		if ((inc = incident_by_id(h, ids[i])) == NULL)
			continue;
		if (inc->phase == PHASE_VERIFYING && strv_contains(inc->checks, conf->name))
			incident_verify(inc, false);
		else if (inc->phase == PHASE_DIAGNOSING && conf->service != NULL &&
		    inc->service != NULL && dep_closure_depends(h->deps, inc->service,
		    conf->service))
			incident_diagnose(inc);	/* a probe of a dependency answered */
		else if ((inc->phase == PHASE_ESCALATED || inc->phase == PHASE_MONITORING ||
		    inc->phase == PHASE_COOLDOWN || inc->phase == PHASE_HELD) &&
		    strv_contains(inc->checks, conf->name) && incident_recovered(inc))
			incident_close(inc, PHASE_RESOLVED, inc->phase == PHASE_ESCALATED &&
			    inc->acked ? "recovered (acked)" : "recovered by itself");
	}
	free(ids);
	if (!state_is_failing(tracked, conf) || incident_covering(h, conf->name) != NULL ||
	    !healer_service_settled(h, conf->service))
		return;
	owner = incident_for_service(h, conf->service);
	if (owner != NULL) {
		/* Another failure of the same service, or of one it depends on. */
		if (owner->service != NULL && conf->service != NULL &&
		    strcmp(owner->service, conf->service) == 0)
			owner->checks = strv_push(owner->checks, conf->name);
		else
			owner->symptoms = strv_push(owner->symptoms, conf->name);
		incident_note(owner, "%s also fails: %s", conf->name, r->message);
		incident_write(owner);
		return;
	}
	healer_open_for_check(h, conf, w, false);
}


void
healer_check_result(struct healer *h, const struct check_conf *conf,
    const struct check_result *r, enum health_state tracked)
{
	healer_enter(h);
	healer_on_result(h, conf, r, tracked);
	healer_leave(h);
}


static void
healer_on_service(struct healer *h, const char *service, const char *to,
    const char *reason)
{
	struct incident *inc;
	enum failure_category category;
	int64_t *ids;
	char why[256];
	size_t i, n;

	ids = healer_open_ids(h, &n);
	for (i = 0; i < n; i++) {
		if ((inc = incident_by_id(h, ids[i])) == NULL || inc->service == NULL ||
		    strcmp(inc->service, service) != 0)
			continue;
		/* Back up after a restart: verify at once rather than at the next tick. */
		if (inc->phase == PHASE_VERIFYING && strcmp(to, "up") == 0) {
			inc->last_rerun = clock_mono_ms();
			incident_rerun_checks(inc);
		}
		if (strcmp(inc->error_type, "service") != 0)
			continue;
		if (inc->phase == PHASE_VERIFYING)
			incident_verify(inc, false);
		else if ((inc->phase == PHASE_ESCALATED || inc->phase == PHASE_MONITORING ||
		    inc->phase == PHASE_HELD) && incident_recovered(inc))
			incident_close(inc, PHASE_RESOLVED, "recovered by itself");
	}
	free(ids);
	if (strcmp(to, "failed") != 0)
		return;
	for (inc = h->open; inc != NULL; inc = inc->next)
		if (incident_is_open(inc) && inc->service != NULL &&
		    strcmp(inc->service, service) == 0 &&
		    strcmp(inc->error_type, "service") == 0)
			return;
	category = classify_failure(h->classifier, -1, 0, false, reason, why, sizeof(why));
	if (category == FAILURE_UNKNOWN) {
		category = FAILURE_CRASH;
		snprintf(why, sizeof(why), "it gave up after crashing in a loop");
	}
	inc = incident_new(h, 0, service, service, "service", category, HEALTH_CRITICAL);
	snprintf(inc->diagnosis, sizeof(inc->diagnosis), "service %s gave up: %s",
	    service, reason ? reason : "");
	incident_note_category(inc, why);
	incident_start(inc);
}


void
healer_service_state(struct healer *h, const char *service, const char *to,
    const char *reason)
{
	healer_enter(h);
	healer_on_service(h, service, to, reason);
	healer_leave(h);
}


/* Adds an incident's JSON once (a merge makes two failures one incident). */
static void
healer_append_incident(const struct healer *h, json_t *out, int64_t id)
{
	json_t *o = healer_incident_json(h, id), *seen;
	const struct incident *root;
	const char *root_cause;
	size_t i;

	if (o == NULL)
		return;
	/* Merged into a deeper one: report that one instead. */
	root_cause = json_string_value(json_object_get(o, "root_cause"));
	if (strcmp(json_string_value(json_object_get(o, "phase")), "merged") == 0 &&
	    root_cause != NULL && (root = incident_covering(h, root_cause)) != NULL) {
		json_decref(o);
		o = incident_json(root);
	}
	json_array_foreach(out, i, seen)
		if (json_equal(json_object_get(seen, "id"), json_object_get(o, "id"))) {
			json_decref(o);
			return;
		}
	json_array_append_new(out, o);
}


static json_t *
healer_heal_failing(struct healer *h, bool dry_run)
{
	json_t *out = json_array();
	struct heal_steps steps;
	const struct check_conf *c;
	struct incident *inc;
	enum failure_category category;
	char why[256];
	json_t *plan;
	size_t i, j;
	int64_t id;

	for (i = 0; i < h->cfg->n_checks; i++) {
		c = &h->cfg->checks[i];
		if (!state_is_failing(h->watch[i].tracked, c) &&
		    !state_is_failing(h->watch[i].raw, c))
			continue;
		inc = incident_covering(h, c->name);
		if (inc == NULL && healer_hands_off(h, c->service, why, sizeof(why)) != NULL) {
			/* Not even an operator's `tend heal` restarts what the operator stopped. */
			json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "target",
			    c->name, "phase", "held", "diagnosis", why));
			continue;
		}
		if (inc != NULL && !(dry_run && inc->phase == PHASE_MONITORING)) {
			id = inc->id;
			if (inc->phase == PHASE_MONITORING && !dry_run) {
				/* Auto-heal is off, but an operator asked. */
				inc->requested = true;
				inc->phase = PHASE_DIAGNOSING;
				incident_note(inc, "healing requested by an operator");
				incident_timer_tick(inc);
			}
			healer_append_incident(h, out, id);
			continue;
		}
		if (!dry_run) {
			healer_append_incident(h, out, healer_open_for_check(h, c, &h->watch[i],
			    true));
			continue;
		}
		category = healer_classify(h, c, watch_message(&h->watch[i]), why, sizeof(why));
		heal_plan_build(h->cfg, c, c->service ? config_find_service(h->cfg,
		    c->service) : NULL, category, h->learning, &steps);
		plan = json_array();
		for (j = 0; j < steps.n; j++)
			json_array_append_new(plan, json_string(steps.v[j].action->name));
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}",
		    "target", c->name, "phase", "dry-run", "category",
		    failure_category_name(category), "plan", plan, "source", steps.source,
		    "diagnosis", watch_message(&h->watch[i])));
		heal_steps_clear(&steps);
	}
	return out;
}


json_t *
healer_heal_now(struct healer *h, bool dry_run)
{
	json_t *out;

	healer_enter(h);
	out = healer_heal_failing(h, dry_run);
	healer_leave(h);
	return out;
}


static int64_t
healer_recover_in(struct healer *h, const char *action, const char *service,
    char *err, size_t errlen)
{
	static const struct heal_action restart = { .kind = HEAL_RESTART,
	    .name = (char *)"restart" };
	const struct heal_action *a = NULL;
	struct incident *inc;
	size_t i;

	if (service != NULL && config_find_service(h->cfg, service) == NULL) {
		snprintf(err, errlen, "no service named '%s'", service);
		return -1;
	}
	if (action != NULL && (a = config_find_action(h->cfg, action)) == NULL) {
		snprintf(err, errlen, "no action named '%s' under 'actions:'", action);
		return -1;
	}
	inc = incident_new(h, 0, service ? service : action ? action : "cleanup", service,
	    "manual", FAILURE_UNKNOWN, HEALTH_WARNING);
	inc->requested = true;
	snprintf(inc->steps.source, sizeof(inc->steps.source), "requested");
	if (service != NULL)
		inc->steps.v = xcalloc(1, sizeof(*inc->steps.v)),
		inc->steps.v[inc->steps.n++] = (struct plan_step){ &restart, service };
	else if (a != NULL)
		inc->steps.v = xcalloc(1, sizeof(*inc->steps.v)),
		inc->steps.v[inc->steps.n++] = (struct plan_step){ a, a->service };
	for (i = 0; action == NULL && service == NULL && i < h->cfg->n_actions; i++)
		if (h->cfg->actions[i].kind == HEAL_CLEANUP) {
			inc->steps.v = xrealloc(inc->steps.v,
			    (inc->steps.n + 1) * sizeof(*inc->steps.v));
			inc->steps.v[inc->steps.n++] = (struct plan_step){ &h->cfg->actions[i],
			    NULL };
		}
	if (inc->steps.n == 0) {
		healer_unlink(h, inc);
		incident_free(inc);
		snprintf(err, errlen, "no cleanup actions are declared under 'actions:'");
		return -1;
	}
	snprintf(inc->diagnosis, sizeof(inc->diagnosis), "requested by an operator");
	incident_start(inc);
	return inc->id;		/* closed already when its action ended at once */
}


int64_t
healer_recover(struct healer *h, const char *action, const char *service,
    char *err, size_t errlen)
{
	int64_t id;

	healer_enter(h);
	id = healer_recover_in(h, action, service, err, errlen);
	healer_leave(h);
	return id;
}


int
healer_ack(struct healer *h, int64_t id, char *err, size_t errlen)
{
	struct incident *inc = incident_by_id(h, id);

	if (inc == NULL) {
		if (h->store != NULL && store_ack_incident(h->store, id, clock_wall_ms()) > 0)
			return 0;
		snprintf(err, errlen, "no incident #%lld", (long long)id);
		return -1;
	}
	inc->acked = true;
	incident_note(inc, "acknowledged");
	log_info(inc->service, "incident #%lld acknowledged", (long long)id);
	incident_write(inc);
	return 0;
}


int
healer_resolve(struct healer *h, int64_t id, char *err, size_t errlen)
{
	struct incident *inc = incident_by_id(h, id);

	if (inc == NULL) {
		if (h->store != NULL && store_resolve_incident(h->store, id,
		    clock_wall_ms()) > 0)
			return 0;
		snprintf(err, errlen, "no incident #%lld", (long long)id);
		return -1;
	}
	healer_enter(h);
	incident_close(inc, PHASE_RESOLVED, "resolved by hand");
	healer_leave(h);
	return 0;
}


json_t *
healer_incidents_json(const struct healer *h)
{
	json_t *arr = json_array(), *closed;
	const struct incident *inc;
	size_t i;

	for (inc = h->open; inc != NULL; inc = inc->next)
		json_array_append_new(arr, incident_json(inc));
	json_array_foreach(h->closed, i, closed)
		json_array_append(arr, closed);
	return arr;
}


json_t *
healer_incident_json(const struct healer *h, int64_t id)
{
	const struct incident *inc;
	json_t *closed;
	size_t i;

	for (inc = h->open; inc != NULL; inc = inc->next)
		if (inc->id == id)
			return incident_json(inc);
	json_array_foreach(h->closed, i, closed)
		if (json_integer_value(json_object_get(closed, "id")) == id)
			return json_incref(closed);
	return NULL;
}


void
healer_rejoin_open(struct healer *h)
{
	healer_enter(h);
	healer_rejoin(h);
	healer_leave(h);
}


int64_t
healer_settle_ms(const struct healer *h)
{
	return h->cfg->heal.escalation_timeout_ms + 2 * HEALER_TICK_MS;
}


size_t
healer_open_count(const struct healer *h, size_t *escalated)
{
	const struct incident *inc;
	size_t n = 0;

	*escalated = 0;
	for (inc = h->open; inc != NULL; inc = inc->next, n++)
		*escalated += inc->phase == PHASE_ESCALATED;
	return n;
}
