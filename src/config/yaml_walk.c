#include "config/yaml_walk.h"

#include <ctype.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/units.h"
#include "core/mem.h"
#include "core/name_index.h"
#include "core/strv.h"
#include "core/text.h"

static void
walk_add_error(struct config_errors *errs, const char *file, int line, int col,
    char *msg)
{
	struct config_error *e;

	errs->v = xgrow(errs->v, errs->n, sizeof(*errs->v));
	e = &errs->v[errs->n++];
	/* One error, one line: a key or a value quoted in it may hold a newline. */
	e->file = text_escape(file);
	e->line = line;
	e->col = col;
	e->msg = text_escape(msg);
	free(msg);
}

void
walk_error_at(struct config_errors *errs, const char *file, int line, int col,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	walk_add_error(errs, file, line, col, msg);
}

void
walk_error(struct walk *w, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	walk_add_error(w->errs, w->file, node ? (int)node->start_mark.line + 1 : 0,
	    node ? (int)node->start_mark.column + 1 : 0, msg);
}

struct conf_pos
walk_pos(const struct walk *w, const yaml_node_t *node)
{
	return (struct conf_pos){ .file = w->file,
	    .line = (int)node->start_mark.line + 1,
	    .col = (int)node->start_mark.column + 1 };
}

static const char *
walk_node_kind(const yaml_node_t *node)
{
	switch (node->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/*
 * v with each "{instance}" replaced by the walk's instance and each
 * "{instance+N}" by the instance plus N (ports: "{instance+8080}"); NULL
 * after an error at node for anything else in braces after "{instance".
 */
static char *
instance_expand(struct walk *w, yaml_node_t *node, const char *v)
{
	char *out = xstrdup(""), *next, *end;
	const char *p = v, *at;
	long add;

	while ((at = strstr(p, "{instance")) != NULL) {
		add = 0;
		end = (char *)at + strlen("{instance");
		if (*end == '+' && isdigit((unsigned char)end[1]))
			add = strtol(end + 1, &end, 10);
		if (*end != '}' || add > 1000000) {
			walk_error(w, node, "'%s': expected {instance} or {instance+N} "
			    "(N a number up to 1000000)", v);
			free(out);
			return NULL;
		}
		next = xasprintf("%s%.*s%ld", out, (int)(at - p), p, w->instance + add);
		free(out);
		out = next;
		p = end + 1;
	}
	next = xasprintf("%s%s", out, p);
	free(out);
	return next;
}

const char *
walk_scalar(struct walk *w, yaml_node_t *node, const char *expected)
{
	const char *v;
	char *made;

	if (node->type != YAML_SCALAR_NODE) {
		walk_error(w, node, "expected %s, got %s", expected, walk_node_kind(node));
		return NULL;
	}
	v = (const char *)node->data.scalar.value;
	if (!w->in_instance || strstr(v, "{instance") == NULL)
		return v;
	if ((made = instance_expand(w, node, v)) == NULL)
		return NULL;
	w->made = strv_push(w->made, made);
	free(made);
	return w->made[strv_len(w->made) - 1];
}

static char *
walk_allowed_keys(const struct key_spec *const *tables)
{
	char **names = NULL, *joined;
	const struct key_spec *s;
	size_t t;

	for (t = 0; tables[t] != NULL; t++)
		for (s = tables[t]; s->name != NULL; s++)
			names = strv_push(names, s->name);
	joined = strv_join(names, ", ");
	strv_free(names);
	return joined;
}

struct repeat_marks {
	const char	**keys;
	bool		*repeated;
};

static void
walk_mark_repeat(const void *first, const void *again, void *arg)
{
	struct repeat_marks *m = arg;

	m->repeated[(const char **)again - m->keys] = true;
}

/* One sort, not a scan of the earlier keys for each key: a mapping may hold 50,000. */
bool *
walk_repeated_keys(struct walk *w, yaml_node_t *mapping)
{
	size_t n = (size_t)(mapping->data.mapping.pairs.top -
	    mapping->data.mapping.pairs.start), i;
	const char **keys = xcalloc(n + 1, sizeof(*keys));
	struct repeat_marks marks = { .keys = keys, .repeated = xcalloc(n + 1,
	    sizeof(bool)) };
	struct name_index ix;
	yaml_node_t *k;

	for (i = 0; i < n; i++) {
		k = yaml_document_get_node(w->doc, mapping->data.mapping.pairs.start[i].key);
		if (k->type == YAML_SCALAR_NODE)
			keys[i] = (const char *)k->data.scalar.value;
	}
	name_index_build(&ix, keys, n, sizeof(*keys), 0);
	name_index_repeats(&ix, walk_mark_repeat, &marks);
	name_index_free(&ix);
	free(keys);
	return marks.repeated;
}

static const struct key_spec *
walk_find_spec(const struct key_spec *const *tables, const char *name)
{
	const struct key_spec *s;
	size_t t;

	for (t = 0; tables[t] != NULL; t++)
		for (s = tables[t]; s->name != NULL; s++)
			if (strcmp(s->name, name) == 0)
				return s;
	return NULL;
}

/* The first pair of mapping whose key is key, or NULL. */
static yaml_node_pair_t *
walk_pair(struct walk *w, yaml_node_t *mapping, const char *key)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;

	if (mapping->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = mapping->data.mapping.pairs.start;
	    pair < mapping->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(w->doc, pair->key);
		if (k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return pair;
	}
	return NULL;
}

yaml_node_t *
walk_key_node(struct walk *w, yaml_node_t *mapping, const char *key)
{
	yaml_node_pair_t *pair = walk_pair(w, mapping, key);

	return pair != NULL ? yaml_document_get_node(w->doc, pair->key) : NULL;
}

yaml_node_t *
walk_value_node(struct walk *w, yaml_node_t *mapping, const char *key)
{
	yaml_node_pair_t *pair = walk_pair(w, mapping, key);

	return pair != NULL ? yaml_document_get_node(w->doc, pair->value) : NULL;
}

const char *
walk_lookup(struct walk *w, yaml_node_t *mapping, const char *key)
{
	yaml_node_t *v = walk_value_node(w, mapping, key);

	return v != NULL && v->type == YAML_SCALAR_NODE ? walk_scalar(w, v, "a scalar") : NULL;
}

bool
walk_mapping(struct walk *w, yaml_node_t *node, const struct key_spec *specs,
    void *obj, const char *what)
{
	const struct key_spec *tables[] = { specs, NULL };

	return walk_mapping_tables(w, node, tables, obj, what);
}

bool
walk_mapping_tables(struct walk *w, yaml_node_t *node,
    const struct key_spec *const *tables, void *obj, const char *what)
{
	yaml_node_pair_t *pair, *start;
	const struct key_spec *s;
	yaml_node_t *key, *value;
	const char *name;
	char *allowed;
	bool *repeated;

	if (node->type != YAML_MAPPING_NODE) {
		walk_error(w, node, "%s: expected a mapping, got %s", what,
		    walk_node_kind(node));
		return false;
	}
	repeated = walk_repeated_keys(w, node);
	start = node->data.mapping.pairs.start;
	for (pair = start; pair < node->data.mapping.pairs.top; pair++) {
		key = yaml_document_get_node(w->doc, pair->key);
		value = yaml_document_get_node(w->doc, pair->value);
		if ((name = walk_scalar(w, key, "a key")) == NULL)
			continue;
		if (repeated[pair - start]) {
			walk_error(w, key, "duplicate key '%s' in %s", name, what);
			continue;
		}
		s = walk_find_spec(tables, name);
		if (s == NULL) {
			allowed = walk_allowed_keys(tables);
			walk_error(w, key, "unknown key '%s' in %s; expected one of: %s",
			    name, what, allowed);
			free(allowed);
			continue;
		}
		s->parse(w, value, (char *)obj + s->offset, s);
	}
	free(repeated);
	return true;
}

void
parse_string(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, "a string");
	char **out = target;

	if (v == NULL)
		return;
	free(*out);
	*out = xstrdup(v);
}

void
parse_string_list(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char ***out = target;
	yaml_node_item_t *item;
	const char *v;
	size_t n = 0;

	strv_free(*out);
	*out = NULL;
	if (node->type == YAML_SCALAR_NODE) {
		if ((v = walk_scalar(w, node, "a string")) != NULL)
			*out = strv_push(NULL, v);
		return;
	}
	if (node->type != YAML_SEQUENCE_NODE) {
		walk_error(w, node, "'%s': expected a list of strings, got %s",
		    spec->name, walk_node_kind(node));
		return;
	}
	/* Filled in place: a push per item would scan the list each time. */
	*out = xcalloc((size_t)(node->data.sequence.items.top -
	    node->data.sequence.items.start) + 1, sizeof(char *));
	for (item = node->data.sequence.items.start;
	    item < node->data.sequence.items.top; item++) {
		v = walk_scalar(w, yaml_document_get_node(w->doc, *item), "a string");
		if (v != NULL)
			(*out)[n++] = xstrdup(v);
	}
}

void
parse_argv(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char ***out = target;

	parse_string_list(w, node, target, spec);
	if (*out != NULL && (*out)[0] == NULL) {
		walk_error(w, node, "'%s': expected a command (a program and its "
		    "arguments), got an empty list", spec->name);
		strv_free(*out);
		*out = NULL;
	}
}

/*
 * A mapping of names to strings, each joined by sep into one string
 * ("NAME=value" for env, "Name: value" for headers) and appended to a vector.
 */
static void
parse_pairs(struct walk *w, yaml_node_t *node, char ***out,
    const struct key_spec *spec, const char *sep, const char *forbidden)
{
	yaml_node_pair_t *pair, *start;
	yaml_node_t *key;
	const char *k, *v;
	bool *repeated;
	size_t n = 0;

	if (node->type != YAML_MAPPING_NODE) {
		walk_error(w, node, "'%s': expected a mapping of name: value, got %s",
		    spec->name, walk_node_kind(node));
		return;
	}
	repeated = walk_repeated_keys(w, node);
	start = node->data.mapping.pairs.start;
	strv_free(*out);
	*out = xcalloc((size_t)(node->data.mapping.pairs.top - start) + 1, sizeof(char *));
	for (pair = start; pair < node->data.mapping.pairs.top; pair++) {
		key = yaml_document_get_node(w->doc, pair->key);
		k = walk_scalar(w, key, "a name");
		v = walk_scalar(w, yaml_document_get_node(w->doc, pair->value),
		    "a string");
		if (k == NULL || v == NULL)
			continue;
		if (*k == '\0' || strpbrk(k, forbidden) != NULL)
			walk_error(w, key, "'%s': '%s' is not a valid name", spec->name, k);
		else if (repeated[pair - start])
			walk_error(w, key, "'%s': '%s' is given twice", spec->name, k);
		else
			(*out)[n++] = xasprintf("%s%s%s", k, sep, v);
	}
	free(repeated);
}

void
parse_env(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_pairs(w, node, target, spec, "=", "=");
}

/* A Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*, and not __ first (Prometheus' own). */
static bool
label_name_ok(const char *name)
{
	const char *p;

	if ((!isalpha((unsigned char)*name) && *name != '_') || strncmp(name, "__", 2) == 0)
		return false;
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

void
parse_labels(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	const char *const *taken = spec->arg;
	yaml_node_pair_t *pair;
	yaml_node_t *k;
	const char *name;

	parse_env(w, node, target, spec);
	if (node->type != YAML_MAPPING_NODE)
		return;
	for (pair = node->data.mapping.pairs.start;
	    pair < node->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(w->doc, pair->key);
		name = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : NULL;
		if (name == NULL || *name == '\0')
			continue;
		if (!label_name_ok(name))
			walk_error(w, k, "'%s': '%s' is not a label name (letters, digits and _, "
			    "not starting with a digit nor with __)", spec->name, name);
		else if (taken != NULL && strv_contains((char *const *)taken, name))
			walk_error(w, k, "'%s': '%s' is taken: %s", spec->name, name, taken[0]);
	}
}

void
parse_header_map(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_pairs(w, node, target, spec, ": ", ": \r\n");
}

bool
walk_number(struct walk *w, yaml_node_t *node, const char *key,
    enum number_kind kind, double *out)
{
	const char *v = walk_scalar(w, node, "a number"), *expected;

	if (v == NULL)
		return false;
	if (units_parse_number(v, kind, out, &expected) < 0) {
		walk_error(w, node, "'%s': expected %s, got '%s'", key, expected, v);
		return false;
	}
	return true;
}

static void
parse_duration_bounded(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec, bool zero_ok)
{
	const char *v = walk_scalar(w, node, "a duration"), *expected;
	int64_t ms;

	if (v == NULL)
		return;
	if (units_parse_duration(v, &ms, &expected) < 0) {
		walk_error(w, node, "'%s': expected %s, got '%s'", spec->name,
		    expected, v);
		return;
	}
	if (ms < 0 || (ms == 0 && !zero_ok)) {
		walk_error(w, node, "'%s': must be %s, got '%s'", spec->name,
		    zero_ok ? "zero or positive" : "positive", v);
		return;
	}
	*(int64_t *)target = ms;
}

void
parse_duration(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_duration_bounded(w, node, target, spec, false);
}

void
parse_duration_or_zero(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_duration_bounded(w, node, target, spec, true);
}

void
parse_size(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	double v;

	if (walk_number(w, node, spec->name, NUMBER_SIZE, &v))
		*(int64_t *)target = (int64_t)llround(v);
}

void
parse_percent(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	walk_number(w, node, spec->name, NUMBER_PERCENT, target);
}

void
parse_number(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	double v;

	if (!walk_number(w, node, spec->name, NUMBER_REAL, &v))
		return;
	if (v < 0) {
		walk_error(w, node, "'%s': must not be negative", spec->name);
		return;
	}
	*(double *)target = v;
}

void
parse_fraction(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	walk_number(w, node, spec->name, NUMBER_RATIO, target);
}

static void
parse_int_min(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec, long min)
{
	double n;

	if (!walk_number(w, node, spec->name, NUMBER_COUNT, &n))
		return;
	if (n < min) {
		walk_error(w, node, "'%s': expected a whole number above zero, got '%s'",
		    spec->name, (const char *)node->data.scalar.value);
		return;
	}
	*(int *)target = (int)n;
}

void
parse_positive_int(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_int_min(w, node, target, spec, 1);
}

void
parse_count(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_int_min(w, node, target, spec, 0);
}

void
parse_bool(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };
	const char *v = walk_scalar(w, node, "true or false");
	int i;

	if (v == NULL)
		return;
	for (i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*(bool *)target = true;
			return;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*(bool *)target = false;
			return;
		}
	}
	walk_error(w, node, "'%s': expected true or false, got '%s'", spec->name, v);
}

void
parse_signal(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, "a signal"), *name, *abbrev, *expected;
	double n;
	int sig;

	if (v == NULL)
		return;
	if (units_parse_number(v, NUMBER_COUNT, &n, &expected) == 0 && n > 0 &&
	    n < NSIG) {
		*(int *)target = (int)n;
		return;
	}
	name = strncasecmp(v, "SIG", 3) == 0 ? v + 3 : v;
	for (sig = 1; sig < NSIG; sig++) {
		abbrev = sigabbrev_np(sig);
		if (abbrev != NULL && strcasecmp(abbrev, name) == 0) {
			*(int *)target = sig;
			return;
		}
	}
	walk_error(w, node, "'%s': expected a signal like TERM, INT, QUIT or HUP, "
	    "got '%s'", spec->name, v);
}

void
parse_octal(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, "an octal mode");
	char *end;
	long n;

	if (v == NULL)
		return;
	/* Octal digits alone: strtol would take blanks and a sign too. */
	n = strtol(v, &end, 8);
	if (*v == '\0' || strspn(v, "01234567") != strlen(v) || n > 0777) {
		walk_error(w, node, "'%s': expected an octal mode like 022 or 027, "
		    "got '%s'", spec->name, v);
		return;
	}
	*(int *)target = (int)n;
}

void
parse_nested(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char what[64];

	snprintf(what, sizeof(what), "'%s'", spec->name);
	walk_mapping(w, node, spec->arg, target, what);
}

void
parse_enum(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	const char *const *words = spec->arg;
	const char *v = walk_scalar(w, node, "a word");
	char **list;
	char *joined;
	int i;

	if (v == NULL)
		return;
	for (i = 0; words[i] != NULL; i++) {
		if (strcmp(words[i], v) == 0) {
			*(int *)target = i;
			return;
		}
	}
	list = strv_dup((char *const *)words);
	joined = strv_join(list, ", ");
	walk_error(w, node, "'%s': expected one of %s, got '%s'", spec->name,
	    joined, v);
	free(joined);
	strv_free(list);
}
