/*
 * `instances:` and `scale:` — a service run as several copies:
 *   web:
 *     run: [/usr/bin/app, --port, "{instance+8080}"]
 *     instances: 2                      # the count at start
 *     scale: { min: 1, max: 8, up_when: "latency warning",
 *              down_when: "healthy for 10m", cooldown: 1m }
 * Each copy is a service of its own, NAME@0 .. NAME@N-1, parsed from the
 * same mapping with its number put in for "{instance}" (yaml_walk.c) and
 * TEND_INSTANCE in its environment; checks under it are its own,
 * CHECK@N. With `scale:`, max copies exist and those past the count are
 * parked until scaled up. A dependency on the group is one on the copies
 * that always run (the first min).
 */
#include "config/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/units.h"
#include "core/mem.h"
#include "core/strv.h"

#define OFF(type, field)	offsetof(struct type, field)
/* Copies of one service, at most: each is a supervised process and its checks. */
#define INSTANCES_MAX	256

static void	parse_up_when(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_down_when(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec scale_specs[] = {
	{ "min", parse_count, OFF(scale_conf, min), NULL },
	{ "max", parse_count, OFF(scale_conf, max), NULL },
	{ "up_when", parse_up_when, 0, NULL },
	{ "down_when", parse_down_when, OFF(scale_conf, down_after_ms), NULL },
	{ "cooldown", parse_duration, OFF(scale_conf, cooldown_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

#define UP_WHEN_EXPECTED "\"CHECK critical\" or \"CHECK warning\" (a check's name and " \
			"the state that adds a copy)"

/* "CHECK critical" or "CHECK warning". */
static void
parse_up_when(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	struct scale_conf *sc = target;
	const char *v = walk_scalar(w, node, "a check and a state"), *sp;

	if (v == NULL)
		return;
	sp = strrchr(v, ' ');
	if (sp == NULL || sp == v || (strcmp(sp + 1, "critical") != 0 &&
	    strcmp(sp + 1, "warning") != 0)) {
		walk_error(w, node, "'up_when': expected %s, got '%s'", UP_WHEN_EXPECTED, v);
		return;
	}
	free(sc->up_check);
	sc->up_check = xstrndup(v, (size_t)(sp - v));
	sc->up_state = strcmp(sp + 1, "critical") == 0 ? 2 : 1;
	sc->up_pos = walk_pos(w, node);
}

/* "healthy for 10m", or "never". */
static void
parse_down_when(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, "a condition"), *expected =
	    "\"healthy for DURATION\" (up_when's check healthy on every copy that long) "
	    "or \"never\"";
	const char *why;
	int64_t *ms = target;

	if (v == NULL)
		return;
	if (strcmp(v, "never") == 0) {
		*ms = 0;
		return;
	}
	if (strncmp(v, "healthy for ", 12) != 0 ||
	    units_parse_duration(v + 12, ms, &why) < 0 || *ms <= 0)
		walk_error(w, node, "'down_when': expected %s, got '%s'", expected, v);
}

/*
 * Reads `instances:` and `scale:` of a service's mapping into sc: 1 when
 * the service runs as copies (either key written), 0 when not, -1 after
 * an error.
 */
static int
instances_read(struct walk *w, yaml_node_t *service, const char *name,
    struct scale_conf *sc)
{
	yaml_node_t *count, *scale;
	double d;

	*sc = (struct scale_conf){ .min = 1, .max = -1, .instances = -1,
	    .cooldown_ms = 60000 };
	count = walk_value_node(w, service, "instances");
	scale = walk_value_node(w, service, "scale");
	if (count == NULL && scale == NULL)
		return 0;
	if (count != NULL) {
		if (!walk_number(w, count, "instances", NUMBER_COUNT, &d))
			return -1;
		sc->instances = (int)d;
	}
	if (scale != NULL) {
		sc->present = true;
		sc->pos = walk_pos(w, scale);
		if (!walk_mapping(w, scale, scale_specs, sc, "'scale'"))
			return -1;
	}
	if (!sc->present) {
		sc->min = sc->max = sc->instances;
	} else {
		if (sc->max < 0)
			sc->max = sc->min;
		if (sc->instances < 0)
			sc->instances = sc->min;
	}
	if (sc->min < 1 || sc->max < sc->min || sc->max > INSTANCES_MAX ||
	    sc->instances < sc->min || sc->instances > sc->max) {
		walk_error(w, scale != NULL ? scale : count, "service '%s': expected 1 <= "
		    "min <= instances <= max <= %d, got min %d, instances %d, max %d",
		    name, INSTANCES_MAX, sc->min, sc->instances, sc->max);
		return -1;
	}
	if (sc->present && sc->up_check == NULL && sc->down_after_ms > 0) {
		walk_error(w, scale, "service '%s': scale: down_when needs up_when (the "
		    "check whose health it waits for)", name);
		return -1;
	}
	return 1;
}

/* Both are read before the copies are walked; each copy's walk passes over them. */
static void
parse_skip(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	(void)w, (void)node, (void)target, (void)spec;
}

const struct key_spec instances_specs[] = {
	{ "instances", parse_skip, 0, NULL },
	{ "scale", parse_skip, 0, NULL },
	{ NULL, NULL, 0, NULL },
};

void
parse_instances(struct walk *w, yaml_node_t *key, yaml_node_t *value,
    struct service_conf *(*one)(struct walk *, yaml_node_t *, yaml_node_t *, const char *))
{
	const char *base = (const char *)key->data.scalar.value;
	struct service_conf *s;
	struct scale_conf sc;
	char name[300], env[64];
	int i;

	switch (instances_read(w, value, base, &sc)) {
	case 0:
		one(w, key, value, base);
		return;
	case -1:
		free(sc.up_check);
		return;
	}
	for (i = 0; i < sc.max; i++) {
		snprintf(name, sizeof(name), "%s@%d", base, i);
		w->in_instance = true;
		w->instance = i;
		s = one(w, key, value, name);
		w->in_instance = false;
		s->instance_of = xstrdup(base);
		s->instance = i;
		s->parked_at_start = i >= sc.instances;
		s->scale = sc;
		s->scale.up_check = sc.up_check ? xstrdup(sc.up_check) : NULL;
		snprintf(env, sizeof(env), "TEND_INSTANCE=%d", i);
		s->env = strv_push(s->env, env);
	}
	free(sc.up_check);
}

/* A group's name and the copies that always run, for the dependencies. */
struct group_min {
	const char	*name;
	int		 min;
};

/* The groups: each first copy's name and min; NULL when there is none. */
static struct group_min *
instances_groups(const struct tend_config *cfg, size_t *n)
{
	struct group_min *v = NULL;
	size_t i;

	*n = 0;
	for (i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].instance_of != NULL && cfg->services[i].instance == 0) {
			v = xgrow(v, *n, sizeof(*v));
			v[(*n)++] = (struct group_min){ cfg->services[i].instance_of,
			    cfg->services[i].scale.min };
		}
	return v;
}

void
instances_expand_deps(struct tend_config *cfg)
{
	char **deps, **d, name[300];
	struct group_min *groups;
	size_t i, g, n_groups;
	int k;

	/* Without groups, nothing to do: a config of 50,000 plain services stays linear. */
	if ((groups = instances_groups(cfg, &n_groups)) == NULL)
		return;
	for (i = 0; i < cfg->n_services; i++) {
		deps = NULL;
		for (d = cfg->services[i].depends_on; d != NULL && *d != NULL; d++) {
			for (g = 0; g < n_groups && strcmp(groups[g].name, *d) != 0; g++)
				;
			if (g == n_groups) {
				deps = strv_push(deps, *d);
				continue;
			}
			for (k = 0; k < groups[g].min; k++) {
				snprintf(name, sizeof(name), "%s@%d", *d, k);
				deps = strv_push(deps, name);
			}
		}
		strv_free(cfg->services[i].depends_on);
		cfg->services[i].depends_on = deps;
	}
	free(groups);
}
