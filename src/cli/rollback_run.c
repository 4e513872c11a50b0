/*
 * A rollback, shared by `tend rollback` and `tend guard`: restore (the
 * engine snapshots the live files first), restart the set's services
 * through the daemon when one runs, then run their checks until they are
 * healthy or the wait is over.
 */
#include "cli/rollback_run.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "checks/batch.h"
#include "cli/cli.h"
#include "cli/snapshot_open.h"
#include "cli/table.h"
#include "cli/verify.h"
#include "config/config.h"

#define ROLLBACK_WAIT_MS	30000

static const char *const step_words[] = {
	[SNAPSHOT_STEP_WRITE] = "restore", [SNAPSHOT_STEP_MKDIR] = "mkdir",
	[SNAPSHOT_STEP_META] = "metadata", [SNAPSHOT_STEP_ADDED] = "added since (kept)",
	[SNAPSHOT_STEP_DELETE] = "delete",
};

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

bool
rollback_checks(const struct tend_config *cfg, const struct snapshot_set_conf *set,
    bool every_when_none, struct check_batch *b)
{
	return cli_checks_of_services(cfg, set->restart, every_when_none, b);
}

void
rollback_apply(const struct cli_options *opts, struct snapshot_cli *c,
    const struct snapshot_set_conf *set, int64_t id, bool every_when_none,
    struct rollback_outcome *o)
{
	struct snapshot_restore_opts ro = { .dry_run = opts->dry_run,
	    .delete_added = opts->delete_added };

	memset(o, 0, sizeof(*o));
	o->id = id;
	o->state = HEALTH_HEALTHY;
	o->rc = snapshot_restore(c->eng, id, &ro, &o->r, o->err, sizeof(o->err));
	o->report = json_pack("{sI sb s:o}", "snapshot", (json_int_t)id, "dry_run",
	    opts->dry_run, "steps", rollback_steps_json(&o->r));
	if (o->r.pre_id > 0)
		json_object_set_new(o->report, "before", json_integer(o->r.pre_id));
	if (o->rc < 0)
		json_object_set_new(o->report, "error", json_string(o->err));
	if (o->rc == 0 && !opts->dry_run && set != NULL) {
		o->verified = true;
		o->daemon = cli_restart_services(opts, set->restart, o->report);
		o->state = cli_verify_services(opts, c->cfg, set->restart, every_when_none,
		    ROLLBACK_WAIT_MS, o->report);
		json_object_set_new(o->report, "state",
		    json_string(health_state_name(o->state)));
	}
}

static void
rollback_print_steps(const struct snapshot_restore_result *r, bool dry_run)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		cli_printf(stdout, "%s%-9s %s\n", dry_run ? "would " : "",
		    step_words[r->steps[i].kind], r->steps[i].path);
	if (r->n == 0)
		printf("nothing to restore: the files are as in the snapshot\n");
}

void
rollback_print(const char *cmd, const struct cli_options *opts,
    const struct rollback_outcome *o)
{
	rollback_print_steps(&o->r, opts->dry_run);
	if (o->rc < 0)
		fprintf(stderr, "tend %s: %s\n", cmd, o->err);
	else if (o->r.pre_id > 0)
		printf("restored snapshot %" PRId64 "; the files before it are snapshot %"
		    PRId64 " (tend rollback --to %" PRId64 " undoes this)\n", o->id,
		    o->r.pre_id, o->r.pre_id);
	if (o->verified)
		cli_print_verified(o->report, o->state, o->daemon,
		    "nothing to verify: the set's services have no checks");
}

void
rollback_outcome_free(struct rollback_outcome *o)
{
	json_decref(o->report);
	snapshot_restore_result_free(&o->r);
	memset(o, 0, sizeof(*o));
}
