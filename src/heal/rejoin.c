/*
 * What a previous run of tend left open. At start every open incident in
 * the store whose target the config still has is rejoined: the same id,
 * history and attempts, and no second opening alert (the alerter is told
 * the alert is still open, so its end goes where it went). It waits for
 * fresh results before anything is done about it. Several open incidents
 * of one target (left by older versions) are merged into the newest; an
 * operator's request that was running, and an incident whose target is
 * gone from the config, are closed.
 */
#include "heal/healer_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/strv.h"
#include "store/store.h"

static const char *
rejoin_error_type(const char *type)
{
	static const char *const types[] = { "check", "service", "manual", NULL };
	size_t i;

	for (i = 0; type != NULL && types[i] != NULL; i++)
		if (strcmp(type, types[i]) == 0)
			return types[i];
	return "check";
}

static char **
rejoin_strv(json_t *array)
{
	char **v = NULL;
	json_t *item;
	size_t i;

	json_array_foreach(array, i, item)
		if (json_is_string(item))
			v = strv_push(v, json_string_value(item));
	return v;
}

static const char *
rejoin_text(json_t *row, const char *key)
{
	return json_string_value(json_object_get(row, key));
}

/* Whether the incident's target is in the config: its check, or its service. */
static bool
incident_target_exists(const struct healer *h, const struct incident *inc)
{
	if (strcmp(inc->error_type, "service") == 0)
		return config_find_service(h->cfg, inc->target) != NULL;
	if (strcmp(inc->error_type, "check") == 0)
		return check_index(h, inc->target) >= 0 && (inc->service == NULL ||
		    config_find_service(h->cfg, inc->service) != NULL);
	return false;
}

/* The incident of a store row, open in memory again as it was. */
static struct incident *
rejoin_row(struct healer *h, json_t *row)
{
	const char *category = rejoin_text(row, "category");
	const char *severity = rejoin_text(row, "severity");
	const char *actions = rejoin_text(row, "actions_taken");
	struct incident *inc;
	int cat;

	cat = category != NULL ? failure_category_from_name(category) : -1;
	inc = incident_new(h, json_integer_value(json_object_get(row, "id")),
	    rejoin_text(row, "target"), rejoin_text(row, "service"),
	    rejoin_error_type(rejoin_text(row, "error_type")),
	    cat < 0 ? FAILURE_UNKNOWN : (enum failure_category)cat,
	    severity != NULL && strcmp(severity, "warning") == 0 ? HEALTH_WARNING :
	    HEALTH_CRITICAL);
	inc->detected_wall = json_integer_value(json_object_get(row, "detected_at"));
	if (json_is_integer(json_object_get(row, "mttd_ms")))
		inc->mttd_ms = json_integer_value(json_object_get(row, "mttd_ms"));
	if (strcmp(inc->error_type, "check") == 0)
		inc->checks = strv_push(NULL, inc->target);
	inc->symptoms = rejoin_strv(json_object_get(row, "symptoms"));
	if (rejoin_text(row, "root_cause") != NULL) {
		free(inc->root_cause);
		inc->root_cause = xstrdup(rejoin_text(row, "root_cause"));
	}
	snprintf(inc->diagnosis, sizeof(inc->diagnosis), "%s",
	    rejoin_text(row, "diagnosis") ?: "");
	if (actions != NULL) {
		json_decref(inc->actions);
		inc->actions = json_loads(actions, 0, NULL);
		if (!json_is_array(inc->actions)) {
			json_decref(inc->actions);
			inc->actions = json_array();
		}
	}
	inc->attempts = (int)json_integer_value(json_object_get(row, "attempt_count"));
	inc->recurring = json_integer_value(json_object_get(row, "recurring")) != 0;
	inc->acked = json_integer_value(json_object_get(row, "acked")) != 0;
	inc->announced = true;
	inc->phase = PHASE_DIAGNOSING;
	if (strcmp(rejoin_text(row, "phase") ?: "", "escalated") == 0)
		inc->phase = PHASE_ESCALATED;
	/* Its alert is still open where it went: the alerter keeps it so. */
	incident_alert(inc, inc->phase == PHASE_ESCALATED ? "rejoined-escalated" : "rejoined",
	    inc->diagnosis);
	return inc;
}

/* Rejoined: it waits for fresh results of its checks before anything is done. */
static void
rejoin_resume(struct healer *h, struct incident *inc)
{
	if (inc->phase != PHASE_ESCALATED) {
		inc->rejoined = true;
		if (!healer_auto(h))
			inc->phase = PHASE_MONITORING;
	}
	incident_note(inc, "rejoined when tend started again");
	log_info(inc->service, "incident #%lld (%s %s, %s) rejoined", (long long)inc->id,
	    inc->error_type, inc->target, incident_phase_names[inc->phase]);
	incident_write(inc);
}

void
healer_rejoin(struct healer *h)
{
	json_t *rows, *row;
	struct incident *inc, *newest;
	char why[256];
	size_t i;

	if (h->store == NULL || (rows = store_open_incidents(h->store)) == NULL)
		return;
	/* Newest first: the first of a target is the one rejoined. */
	json_array_foreach(rows, i, row) {
		inc = rejoin_row(h, row);
		newest = NULL;
		for (newest = h->open; newest != NULL; newest = newest->next)
			if (newest != inc && strcmp(newest->target, inc->target) == 0 &&
			    strcmp(newest->error_type, inc->error_type) == 0)
				break;
		if (strcmp(inc->error_type, "manual") == 0)
			incident_close(inc, PHASE_INTERRUPTED, "interrupted: tend stopped "
			    "while it ran");
		else if (!incident_target_exists(h, inc))
			incident_close(inc, PHASE_INTERRUPTED, "closed: its target is no "
			    "longer in the config");
		else if (newest != NULL) {
			snprintf(why, sizeof(why), "merged into #%lld: the same failure, "
			    "opened again by an earlier start of tend", (long long)newest->id);
			free(inc->root_cause);
			inc->root_cause = xstrdup(newest->target);
			incident_close(inc, PHASE_MERGED, why);
		} else
			rejoin_resume(h, inc);
	}
	json_decref(rows);
}

void
healer_close_orphans(struct healer *h)
{
	struct incident *inc, *next;

	for (inc = h->open; inc != NULL; inc = next) {
		next = inc->next;	/* closing takes inc, and only inc, off the list */
		if (strcmp(inc->error_type, "manual") != 0 && !incident_target_exists(h, inc))
			incident_close(inc, PHASE_INTERRUPTED, "closed: its target is no "
			    "longer in the config");
	}
}
