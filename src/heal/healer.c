#include "heal/healer.h"

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
#include "heal/plan.h"
#include "store/store.h"

/* Closed incidents kept in memory for `tend heal` and the API to follow. */
#define HEALER_KEEP_CLOSED	50
/* How often open incidents are looked at (escalation timeouts). */
#define HEALER_TICK_MS		250
/* The same target failing the same way this often in an hour is recurring. */
#define HEALER_RECURRING_COUNT	3
#define HEALER_RECURRING_MS	3600000

enum incident_phase {
	PHASE_DIAGNOSING,	/* probing what the target depends on */
	PHASE_COOLDOWN,		/* too soon after the last incident of the target */
	PHASE_ACTING,		/* an action runs */
	PHASE_VERIFYING,	/* re-running the failing checks */
	PHASE_MONITORING,	/* auto-heal is off: watched, recorded, not acted on */
	PHASE_ESCALATED,	/* waiting for a human, or for it to recover */
	PHASE_RESOLVED,
	PHASE_MERGED,		/* part of a deeper incident now */
	PHASE_INTERRUPTED,	/* a reload took its plan away mid-way */
};

static const char *const phase_names[] = {
	"diagnosing", "cooldown", "acting", "verifying", "monitoring", "escalated",
	"resolved", "merged", "interrupted",
};

/* What the healer knows of each check, by its index in the config. */
struct watch {
	enum health_state tracked;
	enum health_state raw;
	int64_t		 result_mono;	/* when the last result came */
	int64_t		 healthy_wall;	/* the last healthy result, 0 if none */
	char		 message[512];
};

struct incident {
	struct healer	*h;
	struct incident	*next;
	int64_t		 id;
	char		*target;	/* a check, a service, or an action */
	char		*service;	/* may be NULL */
	const char	*error_type;	/* check, service, manual */
	enum failure_category category;
	enum health_state severity;
	enum incident_phase phase;
	int64_t		 detected_wall;
	int64_t		 detected_mono;
	int64_t		 resolved_wall;
	int64_t		 mttd_ms;
	char		**checks;	/* its own checks, verified after each action */
	char		**symptoms;	/* dependents' failures correlated into it */
	char		*root_cause;
	char		 diagnosis[1024];
	char		*resolution;
	json_t		*actions;	/* [{action, outcome, detail, at}] */
	struct heal_steps steps;
	size_t		 next_step;
	int		 attempts;
	bool		 recurring;
	bool		 acked;
	bool		 requested;	/* by an operator: no cooldown */
	int64_t		 phase_until;	/* mono: end of diagnosis, cooldown, verify */
	int64_t		 verify_since;	/* mono: results after this count */
	int64_t		 last_rerun;	/* mono: verify re-runs are paced */
	struct action_run *run;
	const struct plan_step *current;
	char		 ran[512];	/* what the current action reported */
	int64_t		 attempt_id;
	json_t		*closed_json;	/* once closed */
};

/* When each target's last incident ended, for the cooldown. */
struct last_end {
	char		*target;
	int64_t		 mono;
};

struct healer {
	uv_loop_t	*loop;
	const struct tend_config *cfg;
	struct store	*store;
	struct heal_ops	 ops;
	bool		 monitor_only;
	struct classifier *classifier;
	struct dep_closure *deps;
	struct learning	*learning;
	struct watch	*watch;		/* by check index */
	struct incident	*open;		/* newest first */
	json_t		*closed;	/* array, newest first */
	struct last_end	*ends;
	size_t		 n_ends;
	uv_timer_t	*tick;
};

static void	incident_advance(struct incident *inc);
static void	incident_close(struct incident *inc, enum incident_phase phase,
		    const char *resolution);

/* Configuration lookups. */

static long
check_index(const struct healer *h, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < h->cfg->n_checks; i++)
		if (strcmp(h->cfg->checks[i].name, name) == 0)
			return (long)i;
	return -1;
}


static struct watch *
watch_of(const struct healer *h, const char *check)
{
	long i = check_index(h, check);

	return i < 0 ? NULL : &h->watch[i];
}

static bool
healer_auto(const struct healer *h)
{
	return h->cfg->heal.auto_heal && !h->monitor_only;
}

/* The store and the log. */

static char *
json_text(json_t *v)
{
	return json_dumps(v, JSON_COMPACT);
}

static json_t *
strv_json(char **v)
{
	json_t *a = json_array();

	for (; v != NULL && *v != NULL; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static double
incident_effectiveness(const struct incident *inc)
{
	if (inc->resolution == NULL || inc->phase == PHASE_MERGED ||
	    inc->phase == PHASE_INTERRUPTED)
		return NAN;
	if (strncmp(inc->resolution, "healed", 6) == 0)
		return inc->attempts > 0 ? 1.0 / inc->attempts : 1.0;
	if (strcmp(inc->resolution, "recovered by itself") == 0)
		return NAN;
	return 0;
}

static void
incident_write(struct incident *inc)
{
	json_t *symptoms = strv_json(inc->symptoms);
	char *actions = json_text(inc->actions), *sym = json_text(symptoms);
	struct store_incident row = {
		.id = inc->id, .target = inc->target, .service = inc->service,
		.error_type = inc->error_type,
		.category = failure_category_name(inc->category),
		.severity = health_state_name(inc->severity),
		.detected_at = inc->detected_wall, .resolved_at = inc->resolved_wall,
		.root_cause = inc->root_cause, .diagnosis = inc->diagnosis,
		.actions_taken = actions, .effectiveness = incident_effectiveness(inc),
		.recurring = inc->recurring, .acked = inc->acked, .mttd_ms = inc->mttd_ms,
		.mttr_ms = inc->resolved_wall > 0 ? inc->resolved_wall - inc->detected_wall : -1,
		.phase = phase_names[inc->phase], .symptoms = sym,
		.attempts = inc->attempts, .resolution = inc->resolution,
		.updated_at = clock_wall_ms(),
	};

	if (inc->h->store != NULL)
		store_put_incident(inc->h->store, &row);
	free(actions);
	free(sym);
	json_decref(symptoms);
}

static json_t *
incident_json(const struct incident *inc)
{
	json_t *o;

	if (inc->closed_json != NULL)
		return json_deep_copy(inc->closed_json);
	o = json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s, s:s, s:I, s:I, s:s?, s:s, s:O, "
	    "s:o, s:o, s:i, s:b, s:b, s:s?}",
	    "id", (json_int_t)inc->id, "target", inc->target, "service", inc->service,
	    "type", inc->error_type, "category", failure_category_name(inc->category),
	    "severity", health_state_name(inc->severity), "phase", phase_names[inc->phase],
	    "detected_at", (json_int_t)inc->detected_wall,
	    "mttd_ms", (json_int_t)inc->mttd_ms, "root_cause", inc->root_cause,
	    "diagnosis", inc->diagnosis, "actions", inc->actions,
	    "checks", strv_json(inc->checks), "symptoms", strv_json(inc->symptoms),
	    "attempts", inc->attempts, "recurring", inc->recurring, "acked", inc->acked,
	    "resolution", inc->resolution);
	if (o == NULL)
		return json_pack("{s:I, s:s}", "id", (json_int_t)inc->id, "error",
		    "cannot describe the incident");
	if (inc->mttd_ms < 0)
		json_object_set_new(o, "mttd_ms", json_null());
	if (inc->resolved_wall > 0) {
		json_object_set_new(o, "resolved_at", json_integer(inc->resolved_wall));
		json_object_set_new(o, "mttr_ms",
		    json_integer(inc->resolved_wall - inc->detected_wall));
	}
	return o;
}

static void
incident_note(struct incident *inc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends a sentence to the diagnosis. */
static void
incident_note(struct incident *inc, const char *fmt, ...)
{
	size_t len = strlen(inc->diagnosis);
	va_list ap;

	if (len > 0 && len + 2 < sizeof(inc->diagnosis)) {
		memcpy(inc->diagnosis + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(inc->diagnosis + len, sizeof(inc->diagnosis) - len, fmt, ap);
	va_end(ap);
}

static void
incident_alert(struct incident *inc, const char *event, const char *message)
{
	if (inc->h->ops.alert != NULL)
		inc->h->ops.alert(inc->h->ops.arg, event, inc->target, message, inc->id);
}

/* Incidents: finding them. */

static bool
strv_has(char **v, const char *s)
{
	for (; v != NULL && *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

static bool
incident_is_open(const struct incident *inc)
{
	return inc->phase != PHASE_RESOLVED && inc->phase != PHASE_MERGED &&
	    inc->phase != PHASE_INTERRUPTED;
}

/* The open incident a check already belongs to, as a target, check or symptom. */
static struct incident *
incident_covering(const struct healer *h, const char *check)
{
	struct incident *inc;

	for (inc = h->open; inc != NULL; inc = inc->next)
		if (incident_is_open(inc) && (strcmp(inc->target, check) == 0 ||
		    strv_has(inc->checks, check) || strv_has(inc->symptoms, check)))
			return inc;
	return NULL;
}

/*
 * The open incident a new failure of `service` belongs to: one of the same
 * service, or of a service it depends on (the deepest such). NULL for a
 * host check, which only joins an incident of its own.
 */
static struct incident *
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
	return classify_failure(h->classifier, -1, 0, false, message, why, len);
}

static int64_t
healer_next_id(struct healer *h)
{
	static int64_t memory_only;

	return h->store != NULL ? store_incident_new_id(h->store) : ++memory_only;
}

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

static void
incident_timer_tick(struct incident *inc);

static struct incident *
incident_new(struct healer *h, const char *target, const char *service,
    const char *error_type, enum failure_category category, enum health_state severity)
{
	struct incident *inc = xcalloc(1, sizeof(*inc));

	inc->h = h;
	inc->id = healer_next_id(h);
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
		next = inc->next;	/* closing inc frees it, and only it */
		if (inc == root || !incident_is_open(inc) || inc->service == NULL ||
		    strcmp(inc->error_type, "manual") == 0 ||
		    !dep_closure_depends(h->deps, inc->service, root->service) ||
		    root->detected_mono - inc->detected_mono > window)
			continue;
		root->symptoms = strv_push(root->symptoms, inc->target);
		for (i = 0; inc->checks != NULL && inc->checks[i] != NULL; i++)
			if (!strv_has(root->symptoms, inc->checks[i]))
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

static void
incident_start(struct incident *inc, const char *why)
{
	struct healer *h = inc->h;

	incident_mark_recurring(inc);
	incident_absorb_dependents(inc);
	log_warn(inc->service, "incident #%lld: %s %s (%s, %s): %s", (long long)inc->id,
	    inc->error_type, inc->target, failure_category_name(inc->category),
	    health_state_name(inc->severity), inc->diagnosis);
	if (!healer_auto(h) && !inc->requested && strcmp(inc->error_type, "manual") != 0) {
		inc->phase = PHASE_MONITORING;
		incident_note(inc, "auto-heal is off: waiting for `tend heal`");
	} else
		inc->phase = PHASE_DIAGNOSING;
	(void)why;
	incident_write(inc);
	incident_alert(inc, "incident", inc->diagnosis);
	if (inc->phase == PHASE_DIAGNOSING) {
		/* Probe what it depends on: a failing dependency is the better suspect. */
		incident_timer_tick(inc);
	}
}

/*
 * Opens an incident for a failing check (service may be NULL). Returns its
 * id: by then it may already have been merged into a dependency's.
 */
static int64_t
healer_open_for_check(struct healer *h, const struct check_conf *conf,
    const struct watch *w, bool requested)
{
	enum failure_category category;
	struct incident *inc;
	char why[256];
	int64_t id;

	category = healer_classify(h, conf, w->message, why, sizeof(why));
	inc = incident_new(h, conf->name, conf->service, "check", category,
	    w->tracked == HEALTH_HEALTHY || w->tracked == HEALTH_UNKNOWN ? w->raw : w->tracked);
	inc->requested = requested;
	inc->checks = strv_push(NULL, conf->name);
	if (w->healthy_wall > 0)
		inc->mttd_ms = inc->detected_wall - w->healthy_wall;
	snprintf(inc->diagnosis, sizeof(inc->diagnosis), "check %s: %s (%s%s%s)",
	    conf->name, w->message, failure_category_name(category), *why ? ", " : "", why);
	id = inc->id;
	incident_start(inc, why);
	return id;
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
	if (!strv_has(root->symptoms, inc->target))
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

static void
incident_escalate(struct incident *inc, const char *why)
{
	char msg[600];

	if (inc->run != NULL) {
		action_detach(inc->run);
		inc->run = NULL;
	}
	inc->phase = PHASE_ESCALATED;
	incident_note(inc, "escalated: %s", why);
	snprintf(msg, sizeof(msg), "incident #%lld escalated: %s; auto-healing of %s "
	    "stopped until it recovers or `tend resolve %lld`", (long long)inc->id, why,
	    inc->target, (long long)inc->id);
	log_error(inc->service, "%s", msg);
	incident_write(inc);
	incident_alert(inc, "escalated", msg);
}

static void
incident_diagnose(struct incident *inc)
{
	struct healer *h = inc->h;
	const struct check_conf *dep;
	int64_t now = clock_mono_ms(), until;
	int pending = 0, failing;
	bool first = inc->phase_until == 0;

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
	incident_plan(inc);
	inc->phase_until = 0;
	if (inc->steps.n == 0 && strcmp(inc->error_type, "manual") != 0) {
		incident_escalate(inc, "no action can fix this kind of failure");
		return;
	}
	if (!inc->requested && healer_in_cooldown(h, inc->target, &until)) {
		inc->phase = PHASE_COOLDOWN;
		inc->phase_until = until;
		incident_note(inc, "cooldown: the last incident of %s ended %lld ms ago",
		    inc->target, (long long)(h->cfg->heal.cooldown_ms - (until - now)));
		incident_write(inc);
		return;
	}
	incident_advance(inc);
}

/* Incidents: acting and verifying. */

static void
incident_record_action(struct incident *inc, const char *outcome, const char *detail)
{
	json_array_append_new(inc->actions, json_pack("{s:s, s:s, s:s, s:I}",
	    "action", inc->current->action->name, "outcome", outcome, "detail", detail,
	    "at", (json_int_t)clock_wall_ms()));
	if (inc->h->store != NULL)
		store_attempt_end(inc->h->store, inc->attempt_id, clock_wall_ms(), outcome,
		    detail);
}

static void
incident_learn(struct incident *inc, bool success)
{
	const char *category = failure_category_name(inc->category);

	if (inc->current == NULL || !plan_step_is_attempt(inc->current))
		return;
	learning_record(inc->h->learning, category, inc->current->action->name, success);
	if (inc->h->store != NULL)
		store_record_procedure(inc->h->store, category, inc->current->action->name,
		    success, clock_wall_ms());
}

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

static void
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
static void
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
incident_action_done(void *arg, const struct action_outcome *o)
{
	struct incident *inc = arg;
	struct healer *h = inc->h;

	inc->run = NULL;
	log_info(inc->service, "incident #%lld: %s: %s: %s", (long long)inc->id,
	    inc->current->action->name, action_result_name(o->result), o->detail);
	if (o->result == ACTION_SKIPPED) {
		inc->attempts--;
		incident_record_action(inc, "skipped", o->detail);
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

/* The next step of the plan, or escalation when none is left. */
static void
incident_advance(struct incident *inc)
{
	struct healer *h = inc->h;
	const struct plan_step *step;
	char detail[256];

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
	inc->run = action_start(h->loop, &h->ops, step, inc->target,
	    (const char *const *)inc->checks, false, incident_action_done, inc);
}

/* Incidents: closing. */

static void
incident_free(struct incident *inc)
{
	free(inc->target);
	free(inc->service);
	strv_free(inc->checks);
	strv_free(inc->symptoms);
	free(inc->root_cause);
	free(inc->resolution);
	json_decref(inc->actions);
	json_decref(inc->closed_json);
	heal_steps_clear(&inc->steps);
	free(inc);
}

static void
healer_unlink(struct healer *h, struct incident *inc)
{
	struct incident **p;

	for (p = &h->open; *p != NULL; p = &(*p)->next)
		if (*p == inc) {
			*p = inc->next;
			return;
		}
}

static void
incident_close(struct incident *inc, enum incident_phase phase, const char *resolution)
{
	struct healer *h = inc->h;
	char msg[512];
	size_t i;

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
		incident_alert(inc, "resolved", msg);
		if (strcmp(resolution, "resolved by hand") != 0)
			healer_remember_end(h, inc->target);
		/* Dependents that still fail now get incidents of their own. */
		for (i = 0; inc->symptoms != NULL && inc->symptoms[i] != NULL; i++)
			if (h->ops.run_check != NULL && check_index(h, inc->symptoms[i]) >= 0)
				h->ops.run_check(h->ops.arg, inc->symptoms[i]);
	}
	inc->closed_json = incident_json(inc);
	json_array_insert(h->closed, 0, inc->closed_json);
	while (json_array_size(h->closed) > HEALER_KEEP_CLOSED)
		json_array_remove(h->closed, json_array_size(h->closed) - 1);
	healer_unlink(h, inc);
	incident_free(inc);
}

/* Whether what the incident is about is healthy again by its own schedule. */
static bool
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
static void
incident_timer_tick(struct incident *inc)
{
	int64_t now = clock_mono_ms();

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
	default:
		break;
	}
}

static void
healer_tick(uv_timer_t *timer)
{
	struct healer *h = timer->data;
	struct incident *inc;
	int64_t now = clock_mono_ms(), *ids;
	size_t i, n;

	ids = healer_open_ids(h, &n);
	for (i = 0; i < n; i++) {
		if ((inc = incident_by_id(h, ids[i])) == NULL)
			continue;
		if (inc->phase != PHASE_ESCALATED && inc->phase != PHASE_MONITORING &&
		    now - inc->detected_mono >= h->cfg->heal.escalation_timeout_ms) {
			incident_escalate(inc, "escalation_timeout passed");
			continue;
		}
		incident_timer_tick(inc);
	}
	free(ids);
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
		if (classifier_add_rule(h->classifier, cfg->classify[i].match,
		    (enum failure_category)failure_category_from_name(cfg->classify[i].category),
		    err, sizeof(err)) < 0)
			log_warn(NULL, "classify: %s", err);
	dep_closure_free(h->deps);
	h->deps = dep_closure_new(cfg);
	free(h->watch);
	h->watch = xcalloc(cfg->n_checks + 1, sizeof(*h->watch));
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
	int n;

	h->loop = loop;
	h->store = st;
	h->ops = *ops;
	h->monitor_only = monitor_only;
	h->learning = learning_new();
	h->closed = json_array();
	healer_apply_config(h, cfg);
	if (st != NULL) {
		store_each_procedure(st, healer_load_learning, h->learning);
		if ((n = store_interrupt_open_incidents(st, clock_wall_ms())) > 0)
			log_info(NULL, "%d incidents left open by the last run closed as "
			    "interrupted", n);
	}
	h->tick = xcalloc(1, sizeof(*h->tick));
	uv_timer_init(loop, h->tick);
	h->tick->data = h;
	uv_timer_start(h->tick, healer_tick, HEALER_TICK_MS, HEALER_TICK_MS);
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
	uv_close((uv_handle_t *)h->tick, healer_tick_closed);
	for (i = 0; i < h->n_ends; i++)
		free(h->ends[i].target);
	free(h->ends);
	json_decref(h->closed);
	classifier_free(h->classifier);
	dep_closure_free(h->deps);
	learning_free(h->learning);
	free(h->watch);
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

void
healer_check_result(struct healer *h, const struct check_conf *conf,
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
	snprintf(w->message, sizeof(w->message), "%s", r->message);
	if (r->state == HEALTH_HEALTHY)
		w->healthy_wall = clock_wall_ms();

	ids = h->open != NULL ? healer_open_ids(h, &n) : NULL;
	for (i = 0; ids != NULL && i < n; i++) {
		if ((inc = incident_by_id(h, ids[i])) == NULL)
			continue;
		if (inc->phase == PHASE_VERIFYING && strv_has(inc->checks, conf->name))
			incident_verify(inc, false);
		else if (inc->phase == PHASE_DIAGNOSING && conf->service != NULL &&
		    inc->service != NULL && dep_closure_depends(h->deps, inc->service,
		    conf->service))
			incident_diagnose(inc);	/* a probe of a dependency answered */
		else if ((inc->phase == PHASE_ESCALATED || inc->phase == PHASE_MONITORING ||
		    inc->phase == PHASE_COOLDOWN) && strv_has(inc->checks, conf->name) &&
		    incident_recovered(inc))
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
healer_service_state(struct healer *h, const char *service, const char *to,
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
		else if ((inc->phase == PHASE_ESCALATED || inc->phase == PHASE_MONITORING) &&
		    incident_recovered(inc))
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
	if (category == FAILURE_UNKNOWN)
		category = FAILURE_CRASH;	/* it gave up after crashing in a loop */
	inc = incident_new(h, service, service, "service", category, HEALTH_CRITICAL);
	snprintf(inc->diagnosis, sizeof(inc->diagnosis), "service %s gave up: %s (%s)",
	    service, reason ? reason : "", failure_category_name(category));
	incident_start(inc, why);
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

json_t *
healer_heal_now(struct healer *h, bool dry_run)
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
		category = healer_classify(h, c, h->watch[i].message, why, sizeof(why));
		heal_plan_build(h->cfg, c, c->service ? config_find_service(h->cfg,
		    c->service) : NULL, category, h->learning, &steps);
		plan = json_array();
		for (j = 0; j < steps.n; j++)
			json_array_append_new(plan, json_string(steps.v[j].action->name));
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}",
		    "target", c->name, "phase", "dry-run", "category",
		    failure_category_name(category), "plan", plan, "source", steps.source,
		    "diagnosis", h->watch[i].message));
		heal_steps_clear(&steps);
	}
	return out;
}

int64_t
healer_recover(struct healer *h, const char *action, const char *service,
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
	inc = incident_new(h, service ? service : action ? action : "cleanup", service,
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
	incident_start(inc, "requested");
	return inc->id;
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
	incident_close(inc, PHASE_RESOLVED, "resolved by hand");
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

size_t
healer_open_count(const struct healer *h)
{
	const struct incident *inc;
	size_t n = 0;

	for (inc = h->open; inc != NULL; inc = inc->next)
		n++;
	return n;
}
