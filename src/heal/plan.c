#include "heal/plan.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static const struct heal_action default_restart = {
	.kind = HEAL_RESTART, .name = (char *)"restart",
};

static void
steps_push(struct heal_steps *s, const struct heal_action *a, const char *service)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n].action = a;
	s->v[s->n].service = a->service ? a->service : service;
	s->n++;
}

/* "rebuild first (estimate 0.83, 5 of 6 worked), then restart (0.25, 0 of 2)" */
static void
steps_note(struct heal_steps *s, bool first, const char *name, const char *category,
    const struct learning *l)
{
	size_t len = strlen(s->notes);
	int attempts, successes;

	learning_counts(l, category, name, &attempts, &successes);
	snprintf(s->notes + len, sizeof(s->notes) - len, first ?
	    "%s%s first (estimate %.2f, %d of %d worked)" : "%s, then %s (%.2f, %d of %d)",
	    first && len > 0 ? "; " : "", name,
	    learning_estimate(l, category, name), successes, attempts);
}

static void	steps_add_list(struct heal_steps *s, const struct heal_action *v, size_t n,
		    const char *service, const char *category, const struct learning *l);

/* `any:` alternatives, best first, and the reason in the notes. */
static void
steps_add_any(struct heal_steps *s, const struct heal_action *any, const char *service,
    const char *category, const struct learning *l)
{
	const char **names = xcalloc(any->n_alternatives, sizeof(*names));
	size_t *order = xcalloc(any->n_alternatives, sizeof(*order)), i;
	const struct heal_action *alt;

	for (i = 0; i < any->n_alternatives; i++) {
		alt = &any->alternatives[i];
		names[i] = alt->named ? alt->named->name : alt->name;
	}
	learning_rank(l, category, names, any->n_alternatives, order);
	for (i = 0; i < any->n_alternatives; i++) {
		steps_note(s, i == 0, names[order[i]], category, l);
		steps_add_list(s, &any->alternatives[order[i]], 1, service, category, l);
	}
	free(names);
	free(order);
}

static void
steps_add_list(struct heal_steps *s, const struct heal_action *v, size_t n,
    const char *service, const char *category, const struct learning *l)
{
	const struct heal_action *a;
	size_t i;

	for (i = 0; i < n; i++) {
		a = v[i].kind == HEAL_NAMED ? v[i].named : &v[i];
		if (a == NULL)
			continue;
		if (a->kind == HEAL_ANY)
			steps_add_any(s, a, service, category, l);
		else
			steps_push(s, a, service);
	}
}

/* Every declared cleanup, for a full disk that names none of its own. */
static void
steps_add_cleanups(struct heal_steps *s, const struct tend_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_actions; i++)
		if (cfg->actions[i].kind == HEAL_CLEANUP)
			steps_push(s, &cfg->actions[i], NULL);
}

/* A dependency failure of service: the rebuilds declared for it (`rebuild:`). */
static void
steps_add_rebuilds(struct heal_steps *s, const struct tend_config *cfg, const char *service)
{
	size_t i;

	for (i = 0; service != NULL && i < cfg->n_rebuilds; i++)
		if (cfg->rebuilds[i].service != NULL &&
		    strcmp(cfg->rebuilds[i].service, service) == 0)
			steps_push(s, &cfg->rebuilds[i].heal, NULL);
}

/*
 * Defaults by category: a crashed, hung or unreachable service is
 * restarted; a full disk gets the declared cleanups; a missing dependency
 * gets the rebuilds declared for its service (a virtualenv, node_modules);
 * a dependency with none, a config or a permission error is not something
 * a restart fixes, so it goes straight to a human.
 */
static void
steps_add_defaults(struct heal_steps *s, const struct tend_config *cfg,
    const struct check_conf *check, const char *service, enum failure_category category)
{
	snprintf(s->source, sizeof(s->source), "default for %s",
	    failure_category_name(category));
	switch (category) {
	case FAILURE_DEPENDENCY:
		steps_add_rebuilds(s, cfg, service);
		return;
	case FAILURE_CONFIG:
	case FAILURE_PERMISSION:
		return;
	case FAILURE_RESOURCE:
		if (check != NULL && check->type == CHECK_RESOURCE &&
		    (check->metric == RESOURCE_DISK || check->metric == RESOURCE_INODES)) {
			steps_add_cleanups(s, cfg);
			return;
		}
		break;
	default:
		break;
	}
	if (service != NULL)
		steps_push(s, &default_restart, service);
}

size_t
heal_plan_build(const struct tend_config *cfg, const struct check_conf *check,
    const struct service_conf *service, enum failure_category category,
    const struct learning *l, struct heal_steps *out)
{
	const char *cat = failure_category_name(category);
	const char *owner = service ? service->name : NULL;

	memset(out, 0, sizeof(*out));
	if (check != NULL && check->heal.present) {
		snprintf(out->source, sizeof(out->source), "check '%s'", check->name);
		steps_add_list(out, check->heal.v, check->heal.n, owner, cat, l);
	} else if (service != NULL && service->heal.present) {
		snprintf(out->source, sizeof(out->source), "service '%s'", service->name);
		steps_add_list(out, service->heal.v, service->heal.n, owner, cat, l);
	} else
		steps_add_defaults(out, cfg, check, owner, category);
	return out->n;
}

void
heal_steps_clear(struct heal_steps *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int
plan_step_is_attempt(const struct plan_step *step)
{
	return step->action->kind != HEAL_WAIT && step->action->kind != HEAL_ESCALATE;
}
