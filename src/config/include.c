/*
 * `include:`: its patterns, the files they name, and which file said
 * what first (a tsearch(3) tree of top-level keys and named entries, so
 * that a clash between two files names both places).
 */
#include "config/include.h"

#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"
#include "core/owner.h"
#include "core/strv.h"

bool config_includes_read = true;

/* The sections whose entries may come from several files: maps of names. */
static char *const include_merged[] = { "services", "checks", "actions", "installers",
    "assets", "snapshots", "rebuild", "jobs", "proxies", NULL };

struct seen {
	const char	*section;	/* "" for a top-level key */
	char		*name;
	struct conf_pos	 pos;
};

static int
seen_order(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;
	int c = strcmp(x->section, y->section);

	return c != 0 ? c : strcmp(x->name, y->name);
}

static void
seen_free(void *p)
{
	struct seen *s = p;

	free(s->name);
	free(s);
}

/* Where section's name was first noted; noted at pos when it was not. */
static struct conf_pos
seen_note(struct walk *w, const char *section, const char *name, struct conf_pos pos)
{
	struct seen key = { .section = section, .name = (char *)name }, *s;
	void *found;

	if ((found = tfind(&key, &w->seen, seen_order)) != NULL)
		return (*(struct seen **)found)->pos;
	s = xmalloc(sizeof(*s));
	*s = (struct seen){ .section = section, .name = xstrdup(name), .pos = pos };
	if (tsearch(s, &w->seen, seen_order) == NULL)
		seen_free(s);		/* out of memory: unnoted, as if first */
	return pos;
}

void
include_seen_free(struct walk *w)
{
	tdestroy(w->seen, seen_free);
	w->seen = NULL;
}

bool
include_first_entry(struct walk *w, const char *section, const char *noun,
    yaml_node_t *key, const char *name)
{
	struct conf_pos first = seen_note(w, section, name, walk_pos(w, key));

	/* The same string: the files' names are each held once, by the config. */
	if (first.file == w->file)
		return true;
	walk_error(w, key, "%s '%s' is also declared at %s:%d:%d", noun, name, first.file,
	    first.line, first.col);
	return false;
}

/* Takes the mapping's i-th pair out: the walk will not see it (the doc still frees it). */
static void
include_drop_pair(yaml_node_t *mapping, yaml_node_pair_t *pair)
{
	memmove(pair, pair + 1, (size_t)(mapping->data.mapping.pairs.top - pair - 1) *
	    sizeof(*pair));
	mapping->data.mapping.pairs.top--;
}

/* Whether an included document may hold this top-level key; an error if not. */
static bool
include_top_key_ok(struct walk *w, yaml_node_t *key, bool included)
{
	const char *name = (const char *)key->data.scalar.value;
	struct conf_pos first;

	if (strv_contains(include_merged, name))
		return true;
	if (included && (!strcmp(name, "state_dir") || !strcmp(name, "include"))) {
		walk_error(w, key, "'%s' is read from the main config only (%s); includes "
		    "do not nest", name, w->cfg->source);
		return false;
	}
	first = seen_note(w, "", name, walk_pos(w, key));
	if (first.file == w->file)
		return true;
	walk_error(w, key, "'%s' is also set at %s:%d:%d; only services, checks, actions, "
	    "installers, assets, snapshots, rebuild, jobs and proxies may be spread over "
	    "files", name, first.file, first.line, first.col);
	return false;
}

void
include_check_top(struct walk *w, yaml_node_t *root, bool included)
{
	yaml_node_pair_t *pair;
	yaml_node_t *key;

	if (root == NULL || root->type != YAML_MAPPING_NODE)
		return;		/* the walk says what is wrong */
	/* A clash is said once: the walk goes on to the file's other errors. */
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top;) {
		key = yaml_document_get_node(w->doc, pair->key);
		if (key != NULL && key->type == YAML_SCALAR_NODE &&
		    !include_top_key_ok(w, key, included))
			include_drop_pair(root, pair);
		else
			pair++;
	}
}

void
parse_include(struct walk *w, yaml_node_t *node, void *target, const struct key_spec *spec)
{
	struct tend_config *cfg = w->cfg;
	yaml_node_item_t *item;
	yaml_node_t *one;
	const char *v;
	size_t n;

	(void)target, (void)spec;
	if (node->type != YAML_SCALAR_NODE && node->type != YAML_SEQUENCE_NODE) {
		walk_error(w, node, "'include': expected a file pattern or a list of them");
		return;
	}
	n = node->type == YAML_SCALAR_NODE ? 1 :
	    (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	cfg->includes = xcalloc(n, sizeof(*cfg->includes));
	for (item = node->data.sequence.items.start, n = 0; ; item++) {
		if (node->type == YAML_SCALAR_NODE)
			one = node;
		else if (item < node->data.sequence.items.top)
			one = yaml_document_get_node(w->doc, *item);
		else
			break;
		if ((v = walk_scalar(w, one, "a file pattern")) != NULL && *v == '\0')
			walk_error(w, one, "'include': an empty pattern");
		else if (v != NULL)
			cfg->includes[n++] = (struct include_conf){ .pattern = xstrdup(v),
			    .pos = walk_pos(w, one) };
		if (node->type == YAML_SCALAR_NODE)
			break;
	}
	cfg->n_includes = n;
}

/* Whether root and tend's own user are the only ones who may change what is at path. */
static bool
include_path_trusted(const char *path, char *who, size_t len)
{
	struct stat sb;

	if (stat(path, &sb) < 0)
		return true;		/* reading it says why not */
	if (!owner_trusted(sb.st_uid)) {
		owner_name(sb.st_uid, who, len);
		return false;
	}
	snprintf(who, len, "%s", sb.st_mode & S_IWOTH ? "every user" : "its group");
	return (sb.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/*
 * An included file says what tend runs as root: it, the file a link of it
 * leads to, and the folders of both must be safe from other users.
 */
static bool
include_file_trusted(const char *file, const struct include_conf *inc,
    struct config_errors *errs)
{
	char real[PATH_MAX], dir[PATH_MAX], real_dir[PATH_MAX], who[128];
	const char *paths[4];
	size_t i, n = 0;

	snprintf(dir, sizeof(dir), "%s", file);
	paths[n++] = file;
	paths[n++] = dirname(dir);
	if (realpath(file, real) != NULL && strcmp(real, file) != 0) {
		snprintf(real_dir, sizeof(real_dir), "%s", real);
		paths[n++] = real;
		paths[n++] = dirname(real_dir);
	}
	for (i = 0; i < n; i++)
		if (!include_path_trusted(paths[i], who, sizeof(who))) {
			walk_error_at(errs, inc->pos.file, inc->pos.line, inc->pos.col,
			    "'include': %s may be changed by %s; an included file and its "
			    "folder may be written only by root or the user tend runs as",
			    paths[i], who);
			return false;
		}
	return true;
}

/* Whether path is the main file (a pattern of its own folder may match it). */
static bool
include_is_main(const char *path, const struct stat *main_sb)
{
	struct stat sb;

	return main_sb != NULL && stat(path, &sb) == 0 && sb.st_dev == main_sb->st_dev &&
	    sb.st_ino == main_sb->st_ino;
}

/* One pattern's files, sorted (glob's order), each once, onto files. */
static char **
include_one(char **files, const struct include_conf *inc, const char *dir,
    const struct stat *main_sb, struct config_errors *errs)
{
	/* Relative to the main file's folder; said as written when that is ".". */
	char *pattern = inc->pattern[0] == '/' || strcmp(dir, ".") == 0 ?
	    xstrdup(inc->pattern) : xasprintf("%s/%s", dir, inc->pattern);
	const struct conf_pos *at = &inc->pos;
	glob_t g;
	size_t i;
	int rc;

	rc = glob(pattern, GLOB_ERR, NULL, &g);
	if (rc == GLOB_NOMATCH && strpbrk(inc->pattern, "*?[") == NULL)
		walk_error_at(errs, at->file, at->line, at->col, "'include': %s: no such "
		    "file", pattern);
	else if (rc == GLOB_ABORTED)
		walk_error_at(errs, at->file, at->line, at->col, "'include': %s: cannot "
		    "read a folder of it: %s", pattern, strerror(errno));
	else if (rc == GLOB_NOSPACE)
		walk_error_at(errs, at->file, at->line, at->col, "'include': %s: out of "
		    "memory", pattern);
	for (i = 0; rc == 0 && i < g.gl_pathc; i++) {
		if (strv_contains(files, g.gl_pathv[i]) ||
		    include_is_main(g.gl_pathv[i], main_sb))
			continue;
		if (strv_len(files) >= INCLUDE_MAX_FILES) {
			walk_error_at(errs, at->file, at->line, at->col, "'include': more "
			    "than %d files", INCLUDE_MAX_FILES);
			break;
		}
		if (include_file_trusted(g.gl_pathv[i], inc, errs))
			files = strv_push(files, g.gl_pathv[i]);
	}
	if (rc == 0)
		globfree(&g);
	free(pattern);
	return files;
}

char **
include_expand(const struct tend_config *cfg, const char *file, const char *dir,
    struct config_errors *errs)
{
	struct stat main_sb;
	bool is_file = file != NULL && stat(file, &main_sb) == 0;
	char **files = NULL;
	size_t i;

	for (i = 0; config_includes_read && i < cfg->n_includes; i++)
		files = include_one(files, &cfg->includes[i], dir, is_file ? &main_sb : NULL,
		    errs);
	return files;
}
