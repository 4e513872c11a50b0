/*
 * How an incident is written down: the store's row, its JSON, the
 * diagnosis it accumulates, its alerts, and what learning gets from it.
 */
#include "heal/healer_internal.h"

const char *const incident_phase_names[] = {
	"diagnosing", "cooldown", "acting", "verifying", "monitoring", "held", "escalated",
	"resolved", "merged", "interrupted",
};

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


/* The store and the log. */

static char *
json_text(json_t *v)
{
	return json_dumps(v, JSON_COMPACT);
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


/*
 * Detection to the end, for an incident that ended on its own account; -1
 * for one that is open, merged (it is part of its root's, whose MTTR
 * counts) or interrupted (nothing was repaired).
 */
static int64_t
incident_mttr_ms(const struct incident *inc)
{
	if (inc->resolved_wall <= 0 || inc->phase == PHASE_MERGED ||
	    inc->phase == PHASE_INTERRUPTED)
		return -1;
	return inc->resolved_wall - inc->detected_wall;
}


/* Tells the live views; takes data. */
static void
incident_changed(struct incident *inc, const char *what, json_t *data)
{
	if (inc->h->ops.changed != NULL && data != NULL)
		inc->h->ops.changed(inc->h->ops.arg, what, data);
	json_decref(data);
}


void
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
		.mttr_ms = incident_mttr_ms(inc),
		.phase = incident_phase_names[inc->phase], .symptoms = sym,
		.attempts = inc->attempts, .resolution = inc->resolution,
		.updated_at = clock_wall_ms(), .change_id = inc->change_id,
	};

	if (inc->h->store != NULL)
		store_put_incident(inc->h->store, &row);
	free(actions);
	free(sym);
	json_decref(symptoms);
	incident_changed(inc, "incident", incident_json(inc));
}


json_t *
incident_json(const struct incident *inc)
{
	json_t *o;

	if (inc->closed_json != NULL)
		return json_deep_copy(inc->closed_json);
	o = json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s, s:s, s:I, s:I, s:s?, s:s, s:O, "
	    "s:o, s:o, s:i, s:b, s:b, s:s?}",
	    "id", (json_int_t)inc->id, "target", inc->target, "service", inc->service,
	    "type", inc->error_type, "category", failure_category_name(inc->category),
	    "severity", health_state_name(inc->severity), "phase", incident_phase_names[inc->phase],
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
	json_object_set_new(o, "change_id", inc->change_id > 0 ?
	    json_integer(inc->change_id) : json_null());
	if (inc->resolved_wall > 0) {
		json_object_set_new(o, "resolved_at", json_integer(inc->resolved_wall));
		json_object_set_new(o, "mttr_ms", incident_mttr_ms(inc) >= 0 ?
		    json_integer(incident_mttr_ms(inc)) : json_null());
	}
	return o;
}


/* Appends a sentence to the diagnosis. */
void
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


void
incident_note_category(struct incident *inc, const char *why)
{
	incident_note(inc, "classified as %s%s%s%s", failure_category_name(inc->category),
	    *why ? " (" : "", why, *why ? ")" : "");
}


void
incident_alert(struct incident *inc, const char *event, const char *message)
{
	const char *state = strcmp(event, "resolved") == 0 ? "healthy" :
	    health_state_name(inc->severity);

	if (inc->h->ops.alert != NULL)
		inc->h->ops.alert(inc->h->ops.arg, event, inc->target, state, message,
		    inc->id);
}


void
incident_announce(struct incident *inc)
{
	if (inc->announced)
		return;
	inc->announced = true;
	incident_alert(inc, "incident", inc->diagnosis);
}


/* What the actions did, for the record and for learning. */

void
incident_record_action(struct incident *inc, const char *outcome, const char *detail)
{
	json_t *action = json_pack("{s:s, s:s, s:s, s:I}",
	    "action", inc->current->action->name, "outcome", outcome, "detail", detail,
	    "at", (json_int_t)clock_wall_ms());

	json_array_append(inc->actions, action);
	json_object_set_new(action, "incident", json_integer(inc->id));
	incident_changed(inc, "action", action);
	if (inc->h->store != NULL)
		store_attempt_end(inc->h->store, inc->attempt_id, clock_wall_ms(), outcome,
		    detail);
}


void
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
