/*
 * `chaos:`, the experiments `tend chaos` runs (docs/chaos.md):
 *
 *   chaos:
 *     experiments:
 *       web-crash: { fault: kill, target: web, signal: KILL,
 *                    expect: { healed_within: 2s } }
 *       web-hang:  { fault: hang, target: web, duration: 30s,
 *                    expect: { healed_within: 10s } }
 *       db-down:   { fault: stop, target: db, duration: 5s,
 *                    expect: { detected_within: 1s } }
 *       flapping:  { fault: kill, target: web, repeat: 5, every: 2s,
 *                    expect: { escalated: true } }
 *
 * Only the config's own services are targets. The faults of the issue
 * that are not built yet are named in the error, so that a config written
 * for them says so rather than "unknown".
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "config/parse.h"
#include "config/validate.h"
#include "core/mem.h"

#define OFF(type, field)	offsetof(struct type, field)

static const char *const fault_words[] = {
	[CHAOS_KILL] = "kill", [CHAOS_HANG] = "hang", [CHAOS_STOP] = "stop",
	[CHAOS_FILL_DISK] = "fill_disk", [CHAOS_CPU] = "cpu", [CHAOS_MEMORY] = "memory",
	[CHAOS_CONFIG] = "config", [CHAOS_PROXY] = "proxy", NULL,
};

static void	parse_tristate(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec expect_specs[] = {
	{ "healed_within", parse_duration, OFF(chaos_expect, healed_within_ms), NULL },
	{ "detected_within", parse_duration, OFF(chaos_expect, detected_within_ms), NULL },
	{ "escalated", parse_tristate, OFF(chaos_expect, escalated), NULL },
	{ "root_cause", parse_string, OFF(chaos_expect, root_cause), NULL },
	{ "dependents_not_restarted", parse_tristate,
	    OFF(chaos_expect, dependents_not_restarted), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec experiment_specs[] = {
	{ "fault", parse_enum, OFF(chaos_experiment, fault), fault_words },
	{ "target", parse_string, OFF(chaos_experiment, target), NULL },
	{ "signal", parse_signal, OFF(chaos_experiment, signal), NULL },
	{ "duration", parse_duration, OFF(chaos_experiment, duration_ms), NULL },
	{ "repeat", parse_positive_int, OFF(chaos_experiment, repeat), NULL },
	{ "every", parse_duration, OFF(chaos_experiment, every_ms), NULL },
	{ "timeout", parse_duration, OFF(chaos_experiment, timeout_ms), NULL },
	{ "expect", parse_nested, OFF(chaos_experiment, expect), expect_specs },
	{ NULL, NULL, 0, NULL },
};

/* A bool into an int that stays -1 (not asked) when the key is absent. */
static void
parse_tristate(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	bool b = false;

	parse_bool(w, node, &b, spec);
	*(int *)target = b;
}

static void
parse_one_experiment(struct walk *w, yaml_node_t *key, yaml_node_t *value)
{
	struct tend_config *cfg = w->cfg;
	struct chaos_experiment *x;
	char what[300];

	cfg->chaos = xgrow(cfg->chaos, cfg->n_chaos, sizeof(*cfg->chaos));
	x = &cfg->chaos[cfg->n_chaos++];
	*x = (struct chaos_experiment){ .name = xstrdup((const char *)key->data.scalar.value),
	    .pos = walk_pos(w, key), .fault = -1, .signal = SIGKILL, .duration_ms = 10000,
	    .repeat = 1, .every_ms = 2000, .timeout_ms = 60000,
	    .expect = { .healed_within_ms = -1, .detected_within_ms = -1, .escalated = -1,
	    .dependents_not_restarted = -1 } };
	snprintf(what, sizeof(what), "chaos experiment '%s'", x->name);
	if (!walk_mapping(w, value, experiment_specs, x, what))
		return;
	parse_key_pos(w, value, "fault", &x->fault_pos);
	parse_key_pos(w, value, "target", &x->target_pos);
	if (walk_key_node(w, value, "fault") == NULL)
		walk_error(w, key, "chaos experiment '%s': 'fault' is required (kill, hang or "
		    "stop)", x->name);
	else if (x->target == NULL && walk_key_node(w, value, "target") == NULL)
		walk_error(w, key, "chaos experiment '%s': 'target' is required (the service "
		    "the fault is for)", x->name);
}

static void
parse_experiments(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_named_entries(w, node, "experiments", "chaos experiment",
	    parse_one_experiment);
}

static const struct key_spec chaos_specs[] = {
	{ "experiments", parse_experiments, 0, NULL },
	{ NULL, NULL, 0, NULL },
};

void
parse_chaos(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	walk_mapping(w, node, chaos_specs, w->cfg, "chaos");
}

const struct chaos_experiment *
config_find_chaos(const struct tend_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_chaos; i++)
		if (strcmp(cfg->chaos[i].name, name) == 0)
			return &cfg->chaos[i];
	return NULL;
}

const char *
chaos_fault_name(int fault)
{
	return fault >= 0 && fault < CHAOS_FAULTS ? fault_words[fault] : "?";
}

void
config_validate_chaos(const struct tend_config *cfg, struct config_errors *errs)
{
	const struct chaos_experiment *x;
	size_t i;

	for (i = 0; i < cfg->n_chaos; i++) {
		x = &cfg->chaos[i];
		if (x->fault > CHAOS_STOP)
			validate_error(errs, &x->fault_pos, "chaos experiment '%s': fault '%s' is "
			    "not built yet (kill, hang and stop are)", x->name,
			    chaos_fault_name(x->fault));
		if (x->target != NULL && config_find_service(cfg, x->target) == NULL)
			validate_error(errs, &x->target_pos, "chaos experiment '%s': no service "
			    "named '%s' (a fault is only ever for a service of this config)",
			    x->name, x->target);
	}
}
