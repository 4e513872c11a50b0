/*
 * A service's resource limits, set with setrlimit(2) in the child before
 * it switches user (docs/config.md):
 *   rlimits: { nofile: 65536, core: 0, as: 2GB, cpu: 1h,
 *              nproc: { soft: 512, hard: 1024 } }
 * A value is a count (nofile, nproc), a size (as, core, data, fsize,
 * memlock, stack, rss) or a duration in whole seconds (cpu), or
 * `unlimited`; one value sets both the soft and the hard limit.
 */
#include "config/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "config/units.h"

enum rlimit_unit { RL_COUNT, RL_SIZE, RL_SECONDS };

static const struct {
	const char	*name;
	int		 resource;
	enum rlimit_unit unit;
} rlimit_table[] = {
	{ "nofile", RLIMIT_NOFILE, RL_COUNT },
	{ "nproc", RLIMIT_NPROC, RL_COUNT },
	{ "core", RLIMIT_CORE, RL_SIZE },
	{ "as", RLIMIT_AS, RL_SIZE },
	{ "data", RLIMIT_DATA, RL_SIZE },
	{ "fsize", RLIMIT_FSIZE, RL_SIZE },
	{ "memlock", RLIMIT_MEMLOCK, RL_SIZE },
	{ "stack", RLIMIT_STACK, RL_SIZE },
	{ "rss", RLIMIT_RSS, RL_SIZE },
	{ "cpu", RLIMIT_CPU, RL_SECONDS },
};
#define N_RLIMITS	(sizeof(rlimit_table) / sizeof(rlimit_table[0]))

/* One value of limit k into *out; false after saying what was expected. */
static bool
rlimit_value(struct walk *w, yaml_node_t *node, size_t k, uint64_t *out)
{
	const char *v = walk_scalar(w, node, "a limit or unlimited");
	const char *expected = NULL;
	int64_t n = 0;
	bool ok = false;
	double d;

	if (v == NULL)
		return false;
	if (strcmp(v, "unlimited") == 0 || strcmp(v, "infinity") == 0) {
		*out = SERVICE_RLIMIT_UNLIMITED;
		return true;
	}
	switch (rlimit_table[k].unit) {
	case RL_COUNT:
		ok = units_parse_number(v, NUMBER_COUNT, &d, &expected) == 0;
		n = ok ? (int64_t)d : 0;
		break;
	case RL_SIZE:
		ok = units_parse_size(v, &n, &expected) == 0 && n >= 0;
		break;
	case RL_SECONDS:
		/* The kernel counts CPU time in whole seconds. */
		ok = units_parse_duration(v, &n, &expected) == 0 && n >= 0 && n % 1000 == 0;
		if (!ok)
			expected = "whole seconds of CPU time, like 30s or 1h";
		n /= 1000;
		break;
	}
	if (!ok) {
		walk_error(w, node, "'rlimits.%s': expected %s or unlimited, got '%s'",
		    rlimit_table[k].name, expected != NULL ? expected : "a limit", v);
		return false;
	}
	*out = (uint64_t)n;
	return true;
}

/* value: a limit for both, or { soft: X, hard: Y }. */
static void
parse_one_rlimit(struct walk *w, yaml_node_t *key, yaml_node_t *value,
    struct service_conf *s, size_t k)
{
	struct service_rlimit *l = &s->rlimits[s->n_rlimits];
	yaml_node_t *soft = NULL, *hard = NULL, *sub, **set;
	yaml_node_pair_t *p;
	const char *name;

	*l = (struct service_rlimit){ .name = rlimit_table[k].name,
	    .resource = rlimit_table[k].resource, .pos = walk_pos(w, key) };
	if (value->type != YAML_MAPPING_NODE) {
		if (rlimit_value(w, value, k, &l->soft)) {
			l->hard = l->soft;
			s->n_rlimits++;
		}
		return;
	}
	for (p = value->data.mapping.pairs.start; p < value->data.mapping.pairs.top; p++) {
		sub = yaml_document_get_node(w->doc, p->key);
		name = sub->type == YAML_SCALAR_NODE ? (const char *)sub->data.scalar.value : "";
		if (strcmp(name, "soft") == 0)
			set = &soft;
		else if (strcmp(name, "hard") == 0)
			set = &hard;
		else {
			walk_error(w, sub, "'rlimits.%s': expected soft or hard",
			    rlimit_table[k].name);
			continue;
		}
		if (*set != NULL)
			walk_error(w, sub, "duplicate key '%s' in 'rlimits.%s'", name,
			    rlimit_table[k].name);
		*set = yaml_document_get_node(w->doc, p->value);
	}
	if (soft == NULL || hard == NULL) {
		walk_error(w, value, "'rlimits.%s': expected both soft and hard (or one value "
		    "for both)", rlimit_table[k].name);
		return;
	}
	if (!rlimit_value(w, soft, k, &l->soft) || !rlimit_value(w, hard, k, &l->hard))
		return;
	if (l->soft > l->hard) {
		walk_error(w, soft, "'rlimits.%s': soft is above hard", rlimit_table[k].name);
		return;
	}
	s->n_rlimits++;
}

void
parse_rlimits(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	struct service_conf *s = target;
	yaml_node_t *key, *value;
	yaml_node_pair_t *p;
	const char *name;
	bool *repeated;
	size_t k;

	(void)spec;
	if (node->type != YAML_MAPPING_NODE) {
		walk_error(w, node, "'rlimits': expected a mapping like { nofile: 65536 }");
		return;
	}
	/* Each limit once: a second would be set over the first, and crowd out others. */
	repeated = walk_repeated_keys(w, node);
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		key = yaml_document_get_node(w->doc, p->key);
		value = yaml_document_get_node(w->doc, p->value);
		if ((name = walk_scalar(w, key, "a limit's name")) == NULL)
			continue;
		for (k = 0; k < N_RLIMITS && strcmp(name, rlimit_table[k].name) != 0; k++)
			;
		if (repeated[p - node->data.mapping.pairs.start])
			walk_error(w, key, "duplicate key '%s' in 'rlimits'", name);
		else if (k == N_RLIMITS)
			walk_error(w, key, "'rlimits': unknown limit '%s' (nofile, nproc, core, "
			    "as, data, fsize, memlock, stack, rss, cpu)", name);
		else if (s->n_rlimits < SERVICE_RLIMITS_MAX)
			parse_one_rlimit(w, key, value, s, k);
	}
	free(repeated);
}
