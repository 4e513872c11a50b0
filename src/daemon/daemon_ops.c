/*
 * What the healer and the change watch may ask of the daemon: services
 * restarted, checks run now or given more time, alerts and live events,
 * the change an incident is blamed on, a rollback, a rebuild's command;
 * and the web API's changes and rollbacks.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert/alert.h"
#include "checks/scheduler.h"
#include "config/config.h"
#include "core/log.h"
#include "core/strv.h"
#include "store/changes.h"
#include "daemon/daemon_internal.h"
#include "daemon/scaling.h"
#include "daemon/publisher.h"
#include "heal/healer.h"
#include "supervise/raise.h"
#include "supervise/supervisor.h"

static void
daemon_heal_changed(void *arg, const char *what, json_t *data)
{
	struct daemon *d = arg;

	publisher_heal_changed(d->publisher, what, data);
}

static void
daemon_heal_alert(void *arg, const char *event, const char *target, const char *state,
    const char *message, int64_t incident)
{
	struct daemon *d = arg;

	if (strncmp(event, "rejoined", 8) == 0)
		log_debug(NULL, "alert of incident #%lld still open", (long long)incident);
	else
		log_msg(strcmp(event, "resolved") == 0 || strcmp(event, "closed") == 0 ?
		    LOG_INFO : LOG_ERROR, NULL, "ALERT %s #%lld %s: %s", event,
		    (long long)incident, target, message);
	alerter_incident(d->alerter, event, target, state, message, incident);
}

static int
daemon_ops_service_control(void *arg, const char *cmd, const char *service, char *err,
    size_t errlen)
{
	struct daemon *d = arg;

	return supervisor_control(d->sup, cmd, service, CONTROL_HEALER, err, errlen);
}

static const char *
daemon_ops_service_state(void *arg, const char *service)
{
	struct daemon *d = arg;
	const char *state = supervisor_service_state(d->sup, service);

	/*
	 * A check whose target just died can report before the loop takes
	 * the exit: the supervisor's business then, not an incident's.
	 */
	if (state != NULL && strcmp(state, "up") == 0 &&
	    supervisor_service_ended_unseen(d->sup, service))
		return "exiting";
	return state;
}

static void
daemon_ops_run_check(void *arg, const char *check)
{
	struct daemon *d = arg;

	scheduler_run_now(d->checks, check);
}

static int64_t
daemon_ops_adjust_timeout(void *arg, const char *check, double factor, int64_t max_ms)
{
	struct daemon *d = arg;

	return scheduler_adjust_timeout(d->checks, check, factor, max_ms);
}

static int
daemon_ops_monitor(void *arg, const char *check, int64_t every_ms, int64_t for_ms)
{
	struct daemon *d = arg;

	return scheduler_monitor(d->checks, check, every_ms, for_ms);
}

static int
daemon_ops_scale(void *arg, const char *service, int by, char *detail, size_t len)
{
	return daemon_scale(arg, service, by, true, "heal action", detail, len);
}

static int
daemon_ops_increase(void *arg, const char *service, const struct heal_action *a,
    char *detail, size_t len)
{
	struct daemon *d = arg;

	switch (supervisor_increase_resources(d->sup, service, a, detail, len)) {
	case RAISE_LIVE:
		return 0;
	case RAISE_AT_START:
		return 1;
	default:
		return -1;
	}
}

static int64_t
daemon_heal_blame(void *arg, const char *service, bool critical, int64_t detected_ms,
    char *why, size_t len, char *rollback, size_t rollback_len)
{
	struct daemon *d = arg;

	return change_watch_blame(d->changes, service, critical, detected_ms, why, len,
	    rollback, rollback_len);
}

/* The rebuild heal action: `tend rebuild NAME` of this daemon's config and state dir. */
static char **
daemon_heal_rebuild_argv(void *arg, const char *name)
{
	struct daemon *d = arg;
	const struct tend_config *cfg = supervisor_config(d->sup);
	char self[PATH_MAX], path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char **argv;

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	argv = strv_push(strv_push(strv_push(NULL, self), "rebuild"), name);
	if (cfg->source != NULL && strcmp(cfg->source, "<embedded>") != 0 &&
	    realpath(cfg->source, path) != NULL)
		argv = strv_push(strv_push(argv, "-c"), path);
	return strv_push(strv_push(argv, "--state-dir"), d->state_dir);
}

/* The rollback heal action, run by the change watch on the thread pool. */
static int
daemon_heal_rollback(void *arg, const char *target, const char *set,
    void (*done)(void *token, bool ok, const char *detail), void *token, char *err,
    size_t errlen)
{
	struct daemon *d = arg;

	return change_watch_rollback(d->changes, target, set, done, token, err, errlen);
}

static int
daemon_change_restart(void *arg, const char *service, char *err, size_t errlen)
{
	return daemon_ops_service_control(arg, "restart", service, err, errlen);
}

static void
daemon_change_recorded(void *arg)
{
	struct daemon *d = arg;

	if (d->healer != NULL)
		healer_changes_recorded(d->healer);
}

static void
daemon_change_event(void *arg, const char *event, json_t *data)
{
	daemon_stream(arg, event, data);
}

void
daemon_heal_ops(struct daemon *d, struct heal_ops *ops)
{
	*ops = (struct heal_ops){ .arg = d, .service_control = daemon_ops_service_control,
	    .service_state = daemon_ops_service_state, .run_check = daemon_ops_run_check,
	    .adjust_timeout = daemon_ops_adjust_timeout, .monitor = daemon_ops_monitor,
	    .scale = daemon_ops_scale, .alert = daemon_heal_alert,
	    .increase_resources = daemon_ops_increase,
	    .changed = daemon_heal_changed, .blame = daemon_heal_blame,
	    .rollback = daemon_heal_rollback, .rebuild_argv = daemon_heal_rebuild_argv };
}

void
daemon_change_ops(struct daemon *d, struct change_watch_ops *ops)
{
	*ops = (struct change_watch_ops){ .arg = d, .event = daemon_change_event,
	    .recorded = daemon_change_recorded, .restart = daemon_change_restart };
}

static int
daemon_web_error(json_t **answer, int status, const char *err)
{
	*answer = json_pack("{s:b, s:i, s:s}", "ok", 0, "status", status, "error", err);
	return status;
}

/* A rollback asked for over the API has no one waiting: its end is logged. */
static void
daemon_web_rolled_back(void *token, bool ok, const char *detail)
{
	if (!ok)
		log_error(NULL, "%s (asked for over the web API)", detail);
}

int
daemon_web_change(struct daemon *d, const char *verb, const char *name, const json_t *body,
    json_t **answer)
{
	const struct tend_config *cfg = supervisor_config(d->sup);
	const char *set = NULL, *label = NULL;
	char err[256];
	int64_t id;

	if (strcmp(verb, "rollback") == 0 && config_find_snapshot_set(cfg, name) == NULL) {
		snprintf(err, sizeof(err), "no snapshot set named '%s'", name);
		return daemon_web_error(answer, 404, err);
	}
	if (d->stopping || d->changes == NULL)
		return daemon_web_error(answer, 503, d->stopping ? "tend is stopping" :
		    "the change watch is not running");
	if (strcmp(verb, "rollback") == 0) {
		if (change_watch_rollback(d->changes, NULL, name, daemon_web_rolled_back, NULL,
		    err, sizeof(err)) < 0)
			return daemon_web_error(answer, 409, err);
		log_info(NULL, "rollback of %s to its last known good requested over the "
		    "web API", name);
		*answer = json_pack("{s:b}", "ok", 1);
		return 202;
	}
	set = json_string_value(json_object_get(body, "set"));
	label = json_string_value(json_object_get(body, "label"));
	if (set != NULL && config_find_snapshot_set(cfg, set) == NULL) {
		snprintf(err, sizeof(err), "no snapshot set named '%s'", set);
		return daemon_web_error(answer, 404, err);
	}
	id = change_watch_mark(d->changes, CHANGE_KIND_MARK, set, label != NULL ? label :
	    "marked", err, sizeof(err));
	if (id < 0)
		return daemon_web_error(answer, 409, err);
	*answer = json_pack("{s:b, s:I}", "ok", 1, "id", (json_int_t)id);
	return 200;
}
