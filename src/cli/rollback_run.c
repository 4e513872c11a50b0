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
#include <unistd.h>

#include <jansson.h>

#include "checks/batch.h"
#include "cli/cli.h"
#include "cli/snapshot_open.h"
#include "cli/table.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/strv.h"

#define ROLLBACK_WAIT_MS	30000
#define ROLLBACK_POLL_MS	250

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

/* Restarts the set's services through the daemon; false when there is none. */
static bool
rollback_restart(const struct cli_options *opts, const struct snapshot_set_conf *set,
    json_t *report)
{
	json_t *done = json_array(), *answer;
	size_t i;

	if (!cli_daemon_alive(opts)) {
		json_decref(done);
		return false;
	}
	for (i = 0; set->restart != NULL && set->restart[i] != NULL; i++) {
		answer = cli_call(opts, json_pack("{s:s, s:s}", "cmd", "restart", "service",
		    set->restart[i]));
		if (answer != NULL)
			json_array_append_new(done, json_string(set->restart[i]));
		json_decref(answer);
	}
	json_object_set_new(report, "restarted", done);
	return true;
}

bool
rollback_checks(const struct tend_config *cfg, const struct snapshot_set_conf *set,
    bool every_when_none, struct check_batch *b)
{
	bool every = every_when_none && strv_len(set->restart) == 0;
	size_t i;

	for (i = 0; i < cfg->n_checks; i++)
		if (every || (cfg->checks[i].service != NULL &&
		    strv_contains(set->restart, cfg->checks[i].service)))
			check_batch_add(b, &cfg->checks[i]);
	return every;
}

/*
 * Runs the checks of the set until all are healthy or the wait is over:
 * the state they ended in (HEALTH_HEALTHY when there is no check to run),
 * with the last outcomes in report.
 */
static enum health_state
rollback_verify(const struct cli_options *opts, const struct tend_config *cfg,
    const struct snapshot_set_conf *set, bool every_when_none, json_t *report)
{
	int64_t wait = opts->wait_ms >= 0 ? opts->wait_ms : ROLLBACK_WAIT_MS;
	int64_t deadline = clock_mono_ms() + wait;
	enum health_state state = HEALTH_HEALTHY;
	struct check_batch b = { 0 };
	json_t *checks = json_array();
	size_t i;

	for (;;) {
		rollback_checks(cfg, set, every_when_none, &b);
		if (b.n == 0)
			break;
		cli_check_batch_run(&b, opts);
		state = check_batch_overall(&b);
		if (state == HEALTH_HEALTHY || clock_mono_ms() >= deadline)
			break;
		check_batch_clear(&b);
		usleep(ROLLBACK_POLL_MS * 1000);
	}
	for (i = 0; i < b.n; i++)
		json_array_append_new(checks, cli_check_outcome_json(&b.v[i]));
	json_object_set_new(report, "checks", checks);
	check_batch_clear(&b);
	return state;
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
		o->daemon = rollback_restart(opts, set, o->report);
		o->state = rollback_verify(opts, c->cfg, set, every_when_none, o->report);
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

static void
rollback_print_verified(const struct rollback_outcome *o)
{
	json_t *c;
	size_t i;

	if (!o->daemon)
		printf("no tend runs on this state dir: no service restarted\n");
	json_array_foreach(json_object_get(o->report, "checks"), i, c)
		cli_printf(stdout, "  %-9s %s: %s\n",
		    json_string_value(json_object_get(c, "state")),
		    json_string_value(json_object_get(c, "name")),
		    json_string_value(json_object_get(c, "message")) ?: "");
	if (json_array_size(json_object_get(o->report, "checks")) == 0)
		printf("nothing to verify: the set's services have no checks\n");
	else
		printf("%s\n", o->state == HEALTH_HEALTHY ? "verified healthy" :
		    "NOT verified healthy");
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
		rollback_print_verified(o);
}

void
rollback_outcome_free(struct rollback_outcome *o)
{
	json_decref(o->report);
	snapshot_restore_result_free(&o->r);
	memset(o, 0, sizeof(*o));
}
