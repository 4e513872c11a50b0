/*
 * The healing parts of tend.yaml: `heal:` lists of actions (on a check or a
 * service), named `actions:`, the `heal:` policy block, `classify:` rules
 * and `anomaly:` settings.
 *
 * An item of a heal list is a word (restart, stop, start, rollback,
 * escalate, or the name of a declared action) or a mapping with one action
 * key: {restart: SERVICE}, {exec: [argv], timeout: 30s}, {cleanup: {...}},
 * {adjust_timeout: {factor, max}}, {rollback: SET}, {rebuild: NAME},
 * {wait: 10s}, {any: [...]}, and an optional `name:`.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parse.h"
#include "core/mem.h"
#include "core/pathglob.h"
#include "core/strv.h"

#define OFF(type, field)	offsetof(struct type, field)

static const char *const action_words[] = {
	[HEAL_RESTART] = "restart", [HEAL_STOP] = "stop", [HEAL_START] = "start",
	[HEAL_EXEC] = "exec", [HEAL_CLEANUP] = "cleanup",
	[HEAL_ADJUST_TIMEOUT] = "adjust_timeout", [HEAL_ROLLBACK] = "rollback",
	[HEAL_WAIT] = "wait", [HEAL_ESCALATE] = "escalate", [HEAL_ANY] = "any",
	[HEAL_REBUILD] = "rebuild", [HEAL_MONITOR] = "enable_monitoring",
	[HEAL_SCALE] = "scale",
	[HEAL_INCREASE] = "increase_resources",
	[HEAL_NAMED] = NULL,
};

const char *
heal_action_kind_name(enum heal_action_kind kind)
{
	return kind == HEAL_NAMED ? "named" : action_words[kind];
}

static void	parse_action_service(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_action_exec(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_action_cleanup(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_action_adjust(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_action_rollback(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_action_rebuild(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_action_wait(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_action_escalate(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_action_any(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_action_monitor(struct walk *, yaml_node_t *, void *,
		    const struct key_spec *);
static void	parse_action_scale(struct walk *, yaml_node_t *, void *,
		    const struct key_spec *);

/* The action keys of a mapping item; spec->arg is the kind. */
static const struct key_spec action_specs[] = {
	{ "restart", parse_action_service, 0, &action_words[HEAL_RESTART] },
	{ "stop", parse_action_service, 0, &action_words[HEAL_STOP] },
	{ "start", parse_action_service, 0, &action_words[HEAL_START] },
	{ "exec", parse_action_exec, 0, NULL },
	{ "cleanup", parse_action_cleanup, 0, NULL },
	{ "adjust_timeout", parse_action_adjust, 0, NULL },
	{ "rollback", parse_action_rollback, 0, NULL },
	{ "rebuild", parse_action_rebuild, 0, NULL },
	{ "wait", parse_action_wait, 0, NULL },
	{ "escalate", parse_action_escalate, 0, NULL },
	{ "any", parse_action_any, 0, NULL },
	{ "enable_monitoring", parse_action_monitor, 0, NULL },
	{ "scale", parse_action_scale, 0, NULL },
	/* the name self-healing guides give it */
	{ "scale_resources", parse_action_scale, 0, NULL },
	{ "increase_resources", parse_action_increase, 0, NULL },
	{ "name", parse_string, OFF(heal_action, name), NULL },
	{ "timeout", parse_duration, OFF(heal_action, timeout_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

static void	parse_cleanup_paths(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec cleanup_specs[] = {
	{ "paths", parse_cleanup_paths, OFF(heal_action, paths), NULL },
	{ "older_than", parse_duration_or_zero, OFF(heal_action, older_than_ms), NULL },
	{ "keep_newest", parse_count, OFF(heal_action, keep_newest), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec adjust_specs[] = {
	{ "factor", parse_number, OFF(heal_action, factor), NULL },
	{ "max", parse_duration, OFF(heal_action, max_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

static void
heal_action_init(struct heal_action *a, enum heal_action_kind kind, struct conf_pos pos)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->pos = pos;
	a->timeout_ms = 60000;
	a->factor = 2.0;
	a->max_ms = 60000;
	a->every_ms = 1000;
	a->for_ms = 10 * 60 * 1000;
}

static void
parse_action_service(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_action *a = target;
	const char *const *word = spec->arg;
	const char *v = walk_scalar(w, node, "a service name");

	a->kind = (enum heal_action_kind)(word - action_words);
	if (v != NULL && *v != '\0')
		a->service = xstrdup(v);
}

static void
parse_action_exec(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_action *a = target;

	a->kind = HEAL_EXEC;
	parse_argv(w, node, &a->argv, spec);
}

/* What the cleanup walk would refuse is an error here, where it was written. */
static void
parse_cleanup_paths(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char ***paths = target, err[PATH_MAX + 128];
	yaml_node_item_t *item;
	yaml_node_t *at;
	size_t i = 0;

	parse_string_list(w, node, target, spec);
	for (; *paths != NULL && (*paths)[i] != NULL; i++) {
		if (pathglob_check((*paths)[i], err, sizeof(err)) == 0)
			continue;
		at = node;
		item = node->type == YAML_SEQUENCE_NODE ? node->data.sequence.items.start : NULL;
		if (item != NULL && item + i < node->data.sequence.items.top)
			at = yaml_document_get_node(w->doc, item[i]);
		walk_error(w, at, "'cleanup.paths': %s", err);
	}
}

static void
parse_action_cleanup(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_action *a = target;

	a->kind = HEAL_CLEANUP;
	walk_mapping(w, node, cleanup_specs, a, "'cleanup'");
	if (a->paths == NULL || a->paths[0] == NULL)
		walk_error(w, node, "'cleanup': expected 'paths', a list of globs");
}

static void
parse_action_adjust(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_action *a = target;

	a->kind = HEAL_ADJUST_TIMEOUT;
	if (node->type == YAML_SCALAR_NODE && node->data.scalar.length == 0)
		return;		/* `adjust_timeout:` alone: the defaults */
	walk_mapping(w, node, adjust_specs, a, "'adjust_timeout'");
	if (a->factor <= 1)
		walk_error(w, node, "'adjust_timeout.factor': expected a number above 1");
}

static const struct key_spec monitor_specs[] = {
	{ "every", parse_duration, OFF(heal_action, every_ms), NULL },
	{ "for", parse_duration, OFF(heal_action, for_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

/* enable_monitoring: {every: 1s, for: 10m}, or alone for those defaults. */
static void
parse_action_monitor(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_action *a = target;

	(void)spec;
	a->kind = HEAL_MONITOR;
	if (node->type == YAML_SCALAR_NODE && node->data.scalar.length == 0)
		return;
	walk_mapping(w, node, monitor_specs, a, "'enable_monitoring'");
}

static void
parse_scale_by(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, "a number of copies");
	char *end;
	long by;

	if (v == NULL)
		return;
	by = strcmp(v, "up") == 0 ? 1 : strcmp(v, "down") == 0 ? -1 : strtol(v, &end, 10);
	if ((strcmp(v, "up") != 0 && strcmp(v, "down") != 0 && (*v == '\0' || *end != '\0')) ||
	    by == 0 || by < -256 || by > 256) {
		walk_error(w, node, "'scale': expected up, down or the copies to add or "
		    "remove (like 2 or -1), got '%s'", v);
		return;
	}
	*(int *)target = (int)by;
}

static const struct key_spec scale_action_specs[] = {
	{ "by", parse_scale_by, OFF(heal_action, scale_by), NULL },
	{ "service", parse_string, OFF(heal_action, service), NULL },
	{ NULL, NULL, 0, NULL },
};

/* scale: up | down | N, or {by: N, service: GROUP}; alone: up by one. */
static void
parse_action_scale(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_action *a = target;

	(void)spec;
	a->kind = HEAL_SCALE;
	a->scale_by = 1;
	if (node->type == YAML_SCALAR_NODE && node->data.scalar.length == 0)
		return;
	if (node->type == YAML_SCALAR_NODE)
		parse_scale_by(w, node, &a->scale_by, NULL);
	else
		walk_mapping(w, node, scale_action_specs, a, "'scale'");
}

static void
parse_action_rollback(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_action *a = target;
	const char *v;

	a->kind = HEAL_ROLLBACK;
	/* `rollback:` alone: the target's own set, as the bare word. */
	if (node->type == YAML_SCALAR_NODE && node->data.scalar.length == 0)
		return;
	if ((v = walk_scalar(w, node, "a snapshot set's name")) != NULL && *v != '\0')
		a->snapshot = xstrdup(v);
}

static void
parse_action_rebuild(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_action *a = target;
	const char *v = walk_scalar(w, node, "the name of a 'rebuild:' entry");

	a->kind = HEAL_REBUILD;
	a->timeout_ms = 0;	/* the rebuild's own: steps with their retries take minutes */
	if (v != NULL && *v == '\0')
		walk_error(w, node, "'rebuild': expected the name of a 'rebuild:' entry");
	else if (v != NULL)
		a->rebuild = xstrdup(v);
}

static void
parse_action_wait(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_action *a = target;

	a->kind = HEAL_WAIT;
	parse_duration(w, node, &a->wait_ms, spec);
}

static void
parse_action_escalate(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	((struct heal_action *)target)->kind = HEAL_ESCALATE;
}

static void	parse_action_list(struct walk *w, yaml_node_t *node,
		    struct heal_action **v, size_t *n, const char *what);

static void
parse_action_any(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_action *a = target;

	a->kind = HEAL_ANY;
	parse_action_list(w, node, &a->alternatives, &a->n_alternatives, "'any'");
	if (a->n_alternatives < 2)
		walk_error(w, node, "'any': expected a list of at least two actions "
		    "to choose from");
}

/* The action keys written in a mapping item: exactly one is expected. */
static int
action_keys_in(struct walk *w, yaml_node_t *node)
{
	yaml_node_pair_t *pair;
	yaml_node_t *key;
	const char *k;
	int n = 0, i;

	for (pair = node->data.mapping.pairs.start;
	    pair < node->data.mapping.pairs.top; pair++) {
		key = yaml_document_get_node(w->doc, pair->key);
		if (key->type != YAML_SCALAR_NODE)
			continue;
		k = (const char *)key->data.scalar.value;
		for (i = 0; i < HEAL_NAMED; i++)
			if (strcmp(k, action_words[i]) == 0)
				n++;
		n += strcmp(k, "scale_resources") == 0;
	}
	return n;
}

static void
action_default_name(struct heal_action *a)
{
	const char *base;

	if (a->name != NULL)
		return;
	if (a->kind == HEAL_EXEC && a->argv != NULL && a->argv[0] != NULL) {
		base = strrchr(a->argv[0], '/');
		a->name = xasprintf("exec-%s", base ? base + 1 : a->argv[0]);
	} else if ((a->kind == HEAL_RESTART || a->kind == HEAL_STOP ||
	    a->kind == HEAL_START) && a->service != NULL)
		a->name = xasprintf("%s-%s", action_words[a->kind], a->service);
	else if (a->kind == HEAL_REBUILD && a->rebuild != NULL)
		a->name = xasprintf("rebuild-%s", a->rebuild);
	else if (a->kind == HEAL_ROLLBACK && a->snapshot != NULL)
		a->name = xasprintf("rollback-%s", a->snapshot);
	else
		a->name = xstrdup(action_words[a->kind]);
}

/*
 * One item: a word, or a mapping with one action key. False when the
 * item had errors (reported): its name may be unset, so the caller drops it.
 */
static bool
parse_action(struct walk *w, yaml_node_t *node, struct heal_action *a)
{
	size_t errors = w->errs->n;
	const char *v;
	int i;

	heal_action_init(a, HEAL_NAMED, walk_pos(w, node));
	if (node->type == YAML_SCALAR_NODE) {
		v = (const char *)node->data.scalar.value;
		/*
		 * A bare `rebuild` stays a reference: configs name actions so
		 * (actions: {rebuild: {exec: ...}}), and {rebuild: NAME} says which.
		 */
		for (i = 0; i < HEAL_NAMED; i++)
			if (i != HEAL_REBUILD && strcmp(v, action_words[i]) == 0)
				a->kind = (enum heal_action_kind)i;
		if (strcmp(v, "scale_resources") == 0)
			a->kind = HEAL_SCALE;
		if (a->kind == HEAL_SCALE)
			a->scale_by = 1;
		if (a->kind == HEAL_INCREASE)
			a->raise_memory.pct = 25;	/* as {increase_resources: } */
		if (a->kind == HEAL_EXEC || a->kind == HEAL_CLEANUP || a->kind == HEAL_WAIT ||
		    a->kind == HEAL_ANY)
			walk_error(w, node, "'%s' needs settings: write it as a mapping "
			    "({%s: ...})", v, v);
		a->name = xstrdup(v);	/* a named action's reference, or the word */
		return w->errs->n == errors;
	}
	if (node->type != YAML_MAPPING_NODE) {
		walk_error(w, node, "expected an action: a word (restart, stop, start, "
		    "rollback, escalate, or a declared action's name) or a mapping, "
		    "got a list");
		return false;
	}
	if (action_keys_in(w, node) != 1) {
		walk_error(w, node, "expected exactly one of restart, stop, start, exec, "
		    "cleanup, adjust_timeout, rollback, rebuild, wait, escalate, any, "
		    "enable_monitoring, scale, increase_resources in an action");
		return false;
	}
	walk_mapping(w, node, action_specs, a, "the action");
	action_default_name(a);
	return w->errs->n == errors;
}

/* Items with errors are left out: the model holds only whole actions. */
static void
parse_action_list(struct walk *w, yaml_node_t *node, struct heal_action **v,
    size_t *n, const char *what)
{
	yaml_node_item_t *item;

	if (node->type != YAML_SEQUENCE_NODE) {
		walk_error(w, node, "%s: expected a list of actions", what);
		return;
	}
	for (item = node->data.sequence.items.start;
	    item < node->data.sequence.items.top; item++) {
		*v = xgrow(*v, *n, sizeof(**v));
		if (parse_action(w, yaml_document_get_node(w->doc, *item), &(*v)[*n]))
			(*n)++;
		else
			heal_action_free(&(*v)[*n]);
	}
}

void
parse_heal_plan(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_plan *plan = target;

	plan->present = true;
	parse_action_list(w, node, &plan->v, &plan->n, "'heal'");
}

static void
parse_one_named_action(struct walk *w, yaml_node_t *key, yaml_node_t *value)
{
	struct tend_config *cfg = w->cfg;
	struct heal_action *a;
	bool ok;

	cfg->actions = xgrow(cfg->actions, cfg->n_actions, sizeof(*cfg->actions));
	a = &cfg->actions[cfg->n_actions++];
	ok = parse_action(w, value, a);
	a->pos = walk_pos(w, key);
	free(a->name);
	a->name = xstrdup((const char *)key->data.scalar.value);
	if (ok && a->kind == HEAL_NAMED)
		walk_error(w, value, "action '%s': expected an action (restart, stop, "
		    "start, exec, cleanup, adjust_timeout, rollback, rebuild, wait, escalate, "
		    "any, enable_monitoring, increase_resources), not a reference to another",
		    a->name);
}

void
parse_named_actions(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_named_entries(w, node, "actions", "action", parse_one_named_action);
}

static const struct key_spec classify_rule_specs[] = {
	{ "name", parse_string, OFF(classify_rule, name), NULL },
	{ "match", parse_string, OFF(classify_rule, match), NULL },
	{ "category", parse_string, OFF(classify_rule, category), NULL },
	{ NULL, NULL, 0, NULL },
};

void
parse_classify(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct tend_config *cfg = w->cfg;
	yaml_node_item_t *item;
	struct classify_rule *r;
	yaml_node_t *n;

	if (node->type != YAML_SEQUENCE_NODE) {
		walk_error(w, node, "'classify': expected a list of {match, category}");
		return;
	}
	for (item = node->data.sequence.items.start;
	    item < node->data.sequence.items.top; item++) {
		n = yaml_document_get_node(w->doc, *item);
		cfg->classify = xgrow(cfg->classify, cfg->n_classify,
		    sizeof(*cfg->classify));
		r = &cfg->classify[cfg->n_classify++];
		memset(r, 0, sizeof(*r));
		r->pos = walk_pos(w, n);
		walk_mapping(w, n, classify_rule_specs, r, "a 'classify' rule");
		if (n->type == YAML_MAPPING_NODE && (r->match == NULL || r->category == NULL))
			walk_error(w, n, "a 'classify' rule: expected both 'match' (a "
			    "regex) and 'category'");
		if (r->name == NULL)
			r->name = xasprintf("classify #%zu", cfg->n_classify);
	}
}

static const struct key_spec anomaly_series_specs[] = {
	{ "z", parse_number, OFF(anomaly_series_conf, z), NULL },
	{ "k", parse_positive_int, OFF(anomaly_series_conf, k), NULL },
	{ "off", parse_bool, OFF(anomaly_series_conf, off), NULL },
	{ "min_delta", parse_number, OFF(anomaly_series_conf, min_delta), NULL },
	{ "min_ratio", parse_number, OFF(anomaly_series_conf, min_ratio), NULL },
	{ NULL, NULL, 0, NULL },
};

static struct anomaly_series_conf *
anomaly_series_add(struct anomaly_conf *an, const char *name)
{
	struct anomaly_series_conf *s;

	an->series = xgrow(an->series, an->n_series, sizeof(*an->series));
	s = &an->series[an->n_series++];
	memset(s, 0, sizeof(*s));
	s->series = xstrdup(name);
	s->min_delta = -1;
	s->min_ratio = -1;
	return s;
}

static void
parse_anomaly_series(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct anomaly_conf *an = target;
	yaml_node_pair_t *pair;
	yaml_node_t *key;
	const char *name;

	if (node->type != YAML_MAPPING_NODE) {
		walk_error(w, node, "'anomaly.series': expected a mapping of series "
		    "names to {z, k, min_delta, min_ratio, off}");
		return;
	}
	for (pair = node->data.mapping.pairs.start;
	    pair < node->data.mapping.pairs.top; pair++) {
		key = yaml_document_get_node(w->doc, pair->key);
		if ((name = walk_scalar(w, key, "a series name")) == NULL)
			continue;
		walk_mapping(w, yaml_document_get_node(w->doc, pair->value),
		    anomaly_series_specs, anomaly_series_add(an, name), "a series");
	}
}

static void
parse_anomaly_noisy(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct anomaly_conf *an = target;
	char **names = NULL;
	size_t i;

	parse_string_list(w, node, &names, spec);
	for (i = 0; names != NULL && names[i] != NULL; i++)
		anomaly_series_add(an, names[i])->off = true;
	strv_free(names);
}

static const struct key_spec anomaly_specs[] = {
	{ "enabled", parse_bool, OFF(anomaly_conf, enabled), NULL },
	{ "z", parse_number, OFF(anomaly_conf, z), NULL },
	{ "k", parse_positive_int, OFF(anomaly_conf, k), NULL },
	{ "window", parse_positive_int, OFF(anomaly_conf, window), NULL },
	{ "min_delta", parse_number, OFF(anomaly_conf, min_delta), NULL },
	{ "min_ratio", parse_number, OFF(anomaly_conf, min_ratio), NULL },
	{ "series", parse_anomaly_series, 0, NULL },
	{ "noisy", parse_anomaly_noisy, 0, NULL },
	{ NULL, NULL, 0, NULL },
};

void
parse_anomaly(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	walk_mapping(w, node, anomaly_specs, target, "'anomaly'");
}

