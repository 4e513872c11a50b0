/*
 * The `self_healing:` block as teams already write it, mapped onto tend's
 * own settings. Explicit settings elsewhere in the file win over it; the
 * environment wins over both (load.c).
 */
#include <stdio.h>
#include <string.h>

#include "config/parse.h"
#include "config/validate.h"
#include "core/mem.h"

#define OFF(field)	offsetof(struct self_healing_conf, field)

/* Bare numbers are seconds, as this block writes them (30, 300). */
static const struct key_spec error_detection_specs[] = {
	{ "monitoring_interval", parse_duration, OFF(monitoring_interval_ms), NULL },
	{ "threshold_cpu", parse_percent, OFF(threshold_cpu), NULL },
	{ "threshold_memory", parse_percent, OFF(threshold_memory), NULL },
	{ "threshold_error_rate", parse_percent, OFF(threshold_error_rate), NULL },
	{ "pattern_recognition_enabled", parse_bool, OFF(pattern_recognition_enabled), NULL },
	{ "anomaly_detection_enabled", parse_bool, OFF(anomaly_detection_enabled), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec recovery_specs[] = {
	{ "max_retry_attempts", parse_positive_int, OFF(max_retry_attempts), NULL },
	{ "escalation_timeout", parse_duration, OFF(escalation_timeout_ms), NULL },
	{ "rollback_enabled", parse_bool, OFF(rollback_enabled), NULL },
	{ "auto_scaling_enabled", parse_bool, OFF(auto_scaling_enabled), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec learning_specs[] = {
	{ "effectiveness_tracking", parse_bool, OFF(effectiveness_tracking), NULL },
	{ "pattern_recognition", parse_bool, OFF(learning_pattern_recognition), NULL },
	{ "continuous_improvement", parse_bool, OFF(continuous_improvement), NULL },
	{ NULL, NULL, 0, NULL },
};

/* Nested tables write into the same struct: their offsets are from its start. */
static void
parse_same_struct(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char what[64];

	snprintf(what, sizeof(what), "'self_healing.%s'", spec->name);
	walk_mapping(w, node, spec->arg, (char *)target - spec->offset, what);
}

const struct key_spec self_healing_specs[] = {
	{ "enabled", parse_bool, OFF(enabled), NULL },
	{ "error_detection", parse_same_struct, 0, error_detection_specs },
	{ "recovery", parse_same_struct, 0, recovery_specs },
	{ "learning", parse_same_struct, 0, learning_specs },
	{ NULL, NULL, 0, NULL },
};

/*
 * The check a threshold sets, created if absent. A resource check of the
 * metric declared under any name wins; another check holding the name the
 * block would use is an error, not a second series of that name.
 */
static struct check_conf *
self_healing_check(struct tend_config *cfg, enum resource_metric metric,
    const char *name, const char *key, struct config_errors *errs)
{
	const struct check_conf *clash;
	size_t i;

	for (i = 0; i < cfg->n_checks; i++)
		if (cfg->checks[i].metric == metric && cfg->checks[i].type == CHECK_RESOURCE)
			return NULL;	/* declared explicitly: it wins */
	if ((clash = config_find_check(cfg, name)) != NULL) {
		validate_error(errs, &clash->pos, "check '%s': self_healing."
		    "error_detection.%s adds a %s resource check of this name; rename "
		    "this one, or declare a %s resource check yourself", name, key,
		    name, name);
		return NULL;
	}
	return parse_add_check(cfg, name);
}

static void
self_healing_threshold(struct tend_config *cfg, enum resource_metric metric,
    const char *name, const char *key, double warn, struct config_errors *errs)
{
	struct check_conf *c;

	if (warn <= 0 || (c = self_healing_check(cfg, metric, name, key, errs)) == NULL)
		return;
	c->pos = (struct conf_pos){ .file = cfg->source };
	c->metric = metric;
	c->warn = warn;
	c->crit = warn > 95 ? warn : 95;
}

void
self_healing_apply(struct tend_config *cfg, struct config_errors *errs)
{
	struct self_healing_conf *sh = &cfg->self_healing;
	size_t i;

	if (!sh->present)
		return;
	if (!cfg->heal.auto_explicit)
		cfg->heal.auto_heal = sh->enabled;
	if (cfg->interval_ms == 0)
		cfg->interval_ms = sh->monitoring_interval_ms;
	if (cfg->heal.max_attempts == 0)
		cfg->heal.max_attempts = sh->max_retry_attempts;
	if (cfg->heal.escalation_timeout_ms == 0)
		cfg->heal.escalation_timeout_ms = sh->escalation_timeout_ms;
	for (i = 0; sh->max_retry_attempts > 0 && i < cfg->n_services; i++)
		if (cfg->services[i].limit.restarts < 0)
			cfg->services[i].limit.restarts = sh->max_retry_attempts;
	self_healing_threshold(cfg, RESOURCE_CPU, "cpu", "threshold_cpu",
	    sh->threshold_cpu, errs);
	self_healing_threshold(cfg, RESOURCE_MEMORY, "memory", "threshold_memory",
	    sh->threshold_memory, errs);
	log_add_implicit(cfg, sh->threshold_error_rate);
}
