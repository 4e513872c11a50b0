/*
 * tend rebuild NAME [--dry-run] [--wait D] [--format json]: a `rebuild:`
 * entry run from the command line. Its `snapshot:` set is snapshotted
 * first; the engine (heal/rebuild.h) clears its paths and runs its steps
 * through the retry machinery; its service is restarted (through the
 * daemon when one runs) and its checks verified within --wait (60s). When
 * a step fails or the service does not verify healthy, the snapshot is
 * put back (files added since removed: they are the rebuild's), the
 * services restarted and verified again.
 *
 * Exit 0 rebuilt and verified healthy; 1 not rebuilt, rolled back and
 * verified; 3 failed and not verified after the rollback, or nothing to
 * roll back to (no `snapshot:`, or the snapshot itself failed); 2 a usage
 * or config error.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli/snapshot_open.h"
#include "cli/table.h"
#include "cli/verify.h"
#include "config/config.h"
#include "core/strv.h"
#include "heal/rebuild.h"
#include "net/retry.h"
#include "snapshot/snapshot.h"

#define REBUILD_WAIT_MS		60000

enum rebuild_exit {
	REBUILD_EXIT_OK = 0,		/* rebuilt, verified healthy */
	REBUILD_EXIT_ROLLED_BACK = 1,	/* not rebuilt; rolled back, verified */
	REBUILD_EXIT_USAGE = 2,
	REBUILD_EXIT_FAILED = 3,	/* not rebuilt, not verified after */
};

/* The entry named on the command line, or NULL after saying which there are. */
static const struct rebuild_conf *
rebuild_find(const struct cli_options *opts, const struct tend_config *cfg)
{
	const struct rebuild_conf *rb;
	size_t i;

	if (opts->n_args != 1) {
		fprintf(stderr, "tend rebuild: name one entry of the config's 'rebuild:'\n");
		return NULL;
	}
	if ((rb = config_find_rebuild(cfg, opts->args[0])) != NULL)
		return rb;
	fprintf(stderr, "tend rebuild: no rebuild named '%s' (the config has:", opts->args[0]);
	for (i = 0; i < cfg->n_rebuilds; i++)
		fprintf(stderr, " %s", cfg->rebuilds[i].name);
	fprintf(stderr, "%s)\n", cfg->n_rebuilds == 0 ? " none" : "");
	return NULL;
}

/* What is at a clear path now, for the plan (looked at, never followed). */
static const char *
clear_state(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return "does not exist";
	if (S_ISLNK(st.st_mode))
		return "a symlink: only the link";
	return S_ISDIR(st.st_mode) ? "a directory" : "a file";
}

static json_t *
rebuild_plan_json(const struct rebuild_conf *rb)
{
	json_t *plan, *steps = json_array(), *clear = json_array(), *argv;
	size_t i, k;

	for (i = 0; rb->clear != NULL && rb->clear[i] != NULL; i++)
		json_array_append_new(clear, json_pack("{ss ss}", "path", rb->clear[i], "now",
		    clear_state(rb->clear[i])));
	for (i = 0; i < rb->n_steps; i++) {
		argv = json_array();
		for (k = 0; rb->steps[i].argv[k] != NULL; k++)
			json_array_append_new(argv, json_string(rb->steps[i].argv[k]));
		json_array_append_new(steps, argv);
	}
	plan = json_pack("{ss sb so so si}", "name", rb->name, "dry_run", true, "clear", clear,
	    "steps", steps, "attempts", rb->retry.attempts);
	if (rb->snapshot != NULL)
		json_object_set_new(plan, "snapshot", json_string(rb->snapshot));
	if (rb->service != NULL)
		json_object_set_new(plan, "service", json_string(rb->service));
	return plan;
}

static void
rebuild_plan_print(const struct rebuild_conf *rb, const struct tend_config *cfg)
{
	const struct snapshot_set_conf *set;
	char *shown;
	size_t i;

	printf("rebuild %s (dry run: nothing done)\n", rb->name);
	if (rb->snapshot != NULL && (set = config_find_snapshot_set(cfg, rb->snapshot)) != NULL) {
		shown = strv_join(set->paths, ", ");
		cli_printf(stdout, "would snapshot set %s (%s)\n", set->name, shown);
		free(shown);
	} else {
		printf("no snapshot first: nothing to roll back to if it fails\n");
	}
	for (i = 0; rb->clear != NULL && rb->clear[i] != NULL; i++)
		cli_printf(stdout, "would clear %s (%s)\n", rb->clear[i], clear_state(rb->clear[i]));
	for (i = 0; i < rb->n_steps; i++) {
		shown = retry_format_argv(rb->steps[i].argv);
		cli_printf(stdout, "would run step %zu: %s (%d attempt%s)\n", i + 1, shown,
		    rb->retry.attempts, rb->retry.attempts == 1 ? "" : "s");
		free(shown);
	}
	if (rb->service != NULL)
		cli_printf(stdout, "would restart %s and verify its checks\n", rb->service);
	if (rb->snapshot != NULL)
		cli_printf(stdout, "if that fails: would roll set %s back to the snapshot and "
		    "verify again\n", rb->snapshot);
}

static int
rebuild_dry_run(const struct cli_options *opts)
{
	const struct rebuild_conf *rb;
	struct tend_config *cfg;
	json_t *plan;
	int rc = 0;

	if ((cfg = cli_load_config(opts->config_path, stderr)) == NULL)
		return REBUILD_EXIT_USAGE;
	if ((rb = rebuild_find(opts, cfg)) == NULL) {
		rc = REBUILD_EXIT_USAGE;
	} else if (opts->format == OUTPUT_JSON) {
		plan = rebuild_plan_json(rb);
		rc = cli_print_json(plan) == 0 ? 0 : 1;
		json_decref(plan);
	} else {
		rebuild_plan_print(rb, cfg);
	}
	config_free(cfg);
	return rc;
}

/* A run of the command: what it opened, what it did, what it says. */
struct rebuild_cmd {
	const struct cli_options *opts;
	struct snapshot_cli c;
	const struct rebuild_conf *rb;
	json_t		*report;
	bool		 text;
};

static void
rebuild_said_cleared(void *arg, const struct rebuild_cleared *cl)
{
	struct rebuild_cmd *rc = arg;

	if (!rc->text)
		return;
	if (!cl->existed)
		cli_printf(stdout, "clear %s: not there\n", cl->path);
	else if (cl->link)
		cli_printf(stdout, "clear %s: a symlink, removed (its target left)\n", cl->path);
	else
		cli_printf(stdout, "cleared %s (%" PRId64 " files, %" PRId64 " directories)\n",
		    cl->path, cl->files, cl->dirs);
	fflush(stdout);
}

/* The snapshot before: its id, 0 when the entry has no set, -1 after saying why. */
static int64_t
rebuild_snapshot(struct rebuild_cmd *rc)
{
	const struct snapshot_set_conf *set;
	struct snapshot_spec spec;
	char err[1024], label[160];
	int64_t id;

	if (rc->rb->snapshot == NULL)
		return 0;
	set = config_find_snapshot_set(rc->c.cfg, rc->rb->snapshot);
	snapshot_cli_spec(set, &spec);
	snprintf(label, sizeof(label), "before rebuild %s", rc->rb->name);
	if (snapshot_create(rc->c.eng, &spec, label, "pre-rebuild", &id, NULL, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "tend rebuild %s: the snapshot of set %s failed, nothing done: "
		    "%s\n", rc->rb->name, set->name, err);
		json_object_set_new(rc->report, "error", json_string(err));
		return -1;
	}
	json_object_set_new(rc->report, "snapshot", json_integer(id));
	if (rc->text)
		printf("snapshot %" PRId64 " of set %s taken\n", id, set->name);
	return id;
}

static json_t *
rebuild_result_json(const struct rebuild_report *r)
{
	json_t *clear = json_array(), *steps = json_array(), *doc;
	const struct rebuild_cleared *cl;
	size_t i;

	for (i = 0; i < r->n_cleared; i++) {
		cl = &r->cleared[i];
		json_array_append_new(clear, json_pack("{ss sb sb sI sI}", "path", cl->path,
		    "existed", cl->existed, "link", cl->link, "files", (json_int_t)cl->files,
		    "dirs", (json_int_t)cl->dirs));
	}
	for (i = 0; i < r->n_steps; i++)
		json_array_append_new(steps, json_pack("{si si sI}", "exit_code",
		    r->steps[i].exit_code, "attempts", r->steps[i].attempts, "elapsed_ms",
		    (json_int_t)r->steps[i].elapsed_ms));
	doc = json_pack("{so so sb}", "clear", clear, "steps", steps, "ok", r->ok);
	if (!r->ok)
		json_object_set_new(doc, "error", json_string(r->error));
	return doc;
}

/* Restarts services and verifies them into a part of the report; the state. */
static enum health_state
rebuild_verify(struct rebuild_cmd *rc, char *const *services, json_t *part)
{
	enum health_state state;
	bool daemon;

	daemon = cli_restart_services(rc->opts, services, part);
	state = cli_verify_services(rc->opts, rc->c.cfg, services, false, REBUILD_WAIT_MS,
	    part);
	json_object_set_new(part, "state", json_string(health_state_name(state)));
	if (rc->text)
		cli_print_verified(part, state, daemon, "nothing to verify: no checks");
	return state;
}

/*
 * Puts snapshot id back, the files the rebuild added removed, then
 * restarts the service and the set's, and verifies them.
 */
static enum health_state
rebuild_rollback(struct rebuild_cmd *rc, int64_t id)
{
	struct snapshot_restore_opts ro = { .delete_added = true };
	const struct snapshot_set_conf *set;
	struct snapshot_restore_result r;
	json_t *part = json_object();
	enum health_state state = HEALTH_CRITICAL;
	char err[1024], **services;

	set = config_find_snapshot_set(rc->c.cfg, rc->rb->snapshot);
	json_object_set_new(rc->report, "rollback", part);
	json_object_set_new(part, "snapshot", json_integer(id));
	if (rc->text)
		printf("rolling set %s back to snapshot %" PRId64 "\n", set->name, id);
	if (snapshot_restore(rc->c.eng, id, &ro, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "tend rebuild %s: the rollback failed: %s\n", rc->rb->name, err);
		json_object_set_new(part, "error", json_string(err));
		snapshot_restore_result_free(&r);
		return HEALTH_CRITICAL;
	}
	json_object_set_new(part, "restored", json_integer((json_int_t)r.n));
	if (r.pre_id > 0)
		json_object_set_new(part, "before", json_integer(r.pre_id));
	snapshot_restore_result_free(&r);
	services = strv_dup(set->restart);
	if (rc->rb->service != NULL && !strv_contains(services, rc->rb->service))
		services = strv_push(services, rc->rb->service);
	state = rebuild_verify(rc, services, part);
	strv_free(services);
	return state;
}

static int
rebuild_exec(struct rebuild_cmd *rc)
{
	struct rebuild_options ro = { .store = rc->c.st, .cleared = rebuild_said_cleared,
	    .arg = rc, .out_fd = rc->text ? 1 : 2 };
	char *services[] = { rc->rb->service, NULL };
	enum health_state state = HEALTH_CRITICAL;
	struct rebuild_report r;
	json_t *verify;
	int64_t snap;
	int ok;

	if ((snap = rebuild_snapshot(rc)) < 0)
		return REBUILD_EXIT_FAILED;
	fflush(stdout);
	ok = rebuild_run(rc->rb, &ro, &r) == 0;
	json_object_set_new(rc->report, "rebuild", rebuild_result_json(&r));
	if (!ok)
		fprintf(stderr, "tend rebuild %s: %s\n", rc->rb->name, r.error);
	rebuild_report_free(&r);
	if (ok && rc->rb->service == NULL)
		return REBUILD_EXIT_OK;
	if (ok) {
		verify = json_object();
		json_object_set_new(rc->report, "verify", verify);
		if (rebuild_verify(rc, services, verify) == HEALTH_HEALTHY)
			return REBUILD_EXIT_OK;
		fprintf(stderr, "tend rebuild %s: %s is not healthy after the rebuild\n",
		    rc->rb->name, rc->rb->service);
	}
	if (snap == 0) {
		fprintf(stderr, "tend rebuild %s: no snapshot to roll back to (the entry has "
		    "no 'snapshot:')\n", rc->rb->name);
		return REBUILD_EXIT_FAILED;
	}
	state = rebuild_rollback(rc, snap);
	return state == HEALTH_HEALTHY ? REBUILD_EXIT_ROLLED_BACK : REBUILD_EXIT_FAILED;
}

static const char *const result_words[] = {
	[REBUILD_EXIT_OK] = "rebuilt",
	[REBUILD_EXIT_ROLLED_BACK] = "rolled back",
	[REBUILD_EXIT_USAGE] = "usage",
	[REBUILD_EXIT_FAILED] = "failed",
};

int
cmd_rebuild(struct cli_options *opts)
{
	struct rebuild_cmd rc = { .opts = opts, .text = opts->format != OUTPUT_JSON };
	int code;

	if (opts->dry_run)
		return rebuild_dry_run(opts);
	/* A usage error is said before the state dir is opened (it may not be there). */
	if (opts->n_args != 1) {
		fprintf(stderr, "tend rebuild: name one entry of the config's 'rebuild:'\n");
		return REBUILD_EXIT_USAGE;
	}
	if ((code = snapshot_cli_open("rebuild", opts->config_path, opts->state_dir,
	    &rc.c)) != 0)
		return code;
	if ((rc.rb = rebuild_find(opts, rc.c.cfg)) == NULL) {
		snapshot_cli_close(&rc.c);
		return REBUILD_EXIT_USAGE;
	}
	rc.report = json_pack("{ss sb}", "name", rc.rb->name, "dry_run", false);
	code = rebuild_exec(&rc);
	json_object_set_new(rc.report, "result", json_string(result_words[code]));
	if (rc.text)
		printf("rebuild %s: %s\n", rc.rb->name, code == REBUILD_EXIT_OK ?
		    "rebuilt and verified" : code == REBUILD_EXIT_ROLLED_BACK ?
		    "failed; rolled back and verified" : "FAILED, not verified");
	else
		cli_print_json(rc.report);
	json_decref(rc.report);
	snapshot_cli_close(&rc.c);
	return code;
}
