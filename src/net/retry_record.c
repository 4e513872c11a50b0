/*
 * A retry run in the store: retry_runs and retry_attempts. The store is
 * opened only once the first attempt has ended, and a store that cannot
 * be opened costs one warning: the run goes on unrecorded. A command that
 * works the first time, the common case, costs one open and one
 * transaction: its run is written whole at the end.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "net/retry_internal.h"
#include "store/store.h"

static void
retry_store_failed(struct retry_run *r, const char *what)
{
	r->store_failed = true;
	retry_printf(r->o->err_fd, "%s: not recording this run: %s\n", r->o->label, what);
}

/*
 * STATE/tend.db, in a state dir verified as tend run verifies it (a root
 * tend retry must not write where another user could point it), made
 * 0600 (store_prepare_file). NULL with err.
 */
static char *
retry_store_path(const char *state_dir, char *err, size_t errlen)
{
	struct statedir *sd = statedir_open(state_dir, err, errlen);
	char *path = NULL;

	if (sd == NULL)
		return NULL;
	if (store_prepare_file(sd, err, errlen) == 0)
		path = statedir_file(sd, "tend.db");
	statedir_close(sd);
	return path;
}

static bool
retry_store_ready(struct retry_run *r)
{
	char err[1024], *path;

	if (r->store != NULL)
		return true;
	if (r->store_failed || r->o->state_dir == NULL)
		return false;
	if ((path = retry_store_path(r->o->state_dir, err, sizeof(err))) == NULL) {
		retry_store_failed(r, err);
		return false;
	}
	r->store = store_open_brief(path, err, sizeof(err));
	free(path);
	if (r->store == NULL) {
		retry_store_failed(r, err);
		return false;
	}
	r->own_store = true;
	return true;
}

/* What the run's row says of its start; returns its argv as JSON, to free. */
static char *
retry_run_row(const struct retry_run *r, struct store_retry_run *run)
{
	char *argv = retry_argv_json(r->argv);

	run->origin = r->o->label;
	run->started_at = r->t0_wall;
	run->argv = argv;
	run->ci = r->o->ci;
	return argv;
}

static bool
retry_run_begun(struct retry_run *r)
{
	struct store_retry_run run = { .outcome = "running" };
	char *argv;

	if (r->rep.run_id > 0)
		return true;
	argv = retry_run_row(r, &run);
	r->rep.run_id = store_retry_run_begin(r->store, &run);
	free(argv);
	if (r->rep.run_id > 0)
		return true;
	r->rep.run_id = 0;
	retry_store_failed(r, "the run could not be written");
	return false;
}

/* The attempt's row; returns its argv as JSON, for the caller to free. */
static char *
retry_attempt_row(const struct retry_run *r, const struct retry_try *t,
    struct store_retry_attempt *a)
{
	char *argv = retry_argv_json(t->argv);

	*a = (struct store_retry_attempt){
		.run_id = r->rep.run_id,
		.n = t->n,
		.argv = argv,
		.fallback = t->command,
		.started_at = t->started_at,
		.ended_at = t->ended_at,
		.exit_code = t->signal != 0 ? -1 : t->status,
		.signal = t->signal,
		.timed_out = t->timed_out,
		.heal = t->heal,
	};
	if (t->category >= 0) {
		a->category = failure_category_name((enum failure_category)t->category);
		a->detail = t->why;
		a->tail = t->recent;
	}
	return argv;
}

/* The first attempt worked: the run, ended, and the attempt in one write. */
static void
retry_record_once(struct retry_run *r, struct store_retry_run *run,
    const struct retry_try *t)
{
	struct store_retry_attempt a;
	char *argv, *attempt_argv;

	if (!retry_store_ready(r))
		return;
	argv = retry_run_row(r, run);
	attempt_argv = retry_attempt_row(r, t, &a);
	r->rep.run_id = store_retry_run_once(r->store, run, &a);
	free(attempt_argv);
	free(argv);
	if (r->rep.run_id > 0)
		return;
	r->rep.run_id = 0;
	retry_store_failed(r, "the run could not be written");
}

void
retry_record_attempt(struct retry_run *r, const struct retry_try *t)
{
	struct store_retry_attempt a;
	char *argv;

	/* A first attempt that worked is written with the run's end. */
	if (t->category < 0 && r->rep.run_id == 0)
		return;
	if (!retry_store_ready(r) || !retry_run_begun(r))
		return;
	argv = retry_attempt_row(r, t, &a);
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
	const struct retry_try *last = r->n_tries > 0 ? &r->tries[r->n_tries - 1] : NULL;

	/* Nothing written yet and the last attempt worked: it was the first. */
	if (r->rep.run_id == 0 && last != NULL && last->category < 0)
		retry_record_once(r, &run, last);
	else if (r->rep.run_id > 0)
		store_retry_run_end(r->store, &run);
	if (r->store == NULL)
		return;
	if (r->own_store) {
		store_close(r->store);
		r->store = NULL;
	} else {
		store_flush(r->store);
	}
}
