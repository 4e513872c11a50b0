/*
 * A service's cgroup and the heal action that raises its limits
 * (docs/config.md, docs/healing.md):
 *   cgroup: { memory_max: 512MB, memory_high: 400MB, cpu_max: 50%,
 *             pids_max: 256 }            (or cgroup: true: no limits)
 *   increase_resources: { memory: +25%, max: 2GB, cpu: +50%, max_cpu: 200%,
 *                         pids: +64, max_pids: 1024 }
 * A limit is a size, a count, a share of one CPU ("50%", "150%") or the
 * kernel's own "QUOTA PERIOD" in microseconds, or max (none).
 */
#include "config/parse.h"

#include <stdio.h>
#include <string.h>

#include "config/units.h"

#define CPU_PERIOD_US	100000	/* the kernel's default period */

static bool
is_max(const char *v)
{
	return strcmp(v, "max") == 0 || strcmp(v, "unlimited") == 0;
}

/* A size or max into the uint64_t at target. */
static void
parse_cg_size(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, "a size or max"), *expected = NULL;
	int64_t n;

	if (v == NULL)
		return;
	if (is_max(v)) {
		*(uint64_t *)target = SERVICE_CGROUP_MAX;
		return;
	}
	if (units_parse_size(v, &n, &expected) < 0 || n <= 0) {
		walk_error(w, node, "'cgroup.%s': expected a size above 0 like 512MB, or max, "
		    "got '%s'", spec->name, v);
		return;
	}
	*(uint64_t *)target = (uint64_t)n;
}

static void
parse_cg_count(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, "a count or max"), *expected = NULL;
	double d;

	if (v == NULL)
		return;
	if (is_max(v)) {
		*(uint64_t *)target = SERVICE_CGROUP_MAX;
		return;
	}
	if (units_parse_number(v, NUMBER_COUNT, &d, &expected) < 0 || d < 1) {
		walk_error(w, node, "'cgroup.%s': expected a number of processes above 0, or "
		    "max, got '%s'", spec->name, v);
		return;
	}
	*(uint64_t *)target = (uint64_t)d;
}

/*
 * Microseconds of cpu.max, at least 1000: decimal digits only, so that a
 * sign, a blank or a number past 1e9 is refused, not wrapped or clamped.
 */
static bool
cpu_usec(const char *s, uint64_t *out)
{
	const char *expected;
	double d;

	if (units_parse_number(s, NUMBER_COUNT, &d, &expected) < 0 || d < 1000)
		return false;
	*out = (uint64_t)d;
	return true;
}

/* "50%" of one CPU, "QUOTA PERIOD" in microseconds, "max" or "max PERIOD". */
static bool
cpu_max_value(const char *v, uint64_t *quota, uint64_t *period)
{
	const char *expected, *space = strchr(v, ' ');
	size_t n = space != NULL ? (size_t)(space - v) : strlen(v);
	char word[32];
	double pct;

	*period = CPU_PERIOD_US;
	if (n >= sizeof(word))
		return false;
	memcpy(word, v, n);
	word[n] = '\0';
	if (space == NULL && n > 1 && word[n - 1] == '%') {
		word[n - 1] = '\0';
		if (units_parse_number(word, NUMBER_REAL, &pct, &expected) < 0 || pct <= 0 ||
		    pct > 100000)
			return false;
		*quota = (uint64_t)(pct / 100.0 * CPU_PERIOD_US + 0.5);
		return *quota >= 1000;
	}
	if (strcmp(word, "max") == 0)
		*quota = SERVICE_CGROUP_MAX;
	else if (!cpu_usec(word, quota))
		return false;
	/* A quota needs its period; max alone keeps the kernel's. */
	if (space == NULL)
		return *quota == SERVICE_CGROUP_MAX;
	return cpu_usec(space + 1, period) && *period <= 1000000;
}

static void
parse_cg_cpu(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	struct service_cgroup_conf *c = target;
	const char *v = walk_scalar(w, node, "a share of a CPU");

	(void)spec;
	if (v != NULL && !cpu_max_value(v, &c->cpu_quota_us, &c->cpu_period_us))
		walk_error(w, node, "'cgroup.cpu_max': expected a share of one CPU like 50%% "
		    "or 200%%, QUOTA PERIOD in microseconds like '50000 100000' (whole "
		    "numbers, at least 1000 each, a period at most 1000000), or max, got '%s'",
		    v);
}

#define CG(f)	offsetof(struct service_cgroup_conf, f)
static const struct key_spec cgroup_specs[] = {
	{ "memory_max", parse_cg_size, CG(memory_max), NULL },
	{ "memory_high", parse_cg_size, CG(memory_high), NULL },
	{ "cpu_max", parse_cg_cpu, 0, NULL },
	{ "pids_max", parse_cg_count, CG(pids_max), NULL },
	{ NULL, NULL, 0, NULL },
};

void
parse_cgroup(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	struct service_cgroup_conf *c = target;

	c->pos = walk_pos(w, node);
	if (node->type == YAML_SCALAR_NODE) {
		parse_bool(w, node, &c->enabled, spec);
		return;
	}
	if (node->type != YAML_MAPPING_NODE) {
		walk_error(w, node, "'cgroup': expected true or a mapping like "
		    "{ memory_max: 512MB, cpu_max: 50%% }");
		return;
	}
	c->enabled = true;
	walk_mapping(w, node, cgroup_specs, c, "'cgroup'");
	if (c->memory_high != 0 && c->memory_max != 0 && c->memory_max != SERVICE_CGROUP_MAX &&
	    c->memory_high != SERVICE_CGROUP_MAX && c->memory_high > c->memory_max)
		walk_error(w, node, "'cgroup': memory_high is above memory_max (the kernel "
		    "would never throttle before it kills)");
}

/*
 * "+25%" or "+256MB" (memory), "+50%" (cpu), "+64" or "+50%" (pids) into
 * a raise; spec->arg names the unit: "size", "percent" or "count".
 */
static void
parse_raise(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	struct heal_raise *r = target;
	const char *unit = spec->arg, *v = walk_scalar(w, node, "a raise like +25%");
	const char *expected;
	size_t n = v != NULL ? strlen(v) : 0;
	char num[32];
	int64_t size;
	double d;
	bool ok = false;

	if (v == NULL)
		return;
	if (v[0] == '+' && n > 2 && n < sizeof(num) && v[n - 1] == '%') {
		memcpy(num, v + 1, n - 2);
		num[n - 2] = '\0';
		if ((ok = units_parse_number(num, NUMBER_REAL, &d, &expected) == 0 && d > 0))
			r->pct = d;
	} else if (v[0] == '+' && strcmp(unit, "size") == 0) {
		if ((ok = units_parse_size(v + 1, &size, &expected) == 0 && size > 0))
			r->add = (double)size;
	} else if (v[0] == '+' && strcmp(unit, "count") == 0) {
		if ((ok = units_parse_number(v + 1, NUMBER_COUNT, &d, &expected) == 0 && d > 0))
			r->add = d;
	}
	if (!ok)
		walk_error(w, node, "'increase_resources.%s': expected a raise like +25%%%s, "
		    "got '%s'", spec->name, strcmp(unit, "size") == 0 ? " or +256MB" :
		    strcmp(unit, "count") == 0 ? " or +64" : "", v);
}

/* A cap: a size (max), a share of a CPU (max_cpu: 200%) or a count (max_pids). */
static void
parse_raise_cap(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	const char *unit = spec->arg, *v = walk_scalar(w, node, "a cap"), *expected;
	uint64_t quota, period;
	int64_t size;
	double d;

	if (v == NULL)
		return;
	if (strcmp(unit, "size") == 0 && units_parse_size(v, &size, &expected) == 0 &&
	    size > 0) {
		*(double *)target = (double)size;
	} else if (strcmp(unit, "percent") == 0 && strchr(v, '%') != NULL &&
	    cpu_max_value(v, &quota, &period)) {
		*(double *)target = (double)quota / (double)period * 100.0;
	} else if (strcmp(unit, "count") == 0 &&
	    units_parse_number(v, NUMBER_COUNT, &d, &expected) == 0 && d > 0) {
		*(double *)target = d;
	} else {
		walk_error(w, node, "'increase_resources.%s': expected %s, got '%s'", spec->name,
		    strcmp(unit, "size") == 0 ? "a size like 2GB" : strcmp(unit, "percent") ==
		    0 ? "a share of one CPU like 200%" : "a number of processes", v);
	}
}

#define HA(f)	offsetof(struct heal_action, f)
static const struct key_spec increase_specs[] = {
	{ "memory", parse_raise, HA(raise_memory), "size" },
	{ "max", parse_raise_cap, HA(raise_memory.cap), "size" },
	{ "cpu", parse_raise, HA(raise_cpu), "percent" },
	{ "max_cpu", parse_raise_cap, HA(raise_cpu.cap), "percent" },
	{ "pids", parse_raise, HA(raise_pids), "count" },
	{ "max_pids", parse_raise_cap, HA(raise_pids.cap), "count" },
	{ "service", parse_string, HA(service), NULL },
	{ NULL, NULL, 0, NULL },
};

static bool
raise_set(const struct heal_raise *r)
{
	return r->pct > 0 || r->add > 0;
}

/* increase_resources: {memory: +25%, max: 2GB, ...}, or alone for memory +25%. */
void
parse_action_increase(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct heal_action *a = target;
	size_t errors = w->errs->n;

	(void)spec;
	a->kind = HEAL_INCREASE;
	if (node->type == YAML_SCALAR_NODE && node->data.scalar.length == 0) {
		a->raise_memory.pct = 25;
		return;
	}
	if (!walk_mapping(w, node, increase_specs, a, "'increase_resources'") ||
	    w->errs->n > errors)
		return;
	if (!raise_set(&a->raise_memory) && !raise_set(&a->raise_cpu) &&
	    !raise_set(&a->raise_pids))
		walk_error(w, node, "'increase_resources': expected what to raise: memory, "
		    "cpu or pids (like memory: +25%%)");
	if ((a->raise_memory.cap > 0 && !raise_set(&a->raise_memory)) ||
	    (a->raise_cpu.cap > 0 && !raise_set(&a->raise_cpu)) ||
	    (a->raise_pids.cap > 0 && !raise_set(&a->raise_pids)))
		walk_error(w, node, "'increase_resources': a cap (max, max_cpu, max_pids) "
		    "without the raise it caps (memory, cpu, pids)");
}
