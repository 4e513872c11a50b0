/*
 * deps checks: what the system needs to run. Executables on PATH (with a
 * version from `--version` against a constraint), shared libraries known to
 * the loader, pkg-config modules and dpkg packages (installed, version),
 * Python distributions and node packages, paths, and freshness: how many
 * updates are pending. Every probe that needs a command runs at the same
 * time; the check reports once all are in, with one line per dependency in
 * the result's `dependencies` (what `tend deps check` lists).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/capture.h"
#include "checks/check_kinds.h"
#include "config/config.h"
#include "core/mem.h"
#include "core/strv.h"
#include "core/text.h"
#include "core/version.h"
#include "core/which.h"

struct deps_run;

/* One probe: an item (or the updates count) waiting for its command. */
struct dep_probe {
	struct deps_run	*d;
	const struct dep_item *item;	/* NULL: the updates probe */
	struct capture	*capture;
};

struct deps_run {
	struct check_run *run;
	struct dep_probe *probes;
	size_t		 n_probes;
	size_t		 pending;
	char		 problems[400];
	int		 problem_state;	/* enum health_state */
	double		 updates;
	int		 ok;
	json_t		*versions;	/* what was found: {name: version} */
	json_t		*details;	/* one object per item, at the item's index */
};

/* Asks Python itself, so that whatever python3 imports is what counts. */
static const char python_version_probe[] =
    "import sys\n"
    "from importlib.metadata import version\n"
    "print(version(sys.argv[1]))\n";

static void
deps_problem(struct deps_run *d, enum health_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
deps_problem(struct deps_run *d, enum health_state state, const char *fmt, ...)
{
	size_t used = strlen(d->problems);
	va_list ap;

	if (used > 0 && used < sizeof(d->problems) - 2) {
		strcat(d->problems, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(d->problems + used, sizeof(d->problems) - used, fmt, ap);
	va_end(ap);
	d->problem_state = health_state_worst((enum health_state)d->problem_state, state);
}

/* Notes a version found, so that the store sees it change. */
static void
deps_found(struct deps_run *d, const struct dep_item *it, const char *version)
{
	char *v = text_utf8(version);

	if (d->versions == NULL)
		d->versions = json_object();
	json_object_set_new(d->versions, it->name, json_string(v));
	free(v);
}

/*
 * The outcome of one item: its line in `dependencies`, and a problem in the
 * message unless it is ok. status is ok, missing, too-old, too-new or
 * unknown; version may be NULL.
 */
static void
deps_item(struct deps_run *d, const struct dep_item *it, const char *status,
    const char *version, enum health_state state, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
deps_item(struct deps_run *d, const struct dep_item *it, const char *status,
    const char *version, enum health_state state, const char *fmt, ...)
{
	char message[256] = "", *valid;
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(message, sizeof(message), fmt, ap);
		va_end(ap);
	}
	/* A version is what a program printed: any bytes. */
	text_utf8_fix(message, sizeof(message));
	valid = version && *version ? text_utf8(version) : NULL;
	json_array_set_new(d->details, (size_t)(it - d->run->conf->deps.items), json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}",
	    "name", it->name, "kind", dep_kind_name(it->kind), "status", status,
	    "version", valid ? json_string(valid) : json_null(),
	    "constraint", it->constraint ? json_string(it->constraint) : json_null(),
	    "message", message));
	free(valid);
	if (state == HEALTH_HEALTHY)
		d->ok++;
	else
		deps_problem(d, state, "%s", message);
}

/* Missing, and "missing" as what was found, so that its loss is recorded. */
static void
deps_missing(struct deps_run *d, const struct dep_item *it, const char *before,
    const char *after)
{
	deps_item(d, it, "missing", NULL, HEALTH_CRITICAL, "%s%s%s", before, it->name,
	    after);
	deps_found(d, it, "missing");
}

static void
deps_judge_version(struct deps_run *d, const struct dep_item *it, const char *version)
{
	if (version == NULL || version[0] == '\0') {
		deps_item(d, it, "unknown", NULL, HEALTH_WARNING, "%s: no version found",
		    it->name);
		return;
	}
	deps_found(d, it, version);
	if (version_satisfies(version, it->constraint) != 1) {
		deps_item(d, it, version_too_old(version, it->constraint) ? "too-old" :
		    "too-new", version, HEALTH_CRITICAL, "%s %s does not satisfy %s",
		    it->name, version, it->constraint);
		return;
	}
	deps_item(d, it, "ok", version, HEALTH_HEALTHY, NULL);
}

static double
deps_count_updates(const char *output)
{
	const char *line = output, *nl;
	double n = 0;

	/* apt prints "Listing..." first; every other non-empty line is one package. */
	while (line != NULL && *line != '\0') {
		nl = strchr(line, '\n');
		if (nl != line && strncmp(line, "Listing", 7) != 0 &&
		    strncmp(line, "WARNING", 7) != 0)
			n++;
		line = nl ? nl + 1 : NULL;
	}
	return n;
}

static void
deps_probe_judge(struct dep_probe *p, int64_t code, bool timed_out, const char *output)
{
	struct deps_run *d = p->d;
	const struct dep_item *it = p->item;
	char version[64] = "", needle[300];
	const char *tab;

	if (timed_out && it == NULL) {
		deps_problem(d, HEALTH_UNKNOWN, "updates: timed out");
		return;
	}
	if (timed_out) {
		deps_item(d, it, "unknown", NULL, HEALTH_UNKNOWN, "%s: timed out", it->name);
		return;
	}
	if (it == NULL) {
		d->updates = deps_count_updates(output);
		return;
	}
	switch (it->kind) {
	case DEP_EXECUTABLE:
		version_extract(output, version, sizeof(version));
		deps_judge_version(d, it, version);
		break;
	case DEP_PKGCONFIG:
		if (code != 0)
			deps_missing(d, it, "pkg-config module ", " missing");
		else
			deps_judge_version(d, it, strtok((char *)output, " \n"));
		break;
	case DEP_PACKAGE:
		tab = strchr(output, '\t');
		if (code != 0 || tab == NULL || strncmp(output, "install ok installed", 20) != 0)
			deps_missing(d, it, "package ", " not installed");
		else
			deps_judge_version(d, it, strtok((char *)tab + 1, " \n"));
		break;
	case DEP_PYTHON:
		if (code != 0)
			deps_missing(d, it, "python package ", " not installed");
		else
			deps_judge_version(d, it, strtok((char *)output, " \n"));
		break;
	case DEP_LIBRARY:
		snprintf(needle, sizeof(needle), "\t%s ", it->name);
		if (strstr(output, needle) == NULL) {
			deps_missing(d, it, "library ", " not found");
			break;
		}
		deps_found(d, it, "present");
		deps_item(d, it, "ok", NULL, HEALTH_HEALTHY, NULL);
		break;
	default:
		break;
	}
}

/* The run's result; d is freed. */
static void
deps_result(struct deps_run *d, struct check_result *r)
{
	const struct deps_check_conf *c = &d->run->conf->deps;
	enum health_state updates_state = HEALTH_HEALTHY;

	check_result_init(r);
	if (c->updates) {
		if (c->updates_crit > 0 && d->updates >= c->updates_crit)
			updates_state = HEALTH_CRITICAL;
		else if (c->updates_warn > 0 && d->updates >= c->updates_warn)
			updates_state = HEALTH_WARNING;
		if (updates_state != HEALTH_HEALTHY)
			deps_problem(d, updates_state, "%.0f updates pending", d->updates);
		check_result_add_metric(r, "updates", d->updates, "");
	}
	if (d->problems[0] != '\0')
		check_result_set(r, (enum health_state)d->problem_state, "%s", d->problems);
	else if (c->updates)
		check_result_set(r, HEALTH_HEALTHY, "%d dependencies ok, %.0f updates "
		    "pending", d->ok, d->updates);
	else
		check_result_set(r, HEALTH_HEALTHY, "%d dependencies ok", d->ok);
	r->latency_ms = check_run_elapsed_ms(d->run);
	r->versions = d->versions;
	r->dependencies = d->details;
	free(d->probes);
	free(d);
}

static void
deps_report(struct deps_run *d)
{
	struct check_run *run = d->run;
	struct check_result r;

	deps_result(d, &r);
	check_run_finish(run, &r);
	check_result_clear(&r);
}

static void
deps_probe_done(void *arg, int64_t code, int signal, bool timed_out, const char *output)
{
	struct dep_probe *p = arg;
	struct deps_run *d = p->d;

	p->capture = NULL;
	deps_probe_judge(p, code, timed_out, output);
	if (--d->pending == 0)
		deps_report(d);
}

static char **
deps_probe_argv(const struct dep_item *it, const char *exe)
{
	char **argv = NULL;

	switch (it->kind) {
	case DEP_EXECUTABLE:
		argv = strv_push(strv_push(NULL, exe), "--version");
		break;
	case DEP_PKGCONFIG:
		argv = strv_push(strv_push(strv_push(NULL, "pkg-config"), "--modversion"),
		    it->name);
		break;
	case DEP_PACKAGE:
		argv = strv_push(strv_push(strv_push(strv_push(NULL, "dpkg-query"), "-W"),
		    "-f=${Status}\t${Version}"), it->name);
		break;
	case DEP_PYTHON:
		argv = strv_push(strv_push(strv_push(strv_push(NULL, "python3"), "-c"),
		    python_version_probe), it->name);
		break;
	case DEP_LIBRARY:
		argv = strv_push(strv_push(NULL, "/sbin/ldconfig"), "-p");
		break;
	default:
		break;
	}
	return argv;
}

static void
deps_start_probe(struct deps_run *d, const struct dep_item *it, char **argv)
{
	struct dep_probe *p = &d->probes[d->n_probes];
	int err;

	p->d = d;
	p->item = it;
	p->capture = capture_start(d->run->env->loop, argv, d->run->conf->timeout_ms,
	    deps_probe_done, p, &err);
	if (p->capture == NULL && it == NULL) {
		deps_problem(d, HEALTH_UNKNOWN, "updates: cannot run %s: %s", argv[0],
		    uv_strerror(err));
		return;
	}
	if (p->capture == NULL) {
		deps_item(d, it, "unknown", NULL, HEALTH_CRITICAL, "%s: cannot run %s: %s",
		    it->name, argv[0], uv_strerror(err));
		return;
	}
	d->n_probes++;
	d->pending++;
}

/*
 * A node package as node's require() finds it from here: node_modules in
 * this directory and each one above, then $NODE_PATH, then the global
 * folders. Its version is the one in its package.json.
 */
static bool
deps_find_npm(const char *name, char *version, size_t len)
{
	static const char *const global[] = { "/usr/local/lib/node_modules",
	    "/usr/lib/node_modules", NULL };
	char **dirs = NULL, cwd[4096], *p, *node_path, *path = NULL, *tok, *save;
	const char *v;
	json_t *pkg = NULL;
	size_t i;

	if (getcwd(cwd, sizeof(cwd)) != NULL)
		for (;;) {
			dirs = strv_push(dirs, cwd);
			if ((p = strrchr(cwd, '/')) == NULL || p == cwd)
				break;
			*p = '\0';
		}
	for (i = 0; dirs != NULL && dirs[i] != NULL; i++) {
		p = xasprintf("%s/node_modules", dirs[i]);
		free(dirs[i]);
		dirs[i] = p;
	}
	node_path = xstrdup(getenv("NODE_PATH") ? getenv("NODE_PATH") : "");
	for (tok = strtok_r(node_path, ":", &save); tok != NULL;
	    tok = strtok_r(NULL, ":", &save))
		dirs = strv_push(dirs, tok);
	free(node_path);
	for (i = 0; global[i] != NULL; i++)
		dirs = strv_push(dirs, global[i]);
	for (i = 0; pkg == NULL && dirs[i] != NULL; i++) {
		free(path);
		path = xasprintf("%s/%s/package.json", dirs[i], name);
		pkg = json_load_file(path, 0, NULL);
	}
	free(path);
	strv_free(dirs);
	if (pkg == NULL)
		return false;
	v = json_string_value(json_object_get(pkg, "version"));
	snprintf(version, len, "%s", v ? v : "");
	json_decref(pkg);
	return true;
}

/* What needs no command is judged at once; the rest become probes. */
static void
deps_start_item(struct deps_run *d, const struct dep_item *it)
{
	char **argv, *exe = NULL, version[64];

	if (it->kind == DEP_PATH) {
		if (access(it->name, F_OK) == 0)
			deps_item(d, it, "ok", NULL, HEALTH_HEALTHY, NULL);
		else
			deps_missing(d, it, "", " missing");
		return;
	}
	if (it->kind == DEP_NPM) {
		if (!deps_find_npm(it->name, version, sizeof(version)))
			deps_missing(d, it, "node package ", " not installed");
		else if (it->constraint == NULL)
			deps_item(d, it, "ok", version, HEALTH_HEALTHY, NULL);
		else
			deps_judge_version(d, it, version);
		return;
	}
	if (it->kind == DEP_EXECUTABLE) {
		exe = which(it->name);
		if (exe == NULL || !which_is_executable(exe)) {
			free(exe);
			deps_missing(d, it, "", " not found on PATH");
			return;
		}
		if (it->constraint == NULL) {
			deps_item(d, it, "ok", NULL, HEALTH_HEALTHY, NULL);
			free(exe);
			return;
		}
	}
	argv = deps_probe_argv(it, exe);
	deps_start_probe(d, it, argv);
	strv_free(argv);
	free(exe);
}

static void
deps_cancel(struct check_run *run)
{
	struct deps_run *d = run->kind;
	size_t i;

	for (i = 0; i < d->n_probes; i++)
		if (d->probes[i].capture != NULL)
			capture_cancel(d->probes[i].capture);
	json_decref(d->versions);
	json_decref(d->details);
	free(d->probes);
	free(d);
}

void
check_deps_start(struct check_run *run)
{
	const struct deps_check_conf *c = &run->conf->deps;
	struct deps_run *d = xcalloc(1, sizeof(*d));
	struct check_result r;
	char **argv;
	size_t i;

	d->run = run;
	d->details = json_array();
	for (i = 0; i < c->n_items; i++)
		json_array_append_new(d->details, json_null());
	d->probes = xcalloc(c->n_items + 2, sizeof(*d->probes));
	for (i = 0; i < c->n_items; i++)
		deps_start_item(d, &c->items[i]);
	if (c->updates) {
		argv = c->updates_cmd ? strv_dup(c->updates_cmd) :
		    strv_push(strv_push(strv_push(NULL, "apt"), "list"), "--upgradable");
		deps_start_probe(d, NULL, argv);
		strv_free(argv);
	}
	if (d->pending == 0) {
		/* Nothing to wait for: report on the next turn, as every run does. */
		deps_result(d, &r);
		check_run_report_soon(run, &r);
		return;
	}
	run->kind = d;
	run->cancel = deps_cancel;
}
