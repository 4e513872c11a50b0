#include "supervise/service.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/jitter.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/procid.h"
#include "supervise/external.h"
#include "supervise/notify.h"
#include "supervise/output.h"
#include "supervise/ready.h"
#include "supervise/reaper.h"
#include "supervise/spawn.h"

static const char *const service_state_names[] = {
	[SVC_DOWN] = "down",
	[SVC_WAITING] = "waiting",
	[SVC_STARTING] = "starting",
	[SVC_UP] = "up",
	[SVC_STOPPING] = "stopping",
	[SVC_BACKOFF] = "backoff",
	[SVC_FAILED] = "failed",
};

static const char *const kill_cause_names[] = {
	[KILL_NONE] = NULL,
	[KILL_STOP] = "stop",
	[KILL_READY_TIMEOUT] = "ready-timeout",
	[KILL_WATCHDOG] = "watchdog",
	[KILL_SPAWN_FAILED] = "spawn-failed",
};

static const char *const restart_reason_names[] = {
	[RESTARTED_CRASH] = "crash",
	[RESTARTED_EXIT] = "exit",
	[RESTARTED_SPAWN_FAILED] = "spawn-failed",
	[RESTARTED_READY_TIMEOUT] = "ready-timeout",
	[RESTARTED_WATCHDOG] = "watchdog",
	[RESTARTED_OPERATOR] = "operator",
	[RESTARTED_HEALER] = "healer",
	[RESTARTED_RELOAD] = "reload",
};

const char *
service_state_name(enum service_state state)
{
	return service_state_names[state];
}

bool
service_is_running(const struct service *svc)
{
	return svc->state == SVC_STARTING || svc->state == SVC_UP ||
	    svc->state == SVC_STOPPING;
}

bool
service_owns_pid(const struct service *svc, pid_t pid)
{
	return svc->pid > 0 && (svc->pid == pid || getpgid(pid) == svc->pid);
}

void
service_set_state(struct service *svc, enum service_state state,
    const char *fmt, ...)
{
	enum service_state old = svc->state;
	enum log_level level = LOG_INFO;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(svc->reason, sizeof(svc->reason), fmt, ap);
	va_end(ap);
	svc->prev_state = old;
	svc->state = state;
	if (state == SVC_FAILED || state == SVC_BACKOFF)
		level = LOG_WARN;
	log_msg(level, svc->name, "%s -> %s: %s", service_state_names[old],
	    service_state_names[state], svc->reason);
	if (svc->ctx->changed != NULL)
		svc->ctx->changed(svc->ctx->arg, svc);
}

static void
service_timer_closed(uv_handle_t *handle)
{
	free(handle);
}

static uv_timer_t *
service_timer_new(struct service *svc)
{
	uv_timer_t *t = xcalloc(1, sizeof(*t));

	uv_timer_init(svc->ctx->loop, t);
	t->data = svc;
	return t;
}

struct service *
service_new(struct supervise_ctx *ctx, const struct service_conf *conf)
{
	struct service *svc = xcalloc(1, sizeof(*svc));

	svc->ctx = ctx;
	svc->conf = conf;
	svc->name = xstrdup(conf->name);
	svc->state = SVC_DOWN;
	snprintf(svc->reason, sizeof(svc->reason), "not started");
	svc->timer = service_timer_new(svc);
	svc->deadline = service_timer_new(svc);
	svc_cgroup_init(&svc->cg);
	restart_window_init(&svc->window, (size_t)conf->limit.restarts);
	if (conf->kind == SERVICE_EXTERNAL)
		svc->ext = external_new(svc);
	return svc;
}

void
service_rebind(struct service *svc, const struct service_conf *conf)
{
	svc->conf = conf;
	/* Reopened at the next start, with the new config's size and count. */
	service_log_unref(svc->log);
	svc->log = NULL;
	if (svc->ext != NULL)
		external_rebind(svc->ext);
}

void
service_free(struct service *svc)
{
	attached_end(&svc->attached);
	svc_cgroup_free(svc);
	ready_probe_cancel(svc->probe);
	uv_close((uv_handle_t *)svc->timer, service_timer_closed);
	uv_close((uv_handle_t *)svc->deadline, service_timer_closed);
	external_free(svc->ext);
	notify_socket_close(svc->notify);
	service_log_unref(svc->log);
	restart_window_free(&svc->window);
	free(svc->name);
	free(svc);
}

static void
service_cancel_readiness(struct service *svc)
{
	ready_probe_cancel(svc->probe);
	svc->probe = NULL;
	uv_timer_stop(svc->deadline);
}

/*
 * Signals the whole process group, the service and what it started, then
 * continues it: a stopped process acts on SIGTERM only once continued.
 * The pid is our unreaped child, so neither it nor its group can be
 * another process's yet.
 */
static void
service_kill(struct service *svc, int sig)
{
	if (svc->ext != NULL) {
		external_kill(svc->ext, sig);
		return;
	}
	if (svc->pid > 0 && proc_kill(-svc->pid, sig, true) < 0 && errno == ESRCH)
		proc_kill(svc->pid, sig, true);
	/* What it detached from its group (setsid) is stopped with it. */
	reaper_signal_service(svc->ctx->reaper, svc->name, sig);
}

static void
service_deadline_expired(uv_timer_t *timer)
{
	struct service *svc = timer->data;

	if (svc->state == SVC_STARTING) {
		log_warn(svc->name, "not ready within %lldms%s%s%s; killing it",
		    (long long)svc->conf->ready.timeout_ms,
		    *ready_probe_why(svc->probe) ? " (" : "", ready_probe_why(svc->probe),
		    *ready_probe_why(svc->probe) ? ")" : "");
		svc->kill_cause = KILL_READY_TIMEOUT;
	} else if (svc->state == SVC_UP) {
		log_warn(svc->name, "watchdog timeout: no WATCHDOG=1 within %lldms; "
		    "killing it", (long long)svc->conf->watchdog_ms);
		svc->kill_cause = KILL_WATCHDOG;
	} else {
		return;
	}
	service_kill(svc, SIGKILL);
}

static void
service_arm_watchdog(struct service *svc)
{
	if (svc->conf->watchdog_ms > 0)
		uv_timer_start(svc->deadline, service_deadline_expired,
		    (uint64_t)svc->conf->watchdog_ms, 0);
}

void
service_became_ready(struct service *svc)
{
	if (svc->state != SVC_STARTING)
		return;
	service_cancel_readiness(svc);
	service_arm_watchdog(svc);
	service_set_state(svc, SVC_UP, "ready after %lldms, pid %d",
	    (long long)(clock_mono_ms() - svc->spawned_mono_ms), (int)svc->pid);
}

static void
service_probe_succeeded(void *arg)
{
	service_became_ready(arg);
}

/* The process runs: wait for it to be ready in the configured way. */
static void
service_await_ready(struct service *svc)
{
	const struct ready_conf *ready = &svc->conf->ready;

	if (ready->kind == READY_STARTED) {
		service_set_state(svc, SVC_UP, "started, pid %d", (int)svc->pid);
		return;
	}
	service_set_state(svc, SVC_STARTING, "started, pid %d; waiting until ready",
	    (int)svc->pid);
	if (svc->state != SVC_STARTING)
		return;
	uv_timer_start(svc->deadline, service_deadline_expired,
	    (uint64_t)ready->timeout_ms, 0);
	if (ready->kind != READY_NOTIFY)
		svc->probe = ready_probe_start(svc->ctx->loop, ready, svc->name,
		    svc->pid, service_probe_succeeded, svc);
}

void
service_process_started(struct service *svc, pid_t pid)
{
	svc->pid = pid;
	svc->spawned_mono_ms = clock_mono_ms();
	svc->spawned_wall_ms = clock_wall_ms();
	svc->kill_cause = KILL_NONE;
	service_await_ready(svc);
}

void
service_spawn(struct service *svc)
{
	char err[256];

	if (svc->state != SVC_WAITING)
		return;
	if (svc->ext != NULL) {
		external_start(svc->ext);
		return;
	}
	if (svc->log == NULL)
		svc->log = service_log_new(svc->ctx->statedir, svc->name,
		    &svc->conf->log);
	if (spawn_service(svc, err, sizeof(err)) < 0) {
		log_error(svc->name, "cannot start: %s", err);
		snprintf(svc->spawn_error, sizeof(svc->spawn_error), "%s", err);
		/*
		 * A start that failed is a run that lasted no time: it counts
		 * toward the backoff and the restart limit like a crash at once.
		 */
		svc->spawned_mono_ms = clock_mono_ms();
		svc->kill_cause = KILL_SPAWN_FAILED;
		service_exited(svc, 127, 0);
	}
}

static void
service_describe_exit(const struct service *svc, const struct service_exit *ex,
    char *buf, size_t len)
{
	const char *name;

	if (ex->cause == KILL_SPAWN_FAILED)
		snprintf(buf, len, "could not start (%s)", svc->spawn_error);
	else if (ex->cause == KILL_READY_TIMEOUT)
		snprintf(buf, len, "not ready in time");
	else if (ex->cause == KILL_WATCHDOG)
		snprintf(buf, len, "watchdog timeout");
	else if (ex->signal != 0 && (name = sigabbrev_np(ex->signal)) != NULL)
		snprintf(buf, len, "killed by SIG%s", name);
	else if (ex->signal != 0)
		snprintf(buf, len, "killed by signal %d", ex->signal);
	else if (ex->code == -1)
		snprintf(buf, len, "exited");	/* not our child: no status */
	else
		snprintf(buf, len, "exited with code %d", ex->code);
}

static bool
service_should_restart(const struct service *svc, bool failure)
{
	switch (svc->conf->restart) {
	case RESTART_ALWAYS:
		return true;
	case RESTART_ON_FAILURE:
		return failure;
	case RESTART_NEVER:
	default:
		return false;
	}
}

static void
service_backoff_expired(uv_timer_t *timer)
{
	struct service *svc = timer->data;

	if (svc->state == SVC_BACKOFF)
		service_set_state(svc, SVC_WAITING, "backoff over");
}

void
service_count_restart(struct service *svc, enum restart_reason why)
{
	svc->restarts++;
	svc->restarts_by[why]++;
}

/* Why a process that ended (or never started) is being replaced. */
static enum restart_reason
service_exit_reason(const struct service_exit *ex, bool failure)
{
	switch (ex->cause) {
	case KILL_SPAWN_FAILED:
		return RESTARTED_SPAWN_FAILED;
	case KILL_READY_TIMEOUT:
		return RESTARTED_READY_TIMEOUT;
	case KILL_WATCHDOG:
		return RESTARTED_WATCHDOG;
	default:
		return failure ? RESTARTED_CRASH : RESTARTED_EXIT;
	}
}

/* The process died on its own: restart it, back off, or give up. */
static void
service_handle_crash(struct service *svc, const char *what, bool failure)
{
	const struct service_conf *conf = svc->conf;
	int64_t now = clock_mono_ms(), delay;
	size_t recent;

	if (!service_should_restart(svc, failure)) {
		svc->want_up = false;
		service_set_state(svc, failure ? SVC_FAILED : SVC_DOWN, "%s; restart: %s",
		    what, conf->restart == RESTART_NEVER ? "never" : "on-failure");
		if (svc->ctx->ended != NULL)
			svc->ctx->ended(svc->ctx->arg, svc, false);
		return;
	}
	if (now - svc->spawned_mono_ms >= conf->backoff.reset_after_ms)
		svc->consecutive = 0;
	svc->consecutive++;
	recent = restart_window_add(&svc->window, now, conf->limit.within_ms);
	if (recent > (size_t)conf->limit.restarts) {
		service_set_state(svc, SVC_FAILED,
		    "%s; restarted %zu times within %llds (limit %d): giving up "
		    "until `tend restart %s`", what, recent - 1,
		    (long long)(conf->limit.within_ms / 1000), conf->limit.restarts,
		    svc->name);
		if (svc->state == SVC_FAILED && svc->ctx->ended != NULL)
			svc->ctx->ended(svc->ctx->arg, svc, true);
		return;
	}
	service_count_restart(svc, service_exit_reason(&svc->last_exit, failure));
	delay = supervise_restart_delay(&conf->backoff, svc->consecutive,
	    jitter_next(&svc->ctx->jitter));
	if (delay == 0) {
		service_set_state(svc, SVC_WAITING, "%s; restarting", what);
		return;
	}
	uv_timer_start(svc->timer, service_backoff_expired, (uint64_t)delay, 0);
	service_set_state(svc, SVC_BACKOFF, "%s; restarting in %lldms", what,
	    (long long)delay);
}

void
service_exited(struct service *svc, int64_t code, int signal)
{
	char what[320];
	bool failure;

	attached_end(&svc->attached);	/* what was counted as this process's ends with it */
	svc->last_exit = (struct service_exit){ .valid = true, .code = (int)code,
	    .signal = signal, .cause = svc->kill_cause,
	    .at_wall_ms = clock_wall_ms() };
	service_cancel_readiness(svc);
	uv_timer_stop(svc->timer);
	service_describe_exit(svc, &svc->last_exit, what, sizeof(what));
	failure = signal != 0 || code != 0 || svc->kill_cause != KILL_NONE;
	svc->kill_cause = KILL_NONE;

	if (svc->state == SVC_STOPPING || !svc->want_up) {
		if (svc->restart_pending && svc->want_up) {
			svc->restart_pending = false;
			service_set_state(svc, SVC_WAITING, "%s; restarting", what);
		} else {
			service_set_state(svc, SVC_DOWN, "stopped (%s)", what);
		}
		return;
	}
	service_handle_crash(svc, what, failure);
}

static void
service_stop_timeout(uv_timer_t *timer)
{
	struct service *svc = timer->data;

	if (svc->state != SVC_STOPPING)
		return;
	log_warn(svc->name, "still running %lldms after SIG%s; sending SIGKILL",
	    (long long)svc->conf->stop.timeout_ms,
	    sigabbrev_np(svc->conf->stop.signal));
	service_kill(svc, SIGKILL);
}

/* Sends the stop signal; the exit callback finishes the job. */
static void
service_begin_stop(struct service *svc, const char *why)
{
	service_cancel_readiness(svc);
	svc->kill_cause = KILL_STOP;
	uv_timer_start(svc->timer, service_stop_timeout,
	    (uint64_t)svc->conf->stop.timeout_ms, 0);
	service_set_state(svc, SVC_STOPPING, "%s", why);
	if (svc->ext != NULL) {
		external_stop(svc->ext);
		return;
	}
	/* proc_kill follows it with SIGCONT: a SIGSTOPped process acts on it now. */
	service_kill(svc, svc->conf->stop.signal);
}

void
service_want_start(struct service *svc)
{
	svc->want_up = true;
	switch (svc->state) {
	case SVC_FAILED:
		svc->consecutive = 0;
		restart_window_clear(&svc->window);
		/* FALLTHROUGH */
	case SVC_DOWN:
		service_set_state(svc, SVC_WAITING, "start requested");
		break;
	case SVC_STOPPING:
		svc->restart_pending = true;
		break;
	default:
		break;
	}
}

void
service_want_stop(struct service *svc)
{
	svc->want_up = false;
	svc->restart_pending = false;
	switch (svc->state) {
	case SVC_WAITING:
	case SVC_BACKOFF:
	case SVC_FAILED:
		uv_timer_stop(svc->timer);
		service_set_state(svc, SVC_DOWN, "stop requested");
		break;
	case SVC_STARTING:
	case SVC_UP:
		service_begin_stop(svc, "stop requested");
		break;
	default:
		break;
	}
}

void
service_want_restart(struct service *svc, enum restart_reason why)
{
	svc->consecutive = 0;
	restart_window_clear(&svc->window);
	if (svc->state == SVC_STARTING || svc->state == SVC_UP) {
		service_count_restart(svc, why);
		svc->want_up = true;
		svc->restart_pending = true;
		service_begin_stop(svc, "restart requested");
		return;
	}
	service_want_start(svc);
}

void
service_notify(struct service *svc, const char *msg)
{
	if (notify_message_has(msg, "READY=1") && svc->state == SVC_STARTING &&
	    svc->conf->ready.kind == READY_NOTIFY)
		service_became_ready(svc);
	if (notify_message_has(msg, "WATCHDOG=1") && svc->state == SVC_UP)
		service_arm_watchdog(svc);
	if (notify_message_has(msg, "WATCHDOG=trigger") && svc->state == SVC_UP) {
		svc->kill_cause = KILL_WATCHDOG;
		service_kill(svc, SIGKILL);
	}
}

static void
service_format_time(int64_t wall_ms, char *buf, size_t len)
{
	time_t secs = (time_t)(wall_ms / 1000);
	struct tm tm;
	size_t n;

	gmtime_r(&secs, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03dZ", (int)(wall_ms % 1000));
}

static json_t *
service_exit_json(const struct service_exit *ex)
{
	const char *sig = ex->signal ? sigabbrev_np(ex->signal) : NULL;
	const char *cause = kill_cause_names[ex->cause];
	char at[40];

	if (!ex->valid)
		return json_null();
	service_format_time(ex->at_wall_ms, at, sizeof(at));
	return json_pack("{s:o, s:o, s:s, s:o}",
	    "code", ex->signal ? json_null() : json_integer(ex->code),
	    "signal", sig ? json_string(sig) : json_null(),
	    "at", at,
	    "cause", cause ? json_string(cause) : json_null());
}

static json_t *
service_restarts_json(const struct service *svc)
{
	json_t *by = json_object();
	int i;

	for (i = 0; i < RESTARTED_NREASONS; i++)
		json_object_set_new(by, restart_reason_names[i],
		    json_integer(svc->restarts_by[i]));
	return by;
}

json_t *
service_status_json(const struct service *svc, bool brief)
{
	bool running = service_is_running(svc) && svc->pid > 0;
	json_t *status;

	status = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:i, s:o*, s:s, s:o}",
	    "name", svc->name,
	    "kind", svc->conf->kind == SERVICE_EXTERNAL ? "external" : "supervised",
	    "state", svc->parked && svc->state == SVC_DOWN ? "parked" :
		service_state_names[svc->state],
	    "ready", svc->state == SVC_UP,
	    "pid", running ? json_integer(svc->pid) : json_null(),
	    "uptime_ms", running ?
		json_integer(clock_mono_ms() - svc->spawned_mono_ms) : json_null(),
	    "restarts", svc->restarts,
	    "restarts_by_reason", brief ? NULL : service_restarts_json(svc),
	    "reason", svc->reason,
	    "last_exit", service_exit_json(&svc->last_exit));
	if (svc->attached.n > 0 && !brief)
		json_object_set_new(status, "attached", attached_json(&svc->attached));
	if (svc->conf->instance_of != NULL) {
		json_object_set_new(status, "instance_of", json_string(svc->conf->instance_of));
		json_object_set_new(status, "instance", json_integer(svc->conf->instance));
		json_object_set_new(status, "parked", json_boolean(svc->parked));
	}
	if (svc->conf->kind == SERVICE_SUPERVISED && !brief) {
		json_object_set_new(status, "cgroup", svc_cgroup_json(svc));
		json_object_set_new(status, "limits", svc_limits_json(svc));
	}
	return status;
}
