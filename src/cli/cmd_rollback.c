/*
 * tend rollback [SET] [--to ID|--lkg] [--dry-run] [--delete] [--wait D]:
 * puts a snapshot of a set back (src/snapshot: staged, verified, renamed
 * into place, the state before snapshotted first), restarts the set's
 * services through the daemon when one runs, then runs their checks until
 * they are healthy or --wait (default 30s) is over. Exit 0 when the result
 * is verified healthy (or there is nothing to verify), 1 when the restore
 * failed or the checks did not turn healthy, 2 for a usage or config error.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/snapshot_open.h"
#include "cli/table.h"
#include "cli/verify.h"
#include "config/config.h"
#include "snapshot/snapshot.h"

#define ROLLBACK_WAIT_MS	30000

static const char *const step_words[] = {
	[SNAPSHOT_STEP_WRITE] = "restore", [SNAPSHOT_STEP_MKDIR] = "mkdir",
	[SNAPSHOT_STEP_META] = "metadata", [SNAPSHOT_STEP_ADDED] = "added since (kept)",
	[SNAPSHOT_STEP_DELETE] = "delete",
};

/* Which snapshot: --to ID, else SET's last known good. 0 after saying why. */
static int64_t
rollback_target(const struct cli_options *opts, struct snapshot_cli *c,
    const struct snapshot_set_conf **set)
{
	struct snapshot_info info;
	char err[1024], *end;
	int64_t id;

	*set = NULL;
	if (opts->n_args > 1) {
		fprintf(stderr, "tend rollback: one set at a time\n");
		return 0;
	}
	if (opts->n_args == 1 &&
	    (*set = snapshot_cli_set("rollback", c->cfg, opts->args[0])) == NULL)
		return 0;
	if (opts->rollback_to == NULL) {
		if (*set == NULL) {
			fprintf(stderr, "tend rollback: name the set (or --to ID)\n");
			return 0;
		}
		if ((id = snapshot_lkg(c->eng, (*set)->name, err, sizeof(err))) <= 0)
			fprintf(stderr, "tend rollback: %s\n", id < 0 ? err :
			    "no last known good snapshot of this set yet; name one with --to ID "
			    "(tend snapshot list)");
		return id > 0 ? id : 0;
	}
	id = strtoll(opts->rollback_to, &end, 10);
	if (*end != '\0' || id <= 0 ||
	    snapshot_get(c->eng, id, &info, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "tend rollback: --to %s: no such snapshot (tend snapshot list)\n",
		    opts->rollback_to);
		return 0;
	}
	if (*set != NULL && strcmp(info.set_name, (*set)->name) != 0) {
		fprintf(stderr, "tend rollback: snapshot %" PRId64 " is of %s, not %s\n", id,
		    info.set_name, (*set)->name);
		id = 0;
	} else if (*set == NULL) {
		*set = config_find_snapshot_set(c->cfg, info.set_name);
	}
	snapshot_info_clear(&info);
	return id;
}

static void
rollback_print_steps(const struct snapshot_restore_result *r, bool dry_run)
{
	size_t i, shown = 0;

	for (i = 0; i < r->n; i++) {
		cli_printf(stdout, "%s%-9s %s\n", dry_run ? "would " : "",
		    step_words[r->steps[i].kind], r->steps[i].path);
		shown++;
	}
	if (shown == 0)
		printf("nothing to restore: the files are as in the snapshot\n");
}

static json_t *
rollback_steps_json(const struct snapshot_restore_result *r)
{
	json_t *steps = json_array();
	size_t i;

	for (i = 0; i < r->n; i++)
		json_array_append_new(steps, json_pack("{ss ss sb}", "path", r->steps[i].path,
		    "step", step_words[r->steps[i].kind], "done", r->steps[i].done));
	return steps;
}

static int
rollback_run(const struct cli_options *opts, struct snapshot_cli *c)
{
	struct snapshot_restore_opts ro = { .dry_run = opts->dry_run,
	    .delete_added = opts->delete_added };
	const struct snapshot_set_conf *set;
	struct snapshot_restore_result r;
	enum health_state state = HEALTH_HEALTHY;
	json_t *report;
	char err[1024];
	int64_t id;
	bool daemon = false;
	int rc;

	if ((id = rollback_target(opts, c, &set)) == 0)
		return 2;
	rc = snapshot_restore(c->eng, id, &ro, &r, err, sizeof(err));
	report = json_pack("{sI sb s:o}", "snapshot", (json_int_t)id, "dry_run",
	    opts->dry_run, "steps", rollback_steps_json(&r));
	if (r.pre_id > 0)
		json_object_set_new(report, "before", json_integer(r.pre_id));
	if (rc < 0)
		json_object_set_new(report, "error", json_string(err));
	if (rc == 0 && !opts->dry_run && set != NULL) {
		daemon = cli_restart_services(opts, set->restart, report);
		state = cli_verify_services(opts, c->cfg, set->restart, ROLLBACK_WAIT_MS, report);
		json_object_set_new(report, "state", json_string(health_state_name(state)));
	}
	if (opts->format == OUTPUT_JSON) {
		cli_print_json(report);
	} else {
		rollback_print_steps(&r, opts->dry_run);
		if (rc < 0)
			fprintf(stderr, "tend rollback: %s\n", err);
		else if (r.pre_id > 0)
			printf("restored snapshot %" PRId64 "; the files before it are snapshot %"
			    PRId64 " (tend rollback --to %" PRId64 " undoes this)\n", id, r.pre_id,
			    r.pre_id);
		if (rc == 0 && !opts->dry_run && set != NULL)
			cli_print_verified(report, state, daemon,
			    "nothing to verify: the set's services have no checks");
	}
	json_decref(report);
	snapshot_restore_result_free(&r);
	return rc < 0 || state != HEALTH_HEALTHY ? 1 : 0;
}

int
cmd_rollback(struct cli_options *opts)
{
	struct snapshot_cli c;
	int rc;

	if (opts->rollback_to != NULL && opts->rollback_lkg) {
		fprintf(stderr, "tend rollback: --to and --lkg are one or the other\n");
		return 2;
	}
	if ((rc = snapshot_cli_open("rollback", opts->config_path, opts->state_dir, &c)) != 0)
		return rc;
	rc = rollback_run(opts, &c);
	snapshot_cli_close(&c);
	return rc;
}
