/*
 * Scaling a service's copies (`instances:`, `scale:`). All max copies of a
 * group are services of the supervisor; the first COUNT run and the rest
 * are parked: stopped, kept stopped, and shown so. Scaling to a count
 * unparks the first ones parked (starting them) or parks the last ones
 * running (stopping them), so the running copies are always 0 .. COUNT-1
 * and their names, logs and ports stay the same from one scaling to the next.
 */
#include "supervise/supervisor_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"

static bool
entry_in_group(const struct entry *e, const char *group)
{
	return e->svc->conf->instance_of != NULL && !e->svc->removed &&
	    strcmp(e->svc->conf->instance_of, group) == 0;
}

int
supervisor_group_count(const struct supervisor *sup, const char *group,
    struct scale_conf *scale)
{
	int running = 0;
	bool found = false;
	size_t i;

	for (i = 0; i < sup->n; i++) {
		if (!entry_in_group(sup->v[i], group))
			continue;
		if (!found && scale != NULL)
			*scale = sup->v[i]->svc->conf->scale;
		found = true;
		running += !sup->v[i]->svc->parked;
	}
	return found ? running : -1;
}

/* Parks or unparks one copy; true when that changed it. */
static bool
scale_one(struct entry *e, bool run, const char *why)
{
	struct service *svc = e->svc;

	if (svc->parked == !run)
		return false;
	svc->parked = !run;
	log_info(svc->name, "%s (%s)", run ? "scaled up: starting" : "scaled down: stopping",
	    why);
	if (run)
		service_want_start(svc);
	else
		service_want_stop(svc);
	return true;
}

static int
supervisor_scale_to(struct supervisor *sup, const char *group, int count, const char *why)
{
	int changed = 0;
	size_t i;

	for (i = 0; i < sup->n; i++)
		if (entry_in_group(sup->v[i], group))
			changed += scale_one(sup->v[i], sup->v[i]->svc->conf->instance < count,
			    why);
	return changed;
}

int
supervisor_scale(struct supervisor *sup, const char *group, int count, const char *why,
    char *err, size_t errlen)
{
	struct scale_conf sc;
	int was = supervisor_group_count(sup, group, &sc);

	if (was < 0) {
		snprintf(err, errlen, "%s: no service with instances of that name", group);
		return -1;
	}
	if (sup->shutting_down) {
		snprintf(err, errlen, "tend is shutting down");
		return -1;
	}
	if (count < sc.min || count > sc.max) {
		snprintf(err, errlen, "%s: %d copies asked for; its scale allows %d to %d",
		    group, count, sc.min, sc.max);
		return -1;
	}
	if (count != was)
		log_info(group, "scaling from %d to %d copies (%s)", was, count, why);
	supervisor_scale_to(sup, group, count, why);
	supervisor_pump(sup);
	return was;
}

void
supervisor_scale_clamp(struct supervisor *sup)
{
	const char *group;
	struct scale_conf sc;
	size_t i;
	int n;

	for (i = 0; i < sup->n; i++) {
		group = sup->v[i]->svc->conf->instance_of;
		if (group == NULL || sup->v[i]->svc->conf->instance != 0 ||
		    (n = supervisor_group_count(sup, group, &sc)) < 0)
			continue;
		if (n < sc.min)
			supervisor_scale_to(sup, group, sc.min, "below the config's min");
		else if (n > sc.max)
			supervisor_scale_to(sup, group, sc.max, "above the config's max");
		else if (!sc.present && n != sc.instances)
			supervisor_scale_to(sup, group, sc.instances, "the config's instances");
	}
}
