/*
 * An incident's life: opening (recurrence, correlation), diagnosis,
 * cooldown, acting, verifying, escalating and closing.
 */
#include "heal/healer_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/strv.h"
#include "diagnose/classify.h"
#include "diagnose/rootcause.h"
#include "heal/learning.h"
#include "store/store.h"

static void	incident_advance(struct incident *inc);


static void
incident_mark_recurring(struct incident *inc)
{
	struct healer *h = inc->h;
	int n;

	if (h->store == NULL)
		return;
	n = store_count_incidents(h->store, inc->target, failure_category_name(inc->category),
	    inc->detected_wall - HEALER_RECURRING_MS) + 1;
	if (n >= HEALER_RECURRING_COUNT) {
		inc->recurring = true;
		incident_note(inc, "recurring: failed this way %d times in the last hour", n);
	}
}


/* A change made just before it is its probable cause (heal/changes.h): true once known. */
bool
incident_blame(struct incident *inc)
{
	char why[256], set[128] = "";

	if (inc->h->ops.blame == NULL || inc->change_id > 0)
		return false;
	inc->change_id = inc->h->ops.blame(inc->h->ops.arg, inc->service,
	    inc->severity == HEALTH_CRITICAL, inc->detected_mono, why, sizeof(why), set,
	    sizeof(set));
	if (inc->change_id <= 0)
		return false;
	incident_note(inc, "probable cause: %s", why);
	if (set[0] != '\0' && inc->rollback.kind != HEAL_ROLLBACK) {
		inc->rollback.kind = HEAL_ROLLBACK;
		inc->rollback.snapshot = xstrdup(set);
		inc->rollback.name = xasprintf("rollback-%s", set);
	}
	return true;
}

void
healer_changes_recorded(struct healer *h)
{
	struct incident *inc;

	for (inc = h->open; inc != NULL; inc = inc->next)
		if (incident_blame(inc))
			incident_write(inc);
}

struct incident *
incident_new(struct healer *h, int64_t id, const char *target, const char *service,
    const char *error_type, enum failure_category category, enum health_state severity)
{
	struct incident *inc = xcalloc(1, sizeof(*inc));

	inc->h = h;
	inc->id = id > 0 ? id : healer_next_id(h);
	inc->target = xstrdup(target);
	inc->service = service ? xstrdup(service) : NULL;
	inc->error_type = error_type;
	inc->category = category;
	inc->severity = severity;
	inc->detected_wall = clock_wall_ms();
	inc->detected_mono = clock_mono_ms();
	inc->resolved_wall = -1;
	inc->mttd_ms = -1;
	inc->actions = json_array();
	inc->root_cause = xstrdup(target);
	inc->next = h->open;
	h->open = inc;
	healer_tick_start(h);
	return inc;
}


/*
 * A deeper failure arrived: incidents of services that depend on this
 * one, detected within the correlation window, become its symptoms and
 * stop being healed on their own.
 */
static void
incident_absorb_dependents(struct incident *root)
{
	struct healer *h = root->h;
	int64_t window = h->cfg->heal.correlation_window_ms;
	struct incident *inc, *next;
	char why[256];
	size_t i;

	if (root->service == NULL)
		return;
	for (inc = h->open; inc != NULL; inc = next) {
		next = inc->next;	/* closing inc takes it, and only it, off the list */
		if (inc == root || !incident_is_open(inc) || inc->service == NULL ||
		    strcmp(inc->error_type, "manual") == 0 ||
		    !dep_closure_depends(h->deps, inc->service, root->service) ||
		    root->detected_mono - inc->detected_mono > window)
			continue;
		root->symptoms = strv_push(root->symptoms, inc->target);
		for (i = 0; inc->checks != NULL && inc->checks[i] != NULL; i++)
			if (!strv_contains(root->symptoms, inc->checks[i]))
				root->symptoms = strv_push(root->symptoms, inc->checks[i]);
		for (i = 0; inc->symptoms != NULL && inc->symptoms[i] != NULL; i++)
			root->symptoms = strv_push(root->symptoms, inc->symptoms[i]);
		free(inc->root_cause);
		inc->root_cause = xstrdup(root->target);
		snprintf(why, sizeof(why), "merged into #%lld: %s depends on %s, which "
		    "is failing", (long long)root->id, inc->service, root->service);
		log_warn(inc->service, "incident #%lld %s", (long long)inc->id, why);
		incident_note(root, "%s (service %s) fails because %s does", inc->target,
		    inc->service, root->service);
		incident_close(inc, PHASE_MERGED, why);
	}
}


void
incident_start(struct incident *inc)
{
	struct healer *h = inc->h;

	incident_mark_recurring(inc);
	incident_absorb_dependents(inc);
	if (!inc->rejoined)
		incident_blame(inc);
	log_warn(inc->service, "incident #%lld: %s %s (%s, %s): %s", (long long)inc->id,
	    inc->error_type, inc->target, failure_category_name(inc->category),
	    health_state_name(inc->severity), inc->diagnosis);
	if (!healer_auto(h) && !inc->requested && strcmp(inc->error_type, "manual") != 0) {
		inc->phase = PHASE_MONITORING;
		incident_note(inc, "auto-heal is off: waiting for `tend heal`");
	} else
		inc->phase = PHASE_DIAGNOSING;
	incident_write(inc);
	/* A diagnosed incident alerts once diagnosis says it is one of its own. */
	if (inc->phase == PHASE_MONITORING)
		incident_announce(inc);
	if (inc->phase == PHASE_DIAGNOSING) {
		/* Probe what it depends on: a failing dependency is the better suspect. */
		incident_timer_tick(inc);
	}
}


/* Incidents: diagnosis. */

/*
 * The checks of every service the incident's service depends on. Returns
 * how many are failing now (raw or tracked); *pending counts those not yet
 * re-run since the incident opened.
 */
static int
incident_dependency_failures(struct incident *inc, bool probe, int *pending,
    const struct check_conf **worst)
{
	struct healer *h = inc->h;
	const struct check_conf *c;
	const char **failing_services;
	size_t i, n_failing = 0, deepest;
	int failing = 0;
	struct watch *w;

	*pending = 0;
	*worst = NULL;
	if (inc->service == NULL)
		return 0;
	failing_services = xcalloc(h->cfg->n_checks + 1, sizeof(*failing_services));
	for (i = 0; i < h->cfg->n_checks; i++) {
		c = &h->cfg->checks[i];
		if (c->service == NULL || !dep_closure_depends(h->deps, inc->service, c->service))
			continue;
		w = &h->watch[i];
		if (probe && h->ops.run_check != NULL)
			h->ops.run_check(h->ops.arg, c->name);
		if (w->result_mono < inc->detected_mono)
			(*pending)++;
		if ((w->result_mono >= inc->detected_mono && w->raw != HEALTH_HEALTHY &&
		    w->raw != HEALTH_UNKNOWN) || w->tracked == HEALTH_CRITICAL) {
			failing++;
			failing_services[i] = c->service;
			n_failing++;
		} 
	}
	if (n_failing > 0) {
		deepest = dep_closure_deepest(h->deps, failing_services, h->cfg->n_checks);
		if (deepest < h->cfg->n_checks)
			*worst = &h->cfg->checks[deepest];
	}
	free(failing_services);
	return failing;
}


/*
 * A rejoined incident waits until each of its checks has a tracked state
 * again (the service they belong to is not held, see incident_hold), then
 * closes if they pass, or goes on. True when it may go on now.
 */
static bool
incident_rejoin_fresh(struct incident *inc)
{
	const struct watch *w;
	size_t i;

	if (!inc->rejoined)
		return true;
	for (i = 0; inc->checks != NULL && inc->checks[i] != NULL; i++)
		if ((w = watch_of(inc->h, inc->checks[i])) != NULL &&
		    w->tracked == HEALTH_UNKNOWN)
			return false;
	inc->rejoined = false;
	if (incident_recovered(inc)) {
		incident_close(inc, PHASE_RESOLVED, "recovered by itself");
		return false;
	}
	incident_note(inc, "still failing");
	incident_write(inc);
	return true;
}


/* The incident joins the (new or open) incident of its failing dependency. */
static void
incident_join_dependency(struct incident *inc, const struct check_conf *dep)
{
	struct healer *h = inc->h;
	struct incident *root = incident_covering(h, dep->name);

	if (root == NULL)
		root = incident_for_service(h, dep->service);
	if (root == NULL) {
		/* Seen failing while probing, before its own state turned. */
		healer_open_for_check(h, dep, &h->watch[dep - h->cfg->checks], false);
		return;		/* opening it absorbed inc */
	}
	if (!strv_contains(root->symptoms, inc->target))
		root->symptoms = strv_push(root->symptoms, inc->target);
	free(inc->root_cause);
	inc->root_cause = xstrdup(root->target);
	incident_note(root, "%s fails because %s does", inc->target, root->target);
	incident_write(root);
	incident_close(inc, PHASE_MERGED, "merged: its dependency is failing");
}


static bool
healer_in_cooldown(struct healer *h, const char *target, int64_t *until)
{
	size_t i;

	for (i = 0; i < h->n_ends; i++)
		if (strcmp(h->ends[i].target, target) == 0) {
			*until = h->ends[i].mono + h->cfg->heal.cooldown_ms;
			return *until > clock_mono_ms();
		}
	return false;
}


static void
healer_remember_end(struct healer *h, const char *target)
{
	size_t i;

	for (i = 0; i < h->n_ends; i++)
		if (strcmp(h->ends[i].target, target) == 0)
			break;
	if (i == h->n_ends) {
		h->ends = xrealloc(h->ends, (h->n_ends + 1) * sizeof(*h->ends));
		h->ends[h->n_ends++].target = xstrdup(target);
	}
	h->ends[i].mono = clock_mono_ms();
}


/* Diagnosis is over: lay out the plan and begin. */
/* auto_rollback: the change it is blamed on is undone before anything else is tried. */
static void
incident_plan_rollback_first(struct incident *inc)
{
	struct heal_steps *s = &inc->steps;

	if (inc->rollback.kind != HEAL_ROLLBACK)
		return;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	memmove(s->v + 1, s->v, s->n * sizeof(*s->v));
	s->v[0] = (struct plan_step){ .action = &inc->rollback, .service = NULL };
	s->n++;
}

static void
incident_plan(struct incident *inc)
{
	struct healer *h = inc->h;
	const struct check_conf *check = config_find_check(h->cfg, inc->target);
	const struct service_conf *svc = inc->service ?
	    config_find_service(h->cfg, inc->service) : NULL;
	const struct plan_step *step;
	char list[512] = "";
	size_t i, len;

	if (strcmp(inc->error_type, "manual") == 0)
		return;		/* laid out by healer_recover */
	/* Planned afresh after it was held: attempts so far still count. */
	heal_steps_clear(&inc->steps);
	inc->next_step = 0;
	inc->current = NULL;
	if (check == NULL && strcmp(inc->error_type, "check") == 0)
		svc = NULL;
	/*
	 * A service that gave up has had its restarts already: another one
	 * by default would only defeat its limit. It calls for a human,
	 * unless the service says what to do.
	 */
	if (strcmp(inc->error_type, "service") == 0 && (svc == NULL || !svc->heal.present)) {
		snprintf(inc->steps.source, sizeof(inc->steps.source), "default for a "
		    "service that gave up");
		incident_note(inc, "plan: none; its own restarts did not help");
		return;
	}
	heal_plan_build(h->cfg, check, svc, inc->category, h->learning, &inc->steps);
	incident_plan_rollback_first(inc);
	if (inc->steps.n == 0) {
		incident_note(inc, "plan (%s): nothing to try", inc->steps.source);
		return;
	}
	for (i = 0; i < inc->steps.n; i++) {
		step = &inc->steps.v[i];
		len = strlen(list);
		snprintf(list + len, sizeof(list) - len, "%s%s%s%s", i ? ", " : "",
		    step->action->name, step->service && !step->action->service ? " " : "",
		    step->service && !step->action->service ? step->service : "");
	}
	incident_note(inc, "plan (%s): %s", inc->steps.source, list);
	if (inc->steps.notes[0] != '\0')
		incident_note(inc, "learned order: %s", inc->steps.notes);
}


void
incident_escalate(struct incident *inc, const char *why)
{
	char msg[600];

	if (inc->run != NULL) {
		action_detach(inc->run);
		inc->run = NULL;
	}
	incident_announce(inc);
	inc->phase = PHASE_ESCALATED;
	incident_note(inc, "escalated: %s", why);
	snprintf(msg, sizeof(msg), "incident #%lld escalated: %s; auto-healing of %s "
	    "stopped until it recovers or `tend resolve %lld`", (long long)inc->id, why,
	    inc->target, (long long)inc->id);
	log_error(inc->service, "%s", msg);
	incident_write(inc);
	incident_alert(inc, "escalated", msg);
}


void
incident_diagnose(struct incident *inc)
{
	struct healer *h = inc->h;
	const struct check_conf *dep;
	int64_t now = clock_mono_ms(), until;
	int pending = 0, failing;
	bool first = inc->phase_until == 0;

	if (incident_hold(inc) || !incident_rejoin_fresh(inc))
		return;
	if (first) {
		/* Long enough for the slowest dependency check to answer. */
		inc->phase_until = now + 2000;
	}
	failing = strcmp(inc->error_type, "manual") == 0 ? 0 :
	    incident_dependency_failures(inc, first, &pending, &dep);
	if (failing > 0 && dep != NULL) {
		log_info(inc->service, "incident #%lld: %s depends on %s, which is failing",
		    (long long)inc->id, inc->service, dep->service);
		incident_join_dependency(inc, dep);
		return;
	}
	if (pending > 0 && now < inc->phase_until)
		return;		/* wait for the probes */
	incident_announce(inc);
	incident_plan(inc);
	inc->phase_until = 0;
	if (inc->steps.n == 0 && strcmp(inc->error_type, "manual") != 0) {
		incident_escalate(inc, "no action can fix this kind of failure");
		return;
	}
	/* A new change is a new cause: its rollback does not wait out the cooldown. */
	if (!inc->requested && inc->rollback.kind != HEAL_ROLLBACK &&
	    healer_in_cooldown(h, inc->target, &until)) {
		inc->phase = PHASE_COOLDOWN;
		inc->phase_until = until;
		incident_note(inc, "cooldown: the last incident of %s ended %lld ms ago",
		    inc->target, (long long)(h->cfg->heal.cooldown_ms - (until - now)));
		incident_write(inc);
		return;
	}
	incident_advance(inc);
}


/* Acting and verifying. */

static bool
incident_service_up(const struct incident *inc)
{
	const char *state;

	if (inc->service == NULL || inc->h->ops.service_state == NULL)
		return true;
	state = inc->h->ops.service_state(inc->h->ops.arg, inc->service);
	return state == NULL || strcmp(state, "up") == 0;
}


/* Every check of the incident passed since the action ended. */
static bool
incident_verified(const struct incident *inc)
{
	const struct watch *w;
	size_t i;

	if (!incident_service_up(inc))
		return false;
	for (i = 0; inc->checks != NULL && inc->checks[i] != NULL; i++) {
		w = watch_of(inc->h, inc->checks[i]);
		if (w != NULL && (w->result_mono < inc->verify_since || w->raw != HEALTH_HEALTHY))
			return false;
	}
	return true;
}


void
incident_rerun_checks(struct incident *inc)
{
	const struct watch *w;
	size_t i;

	for (i = 0; inc->checks != NULL && inc->checks[i] != NULL; i++) {
		w = watch_of(inc->h, inc->checks[i]);
		if (w != NULL && inc->h->ops.run_check != NULL &&
		    (w->result_mono < inc->verify_since || w->raw != HEALTH_HEALTHY))
			inc->h->ops.run_check(inc->h->ops.arg, inc->checks[i]);
	}
}


static void
incident_healed(struct incident *inc)
{
	char resolution[256], detail[600];

	snprintf(resolution, sizeof(resolution), "healed by %s", inc->current ?
	    inc->current->action->name : "nothing");
	snprintf(detail, sizeof(detail), "%s; verified: the checks pass", inc->ran);
	incident_record_action(inc, "healed", detail);
	incident_learn(inc, true);
	log_info(inc->service, "incident #%lld: %s verified after %s", (long long)inc->id,
	    inc->target, inc->current ? inc->current->action->name : "-");
	incident_close(inc, PHASE_RESOLVED, resolution);
}


/* rerun: from the tick; a result itself never triggers another run at once. */
void
incident_verify(struct incident *inc, bool rerun)
{
	char detail[600];

	if (incident_verified(inc)) {
		incident_healed(inc);
		return;
	}
	if (clock_mono_ms() >= inc->phase_until) {
		snprintf(detail, sizeof(detail), "%s; the checks still fail", inc->ran);
		incident_record_action(inc, "not verified", detail);
		incident_learn(inc, false);
		log_warn(inc->service, "incident #%lld: %s did not fix %s", (long long)inc->id,
		    inc->current->action->name, inc->target);
		incident_advance(inc);
		return;
	}
	if (rerun && clock_mono_ms() - inc->last_rerun >= inc->h->cfg->heal.verify_every_ms) {
		inc->last_rerun = clock_mono_ms();
		incident_rerun_checks(inc);
	}
}


static void
incident_action_ended(struct incident *inc, const struct action_outcome *o)
{
	struct healer *h = inc->h;

	log_info(inc->service, "incident #%lld: %s: %s: %s", (long long)inc->id,
	    inc->current->action->name, action_result_name(o->result), o->detail);
	/* Not a fix to verify or learn from: the next action follows at once. */
	if (o->result == ACTION_SKIPPED || o->result == ACTION_NOTED) {
		inc->attempts--;
		incident_record_action(inc, o->result == ACTION_SKIPPED ? "skipped" : "noted",
		    o->detail);
		incident_advance(inc);
		return;
	}
	if (o->result == ACTION_FAILED) {
		incident_record_action(inc, "failed", o->detail);
		incident_learn(inc, false);
		incident_advance(inc);
		return;
	}
	if (strcmp(inc->error_type, "manual") == 0) {
		incident_record_action(inc, "done", o->detail);
		incident_learn(inc, true);
		if (inc->next_step >= inc->steps.n)
			incident_close(inc, PHASE_RESOLVED, "done");
		else
			incident_advance(inc);
		return;
	}
	/* Ran: only a verified pass counts. The detail is kept with the verdict. */
	snprintf(inc->ran, sizeof(inc->ran), "%s", o->detail);
	json_array_append_new(inc->actions, json_pack("{s:s, s:s, s:s, s:I}",
	    "action", inc->current->action->name, "outcome", "ran", "detail", o->detail,
	    "at", (json_int_t)clock_wall_ms()));
	inc->phase = PHASE_VERIFYING;
	inc->verify_since = clock_mono_ms();
	inc->phase_until = inc->verify_since + h->cfg->heal.verify_timeout_ms;
	incident_write(inc);
	inc->last_rerun = inc->verify_since;
	incident_rerun_checks(inc);
}


/* An action's end: from the loop, or from inside action_start. */
static void
incident_action_done(void *arg, const struct action_outcome *o)
{
	struct incident *inc = arg;
	struct healer *h = inc->h;

	inc->run = NULL;
	healer_enter(h);
	incident_action_ended(inc, o);
	healer_leave(h);
}


/*
 * A step on a service: an operator's request is the operator's word on
 * it; healing's own steps leave alone a service the operator stopped or
 * the supervisor is busy with (the step is skipped, the next one runs).
 * True when the step was skipped.
 */
static bool
incident_step_held(struct incident *inc, const struct plan_step *step)
{
	struct action_outcome skipped = { .result = ACTION_SKIPPED };
	enum heal_action_kind kind = step->action->kind;

	if ((kind != HEAL_RESTART && kind != HEAL_STOP && kind != HEAL_START) ||
	    step->service == NULL)
		return false;
	if (strcmp(inc->error_type, "manual") == 0) {
		healer_operator_control(inc->h, heal_action_kind_name(kind), step->service);
		return false;
	}
	if (incident_is_about(inc, step->service) || healer_hands_off(inc->h, step->service,
	    skipped.detail, sizeof(skipped.detail)) == NULL)
		return false;
	incident_action_ended(inc, &skipped);
	return true;
}


/* The next step of the plan, or escalation when none is left. */
static void
incident_advance(struct incident *inc)
{
	struct healer *h = inc->h;
	const struct plan_step *step;
	struct action_run *run;
	char detail[256];

	if (!incident_is_open(inc))
		return;
	/* Stopped by the operator while it was being healed: it waits to be started. */
	if (strcmp(inc->error_type, "manual") != 0 && inc->service != NULL &&
	    strv_contains(h->stopped, inc->service) && incident_hold(inc))
		return;
	if (inc->next_step >= inc->steps.n) {
		incident_escalate(inc, inc->steps.n ? "every planned action was tried" :
		    "nothing to try");
		return;
	}
	step = &inc->steps.v[inc->next_step];
	if (step->action->kind == HEAL_ESCALATE) {
		incident_escalate(inc, "the plan says so");
		return;
	}
	if (plan_step_is_attempt(step) && inc->attempts >= h->cfg->heal.max_attempts) {
		snprintf(detail, sizeof(detail), "max_attempts (%d) reached",
		    h->cfg->heal.max_attempts);
		incident_escalate(inc, detail);
		return;
	}
	inc->next_step++;
	inc->current = step;
	if (plan_step_is_attempt(step))
		inc->attempts++;
	inc->phase = PHASE_ACTING;
	snprintf(detail, sizeof(detail), "attempt %d", inc->attempts);
	if (h->store != NULL)
		inc->attempt_id = store_attempt_begin(h->store, inc->id, step->action->name,
		    clock_wall_ms(), detail);
	log_info(inc->service, "incident #%lld: %s %s", (long long)inc->id,
	    step->action->name, step->service ? step->service : inc->target);
	incident_write(inc);
	if (incident_step_held(inc, step))
		return;
	run = action_start(h->loop, &h->ops, step, inc->target,
	    (const char *const *)inc->checks, false, incident_action_done, inc);
	/*
	 * NULL when it ended inside action_start: its end may have moved the
	 * incident on to another action, or closed it.
	 */
	if (run != NULL && incident_is_open(inc) && inc->run == NULL)
		inc->run = run;
	else
		action_detach(run);
}


/* Incidents: closing. */

void
incident_free(struct incident *inc)
{
	free(inc->target);
	free(inc->service);
	strv_free(inc->checks);
	strv_free(inc->symptoms);
	free(inc->root_cause);
	free(inc->resolution);
	free(inc->held_by);
	free(inc->rollback.snapshot);
	free(inc->rollback.name);
	json_decref(inc->actions);
	json_decref(inc->closed_json);
	heal_steps_clear(&inc->steps);
	free(inc);
}


void
healer_unlink(struct healer *h, struct incident *inc)
{
	struct incident **p;

	for (p = &h->open; *p != NULL; p = &(*p)->next)
		if (*p == inc) {
			*p = inc->next;
			return;
		}
}


void
incident_close(struct incident *inc, enum incident_phase phase, const char *resolution)
{
	struct healer *h = inc->h;
	char msg[512];
	size_t i;

	if (!incident_is_open(inc))
		return;
	if (inc->run != NULL) {
		action_detach(inc->run);
		inc->run = NULL;
	}
	inc->phase = phase;
	inc->resolved_wall = clock_wall_ms();
	free(inc->resolution);
	inc->resolution = xstrdup(resolution);
	incident_write(inc);
	if (phase == PHASE_RESOLVED) {
		snprintf(msg, sizeof(msg), "incident #%lld resolved after %lld ms: %s",
		    (long long)inc->id, (long long)(inc->resolved_wall - inc->detected_wall),
		    resolution);
		log_info(inc->service, "%s", msg);
		if (inc->announced)
			incident_alert(inc, "resolved", msg);
		if (strcmp(resolution, "resolved by hand") != 0)
			healer_remember_end(h, inc->target);
		/* Dependents that still fail now get incidents of their own. */
		for (i = 0; inc->symptoms != NULL && inc->symptoms[i] != NULL; i++)
			if (h->ops.run_check != NULL && check_index(h, inc->symptoms[i]) >= 0)
				h->ops.run_check(h->ops.arg, inc->symptoms[i]);
	} else {
		/* Merged or interrupted: its alert ends too, saying how. */
		snprintf(msg, sizeof(msg), "incident #%lld closed: %s", (long long)inc->id,
		    resolution);
		if (inc->announced)
			incident_alert(inc, "closed", msg);
	}
	inc->closed_json = incident_json(inc);
	json_array_insert(h->closed, 0, inc->closed_json);
	while (json_array_size(h->closed) > HEALER_KEEP_CLOSED)
		json_array_remove(h->closed, json_array_size(h->closed) - 1);
	healer_unlink(h, inc);
	inc->next = h->closing;
	h->closing = inc;
}


/* Whether what the incident is about is healthy again by its own schedule. */
bool
incident_recovered(const struct incident *inc)
{
	const struct watch *w;
	size_t i;

	if (strcmp(inc->error_type, "manual") == 0 || !incident_service_up(inc))
		return false;
	for (i = 0; inc->checks != NULL && inc->checks[i] != NULL; i++) {
		w = watch_of(inc->h, inc->checks[i]);
		if (w != NULL && w->tracked != HEALTH_HEALTHY)
			return false;
	}
	return true;
}


/* What moves an incident along besides results: deadlines. */
void
incident_timer_tick(struct incident *inc)
{
	int64_t now = clock_mono_ms();

	if (!incident_is_open(inc))
		return;
	switch (inc->phase) {
	case PHASE_DIAGNOSING:
		incident_diagnose(inc);
		return;
	case PHASE_COOLDOWN:
		if (now >= inc->phase_until)
			incident_advance(inc);
		return;
	case PHASE_VERIFYING:
		incident_verify(inc, true);
		return;
	case PHASE_HELD:
		incident_held_tick(inc);
		return;
	default:
		break;
	}
}
