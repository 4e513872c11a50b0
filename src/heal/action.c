#include "heal/action.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/capture.h"
#include "config/config.h"
#include "config/units.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/strv.h"
#include "core/workpool.h"
#include "heal/cleanup.h"

#define ACTION_REBUILD_TIMEOUT_MS	(30 * 60 * 1000)	/* pip, npm: minutes */

struct action_run {
	uv_loop_t	*loop;
	const struct plan_step *step;
	action_done_fn	 done;
	void		*arg;
	bool		 detached;
	bool		 finished;
	bool		 dry_run;
	bool		 starting;	/* inside action_start: not freed yet */
	struct action_outcome out;
	/* What may still be going on. */
	struct capture	*capture;
	uv_timer_t	*timer;
	uv_work_t	*work;
	bool		 rolling;	/* a rollback the daemon runs */
	struct cleanup_report report;
	int		 cleanup_rc;
};

const char *
action_result_name(enum action_result r)
{
	static const char *const names[] = { "done", "failed", "skipped", "noted" };

	return names[r];
}

static void
action_free_if_idle(struct action_run *run)
{
	if (!run->starting && run->capture == NULL && run->timer == NULL &&
	    run->work == NULL && !run->rolling && (run->finished || run->detached))
		free(run);
}

/* Reports once; frees the run when nothing is pending any more. */
static void
action_finish(struct action_run *run, enum action_result result, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
action_finish(struct action_run *run, enum action_result result, const char *fmt, ...)
{
	va_list ap;

	run->finished = true;
	run->out.result = result;
	va_start(ap, fmt);
	vsnprintf(run->out.detail, sizeof(run->out.detail), fmt, ap);
	va_end(ap);
	/* An exec action's output is in it: stored, published, alerted. */
	text_sanitize(run->out.detail, sizeof(run->out.detail));
	if (!run->detached)
		run->done(run->arg, &run->out);
	action_free_if_idle(run);
}

static void
action_exec_done(void *arg, int64_t code, int signal, bool timed_out, const char *output)
{
	struct action_run *run = arg;
	const char *tail = output;
	size_t len = strlen(output);

	run->capture = NULL;
	if (len > 300)
		tail = output + len - 300;
	while (len > 0 && (output[len - 1] == '\n'))
		len--;
	if (timed_out)
		action_finish(run, ACTION_FAILED, "timed out after %lld ms: %s",
		    (long long)run->step->action->timeout_ms, tail);
	else if (signal != 0)
		action_finish(run, ACTION_FAILED, "killed by signal %d: %s", signal, tail);
	else if (code != 0)
		action_finish(run, ACTION_FAILED, "exited with status %lld: %s",
		    (long long)code, tail);
	else
		action_finish(run, ACTION_DONE, "exited 0%s%s", *tail ? ": " : "", tail);
}

static void
action_start_argv(struct action_run *run, char *const *argv, int64_t timeout_ms)
{
	int err = 0;

	run->capture = capture_start(run->loop, argv, timeout_ms, action_exec_done, run,
	    &err);
	if (run->capture == NULL)
		action_finish(run, ACTION_FAILED, "cannot run %s: %s", argv[0],
		    uv_strerror(err));
}

static void
action_start_exec(struct action_run *run)
{
	action_start_argv(run, run->step->action->argv, run->step->action->timeout_ms);
}

/*
 * A rebuild is `tend rebuild NAME` in a process of its own (its steps
 * take minutes and wait for their children): it snapshots, clears, runs
 * the steps, restarts through this daemon and rolls back when the service
 * does not come back healthy; its exit status is the outcome.
 */
static void
action_start_rebuild(struct action_run *run, const struct heal_ops *ops)
{
	const struct heal_action *a = run->step->action;
	char **argv = ops->rebuild_argv != NULL ? ops->rebuild_argv(ops->arg, a->rebuild) :
	    NULL;

	if (argv == NULL)
		action_finish(run, ACTION_SKIPPED, "rebuilds run in the daemon (tend rebuild %s)",
		    a->rebuild);
	else if (run->dry_run)
		action_finish(run, ACTION_DONE, "would run tend rebuild %s", a->rebuild);
	else
		action_start_argv(run, argv, a->timeout_ms > 0 ? a->timeout_ms :
		    ACTION_REBUILD_TIMEOUT_MS);
	strv_free(argv);
}

static void
action_cleanup_work(uv_work_t *req)
{
	struct action_run *run = req->data;
	const struct heal_action *a = run->step->action;
	struct cleanup_spec spec = { .paths = a->paths, .older_than_ms = a->older_than_ms,
	    .keep_newest = a->keep_newest, .timeout_ms = a->timeout_ms };

	run->cleanup_rc = cleanup_run(&spec, clock_wall_ms(), run->dry_run, &run->report);
}

/*
 * The outcome says the first of what was left alone; the log says each of
 * the first few (the report keeps no more), for the operator to look at.
 */
static void
action_cleanup_after(uv_work_t *req, int status)
{
	struct action_run *run = req->data;
	const struct cleanup_report *r = &run->report;
	char summary[sizeof(run->out.detail)];
	size_t i;

	free(run->work);
	run->work = NULL;
	for (i = 0; i < r->skipped && i < CLEANUP_SKIPS_KEPT; i++)
		log_warn(NULL, "cleanup %s: %s", run->step->action->name, r->skips[i]);
	if (r->skipped > CLEANUP_SKIPS_KEPT)
		log_warn(NULL, "cleanup %s: %zu more skipped", run->step->action->name,
		    r->skipped - CLEANUP_SKIPS_KEPT);
	cleanup_report_format(r, run->dry_run, summary, sizeof(summary));
	if (run->cleanup_rc < 0)
		action_finish(run, ACTION_FAILED, "%s", r->first_error);
	else
		action_finish(run, ACTION_DONE, "%s", summary);
}

static void
action_start_cleanup(struct action_run *run)
{
	run->work = xcalloc(1, sizeof(*run->work));
	run->work->data = run;
	if (workpool_queue(run->loop, run->work, action_cleanup_work,
	    action_cleanup_after) != 0) {
		free(run->work);
		run->work = NULL;
		action_finish(run, ACTION_FAILED, "cannot queue the cleanup");
	}
}

static void
action_timer_closed(uv_handle_t *handle)
{
	struct action_run *run = handle->data;

	free(handle);
	run->timer = NULL;
	action_free_if_idle(run);
}

static void
action_wait_over(uv_timer_t *timer)
{
	struct action_run *run = timer->data;

	uv_close((uv_handle_t *)timer, action_timer_closed);
	action_finish(run, ACTION_DONE, "waited %lld ms",
	    (long long)run->step->action->wait_ms);
}

static void
action_start_wait(struct action_run *run)
{
	run->timer = xcalloc(1, sizeof(*run->timer));
	uv_timer_init(run->loop, run->timer);
	run->timer->data = run;
	uv_timer_start(run->timer, action_wait_over, (uint64_t)run->step->action->wait_ms, 0);
}

static void
action_service(struct action_run *run, const struct heal_ops *ops, const char *cmd)
{
	char err[256];

	if (run->dry_run) {
		action_finish(run, ACTION_DONE, "would %s %s", cmd, run->step->service);
		return;
	}
	if (ops->service_control(ops->arg, cmd, run->step->service, err, sizeof(err)) < 0)
		action_finish(run, ACTION_FAILED, "%s %s: %s", cmd, run->step->service, err);
	else
		action_finish(run, ACTION_DONE, "%s %s", cmd, run->step->service);
}

static void
action_adjust(struct action_run *run, const struct heal_ops *ops,
    const char *const *checks)
{
	const struct heal_action *a = run->step->action;
	char detail[400] = "";
	size_t i, len;
	int64_t t;

	for (i = 0; checks != NULL && checks[i] != NULL; i++) {
		len = strlen(detail);
		if (run->dry_run) {
			snprintf(detail + len, sizeof(detail) - len, "%swould raise %s's "
			    "timeout x%.1f", len ? ", " : "", checks[i], a->factor);
			continue;
		}
		t = ops->adjust_timeout(ops->arg, checks[i], a->factor, a->max_ms);
		snprintf(detail + len, sizeof(detail) - len, "%s%s timeout now %lld ms",
		    len ? ", " : "", checks[i], (long long)t);
	}
	action_finish(run, ACTION_DONE, "%s", *detail ? detail : "no check to adjust");
}

/* enable_monitoring: the failing checks run more often for a while. */
static void
action_monitor(struct action_run *run, const struct heal_ops *ops,
    const char *const *checks)
{
	const struct heal_action *a = run->step->action;
	char detail[400] = "", every[32], span[32];
	size_t i, len;

	if (ops->monitor == NULL && !run->dry_run) {
		action_finish(run, ACTION_SKIPPED, "checks are scheduled only by the daemon");
		return;
	}
	units_format_duration(a->every_ms, every, sizeof(every));
	units_format_duration(a->for_ms, span, sizeof(span));
	for (i = 0; checks != NULL && checks[i] != NULL; i++) {
		len = strlen(detail);
		if (!run->dry_run && ops->monitor(ops->arg, checks[i], a->every_ms,
		    a->for_ms) < 0)
			continue;
		snprintf(detail + len, sizeof(detail) - len, "%s%s%s every %s for %s",
		    len ? ", " : "", run->dry_run ? "would run " : "", checks[i], every, span);
	}
	action_finish(run, ACTION_NOTED, "%s", *detail ? detail : "no check to watch");
}

/*
 * increase_resources: raised live, it is a fix to verify; raised for the
 * next start, it changed nothing yet: noted, and the next action (a
 * restart) follows at once and applies it.
 */
static void
action_increase(struct action_run *run, const struct heal_ops *ops)
{
	const char *service = run->step->service;
	char detail[600];
	int rc;

	if (run->dry_run) {
		action_finish(run, ACTION_DONE, "would raise %s's limits", service);
		return;
	}
	if (ops->increase_resources == NULL) {
		action_finish(run, ACTION_SKIPPED, "limits are raised only by the daemon");
		return;
	}
	rc = ops->increase_resources(ops->arg, service, run->step->action, detail,
	    sizeof(detail));
	if (rc == 0)
		action_finish(run, ACTION_DONE, "%s: %s", service, detail);
	else if (rc == 1)
		action_finish(run, ACTION_NOTED, "%s: %s", service, detail);
	else
		action_finish(run, ACTION_FAILED, "%s: %s", service, detail);
}

static void
action_scale(struct action_run *run, const struct heal_ops *ops)
{
	const struct heal_action *a = run->step->action;
	char detail[300];

	if (run->dry_run) {
		action_finish(run, ACTION_DONE, "would scale %s by %+d", run->step->service,
		    a->scale_by);
		return;
	}
	if (ops->scale == NULL) {
		action_finish(run, ACTION_SKIPPED, "only the daemon scales services");
		return;
	}
	if (ops->scale(ops->arg, run->step->service, a->scale_by, detail, sizeof(detail)) < 0)
		action_finish(run, ACTION_FAILED, "%s", detail);
	else
		action_finish(run, ACTION_DONE, "%s", detail);
}

static void
action_rollback_done(void *token, bool ok, const char *detail)
{
	struct action_run *run = token;

	run->rolling = false;
	if (run->detached && !run->finished)
		action_free_if_idle(run);
	else
		action_finish(run, ok ? ACTION_DONE : ACTION_FAILED, "%s", detail);
}

static void
action_rollback(struct action_run *run, const struct heal_ops *ops, const char *target)
{
	const char *set = run->step->action->snapshot;
	char err[256];

	if (ops->rollback == NULL) {
		action_finish(run, ACTION_SKIPPED, "no snapshots to roll back to");
		return;
	}
	if (run->dry_run) {
		action_finish(run, ACTION_DONE, "would roll back %s", set != NULL ? set : target);
		return;
	}
	run->rolling = true;
	if (ops->rollback(ops->arg, target, set, action_rollback_done, run, err,
	    sizeof(err)) < 0) {
		run->rolling = false;
		action_finish(run, ACTION_FAILED, "rollback: %s", err);
	}
}

struct action_run *
action_start(uv_loop_t *loop, const struct heal_ops *ops, const struct plan_step *step,
    const char *target, const char *const *checks, bool dry_run, action_done_fn done,
    void *arg)
{
	struct action_run *run = xcalloc(1, sizeof(*run));
	const struct heal_action *a = step->action;

	run->loop = loop;
	run->step = step;
	run->done = done;
	run->arg = arg;
	run->dry_run = dry_run;
	run->starting = true;
	switch (a->kind) {
	case HEAL_RESTART:
		action_service(run, ops, "restart");
		break;
	case HEAL_STOP:
		action_service(run, ops, "stop");
		break;
	case HEAL_START:
		action_service(run, ops, "start");
		break;
	case HEAL_EXEC:
		if (dry_run)
			action_finish(run, ACTION_DONE, "would run %s", a->argv[0]);
		else
			action_start_exec(run);
		break;
	case HEAL_CLEANUP:
		action_start_cleanup(run);
		break;
	case HEAL_ADJUST_TIMEOUT:
		action_adjust(run, ops, checks);
		break;
	case HEAL_MONITOR:
		action_monitor(run, ops, checks);
		break;
	case HEAL_SCALE:
		action_scale(run, ops);
		break;
	case HEAL_INCREASE:
		action_increase(run, ops);
		break;
	case HEAL_ROLLBACK:
		action_rollback(run, ops, target);
		break;
	case HEAL_WAIT:
		action_start_wait(run);
		break;
	case HEAL_REBUILD:
		action_start_rebuild(run, ops);
		break;
	default:
		action_finish(run, ACTION_SKIPPED, "%s is not run as an action",
		    heal_action_kind_name(a->kind));
		break;
	}
	run->starting = false;
	if (run->finished && run->capture == NULL && run->timer == NULL &&
	    run->work == NULL && !run->rolling) {
		free(run);
		return NULL;
	}
	return run;
}

void
action_detach(struct action_run *run)
{
	if (run == NULL)
		return;
	run->detached = true;
	if (run->capture != NULL) {
		capture_cancel(run->capture);
		run->capture = NULL;
	}
	if (run->timer != NULL && !uv_is_closing((uv_handle_t *)run->timer)) {
		uv_timer_stop(run->timer);
		uv_close((uv_handle_t *)run->timer, action_timer_closed);
		return;
	}
	action_free_if_idle(run);
}
