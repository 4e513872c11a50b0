/*
 * tend deps check | install | cache-warmup | scan [PATH]: what the system
 * depends on. The work is in src/deps (status, install, scan); this file
 * parses the options and prints.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/table.h"
#include "config/config.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "deps/install.h"
#include "deps/scan.h"
#include "deps/status.h"

struct deps_options {
	const char	*config_path;
	const char	*state_dir;
	const char	*only;
	enum output_format format;
	bool		 verbose;
	bool		 dry_run;
	bool		 offline;
	bool		 fix;
	const char	*path;		/* scan */
};

static void
deps_usage(FILE *out)
{
	fputs("usage: tend deps check [--only CHECK] [--format text|json]\n"
	    "       tend deps install [--only CHECK] [--dry-run] [--offline] [--verbose]\n"
	    "       tend deps cache-warmup [--dry-run] [--verbose]\n"
	    "       tend deps scan [PATH] [--fix] [--format text|json]\n"
	    "  each takes -c FILE (default $TEND_CONFIG) and --state-dir DIR\n"
	    "  check: every dependency the deps checks declare, found or not; exit 1 when\n"
	    "         something is missing or too old\n"
	    "  install: what is missing, through its installer (retried, mirrors, cache)\n"
	    "  cache-warmup: downloads the declared packages into the installers' caches\n"
	    "  scan: what the code in PATH (default .) uses that no deps check declares;\n"
	    "        --fix adds it to the config file\n", out);
}

enum { DEPS_OPT_STATE_DIR = 256, DEPS_OPT_ONLY, DEPS_OPT_DRY_RUN, DEPS_OPT_OFFLINE,
	DEPS_OPT_FIX };

static const struct option deps_long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, DEPS_OPT_STATE_DIR },
	{ "format", required_argument, NULL, 'f' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "only", required_argument, NULL, DEPS_OPT_ONLY },
	{ "dry-run", no_argument, NULL, DEPS_OPT_DRY_RUN },
	{ "offline", no_argument, NULL, DEPS_OPT_OFFLINE },
	{ "fix", no_argument, NULL, DEPS_OPT_FIX },
	{ NULL, 0, NULL, 0 },
};

/* Parses the options after the subcommand (argv[0] is its name); 0, 2 or -1 for help. */
static int
deps_parse(int argc, char **argv, struct deps_options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:f:vh", deps_long_options, NULL)) != -1) {
		switch (c) {
		case 'c': o->config_path = optarg; break;
		case DEPS_OPT_STATE_DIR: o->state_dir = optarg; break;
		case 'v': o->verbose = true; break;
		case DEPS_OPT_ONLY: o->only = optarg; break;
		case DEPS_OPT_DRY_RUN: o->dry_run = true; break;
		case DEPS_OPT_OFFLINE: o->offline = true; break;
		case DEPS_OPT_FIX: o->fix = true; break;
		case 'f':
			if (cli_parse_format("deps", optarg, &o->format) != 0)
				return 2;
			break;
		case 'h':
			deps_usage(stdout);
			return -1;
		default:
			deps_usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		o->path = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "tend deps %s: unexpected '%s'\n", argv[0], argv[optind]);
		return 2;
	}
	return 0;
}

/* One row of the table: CHECK .. MESSAGE. */
static void
deps_table_row(struct table *t, const struct dep_row *r)
{
	char status[16], installer[300];

	snprintf(installer, sizeof(installer), "%s%s%s", r->installer ?
	    r->installer->name : "-", r->installer ? ": " : "", r->installer ? r->package : "");
	snprintf(status, sizeof(status), "%s", r->status);
	if (strchr(status, '-') != NULL)
		*strchr(status, '-') = ' ';		/* "too old" */
	table_row(t, (const char *const[]){ r->check->name, r->item->name,
	    dep_kind_name(r->item->kind), r->version ? r->version : "-",
	    r->item->constraint ? r->item->constraint : "-", status, installer,
	    dep_row_ok(r) ? "" : r->message });
}

static void
deps_print_rows(const struct dep_status *st, bool failing_only)
{
	static const struct table_column cols[] = {
		{ .head = "CHECK" },
		{ .head = "DEPENDENCY", .lead = 1 },
		{ .head = "KIND", .lead = 1 },
		{ .head = "FOUND", .lead = 1 },
		{ .head = "WANTED", .lead = 1 },
		{ .head = "STATUS", .lead = 1 },
		{ .head = "INSTALLER", .lead = 1 },
		{ .head = "MESSAGE", .lead = 1 },
	};
	struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!failing_only || !dep_row_ok(&st->v[i]))
			deps_table_row(t, &st->v[i]);
	table_print(t, stdout);
	table_free(t);
}

static int
deps_check(const struct deps_options *o)
{
	struct tend_config *cfg = cli_load_config(o->config_path, stderr);
	struct dep_status st;
	size_t failing;
	json_t *doc;

	if (cfg == NULL)
		return 2;
	if (deps_status_run(cfg, o->only, &st) < 0) {
		fprintf(stderr, "tend deps check: no deps check named '%s'\n", o->only);
		config_free(cfg);
		return 2;
	}
	failing = deps_status_failing(&st);
	if (o->format == OUTPUT_JSON) {
		doc = deps_status_json(&st);
		cli_print_json(doc);
		json_decref(doc);
	} else if (st.n == 0) {
		printf("no dependencies declared (no deps check in %s)\n", cfg->source);
	} else {
		deps_print_rows(&st, false);
		printf("\n%zu of %zu dependencies %s\n", failing ? failing : st.n, st.n,
		    failing ? "missing, too old or unknown" : "present");
	}
	deps_status_free(&st);
	config_free(cfg);
	return failing ? 1 : 0;
}

/*
 * How the plan runs. *cache_root is STATE_DIR/cache: installers keep their
 * packages in its deps/NAME unless they say otherwise. The installers run
 * as root there: a state dir tend run would refuse is refused (-1, said
 * on stderr). Free both strings.
 */
static int
deps_run_options(const struct deps_options *o, const struct tend_config *cfg,
    struct install_options *io, char **state_dir, char **cache_root)
{
	char err[1024];

	memset(io, 0, sizeof(*io));
	*state_dir = statedir_resolve(o->state_dir, cfg != NULL ? cfg->state_dir : NULL);
	*cache_root = NULL;
	if (!o->dry_run && statedir_prepare_subdir(*state_dir, "cache", 0750, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "tend deps: refusing the state dir: %s\n", err);
		free(*state_dir);
		*state_dir = NULL;
		return -1;
	}
	*cache_root = xasprintf("%s/cache", *state_dir);
	io->dry_run = o->dry_run;
	io->offline = o->offline;
	io->verbose = o->verbose;
	io->state_dir = *state_dir;
	io->out = stdout;
	return 0;
}

static int
deps_install(const struct deps_options *o)
{
	struct tend_config *cfg = cli_load_config(o->config_path, stderr);
	struct install_options io;
	struct install_plan plan;
	struct dep_status st;
	char *root, *state_dir;
	size_t i, failing;
	int failed;

	if (cfg == NULL)
		return 2;
	if (deps_status_run(cfg, o->only, &st) < 0) {
		fprintf(stderr, "tend deps install: no deps check named '%s'\n", o->only);
		config_free(cfg);
		return 2;
	}
	if (deps_run_options(o, cfg, &io, &state_dir, &root) < 0) {
		deps_status_free(&st);
		config_free(cfg);
		return 1;
	}
	deps_plan_install(cfg, &st, root, &plan);
	deps_status_free(&st);
	free(root);
	for (i = 0; plan.unplanned != NULL && plan.unplanned[i] != NULL; i++)
		printf("cannot install %s\n", plan.unplanned[i]);
	if (plan.n == 0 && plan.unplanned == NULL)
		printf("nothing to install: every dependency is there\n");
	else if (o->dry_run && plan.n > 0)
		printf("would run%s:\n", o->offline ? " (offline)" : "");
	failed = deps_plan_run(&plan, &io);
	free(state_dir);
	if (o->dry_run || plan.n == 0) {
		failing = plan.unplanned != NULL;
		deps_plan_free(&plan);
		config_free(cfg);
		return o->dry_run ? 0 : failing ? 1 : 0;
	}
	deps_plan_free(&plan);
	/* What counts is what the checks find now, not what the installers said. */
	deps_status_run(cfg, o->only, &st);
	failing = deps_status_failing(&st);
	if (failing == 0) {
		printf("all %zu dependencies present\n", st.n);
	} else {
		printf("\nstill missing, too old or unknown%s:\n", failed ? " (an installer "
		    "failed)" : "");
		deps_print_rows(&st, true);
	}
	deps_status_free(&st);
	config_free(cfg);
	return failing ? 1 : 0;
}

static int
deps_cache_warmup(const struct deps_options *o)
{
	struct tend_config *cfg = cli_load_config(o->config_path, stderr);
	struct install_options io;
	struct install_plan plan;
	char *root, *state_dir;
	size_t i;
	int failed;

	if (cfg == NULL)
		return 2;
	if (deps_run_options(o, cfg, &io, &state_dir, &root) < 0) {
		config_free(cfg);
		return 1;
	}
	deps_plan_warmup(cfg, root, &plan);
	free(root);
	for (i = 0; plan.cached != NULL && plan.cached[i] != NULL; i++)
		printf("cached already: %s\n", plan.cached[i]);
	if (plan.n == 0)
		printf("nothing to download\n");
	else if (o->dry_run)
		printf("would run:\n");
	failed = deps_plan_run(&plan, &io);
	free(state_dir);
	if (!o->dry_run && plan.n > 0)
		printf("%zu of %zu downloads done\n", plan.n - (size_t)failed, plan.n);
	deps_plan_free(&plan);
	config_free(cfg);
	return failed ? 1 : 0;
}

static const char *const scan_lang_names[] = { "c", "python", "js" };

/* The file as the user named it: under PATH, unless PATH is "." or the file itself. */
static char *
scan_where(const struct deps_options *o, const struct scan_finding *f)
{
	const char *root = o->path ? o->path : ".";

	if (strcmp(root, ".") == 0 || strcmp(root, f->file) == 0)
		return xstrdup(f->file);
	return xasprintf("%s%s%s", root, root[strlen(root) - 1] == '/' ? "" : "/", f->file);
}

static json_t *
scan_json(const struct deps_options *o, const struct scan_result *r, const char *added)
{
	json_t *missing = json_array(), *unmapped = json_array();
	const struct scan_finding *f;
	char *where;
	size_t i;

	for (i = 0; i < r->n_needs; i++) {
		f = &r->needs[i];
		if (f->declared)
			continue;
		where = scan_where(o, f);
		json_array_append_new(missing, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
		    "s:s, s:i}", "language", scan_lang_names[f->lang], "reference", f->ref,
		    "kind", dep_kind_name(f->need.kind), "name", f->need.name, "installer",
		    f->need.installer, "package", f->need.package, "file", where, "line",
		    f->line));
		free(where);
	}
	for (i = 0; i < r->n_unmapped; i++) {
		f = &r->unmapped[i];
		where = scan_where(o, f);
		json_array_append_new(unmapped, json_pack("{s:s, s:s, s:s, s:i}", "language",
		    scan_lang_names[f->lang], "reference", f->ref, "file", where, "line",
		    f->line));
		free(where);
	}
	return json_pack("{s:s, s:I, s:I, s:o, s:o, s:o}", "path", o->path ? o->path : ".",
	    "files", (json_int_t)r->files, "declared", (json_int_t)(r->n_needs -
	    scan_missing(r)), "missing", missing, "unmapped", unmapped, "added",
	    added ? json_string(added) : json_null());
}

static void
scan_print(const struct deps_options *o, const struct scan_result *r)
{
	const struct scan_finding *f;
	char ref[300], *where;
	size_t i;

	if (scan_missing(r) == 0)
		printf("%zu files: every dependency the code uses is declared (%zu)\n",
		    r->files, r->n_needs);
	else
		printf("%zu files: %zu dependencies used and not declared:\n", r->files,
		    scan_missing(r));
	for (i = 0; i < r->n_needs; i++) {
		f = &r->needs[i];
		if (f->declared)
			continue;
		scan_ref_text(f, ref, sizeof(ref));
		where = scan_where(o, f);
		printf("  %-9s %-24s %s: %-24s %-24s %s:%d\n", dep_kind_name(f->need.kind),
		    f->need.name, f->need.installer, f->need.package, ref, where, f->line);
		free(where);
	}
	if (r->n_unmapped > 0)
		printf("headers in no table (declare them if the project does not provide "
		    "them):\n");
	for (i = 0; i < r->n_unmapped; i++) {
		scan_ref_text(&r->unmapped[i], ref, sizeof(ref));
		where = scan_where(o, &r->unmapped[i]);
		printf("  %-24s %s:%d\n", ref, where, r->unmapped[i].line);
		free(where);
	}
}

/* --fix: the file named by -c or $TEND_CONFIG gets the missing ones. */
static int
scan_fix(const struct deps_options *o, struct tend_config **cfg, struct scan_result *r,
    char **added)
{
	const char *path = o->config_path ? o->config_path : getenv("TEND_CONFIG");
	char err[4096];

	if (path == NULL || *path == '\0') {
		fprintf(stderr, "tend deps scan --fix: which config? Give -c FILE\n");
		return 2;
	}
	if (scan_fix_config(path, *cfg, r, added, err, sizeof(err)) < 0) {
		fprintf(stderr, "tend deps scan --fix: %s\n", err);
		return 2;
	}
	if (o->format == OUTPUT_TEXT)
		printf("added to %s:\n%s\n", path, *added);
	config_free(*cfg);
	if ((*cfg = cli_load_config(o->config_path, stderr)) == NULL)
		return 2;
	scan_mark_declared(r, *cfg);
	return 0;
}

static int
deps_scan(const struct deps_options *o)
{
	struct tend_config *cfg = cli_load_config(o->config_path, stderr);
	struct scan_result r;
	char err[512], *added = NULL;
	json_t *doc;
	int rc = 0;

	if (cfg == NULL)
		return 2;
	if (scan_tree(o->path ? o->path : ".", &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "tend deps scan: %s\n", err);
		config_free(cfg);
		return 2;
	}
	scan_mark_declared(&r, cfg);
	if (o->fix && scan_missing(&r) > 0)
		rc = scan_fix(o, &cfg, &r, &added);
	if (rc == 0 && o->format == OUTPUT_JSON) {
		doc = scan_json(o, &r, added);
		cli_print_json(doc);
		json_decref(doc);
	} else if (rc == 0) {
		scan_print(o, &r);
	}
	if (rc == 0)
		rc = scan_missing(&r) > 0 ? 1 : 0;
	free(added);
	scan_result_free(&r);
	config_free(cfg);
	return rc;
}

int
cmd_deps(int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*run)(const struct deps_options *);
	} subs[] = {
		{ "check", deps_check },
		{ "install", deps_install },
		{ "cache-warmup", deps_cache_warmup },
		{ "scan", deps_scan },
	};
	struct deps_options o;
	size_t i;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		deps_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (i = 0; i < sizeof(subs) / sizeof(*subs); i++) {
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		if ((rc = deps_parse(argc - 1, argv + 1, &o)) != 0)
			return rc < 0 ? 0 : rc;
		if (o.path != NULL && subs[i].run != deps_scan) {
			fprintf(stderr, "tend deps %s: unexpected '%s'\n", argv[1], o.path);
			return 2;
		}
		return subs[i].run(&o);
	}
	fprintf(stderr, "tend deps: unknown subcommand '%s'\n", argv[1]);
	deps_usage(stderr);
	return 2;
}
