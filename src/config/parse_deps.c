/*
 * What a deps check declares, how each dependency is installed, and what
 * `tend validate --environment` probes:
 *
 *   checks:
 *     toolchain:
 *       type: deps
 *       installer: apt                       # for items without their own
 *       executables: { curl: ">= 7.80", widget: { version: ">= 2", install: mine } }
 *       pkgconfig: { yaml-0.1: { install: { installer: apt, package: libyaml-dev } } }
 *       python: { requests: ">= 2" }         # pip by default
 *       npm: { left-pad: "" }                # npm by default
 *   installers:
 *     pip: { indexes: ['https://pypi.org/simple', 'http://127.0.0.1:3141/simple'] }
 *     mine: { command: [/usr/local/bin/get-thing, '{package}'] }
 *   environment:
 *     probe: ['deb.debian.org:443']
 *
 * apt, npm and pip are built in; declaring one of them changes only what
 * the declaration says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parse.h"
#include "config/validate.h"
#include "core/mem.h"
#include "core/strv.h"
#include "core/version.h"

#define OFF(type, field)	offsetof(struct type, field)

static void	parse_dep_items(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_updates(struct walk *, yaml_node_t *, void *, const struct key_spec *);
static void	parse_check_installer(struct walk *, yaml_node_t *, void *, const struct key_spec *);

/* The dep kind travels in spec->arg. */
static const enum dep_kind dep_kinds[] = {
	DEP_EXECUTABLE, DEP_LIBRARY, DEP_PKGCONFIG, DEP_PACKAGE, DEP_PATH, DEP_PYTHON,
	DEP_NPM,
};

const struct key_spec check_deps_specs[] = {
	{ "executables", parse_dep_items, OFF(check_conf, deps), &dep_kinds[0] },
	{ "libraries", parse_dep_items, OFF(check_conf, deps), &dep_kinds[1] },
	{ "pkgconfig", parse_dep_items, OFF(check_conf, deps), &dep_kinds[2] },
	{ "packages", parse_dep_items, OFF(check_conf, deps), &dep_kinds[3] },
	{ "paths", parse_dep_items, OFF(check_conf, deps), &dep_kinds[4] },
	{ "python", parse_dep_items, OFF(check_conf, deps), &dep_kinds[5] },
	{ "npm", parse_dep_items, OFF(check_conf, deps), &dep_kinds[6] },
	{ "updates", parse_updates, OFF(check_conf, deps), NULL },
	{ "installer", parse_check_installer, OFF(check_conf, deps), NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct key_spec updates_specs[] = {
	{ "warn", parse_threshold, OFF(deps_check_conf, updates_warn), NULL },
	{ "crit", parse_threshold, OFF(deps_check_conf, updates_crit), NULL },
	{ "command", parse_argv, OFF(deps_check_conf, updates_cmd), NULL },
	{ NULL, NULL, 0, NULL },
};

static struct dep_item *
dep_add(struct deps_check_conf *deps, enum dep_kind kind, const char *name,
    struct conf_pos pos)
{
	struct dep_item *d;

	deps->items = xgrow(deps->items, deps->n_items, sizeof(*deps->items));
	d = &deps->items[deps->n_items++];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->name = xstrdup(name);
	d->pos = pos;
	return d;
}

/* Libraries and paths have no version to constrain. */
static bool
dep_kind_has_version(enum dep_kind kind)
{
	return kind != DEP_LIBRARY && kind != DEP_PATH;
}

static void
dep_set_constraint(struct walk *w, yaml_node_t *node, struct dep_item *d,
    const char *section, const char *constraint)
{
	if (constraint == NULL || *constraint == '\0')
		return;
	if (!dep_kind_has_version(d->kind)) {
		walk_error(w, node, "'%s': '%s' has no version to constrain (expected \"\")",
		    section, d->name);
		return;
	}
	if (version_constraint_valid(constraint) < 0) {
		walk_error(w, node, "'%s': '%s' is not a version constraint (expected "
		    "clauses like \">= 7.80, < 9\")", d->name, constraint);
		return;
	}
	free(d->constraint);
	d->constraint = xstrdup(constraint);
}

struct dep_install {
	char		*installer;
	char		*package;
};

static const struct key_spec install_specs[] = {
	{ "installer", parse_string, OFF(dep_install, installer), NULL },
	{ "package", parse_string, OFF(dep_install, package), NULL },
	{ NULL, NULL, 0, NULL },
};

/* install: NAME, or install: { installer: NAME, package: PKG } */
static void
dep_parse_install(struct walk *w, yaml_node_t *node, struct dep_item *d)
{
	struct dep_install in = { 0 };
	char what[300];
	const char *v;

	if (node->type == YAML_SCALAR_NODE) {
		if ((v = walk_scalar(w, node, "an installer")) != NULL && *v != '\0')
			d->installer = xstrdup(v);
		return;
	}
	snprintf(what, sizeof(what), "'install' of '%s'", d->name);
	if (!walk_mapping(w, node, install_specs, &in, what))
		return;
	if (in.installer == NULL)
		walk_error(w, node, "%s: 'installer' is required", what);
	d->installer = in.installer;
	d->package = in.package;
}

struct dep_entry {
	yaml_node_t	*version;
	yaml_node_t	*install;
};

static void
parse_keep_node(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	*(yaml_node_t **)target = node;
}

static const struct key_spec dep_entry_specs[] = {
	{ "version", parse_keep_node, OFF(dep_entry, version), NULL },
	{ "install", parse_keep_node, OFF(dep_entry, install), NULL },
	{ NULL, NULL, 0, NULL },
};

/* NAME: "constraint", or NAME: { version: "constraint", install: ... } */
static void
dep_parse_entry(struct walk *w, struct deps_check_conf *deps, enum dep_kind kind,
    const char *section, yaml_node_t *key, yaml_node_t *value)
{
	struct dep_entry e = { 0 };
	struct dep_item *d;
	const char *name, *constraint;
	char what[300];

	if ((name = walk_scalar(w, key, "a name")) == NULL)
		return;
	if (value->type == YAML_MAPPING_NODE) {
		snprintf(what, sizeof(what), "'%s' of '%s'", name, section);
		if (!walk_mapping(w, value, dep_entry_specs, &e, what))
			return;
		d = dep_add(deps, kind, name, walk_pos(w, key));
		if (e.version != NULL && (constraint = walk_scalar(w, e.version,
		    "a version constraint like \">= 1.2, < 2\"")) != NULL)
			dep_set_constraint(w, e.version, d, section, constraint);
		if (e.install != NULL)
			dep_parse_install(w, e.install, d);
		return;
	}
	/* A bare `name:` is null: any version. */
	if (value->type == YAML_SCALAR_NODE && value->data.scalar.length == 0)
		constraint = "";
	else if ((constraint = walk_scalar(w, value, dep_kind_has_version(kind) ?
	    "a version constraint like \">= 1.2, < 2\"" : "\"\"")) == NULL)
		return;
	d = dep_add(deps, kind, name, walk_pos(w, key));
	dep_set_constraint(w, value, d, section, constraint);
}

/* A list of names, or a mapping of name to constraint or settings. */
static void
parse_dep_items(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	enum dep_kind kind = *(const enum dep_kind *)spec->arg;
	yaml_node_pair_t *pair;
	yaml_node_item_t *item;
	yaml_node_t *n;
	const char *name;

	if (node->type == YAML_SEQUENCE_NODE) {
		for (item = node->data.sequence.items.start;
		    item < node->data.sequence.items.top; item++) {
			n = yaml_document_get_node(w->doc, *item);
			if ((name = walk_scalar(w, n, "a name")) != NULL)
				dep_add(target, kind, name, walk_pos(w, n));
		}
		return;
	}
	if (node->type != YAML_MAPPING_NODE) {
		walk_error(w, node, dep_kind_has_version(kind) ? "'%s': expected a mapping "
		    "of name: version constraint, or a list of names" : "'%s': expected a "
		    "list of names, or a mapping of name: settings", spec->name);
		return;
	}
	for (pair = node->data.mapping.pairs.start;
	    pair < node->data.mapping.pairs.top; pair++)
		dep_parse_entry(w, target, kind, spec->name,
		    yaml_document_get_node(w->doc, pair->key),
		    yaml_document_get_node(w->doc, pair->value));
}

static void
parse_updates(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct deps_check_conf *deps = target;

	if (walk_mapping(w, node, updates_specs, deps, "'updates'"))
		deps->updates = true;
}

static void
parse_check_installer(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct deps_check_conf *deps = target;

	parse_string(w, node, &deps->installer, spec);
	deps->installer_pos = walk_pos(w, node);
}

/* `installers:` */

static void	parse_mirrors(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec installer_retry_specs[] = {
	{ "retries", parse_count, OFF(installer_conf, retries), NULL },
	{ "initial", parse_duration, OFF(installer_conf, retry_initial_ms), NULL },
	{ "max", parse_duration, OFF(installer_conf, retry_max_ms), NULL },
	{ "timeout", parse_duration, OFF(installer_conf, timeout_ms), NULL },
	{ NULL, NULL, 0, NULL },
};

static void	parse_installer_retry(struct walk *, yaml_node_t *, void *, const struct key_spec *);

static const struct key_spec installer_specs[] = {
	{ "command", parse_argv, OFF(installer_conf, command), NULL },
	{ "download", parse_argv, OFF(installer_conf, download), NULL },
	{ "offline", parse_argv, OFF(installer_conf, offline), NULL },
	{ "mirrors", parse_mirrors, OFF(installer_conf, mirrors), NULL },
	{ "registries", parse_mirrors, OFF(installer_conf, mirrors), NULL },
	{ "indexes", parse_mirrors, OFF(installer_conf, mirrors), NULL },
	{ "mirror_flag", parse_string, OFF(installer_conf, mirror_flag), NULL },
	{ "cache", parse_string, OFF(installer_conf, cache), NULL },
	{ "retry", parse_installer_retry, 0, NULL },
	{ NULL, NULL, 0, NULL },
};

/* mirrors, registries and indexes are one list, in the order written. */
static void
parse_mirrors(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char ***out = target, **more = NULL;

	parse_string_list(w, node, &more, spec);
	*out = strv_extend(*out, more);
	strv_free(more);
}

/* retry: its keys land in the installer itself. */
static void
parse_installer_retry(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	char what[300];

	snprintf(what, sizeof(what), "'retry' of installer '%s'",
	    ((struct installer_conf *)target)->name);
	walk_mapping(w, node, installer_retry_specs, target, what);
}

static struct installer_conf *
installer_find(struct tend_config *cfg, const char *name)
{
	return (struct installer_conf *)config_find_installer(cfg, name);
}

/* As enum dep_kind; also the kind's key in a deps check, less its plural. */
static const char *const dep_kind_names[] = {
	[DEP_EXECUTABLE] = "executable", [DEP_LIBRARY] = "library",
	[DEP_PKGCONFIG] = "pkgconfig", [DEP_PACKAGE] = "package", [DEP_PATH] = "path",
	[DEP_PYTHON] = "python", [DEP_NPM] = "npm",
};

const char *
dep_kind_name(enum dep_kind kind)
{
	return (unsigned)kind < sizeof(dep_kind_names) / sizeof(*dep_kind_names) ?
	    dep_kind_names[kind] : "?";
}

static struct installer_conf *
installer_add(struct tend_config *cfg, const char *name)
{
	struct installer_conf *in;

	cfg->installers = xgrow(cfg->installers, cfg->n_installers,
	    sizeof(*cfg->installers));
	in = &cfg->installers[cfg->n_installers++];
	memset(in, 0, sizeof(*in));
	in->name = xstrdup(name);
	in->retries = -1;
	return in;
}

static void
parse_one_installer(struct walk *w, yaml_node_t *key, yaml_node_t *value)
{
	const char *name = (const char *)key->data.scalar.value;
	struct installer_conf *in;
	char what[300];

	in = installer_add(w->cfg, name);
	in->pos = walk_pos(w, key);
	in->declared = true;
	snprintf(what, sizeof(what), "installer '%s'", name);
	/* `apt: {}` or a bare `apt:` keeps the built-in as it is. */
	if (value->type == YAML_SCALAR_NODE && value->data.scalar.length == 0)
		return;
	walk_mapping(w, value, installer_specs, in, what);
}

void
parse_installers(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	parse_named_entries(w, node, "installers", "installer", parse_one_installer);
}

/* `environment:` */

static const struct key_spec environment_specs[] = {
	{ "probe", parse_string_list, OFF(environment_conf, probe), NULL },
	{ "probe_timeout", parse_duration, OFF(environment_conf, probe_timeout_ms), NULL },
	{ "min_free", parse_size, OFF(environment_conf, min_free), NULL },
	{ "warn_free", parse_size, OFF(environment_conf, warn_free), NULL },
	{ NULL, NULL, 0, NULL },
};

static void
environment_defaults(struct environment_conf *e)
{
	e->probe_timeout_ms = 2000;
	e->min_free = 100ll * 1024 * 1024;
	e->warn_free = 1024ll * 1024 * 1024;
}

void
parse_environment(struct walk *w, yaml_node_t *node, void *target,
    const struct key_spec *spec)
{
	struct environment_conf *e = target;

	environment_defaults(e);
	if (!walk_mapping(w, node, environment_specs, e, "'environment'"))
		return;
	if (e->warn_free < e->min_free)
		walk_error(w, node, "'environment': 'warn_free' must not be below 'min_free'");
}

/*
 * The built-in installers. Download commands run in the cache directory
 * (apt-get download and npm pack write there); {files} are the cached files
 * of the packages being installed.
 */
struct installer_builtin {
	const char	*name;
	const char	*command[10];	/* NULL-terminated */
	const char	*download[10];
	const char	*offline[10];
	const char	*mirror_flag;
};

static const struct installer_builtin installer_builtins[] = {
	{ "apt", { "apt-get", "install", "-y", "{packages}" },
	    { "apt-get", "download", "{package}" },
	    { "apt-get", "install", "-y", "{files}" }, NULL },
	{ "npm", { "npm", "install", "{packages}" },
	    { "npm", "pack", "{package}" },
	    { "npm", "install", "{files}" }, "--registry" },
	{ "pip", { "python3", "-m", "pip", "install", "--upgrade", "{packages}" },
	    { "python3", "-m", "pip", "download", "{package}" },
	    { "python3", "-m", "pip", "install", "--no-index", "--find-links", "{cache}",
	      "{packages}" }, "--index-url" },
};

void
deps_apply_defaults(struct tend_config *cfg)
{
	const struct installer_builtin *b;
	struct installer_conf *in;
	size_t i;

	for (i = 0; i < sizeof(installer_builtins) / sizeof(*installer_builtins); i++) {
		b = &installer_builtins[i];
		if ((in = installer_find(cfg, b->name)) == NULL)
			in = installer_add(cfg, b->name);
		if (in->command == NULL)
			in->command = strv_dup((char *const *)b->command);
		if (in->download == NULL)
			in->download = strv_dup((char *const *)b->download);
		if (in->offline == NULL)
			in->offline = strv_dup((char *const *)b->offline);
		if (in->mirror_flag == NULL && b->mirror_flag != NULL)
			in->mirror_flag = xstrdup(b->mirror_flag);
	}
	if (cfg->environment.probe_timeout_ms == 0)
		environment_defaults(&cfg->environment);
}

/* How often `word` stands in argv: whole elements only, or anywhere. */
static int
template_count(char **argv, const char *word, bool whole)
{
	int n = 0;

	for (; argv != NULL && *argv != NULL; argv++)
		if (whole ? strcmp(*argv, word) == 0 : strstr(*argv, word) != NULL)
			n++;
	return n;
}

static void
validate_template(const struct installer_conf *in, char **argv, const char *what,
    bool files_ok, struct config_errors *errs)
{
	int packages = template_count(argv, "{packages}", true);
	int package = template_count(argv, "{package}", false);
	int files = template_count(argv, "{files}", true);

	if (argv == NULL)
		return;
	if (template_count(argv, "{packages}", false) != packages ||
	    template_count(argv, "{files}", false) != files)
		validate_error(errs, &in->pos, "installer '%s': '%s': {packages} and "
		    "{files} must each be a whole argument", in->name, what);
	else if (packages + package + (files_ok ? files : 0) == 0)
		validate_error(errs, &in->pos, "installer '%s': '%s' names no package: "
		    "expected {packages} or {package}%s", in->name, what,
		    files_ok ? " or {files}" : "");
	else if (packages > 0 && package > 0)
		validate_error(errs, &in->pos, "installer '%s': '%s': use {packages} "
		    "(one command for all) or {package} (one each), not both", in->name,
		    what);
	else if (!files_ok && files > 0)
		validate_error(errs, &in->pos, "installer '%s': '%s': {files} is for "
		    "'offline'", in->name, what);
}

static void
validate_installer(const struct installer_conf *in, struct config_errors *errs)
{
	if (in->command == NULL) {
		validate_error(errs, &in->pos, "installer '%s': 'command' is required "
		    "(apt, npm and pip have one built in)", in->name);
		return;
	}
	validate_template(in, in->command, "command", false, errs);
	validate_template(in, in->download, "download", false, errs);
	validate_template(in, in->offline, "offline", true, errs);
	if (in->mirrors != NULL && in->mirror_flag == NULL &&
	    template_count(in->command, "{mirror}", false) == 0)
		validate_error(errs, &in->pos, "installer '%s': 'mirrors' need {mirror} "
		    "in the command, or a 'mirror_flag' that passes one", in->name);
}

static void
validate_installer_ref(const struct tend_config *cfg, const struct check_conf *c,
    const struct conf_pos *pos, const char *name, struct config_errors *errs)
{
	char **names = NULL, *joined;
	size_t i;

	if (name == NULL || config_find_installer(cfg, name) != NULL)
		return;
	for (i = 0; i < cfg->n_installers; i++)
		names = strv_push(names, cfg->installers[i].name);
	joined = strv_join(names, ", ");
	validate_error(errs, pos, "check '%s': installer '%s' is not under "
	    "installers: (known: %s)", c->name, name, joined);
	free(joined);
	strv_free(names);
}

void
config_validate_deps(const struct tend_config *cfg, struct config_errors *errs)
{
	const struct check_conf *c;
	size_t i, j;

	for (i = 0; i < cfg->n_installers; i++)
		validate_installer(&cfg->installers[i], errs);
	for (i = 0; i < cfg->n_checks; i++) {
		c = &cfg->checks[i];
		if (c->type != CHECK_DEPS)
			continue;
		validate_installer_ref(cfg, c, &c->deps.installer_pos, c->deps.installer,
		    errs);
		for (j = 0; j < c->deps.n_items; j++)
			validate_installer_ref(cfg, c, &c->deps.items[j].pos,
			    c->deps.items[j].installer, errs);
	}
}
