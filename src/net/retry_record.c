/*
 * A retry run in the store: retry_runs and retry_attempts. The store is
 * opened only once the first attempt has ended (a command that works
 * costs one open), and a store that cannot be opened costs one warning:
 * the run goes on unrecorded.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/mem.h"
#include "daemon/paths.h"
#include "net/retry_internal.h"
#include "store/store.h"

static void
retry_store_failed(struct retry_run *r, const char *what)
{
	r->store_failed = true;
	retry_printf(r->o->err_fd, "%s: not recording this run: %s\n", r->o->label, what);
}

static bool
retry_store_ready(struct retry_run *r)
{
	char err[512], *path;

	if (r->store != NULL)
		return true;
	if (r->store_failed || r->o->state_dir == NULL)
		return false;
	if (paths_mkdir_p(r->o->state_dir, 0750) < 0) {
		snprintf(err, sizeof(err), "%s: %m", r->o->state_dir);
		retry_store_failed(r, err);
		return false;
	}
	path = xasprintf("%s/tend.db", r->o->state_dir);
	r->store = store_open(path, err, sizeof(err));
	free(path);
	if (r->store == NULL) {
		retry_store_failed(r, err);
		return false;
	}
	/* Many short runs: each leaves its writes in the WAL, no fsync at close. */
	store_leave_wal(r->store);
	r->own_store = true;
	return true;
}

static bool
retry_run_begun(struct retry_run *r)
{
	struct store_retry_run run = {
		.origin = r->o->label,
		.started_at = r->t0_wall,
		.outcome = "running",
		.ci = r->o->ci,
	};
	char *argv;

	if (r->rep.run_id > 0)
		return true;
	argv = retry_argv_json(r->argv);
	run.argv = argv;
	r->rep.run_id = store_retry_run_begin(r->store, &run);
	free(argv);
	if (r->rep.run_id > 0)
		return true;
	r->rep.run_id = 0;
	retry_store_failed(r, "the run could not be written");
	return false;
}

void
retry_record_attempt(struct retry_run *r, const struct retry_try *t)
{
	struct store_retry_attempt a = { 0 };
	char *argv;

	if (!retry_store_ready(r) || !retry_run_begun(r))
		return;
	argv = retry_argv_json(t->argv);
	a.run_id = r->rep.run_id;
	a.n = t->n;
	a.argv = argv;
	a.fallback = t->command;
	a.started_at = t->started_at;
	a.ended_at = t->ended_at;
	a.exit_code = t->signal != 0 ? -1 : t->status;
	a.signal = t->signal;
	a.timed_out = t->timed_out;
	if (t->category >= 0) {
		a.category = failure_category_name((enum failure_category)t->category);
		a.detail = t->why;
		a.tail = t->recent;
	}
	a.heal = t->heal;
	store_add_retry_attempt(r->store, &a);
	free(argv);
	/*
	 * A failed attempt may be followed by a long wait: commit it now. A
	 * success is the last; it goes with the run's end.
	 */
	if (t->category >= 0)
		store_flush(r->store);
}

void
retry_record_end(struct retry_run *r, const char *outcome)
{
	struct store_retry_run run = {
		.id = r->rep.run_id,
		.ended_at = clock_wall_ms(),
		.exit_code = r->rep.exit_code,
		.attempts = r->rep.attempts,
		.outcome = outcome,
		.summary = r->rep.summary,
	};

	if (r->store == NULL)
		return;
	if (r->rep.run_id > 0)
		store_retry_run_end(r->store, &run);
	if (r->own_store) {
		store_close(r->store);
		r->store = NULL;
	} else {
		store_flush(r->store);
	}
}
