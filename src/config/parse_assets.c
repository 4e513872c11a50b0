/*
 * `assets:`: the artifacts `tend fetch` downloads. Each names its content
 * (sha256, and optionally its size, or else the most a mirror may send:
 * max_size), where it can be had (mirrors, tried in order) and where it
 * goes (dest, mode):
 *
 *   cache_dir: /var/cache/tend
 *   assets:
 *     node:
 *       sha256: 2b8c1e…(64 hex digits)
 *       size: 44MB
 *       mirrors: [https://a.example/node.tar.xz, https://b.example/node.tar.xz]
 *       dest: /opt/node.tar.xz
 *       mode: "0444"
 *
 * A `--manifest FILE` is read by the same loader: a file with this section.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parse.h"
#include "config/validate.h"
#include "core/mem.h"
#include "core/strv.h"

#define OFF(type, field)	offsetof(struct type, field)

static void	parse_asset_sha256(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_asset_mirrors(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec asset_specs[] = {
	{ "sha256", parse_asset_sha256, OFF(asset_conf, sha256), NULL },
	{ "size", parse_size, OFF(asset_conf, size), NULL },
	{ "max_size", parse_size, OFF(asset_conf, max_size), NULL },
	{ "mirrors", parse_asset_mirrors, OFF(asset_conf, mirrors), NULL },
	{ "dest", parse_string, OFF(asset_conf, dest), NULL },
	{ "mode", parse_octal, OFF(asset_conf, mode), NULL },
	{ NULL, NULL, 0, NULL },
};

/* Kept in lower case: it names the file in the cache. */
static void
parse_asset_sha256(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	const char *v = walk_scalar(w, node, "64 hex digits");
	char **out = target, *p;

	if (v == NULL)
		return;
	if (strlen(v) != 64 || strspn(v, "0123456789abcdefABCDEF") != 64) {
		walk_error(w, node, "'sha256': expected 64 hex digits, got '%s' (%zu "
		    "characters)", v, strlen(v));
		return;
	}
	free(*out);
	*out = xstrdup(v);
	for (p = *out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
}

/*
 * http:// and https:// with a host, or file:// with an absolute path
 * (file:///srv/x or file://localhost/srv/x). Anything else is refused here
 * rather than handed to libcurl, which speaks many more protocols.
 */
static bool
asset_url_ok(const char *url)
{
	const char *rest;

	if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) {
		rest = strstr(url, "://") + 3;
		return *rest != '\0' && *rest != '/' && strpbrk(url, " \t\r\n") == NULL;
	}
	if (strncmp(url, "file://", 7) == 0) {
		rest = url + 7;
		if (strncmp(rest, "localhost/", 10) == 0)
			rest += 9;
		return rest[0] == '/' && rest[1] != '\0';
	}
	return false;
}

/* The URL of n as a mirror (a copy), or NULL after an error. */
static char *
asset_mirror(struct walk *w, yaml_node_t *n)
{
	const char *v = walk_scalar(w, n, "a URL");

	if (v == NULL)
		return NULL;
	if (!asset_url_ok(v)) {
		walk_error(w, n, "'mirrors': expected an http://, https:// or "
		    "file:/// URL, got '%s'", v);
		return NULL;
	}
	return xstrdup(v);
}

/* mirrors: [URL, ...] or one URL; at least one. */
static void
parse_asset_mirrors(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char ***out = target;
	yaml_node_item_t *item;
	size_t n = 0;

	strv_free(*out);
	*out = NULL;
	if (node->type == YAML_SCALAR_NODE) {
		*out = xcalloc(2, sizeof(char *));
		if (((*out)[0] = asset_mirror(w, node)) == NULL) {
			free(*out);
			*out = NULL;
		}
		return;
	}
	if (node->type != YAML_SEQUENCE_NODE) {
		walk_error(w, node, "'mirrors': expected a list of URLs");
		return;
	}
	*out = xcalloc((size_t)(node->data.sequence.items.top -
	    node->data.sequence.items.start) + 1, sizeof(char *));
	for (item = node->data.sequence.items.start;
	    item < node->data.sequence.items.top; item++)
		if (((*out)[n] = asset_mirror(w, yaml_document_get_node(w->doc, *item))) != NULL)
			n++;
	if (n == 0) {
		walk_error(w, node, "'mirrors': expected at least one URL");
		free(*out);
		*out = NULL;
	}
}

/* What an asset needs, and what two assets must not share. */
static void
asset_check(struct walk *w, yaml_node_t *key, yaml_node_t *value,
    const struct asset_conf *a)
{
	static const char *const required[] = { "sha256", "mirrors", "dest", NULL };
	yaml_node_t *k;
	size_t i;

	for (i = 0; required[i] != NULL; i++)
		if (walk_key_node(w, value, required[i]) == NULL)
			walk_error(w, key, "asset '%s': '%s' is required", a->name,
			    required[i]);
	if (a->dest != NULL && a->dest[0] == '\0' &&
	    (k = walk_key_node(w, value, "dest")) != NULL)
		walk_error(w, k, "asset '%s': 'dest' must not be empty", a->name);
}

/* Said while the file of the later asset is walked (an earlier file's were said). */
static void
asset_dest_repeat(const void *first, const void *again, void *arg)
{
	const struct asset_conf *a = first, *b = again;
	const struct walk *w = arg;

	if (b->dest_pos.file == w->file)
		validate_error(w->errs, &b->dest_pos, "asset '%s': 'dest' %s is "
		    "already the dest of asset '%s'", b->name, b->dest, a->name);
}

static void
parse_one_asset(struct walk *w, yaml_node_t *key, yaml_node_t *value)
{
	struct tend_config *cfg = w->cfg;
	const char *name = (const char *)key->data.scalar.value;
	struct asset_conf *a;
	char what[300];
	yaml_node_t *k;

	cfg->assets = xgrow(cfg->assets, cfg->n_assets, sizeof(*cfg->assets));
	a = &cfg->assets[cfg->n_assets++];
	memset(a, 0, sizeof(*a));
	a->name = xstrdup(name);
	a->pos = walk_pos(w, key);
	a->size = -1;
	a->max_size = -1;
	a->mode = -1;
	snprintf(what, sizeof(what), "asset '%s'", a->name);
	if (!walk_mapping(w, value, asset_specs, a, what))
		return;
	asset_check(w, key, value, a);
	if ((k = walk_key_node(w, value, "dest")) != NULL)
		a->dest_pos = walk_pos(w, k);
}

void
parse_assets(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct tend_config *cfg = w->cfg;
	struct name_index by_dest;

	parse_named_entries(w, node, "assets", "asset", parse_one_asset);
	/* Sorted by dest: two assets with one dest, without a scan per asset. */
	name_index_build(&by_dest, cfg->assets, cfg->n_assets, sizeof(*cfg->assets),
	    offsetof(struct asset_conf, dest));
	name_index_repeats(&by_dest, asset_dest_repeat, w);
	name_index_free(&by_dest);
}
