/*
 * Checks of the healing sections that need the whole config: references
 * to named actions and services, commands that must exist, classify rules
 * whose regex and category must be valid.
 */
#include "config/validate.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "config/yaml_walk.h"
#include "diagnose/classify.h"

static void	resolve_actions(struct tend_config *cfg, struct heal_action *v, size_t n,
		    const char *owner, const char *service, struct config_errors *errs);

/* scale acts on a group with `scale:`: named, or the one its owner is a copy of. */
static void
validate_scale_target(const struct tend_config *cfg, const struct heal_action *a,
    const char *owner, const char *service, struct config_errors *errs)
{
	const struct service_conf *s = NULL;
	const char *target = a->service != NULL ? a->service : service;
	size_t i;

	for (i = 0; target != NULL && i < cfg->n_services && s == NULL; i++)
		if (strcmp(cfg->services[i].name, target) == 0 ||
		    (cfg->services[i].instance_of != NULL &&
		    strcmp(cfg->services[i].instance_of, target) == 0))
			s = &cfg->services[i];
	if (s == NULL || !s->scale.present)
		validate_error(errs, &a->pos, "%s: heal: scale needs a service with "
		    "`scale: {min, max}`%s%s", owner, target ? "; it names " : "",
		    target ? target : "");
}

static void
resolve_action(struct tend_config *cfg, struct heal_action *a, const char *owner,
    const char *service, struct config_errors *errs)
{
	switch (a->kind) {
	case HEAL_NAMED:
		a->named = config_find_action(cfg, a->name);
		if (a->named == NULL)
			validate_error(errs, &a->pos, "%s: heal: '%s' is not an action (restart, "
			    "stop, start, rollback, escalate, or a name under 'actions:')%s",
			    owner, a->name, strcmp(a->name, "rebuild") == 0 ?
			    "; an entry under 'rebuild:' is run as {rebuild: NAME}" : "");
		else if (a->named->service == NULL && service == NULL &&
		    (a->named->kind == HEAL_RESTART || a->named->kind == HEAL_STOP ||
		    a->named->kind == HEAL_START || a->named->kind == HEAL_INCREASE))
			validate_error(errs, &a->pos, "%s: heal: '%s' needs a service: this "
			    "check belongs to none", owner, a->name);
		break;
	case HEAL_RESTART:
	case HEAL_STOP:
	case HEAL_START:
	case HEAL_INCREASE:
		/* A group's name: its copies (restart, stop, start); raised one at a time. */
		if (a->service != NULL && config_find_service(cfg, a->service) == NULL &&
		    (a->kind == HEAL_INCREASE || !config_is_group(cfg, a->service)))
			validate_error(errs, &a->pos, "%s: heal: %s names '%s', which is not a "
			    "service", owner, heal_action_kind_name(a->kind), a->service);
		else if (a->service == NULL && service == NULL)
			validate_error(errs, &a->pos, "%s: heal: %s of what? This check belongs "
			    "to no service; write {%s: %s}", owner,
			    heal_action_kind_name(a->kind), heal_action_kind_name(a->kind),
			    a->kind == HEAL_INCREASE ? "{service: SERVICE, ...}" : "SERVICE");
		break;
	case HEAL_SCALE:
		validate_scale_target(cfg, a, owner, service, errs);
		break;
	case HEAL_ANY:
		resolve_actions(cfg, a->alternatives, a->n_alternatives, owner, service, errs);
		break;
	case HEAL_EXEC:
		validate_program(&a->pos, owner, a->argv, "exec", errs);
		break;
	case HEAL_ROLLBACK:
		if (a->snapshot != NULL && config_find_snapshot_set(cfg, a->snapshot) == NULL)
			validate_error(errs, &a->pos, "%s: heal: rollback names '%s', which is "
			    "not a snapshot set", owner, a->snapshot);
		break;
	case HEAL_REBUILD:
		if (a->rebuild != NULL && config_find_rebuild(cfg, a->rebuild) == NULL)
			validate_error(errs, &a->pos, "%s: heal: rebuild names '%s', which is "
			    "not under 'rebuild:'", owner, a->rebuild);
		break;
	default:
		break;
	}
}

static void
resolve_actions(struct tend_config *cfg, struct heal_action *v, size_t n,
    const char *owner, const char *service, struct config_errors *errs)
{
	size_t i;

	for (i = 0; i < n; i++)
		resolve_action(cfg, &v[i], owner, service, errs);
}

static void
validate_classify_rules(const struct tend_config *cfg, struct config_errors *errs)
{
	const struct classify_rule *r;
	size_t i;

	for (i = 0; i < cfg->n_classify; i++) {
		r = &cfg->classify[i];
		if (r->match == NULL || r->category == NULL)
			continue;	/* reported by the parser */
		if (failure_category_from_name(r->category) < 0)
			validate_error(errs, &r->pos, "classify: category '%s' is not one of "
			    "network, timeout, dependency, config, permission, resource, "
			    "crash, unknown", r->category);
		validate_regex(errs, &r->pos, "classify", r->match);
	}
}

void
config_validate_heal(struct tend_config *cfg, struct config_errors *errs)
{
	char owner[300];
	size_t i;

	/* Named actions are written once but run for many targets: no owner yet. */
	for (i = 0; i < cfg->n_actions; i++) {
		snprintf(owner, sizeof(owner), "action '%s'", cfg->actions[i].name);
		if (cfg->actions[i].kind != HEAL_NAMED)
			resolve_action(cfg, &cfg->actions[i], owner, "(any)", errs);
	}
	for (i = 0; i < cfg->n_services; i++) {
		snprintf(owner, sizeof(owner), "service '%s'", cfg->services[i].name);
		resolve_actions(cfg, cfg->services[i].heal.v, cfg->services[i].heal.n,
		    owner, cfg->services[i].name, errs);
	}
	for (i = 0; i < cfg->n_checks; i++) {
		snprintf(owner, sizeof(owner), "check '%s'", cfg->checks[i].name);
		resolve_actions(cfg, cfg->checks[i].heal.v, cfg->checks[i].heal.n,
		    owner, cfg->checks[i].service, errs);
	}
	validate_classify_rules(cfg, errs);
}
