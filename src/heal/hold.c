/*
 * Hands off: what the healer leaves alone. A service the operator stopped
 * stays stopped until the operator starts it; a service the supervisor is
 * busy with (starting, waiting, in backoff, stopping, given up) is the
 * supervisor's. An incident of such a service, or of one that depends on
 * it, is held: put down to it, neither alerted nor escalated, and once
 * nothing holds it, given verify_timeout to recover before it is
 * diagnosed afresh.
 */
#include "heal/healer_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/strv.h"
#include "diagnose/rootcause.h"

const char *
healer_hands_off(const struct healer *h, const char *service, char *why, size_t len)
{
	static const char *const busy[][2] = { { "starting", "is starting" },
	    { "waiting", "is waiting for its dependencies" },
	    { "backoff", "is in backoff after a crash" }, { "stopping", "is stopping" },
	    { "failed", "has given up (an incident of its own)" },
	    { "parked", "is scaled down" }, { NULL, NULL } };
	const char *state;
	size_t i;

	if (service == NULL)
		return NULL;
	if (strv_contains(h->stopped, service)) {
		snprintf(why, len, "%s was stopped by the operator", service);
		return why;
	}
	state = h->ops.service_state != NULL ? h->ops.service_state(h->ops.arg, service) :
	    NULL;
	for (i = 0; state != NULL && busy[i][0] != NULL; i++)
		if (strcmp(state, busy[i][0]) == 0) {
			snprintf(why, len, "%s %s: the supervisor is handling it", service,
			    busy[i][1]);
			return why;
		}
	return NULL;
}


void
healer_services_parked(struct healer *h)
{
	struct incident *inc, *next;
	const char *state;

	if (h->ops.service_state == NULL)
		return;
	healer_enter(h);
	for (inc = h->open; inc != NULL; inc = next) {
		next = inc->next;	/* closing takes inc, and only inc, off the list */
		state = inc->service != NULL ? h->ops.service_state(h->ops.arg,
		    inc->service) : NULL;
		if (state != NULL && strcmp(state, "parked") == 0)
			incident_close(inc, PHASE_INTERRUPTED, "closed: its service was "
			    "scaled down");
	}
	healer_leave(h);
}


void
healer_operator_control(struct healer *h, const char *cmd, const char *service)
{
	char **v;

	if (service == NULL || h->ops.service_state == NULL)
		return;		/* no daemon: nothing of its services to remember */
	if (strcmp(cmd, "stop") == 0) {
		if (!strv_contains(h->stopped, service))
			h->stopped = strv_push(h->stopped, service);
		return;
	}
	/* start or restart: the operator wants it running again. */
	for (v = h->stopped; v != NULL && *v != NULL; v++)
		if (strcmp(*v, service) == 0) {
			free(*v);
			memmove(v, v + 1, (strv_len(v + 1) + 1) * sizeof(*v));
			break;
		}
}


/*
 * A service incident is about its service's state (it gave up): that state
 * is what it heals, not a reason to wait. The operator's stop still stands.
 */
bool
incident_is_about(const struct incident *inc, const char *service)
{
	return strcmp(inc->error_type, "service") == 0 && inc->service != NULL &&
	    strcmp(inc->service, service) == 0 && !strv_contains(inc->h->stopped, service);
}


/*
 * The service that holds the incident, in why, or NULL: of its own service
 * and those it depends on, the deepest that the operator stopped or the
 * supervisor is busy with. Their failures explain its own, and healing
 * must not undo an operator's stop or cut a crash loop's backoff short.
 */
static const char *
incident_holder(const struct incident *inc, char *why, size_t len)
{
	const struct healer *h = inc->h;
	const struct service_conf *s;
	const char **held;
	char reason[256];
	size_t i, deepest;

	if (inc->service == NULL || strcmp(inc->error_type, "manual") == 0)
		return NULL;
	held = xcalloc(h->cfg->n_services + 1, sizeof(*held));
	for (i = 0; i < h->cfg->n_services; i++) {
		s = &h->cfg->services[i];
		if ((strcmp(s->name, inc->service) == 0 ||
		    dep_closure_depends(h->deps, inc->service, s->name)) &&
		    !incident_is_about(inc, s->name) &&
		    healer_hands_off(h, s->name, reason, sizeof(reason)) != NULL)
			held[i] = s->name;
	}
	deepest = dep_closure_deepest(h->deps, held, h->cfg->n_services);
	free(held);
	if (deepest >= h->cfg->n_services)
		return NULL;
	s = &h->cfg->services[deepest];
	healer_hands_off(h, s->name, why, len);
	return s->name;
}


/* Holds the incident while something holds its service; true when it does. */
bool
incident_hold(struct incident *inc)
{
	char why[256];
	const char *holder = incident_holder(inc, why, sizeof(why));

	if (holder == NULL)
		return false;
	inc->phase = PHASE_HELD;
	inc->phase_until = 0;
	if (inc->held_by == NULL || strcmp(inc->held_by, holder) != 0) {
		free(inc->held_by);
		inc->held_by = xstrdup(holder);
		free(inc->root_cause);
		inc->root_cause = xstrdup(holder);
		incident_note(inc, "held: %s; not healed until it is up", why);
		log_info(inc->service, "incident #%lld held: %s", (long long)inc->id, why);
		incident_write(inc);
	}
	return true;
}


/*
 * A held incident, on each tick: held on while anything holds it; once
 * nothing does, its checks get verify_timeout to recover on their own
 * (which closes it), then it is diagnosed afresh.
 */
void
incident_held_tick(struct incident *inc)
{
	struct healer *h = inc->h;
	int64_t now = clock_mono_ms();

	if (incident_hold(inc))
		return;
	if (inc->phase_until == 0) {
		inc->phase_until = now + h->cfg->heal.verify_timeout_ms;
		incident_note(inc, "%s is up again", inc->held_by);
		incident_write(inc);
		return;
	}
	if (now < inc->phase_until)
		return;
	free(inc->held_by);
	inc->held_by = NULL;
	inc->phase_until = 0;
	/* Healing starts now: escalation counts from here. */
	inc->detected_mono = now;
	if (!healer_auto(h) && !inc->requested) {
		inc->phase = PHASE_MONITORING;
		incident_announce(inc);
		incident_write(inc);
		return;
	}
	inc->phase = PHASE_DIAGNOSING;
	incident_diagnose(inc);
}
