/*
 * Change safety: `snapshots:`, the sets of files tend snapshots, watches
 * and rolls back, and `rebuild:`, environments rebuilt from scratch:
 *
 *   snapshots:
 *     app:
 *       paths: [/srv/app/config, /etc/nginx/sites-enabled/app.conf]
 *       exclude: ["*.log", "cache/"]
 *       symlinks: [/srv/app/current]
 *       restart: [web, worker]
 *       keep: 20
 *       watch: true
 *       guard_window: 2m
 *       auto_rollback: true
 *       lkg_after: 5m
 *   rebuild:
 *     venv:
 *       service: api
 *       clear: [/srv/api/.venv]
 *       steps: [[python3, -m, venv, /srv/api/.venv], [pip, install, ...]]
 *       retry: { attempts: 3 }
 *       snapshot: app
 *
 * Paths are absolute and stored normalized. Since `clear:` is rm -rf as
 * root, what it may name is narrow (see rebuild_clear_refusal).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/parse.h"
#include "config/validate.h"
#include "core/abspath.h"
#include "core/mem.h"
#include "core/pathglob.h"
#include "core/statedir.h"
#include "core/strv.h"

#define OFF(type, field)	offsetof(struct type, field)

static void	parse_abs_paths(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_excludes(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec set_specs[] = {
	{ "paths", parse_abs_paths, OFF(snapshot_set_conf, paths), NULL },
	{ "exclude", parse_excludes, OFF(snapshot_set_conf, exclude), NULL },
	{ "symlinks", parse_abs_paths, OFF(snapshot_set_conf, symlinks), NULL },
	{ "restart", parse_string_list, OFF(snapshot_set_conf, restart), NULL },
	{ "keep", parse_positive_int, OFF(snapshot_set_conf, keep), NULL },
	{ "watch", parse_bool, OFF(snapshot_set_conf, watch), NULL },
	{ "guard_window", parse_duration, OFF(snapshot_set_conf, guard_window_ms), NULL },
	{ "auto_rollback", parse_bool, OFF(snapshot_set_conf, auto_rollback), NULL },
	{ "lkg_after", parse_duration, OFF(snapshot_set_conf, lkg_after_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

/* The keys of `retry:` wherever a command is tried again. */
static const struct key_spec retry_specs[] = {
	{ "attempts", parse_positive_int, OFF(retry_conf, attempts), NULL },
	{ "initial", parse_duration_or_zero, OFF(retry_conf, backoff.initial_ms), NULL },
	{ "max", parse_duration, OFF(retry_conf, backoff.max_ms), NULL },
	{ "multiplier", parse_number, OFF(retry_conf, backoff.multiplier), NULL },
	{ "jitter", parse_fraction, OFF(retry_conf, backoff.jitter), NULL },
	{ NULL, NULL, 0, NULL },
};

static void	parse_steps(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec rebuild_specs[] = {
	{ "service", parse_string, OFF(rebuild_conf, service), NULL },
	{ "clear", parse_abs_paths, OFF(rebuild_conf, clear), NULL },
	{ "steps", parse_steps, 0, NULL },
	{ "retry", parse_retry, OFF(rebuild_conf, retry), NULL },
	{ "snapshot", parse_string, OFF(rebuild_conf, snapshot), NULL },
	{ NULL, NULL, 0, NULL },
};

/* The node of item i of a list, or the list itself for a lone scalar. */
static yaml_node_t *
list_item(struct walk *w, yaml_node_t *node, size_t i)
{
	yaml_node_item_t *item;

	if (node->type != YAML_SEQUENCE_NODE)
		return node;
	item = node->data.sequence.items.start + i;
	return item < node->data.sequence.items.top ?
	    yaml_document_get_node(w->doc, *item) : node;
}

/*
 * A list of absolute paths, each stored normalized; a path written twice,
 * or inside another of the list, is an error: the second one says nothing
 * the first did not.
 */
static void
parse_abs_paths(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char ***paths = target, norm[PATH_MAX], err[PATH_MAX + 128];
	char **raw = NULL, **kept = NULL;
	size_t i, j;

	parse_string_list(w, node, &raw, spec);
	for (i = 0; raw != NULL && raw[i] != NULL; i++) {
		if (abspath_normalize(raw[i], norm, sizeof(norm), err, sizeof(err)) < 0) {
			walk_error(w, list_item(w, node, i), "'%s': %s", spec->name, err);
			continue;
		}
		for (j = 0; kept != NULL && kept[j] != NULL; j++)
			if (abspath_within(norm, kept[j]) || abspath_within(kept[j], norm))
				break;
		if (kept != NULL && kept[j] != NULL) {
			walk_error(w, list_item(w, node, i), "'%s': '%s' %s '%s', "
			    "already in the list", spec->name, raw[i],
			    strcmp(norm, kept[j]) == 0 ? "repeats" : "overlaps", kept[j]);
			continue;
		}
		kept = strv_push(kept, norm);
	}
	strv_free(raw);
	strv_free(*paths);
	*paths = kept;
}

/*
 * Exclude patterns are names, matched below each of the set's paths at
 * any depth (as the watch and the snapshot walk match them): a glob of a
 * file's name ("*.log"), or with a trailing '/' of a directory's, which
 * leaves out all it holds ("cache/"). A '/' anywhere else would suggest a
 * path that is never matched: refused, as is what the walk would refuse.
 */
static void
parse_excludes(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char ***v = target, pattern[PATH_MAX + 2], err[PATH_MAX + 128];
	const char *p;
	size_t i, len;

	parse_string_list(w, node, target, spec);
	for (i = 0; *v != NULL && (*v)[i] != NULL; i++) {
		p = (*v)[i];
		len = strlen(p);
		if (len > 0 && p[len - 1] == '/')
			len--;
		snprintf(pattern, sizeof(pattern), "/%.*s", (int)len, p);
		if (len == 0)
			snprintf(err, sizeof(err), "an empty pattern would exclude everything");
		else if (memchr(p, '/', len) != NULL)
			snprintf(err, sizeof(err), "expected a name or a glob of one (*.log), "
			    "or a directory's with a trailing / (cache/); it is matched at any "
			    "depth, so it holds no other '/'");
		else if (pathglob_check(pattern, err, sizeof(err)) == 0)
			continue;
		else if (strncmp(err, pattern, strlen(pattern)) == 0)
			/* pathglob's message names the pattern as checked: name it as written. */
			memmove(err, err + strlen(pattern) + 2, strlen(err + strlen(pattern) + 2) + 1);
		walk_error(w, list_item(w, node, i), "'exclude': '%s': %s", p, err);
	}
}

void
parse_retry(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct retry_conf *r = target;

	if (!walk_mapping(w, node, retry_specs, r, "'retry'"))
		return;
	if (r->backoff.multiplier < 1)
		walk_error(w, node, "'retry.multiplier': must be at least 1");
	if (r->backoff.max_ms < r->backoff.initial_ms)
		walk_error(w, node, "'retry': 'max' must not be below 'initial'");
}

void
retry_conf_init(struct retry_conf *r)
{
	r->attempts = 1;
	r->backoff = (struct backoff_conf){ .initial_ms = 1000, .max_ms = 60000,
	    .multiplier = 2.0, .jitter = 0.1 };
}

/* steps: a list of argv lists, at least one. */
static void
parse_steps(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	static const struct key_spec step = { "steps", parse_argv, 0, NULL };
	struct rebuild_conf *rb = target;
	yaml_node_item_t *item;
	yaml_node_t *n;
	char **argv;

	if (node->type != YAML_SEQUENCE_NODE || node->data.sequence.items.start ==
	    node->data.sequence.items.top) {
		walk_error(w, node, "'steps': expected a list of commands, each a list "
		    "([python3, -m, venv, /srv/api/.venv])");
		return;
	}
	for (item = node->data.sequence.items.start;
	    item < node->data.sequence.items.top; item++) {
		n = yaml_document_get_node(w->doc, *item);
		if (n->type != YAML_SEQUENCE_NODE) {
			walk_error(w, n, "'steps': expected a command as a list of words "
			    "([program, arg, ...])");
			continue;
		}
		argv = NULL;
		parse_argv(w, n, &argv, &step);
		if (argv == NULL)
			continue;
		rb->steps = xgrow(rb->steps, rb->n_steps, sizeof(*rb->steps));
		rb->steps[rb->n_steps].argv = argv;
		rb->steps[rb->n_steps++].pos = walk_pos(w, n);
	}
}

static void
snapshot_set_init(struct snapshot_set_conf *s, const char *name, struct conf_pos pos)
{
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->pos = pos;
	s->keep = 20;
	s->watch = true;
	s->guard_window_ms = 120000;
	s->auto_rollback = false;
	s->lkg_after_ms = 300000;
}

static void
parse_one_set(struct walk *w, yaml_node_t *key, yaml_node_t *value)
{
	struct tend_config *cfg = w->cfg;
	struct snapshot_set_conf *s;
	char what[300];

	cfg->snapshots = xgrow(cfg->snapshots, cfg->n_snapshots, sizeof(*cfg->snapshots));
	s = &cfg->snapshots[cfg->n_snapshots++];
	snapshot_set_init(s, (const char *)key->data.scalar.value, walk_pos(w, key));
	snprintf(what, sizeof(what), "snapshot set '%s'", s->name);
	if (!walk_mapping(w, value, set_specs, s, what))
		return;
	parse_key_pos(w, value, "paths", &s->paths_pos);
	parse_key_pos(w, value, "restart", &s->restart_pos);
	if (s->paths == NULL && s->symlinks == NULL &&
	    walk_key_node(w, value, "paths") == NULL &&
	    walk_key_node(w, value, "symlinks") == NULL)
		walk_error(w, key, "snapshot set '%s': expected 'paths' (files and "
		    "directories) or 'symlinks'", s->name);
}

void
parse_snapshots(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_named_entries(w, node, "snapshots", "snapshot set", parse_one_set);
}

static void
parse_one_rebuild(struct walk *w, yaml_node_t *key, yaml_node_t *value)
{
	struct tend_config *cfg = w->cfg;
	struct rebuild_conf *rb;
	char what[300];

	cfg->rebuilds = xgrow(cfg->rebuilds, cfg->n_rebuilds, sizeof(*cfg->rebuilds));
	rb = &cfg->rebuilds[cfg->n_rebuilds++];
	memset(rb, 0, sizeof(*rb));
	rb->name = xstrdup((const char *)key->data.scalar.value);
	rb->pos = walk_pos(w, key);
	rb->heal = (struct heal_action){ .kind = HEAL_REBUILD, .rebuild = rb->name,
	    .name = xasprintf("rebuild-%s", rb->name), .pos = rb->pos };
	retry_conf_init(&rb->retry);
	snprintf(what, sizeof(what), "rebuild '%s'", rb->name);
	if (!walk_mapping(w, value, rebuild_specs, rb, what))
		return;
	parse_key_pos(w, value, "service", &rb->service_pos);
	parse_key_pos(w, value, "clear", &rb->clear_pos);
	parse_key_pos(w, value, "snapshot", &rb->snapshot_pos);
	if (walk_key_node(w, value, "steps") == NULL)
		walk_error(w, key, "rebuild '%s': 'steps' is required (the commands that "
		    "rebuild it)", rb->name);
}

void
parse_rebuilds(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_named_entries(w, node, "rebuild", "rebuild", parse_one_rebuild);
}

/* path made absolute from the working directory and normalized; NULL if it cannot be. */
static char *
config_file_abspath(const char *path)
{
	char cwd[PATH_MAX], joined[2 * PATH_MAX + 2], norm[PATH_MAX], err[64];

	if (path[0] == '/')
		snprintf(joined, sizeof(joined), "%s", path);
	else if (getcwd(cwd, sizeof(cwd)) != NULL)
		snprintf(joined, sizeof(joined), "%s/%s", cwd, path);
	else
		return NULL;
	if (abspath_normalize(joined, norm, sizeof(norm), err, sizeof(err)) == 0)
		return xstrdup(norm);
	return realpath(path, NULL);	/* a '..' in it: only the file system knows */
}

void
snapshots_add_implicit(struct tend_config *cfg, const char *path)
{
	struct snapshot_set_conf *s;
	struct stat sb;
	char *abs;
	size_t i;

	for (i = 0; i < cfg->n_snapshots; i++)
		if (strcmp(cfg->snapshots[i].name, "tend") == 0)
			return;		/* declared: the operator's set wins */
	/* A pipe or /dev/stdin has no file to snapshot. */
	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (abs = config_file_abspath(path)) == NULL)
		return;
	cfg->snapshots = xgrow(cfg->snapshots, cfg->n_snapshots, sizeof(*cfg->snapshots));
	s = &cfg->snapshots[cfg->n_snapshots++];
	snapshot_set_init(s, "tend", (struct conf_pos){ .file = cfg->source });
	s->implicit = true;
	s->paths = strv_push(NULL, abs);
	free(abs);
	/* The files it includes are the config too: a rollback puts them back with it. */
	for (i = 0; cfg->include_files != NULL && cfg->include_files[i] != NULL; i++)
		if ((abs = config_file_abspath(cfg->include_files[i])) != NULL) {
			s->paths = strv_push(s->paths, abs);
			free(abs);
		}
}
