#include "daemon/daemon.h"
#include "daemon/daemon_internal.h"
#include "daemon/proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dl_curl.h"
#include <jansson.h>
#include <uv.h>

#include "alert/alert.h"
#include "chaos/fault.h"
#include "checks/http_engine.h"
#include "checks/scheduler.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/strv.h"
#include "core/fdio.h"
#include "core/log.h"
#include "core/proctab.h"
#include "core/mem.h"
#include "core/selfhealth.h"
#include "core/statedir.h"
#include "daemon/change_watch.h"
#include "daemon/control.h"
#include "daemon/publisher.h"
#include "daemon/recorder.h"
#include "daemon/exit_when.h"
#include "daemon/reload.h"
#include "daemon/chaos_timer.h"
#include "daemon/job_timer.h"
#include "daemon/check_table.h"
#include "daemon/report_timer.h"
#include "daemon/scaling.h"
#include "daemon/sdnotify.h"
#include "diagnose/anomaly_watch.h"
#include "diagnose/dpkglog.h"
#include "heal/healer.h"
#include "store/store.h"
#include "supervise/supervisor.h"
#include "web/web.h"

static void
daemon_apply_log_settings(const struct daemon *d, const struct tend_config *cfg)
{
	enum log_format format = cfg->log_format;

	if (d->opts->log_format >= 0)
		format = (enum log_format)d->opts->log_format;
	log_setup(format, d->opts->verbose);
}

static json_t *
daemon_status_fn(void *arg)
{
	return daemon_web_status(arg);
}

static struct web_checks *
daemon_checks_fn(void *arg)
{
	struct daemon *d = arg;

	return check_table_take(d->check_table, d->checks);
}

void
daemon_stream(struct daemon *d, const char *event, json_t *data)
{
	if (data != NULL)
		publisher_event(d->publisher, event, data);
	json_decref(data);
}

/* Each alert delivery's outcome, for the dashboard's list of alerts. */
static void
daemon_alert_delivered(void *arg, json_t *alert)
{
	struct daemon *d = arg;

	publisher_event(d->publisher, "alert", alert);
}

/* An alert is a log line, and goes out on the channels of `alerts:`. */
static void
daemon_alert(void *arg, const char *service, const char *why)
{
	struct daemon *d = arg;

	log_error(service, "ALERT: gave up: %s", why);
	alerter_gave_up(d->alerter, service, why);
}

/*
 * An anomaly, of a metric or a new error pattern, said everywhere one is:
 * logged (once, a warning when it starts: a hint, alerted only where
 * routed), streamed with its event (taken), recorded as a state change.
 */
static void
daemon_say_anomaly(struct daemon *d, const char *service, const char *series,
    bool started, const char *msg, json_t *event)
{
	struct store *st = recorder_store(d->recorder);

	log_msg(started ? LOG_WARN : LOG_INFO, service, "%s", msg);
	json_object_set_new(event, "series", json_string(series));
	json_object_set_new(event, "started", json_boolean(started));
	json_object_set_new(event, "at", json_integer(clock_wall_ms()));
	daemon_stream(d, "anomaly", event);
	if (st != NULL)
		store_add_state_change(st, clock_wall_ms(), "anomaly", series, NULL,
		    started ? "normal" : "anomaly", started ? "anomaly" : "normal", msg);
	alerter_anomaly(d->alerter, series, started, msg);
}

static void
daemon_anomaly(void *arg, const char *series, bool started, double value,
    double baseline, double score)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s %s: value %.4g, baseline %.4g, score %.1f",
	    started ? "anomaly" : "back to normal", series, value, baseline, score);
	daemon_say_anomaly(arg, NULL, series, started, msg, json_pack("{s:f, s:f, s:f}",
	    "value", value, "baseline", baseline, "score", score));
}

/*
 * A log check's matching lines made a template never seen before: an
 * anomaly event like a metric's (logged, streamed, recorded, alerted where
 * routed) — "new error pattern in web: connect to *: connection refused".
 */
static void
daemon_new_patterns(struct daemon *d, const struct check_conf *conf, json_t *events)
{
	const char *what = conf->service != NULL ? conf->service : conf->name;
	char series[300], msg[600];
	json_t *e;
	size_t i;

	json_array_foreach(events, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "kind")), "new_pattern") != 0)
			continue;
		snprintf(series, sizeof(series), "log.%s.patterns", conf->name);
		snprintf(msg, sizeof(msg), "new error pattern in %s: %s", what,
		    json_string_value(json_object_get(e, "template")));
		daemon_say_anomaly(d, conf->service, series, true, msg, json_pack("{s:s, s:O}",
		    "kind", "new_pattern", "template", json_object_get(e, "template")));
	}
}

/* Every result feeds the healer, the status and the check table. */
static void
daemon_check_result(void *arg, const struct check_conf *conf, const struct check_result *r,
    enum health_state tracked)
{
	struct daemon *d = arg;

	healer_check_result(d->healer, conf, r, tracked);
	/*
	 * A change of state is published at the next tick (its event, in
	 * daemon_check_changed); a result that changed none goes out with the
	 * status each second (past WEB_STATUS_ALL_CHECKS, in the check table at
	 * the next tick). A publish takes the loop 1.5 ms at 100 checks and the
	 * web thread yields to it: 50 results a second had it publish at every
	 * tick, and requests waited for it.
	 */
	if (supervisor_config(d->sup)->n_checks > WEB_STATUS_ALL_CHECKS)
		publisher_checks_dirty(d->publisher);
	if (r->events != NULL)
		daemon_new_patterns(d, conf, r->events);
}

/* The samples among them feed the anomaly watch (scheduler_on_sample). */
static void
daemon_check_sample(void *arg, const struct check_conf *conf, const struct check_result *r,
    enum health_state tracked)
{
	struct daemon *d = arg;
	char series[512];
	size_t i;

	snprintf(series, sizeof(series), "check.%s.latency_ms", conf->name);
	anomaly_watch_feed(d->anomalies, series, "ms", r->latency_ms);
	for (i = 0; i < r->n_perf; i++) {
		if (isnan(r->perf[i].value))
			continue;	/* unknown */
		/* The http and tcp checks' `time` is the latency again: one series, not two. */
		if (check_result_metric_is_latency(r, i))
			continue;
		snprintf(series, sizeof(series), "check.%s.%s", conf->name, r->perf[i].label);
		anomaly_watch_feed(d->anomalies, series, r->perf[i].uom, r->perf[i].value);
	}
}

static void
daemon_service_changed(void *arg, const char *service, const char *from, const char *to,
    const char *reason)
{
	struct daemon *d = arg;

	recorder_service_changed(d->recorder, service, from, to, reason);
	daemon_stream(d, "state", json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I}", "kind",
	    "service", "name", service, "from", from, "to", to, "reason", reason, "at",
	    (json_int_t)clock_wall_ms()));
	if (strcmp(to, "up") == 0)
		scheduler_service_started(d->checks, service);
	if (d->healer != NULL)
		healer_service_state(d->healer, service, to, reason);
}

static void
daemon_check_changed(void *arg, const struct check_conf *conf, enum health_state from,
    enum health_state to, const struct check_result *r)
{
	struct daemon *d = arg;

	daemon_stream(d, "state", json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:I}", "kind",
	    "check", "name", conf->name, "service", conf->service, "from",
	    health_state_name(from), "to", health_state_name(to), "reason", r->message,
	    "at", (json_int_t)clock_wall_ms()));
	change_watch_health(d->changes, scheduler_overall(d->checks) == HEALTH_HEALTHY);
}

/* The healer's question: which change an incident opening now is blamed on. */
/*
 * An action POSTed to the API, on the loop thread: a service's restart,
 * stop, start or heal, a named action, or a change or rollback
 * (daemon_ops.c). Answers as docs/api.md says.
 */
static int
daemon_web_action(void *arg, const char *verb, const char *name, const json_t *body,
    json_t **answer)
{
	struct daemon *d = arg;
	const struct tend_config *cfg = supervisor_config(d->sup);
	bool service = strcmp(verb, "action") != 0;
	char err[256];
	int64_t id = 0;

	if (strcmp(verb, "change") == 0 || strcmp(verb, "rollback") == 0)
		return daemon_web_change(d, verb, name, body, answer);

	if (service ? config_find_service(cfg, name) == NULL &&
	    !config_is_group(cfg, name) : config_find_action(cfg, name) == NULL) {
		*answer = json_pack("{s:b, s:i, s:s+}", "ok", 0, "status", 404, "error",
		    service ? "no service named " : "no action named ", name);
		return 404;
	}
	if (d->stopping) {
		*answer = json_pack("{s:b, s:i, s:s}", "ok", 0, "status", 503, "error",
		    "tend is stopping");
		return 503;
	}
	if (strcmp(verb, "scale") == 0)
		return daemon_web_scale(d, name, body, answer);
	if (strcmp(verb, "heal") == 0 || !service)
		id = healer_recover(d->healer, service ? NULL : name, service ? name : NULL,
		    err, sizeof(err));
	else if (supervisor_control(d->sup, verb, name, CONTROL_OPERATOR, err,
	    sizeof(err)) < 0)
		id = -1;
	else
		daemon_operator_control(d, verb, name);
	if (id < 0) {
		*answer = json_pack("{s:b, s:i, s:s}", "ok", 0, "status", 409, "error", err);
		return 409;
	}
	log_info(service ? name : NULL, "%s%s%s requested over the web API", verb,
	    service ? "" : " ", service ? "" : name);
	*answer = id > 0 ? json_pack("{s:b, s:I}", "ok", 1, "incident", (json_int_t)id) :
	    json_pack("{s:b}", "ok", 1);
	publisher_dirty(d->publisher);
	return 200;
}

static void
daemon_start_web(struct daemon *d, const struct tend_config *cfg)
{
	struct web_ops ops = { .arg = d, .action = daemon_web_action,
	    .ping = daemon_web_ping };
	char err[512];

	if (d->opts->no_web || !cfg->web.enabled) {
		log_info(NULL, "web server off (%s)", d->opts->no_web ? "--no-web" :
		    "web.enabled: false");
	} else if ((d->web = web_start(d->loop, &cfg->web, d->sd, &ops, err,
	    sizeof(err))) == NULL)
		/* The services matter more than their dashboard: go on without it. */
		log_error(NULL, "web server not started: %s", err);
	if (d->web != NULL)
		d->check_table = check_table_new();
	d->publisher = publisher_new(d->loop, d->web, recorder_store(d->recorder),
	    daemon_status_fn, daemon_checks_fn, d);
}

/*
 * The web's entry of a check, heard first: its checked_at is the clock
 * read then, a moment after the scheduler's own (which no subscriber sees).
 */
static void
daemon_table_result(void *arg, const struct check_conf *conf, const struct check_result *r,
    enum health_state tracked)
{
	struct daemon *d = arg;

	check_table_result(d->check_table, conf, r, tracked);
}

static void
daemon_watch_checks(struct daemon *d)
{
	check_table_reset(d->check_table, supervisor_config(d->sup));
	if (d->check_table != NULL)
		scheduler_on_result(d->checks, daemon_table_result, d);
	recorder_watch_checks(d->recorder, d->checks);
	scheduler_on_result(d->checks, daemon_check_result, d);
	scheduler_on_sample(d->checks, daemon_check_sample, d);
	scheduler_subscribe(d->checks, daemon_check_changed, d);
	web_set_ping_checks(d->web, supervisor_config(d->sup));
	daemon_sync_parked(d);
}

static void
daemon_close_handles(uv_handle_t *handle, void *arg)
{
	if (!uv_is_closing(handle))
		uv_close(handle, NULL);
}

static void
daemon_all_down(void *arg)
{
	struct daemon *d = arg;

	log_info(NULL, "all services stopped; exiting");
	control_server_close(d->control);
	d->control = NULL;
	web_stop(d->web);
	d->web = NULL;
	publisher_free(d->publisher);
	d->publisher = NULL;
	check_table_free(d->check_table);
	d->check_table = NULL;
	scheduler_close(d->checks);
	d->checks = NULL;
	supervisor_set_observer(d->sup, NULL, NULL);
	healer_free(d->healer);
	d->healer = NULL;
	anomaly_watch_free(d->anomalies);
	d->anomalies = NULL;
	change_watch_free(d->changes);
	d->changes = NULL;
	proxy_set_free(d->proxies);
	d->proxies = NULL;
	alerter_free(d->alerter);
	d->alerter = NULL;
	report_timer_free(d->reports);
	d->reports = NULL;
	chaos_timer_free(d->chaos);
	d->chaos = NULL;
	job_timers_free(d->jobs);
	d->jobs = NULL;
	scaling_free(d->scaling);
	d->scaling = NULL;
	recorder_close(d->recorder);
	d->recorder = NULL;
	uv_signal_stop(&d->sig_term);
	uv_signal_stop(&d->sig_int);
	uv_signal_stop(&d->sig_hup);
	reload_close(d->reload);
	d->reload = NULL;
	uv_timer_stop(&d->watchdog);
	uv_timer_stop(&d->exit_soon);
	uv_timer_stop(&d->log_repeats);
	log_flush_repeats(true);
	uv_stop(d->loop);
}

/* Every service stopped, dependents first, then tend exits: why says what asked. */
static void
daemon_begin_stop(struct daemon *d, const char *why)
{
	if (d->stopping) {
		log_info(NULL, "%s again: still stopping services", why);
		return;
	}
	d->stopping = true;
	log_info(NULL, "%s: stopping services", why);
	sdnotify_send("STOPPING=1");
	supervisor_shutdown(d->sup, daemon_all_down, d);
}

static void
daemon_on_stop_signal(uv_signal_t *handle, int signum)
{
	char why[32];

	snprintf(why, sizeof(why), "SIG%s", sigabbrev_np(signum));
	daemon_begin_stop(handle->data, why);
}

static void
daemon_exit_now(uv_timer_t *timer)
{
	daemon_begin_stop(timer->data, "exit_when");
}

/* A service that ended for good: if exit_when names it, tend ends after it. */
static void
daemon_service_ended(void *arg, const struct service_conf *conf, int status, bool failed)
{
	struct daemon *d = arg;
	int code = exit_when_code(&supervisor_config(d->sup)->exit_when, conf, status,
	    failed);

	if (code < 0 || d->stopping || uv_is_active((uv_handle_t *)&d->exit_soon))
		return;
	d->exit_code = code;
	log_warn(conf->name, "exit_when: it %s (status %d) and will not be started again; "
	    "stopping every service, then exiting %d", failed ? "failed" : "ended", status,
	    code);
	/* Not within the service's own transition: the shutdown walks every service. */
	uv_timer_start(&d->exit_soon, daemon_exit_now, 0, 0);
}

static const struct tend_config *
daemon_running_config(void *arg)
{
	struct daemon *d = arg;

	return supervisor_config(d->sup);
}

/*
 * libcurl when the config has HTTP in it (checks, readiness, webhooks),
 * loaded now so that a missing one is said at start or reload, never at
 * the first check; a config without HTTP never maps it (issue 16).
 */
static int
daemon_load_http(const struct tend_config *cfg, char *err, size_t errlen)
{
	return config_needs_http(cfg) ? dl_curl_start(err, errlen) : 0;
}

/* A new config, loaded and checked (daemon/reload.c), swapped in. */
static void
daemon_reload(void *arg, struct tend_config *cfg)
{
	struct daemon *d = arg;
	char err[512];

	if (d->stopping) {
		config_free(cfg);
		return;
	}
	if (daemon_load_http(cfg, err, sizeof(err)) < 0) {
		log_error(NULL, "reload: %s; keeping the running config", err);
		config_free(cfg);
		return;
	}
	daemon_apply_log_settings(d, cfg);
	d->runs_before_reload += scheduler_runs(d->checks);
	scheduler_close(d->checks);
	d->checks = NULL;
	/* Before the old config goes: the reload's service transitions reach the healer. */
	healer_set_config(d->healer, cfg);
	anomaly_watch_set_config(d->anomalies, &cfg->anomaly);
	alerter_set_config(d->alerter, &cfg->alerts);
	report_timer_set_config(d->reports, &cfg->report);
	chaos_timer_set_config(d->chaos, cfg);
	job_timers_set_config(d->jobs, cfg);
	supervisor_reload(d->sup, cfg);
	change_watch_set_config(d->changes, supervisor_config(d->sup));
	d->checks = scheduler_start(&d->check_env, supervisor_config(d->sup));
	daemon_watch_checks(d);
	publisher_dirty(d->publisher);
}

static void
daemon_on_hup(uv_signal_t *handle, int signum)
{
	struct daemon *d = handle->data;

	if (!d->stopping)
		reload_start(d->reload);
}

static void
daemon_watchdog_ping(uv_timer_t *timer)
{
	sdnotify_send("WATCHDOG=1");
}

/*
 * STATE/tend.pid, through the state dir: never a link, never someone
 * else's file, and never seen half written. When it cannot be written (a
 * full disk at start) it is tried again with the log's 5 s round.
 */
static void
daemon_write_pidfile(struct daemon *d)
{
	char line[32];
	bool failed_before = d->pidfile_failed;

	snprintf(line, sizeof(line), "%d\n", (int)getpid());
	d->pidfile_failed = statedir_replace(d->sd, "tend.pid", line, strlen(line), 0644) < 0;
	if (d->pidfile_failed && !failed_before)
		log_warn(NULL, "cannot write %s/tend.pid: %s; tend tries again every 5 s",
		    d->state_dir, strerror(errno));
	else if (!d->pidfile_failed && failed_before)
		log_info(NULL, "wrote %s/tend.pid", d->state_dir);
}

static void
daemon_log_repeats(uv_timer_t *timer)
{
	struct daemon *d = timer->data;

	log_flush_repeats(false);
	if (d->pidfile_failed)
		daemon_write_pidfile(d);
}

static void
daemon_signal(struct daemon *d, uv_signal_t *sig, int signum, uv_signal_cb cb)
{
	uv_signal_init(d->loop, sig);
	sig->data = d;
	uv_signal_start(sig, cb, signum);
}

/*
 * The state dir, verified: a state dir another user could change would
 * hand them the API token, the control socket and the files tend writes
 * as root. Refused with the reason; tend exits 1.
 */
static int
daemon_prepare(struct daemon *d, struct tend_config *cfg)
{
	char err[1024];
	pid_t other;

	d->state_dir = statedir_resolve(d->opts->state_dir, cfg->state_dir);
	if ((d->sd = statedir_open(d->state_dir, err, sizeof(err))) == NULL) {
		log_error(NULL, "refusing the state dir %s: %s", d->state_dir, err);
		return -1;
	}
	free(d->state_dir);
	d->state_dir = xstrdup(statedir_path(d->sd));
	d->socket_path = statedir_control_socket(d->state_dir);
	if ((other = control_daemon_alive(d->socket_path)) > 0) {
		log_error(NULL, "another tend (pid %d) is already running on %s",
		    (int)other, d->socket_path);
		return -1;
	}
	return 0;
}

static int
daemon_service_pids(void *arg, const char *service, pid_t *pids, int max)
{
	struct daemon *d = arg;

	return supervisor_service_pids(d->sup, service, pids, max);
}

static int
daemon_service_cgroup(void *arg, const char *service)
{
	struct daemon *d = arg;

	return supervisor_service_cgroup(d->sup, service);
}

/* A stopped service needs no undoing here: every service is about to be started. */
static int
daemon_chaos_service(void *arg, const char *verb, const char *name, char *err,
    size_t errlen)
{
	(void)arg, (void)verb, (void)name, (void)err, (void)errlen;
	return 0;
}

/*
 * A chaos run that died with its fault in place (docs/chaos.md): undone
 * before the services are started or adopted — a process it stopped is
 * resumed, if it is still that process.
 */
static void
daemon_chaos_recover(struct daemon *d)
{
	struct chaos_ops ops = { .service = daemon_chaos_service };
	char what[512], err[512];
	int rc = chaos_recover(d->sd, &ops, what, sizeof(what), err, sizeof(err));

	if (rc > 0)
		log_warn(NULL, "chaos: undone at start: %s", what);
	else if (rc < 0)
		log_warn(NULL, "chaos: %s", err);
}

static void
daemon_start(struct daemon *d, struct tend_config *cfg)
{
	struct heal_ops ops;
	struct reload_options reload = { .config_path = d->opts->config_path,
	    .state_dir = d->opts->state_dir, .web_off = d->opts->no_web };
	struct reload_ops reload_ops = { .running = daemon_running_config,
	    .apply = daemon_reload, .arg = d };
	int64_t watchdog_ms = sdnotify_watchdog_ms();
	struct change_watch_ops change_ops;

	daemon_heal_ops(d, &ops);
	daemon_change_ops(d, &change_ops);
	daemon_signal(d, &d->sig_term, SIGTERM, daemon_on_stop_signal);
	daemon_signal(d, &d->sig_int, SIGINT, daemon_on_stop_signal);
	d->reload = reload_new(d->loop, &reload, &reload_ops);
	daemon_signal(d, &d->sig_hup, SIGHUP, daemon_on_hup);
	uv_timer_init(d->loop, &d->watchdog);
	uv_timer_init(d->loop, &d->exit_soon);
	d->exit_soon.data = d;
	uv_timer_init(d->loop, &d->log_repeats);
	d->log_repeats.data = d;
	uv_timer_start(&d->log_repeats, daemon_log_repeats, 5000, 5000);
	if (watchdog_ms > 0)
		uv_timer_start(&d->watchdog, daemon_watchdog_ping,
		    (uint64_t)watchdog_ms / 2, (uint64_t)watchdog_ms / 2);

	d->control = control_server_open(d->loop, d->sd, daemon_handle_request, d);
	daemon_write_pidfile(d);
	daemon_chaos_recover(d);
	/* Before the checks that may go through them. */
	d->proxies = proxy_set_new(d->loop, cfg);
	log_info(NULL, "tend %s started (pid %d, config %s, state %s, %zu services, "
	    "%zu checks)", TEND_VERSION, (int)getpid(), cfg->source, d->state_dir,
	    cfg->n_services, cfg->n_checks);
	/* What the reaper and the stop signals do anyway, said where it matters most. */
	if (getpid() == 1 || d->opts->init)
		log_info(NULL, "as a container's init%s: every orphan is reaped; SIGTERM and "
		    "SIGINT stop the services, dependents first, then tend exits%s",
		    getpid() == 1 ? " (PID 1)" : "", cfg->exit_when.service != NULL ||
		    cfg->exit_when.any_failed ? "; exit_when: ends it first" : "");
	d->recorder = recorder_open(d->loop, d->sd);
	/* Alerts are heard from the first: before the healer and the services. */
	d->check_env.http = http_engine_new(d->loop);
	d->alerter = alerter_new(d->loop, &cfg->alerts, recorder_store(d->recorder),
	    d->check_env.http);
	daemon_start_web(d, cfg);
	alerter_on_delivery(d->alerter, daemon_alert_delivered, d);
	d->reports = report_timer_new(d->loop, d->sd, &cfg->report, d->alerter);
	d->chaos = chaos_timer_new(d->loop, d->sd, d->opts->config_path, cfg);
	d->jobs = job_timers_new(d->loop, d->sd, d->opts->config_path, cfg);
	d->sup = supervisor_new(d->loop, d->sd);
	supervisor_set_alert(d->sup, daemon_alert, d);
	supervisor_set_ended(d->sup, daemon_service_ended, d);
	/* Before the services start: their first transitions are heard. */
	d->healer = healer_new(d->loop, cfg, recorder_store(d->recorder), &ops,
	    d->opts->monitor_only);
	healer_rejoin_open(d->healer);
	d->anomalies = anomaly_watch_new(&cfg->anomaly, daemon_anomaly, d);
	supervisor_set_observer(d->sup, daemon_service_changed, d);
	supervisor_start(d->sup, cfg);
	d->check_env = (struct check_env){ .loop = d->loop,
	    .http = d->check_env.http, .service_pids = daemon_service_pids,
	    .service_pids_arg = d, .service_cgroup = daemon_service_cgroup,
	    .state_dir = d->state_dir };
	d->checks = scheduler_start(&d->check_env, cfg);
	daemon_watch_checks(d);
	d->scaling = scaling_new(d);
	d->changes = change_watch_new(d->loop, d->sd, recorder_store(d->recorder),
	    supervisor_config(d->sup), getenv("TEND_DPKG_LOG") != NULL ?
	    getenv("TEND_DPKG_LOG") : DPKGLOG_PATH, &change_ops);
	change_watch_health(d->changes, scheduler_overall(d->checks) == HEALTH_HEALTHY);
	publisher_publish(d->publisher);
	sdnotify_send("READY=1");
}

static void
daemon_cleanup(struct daemon *d)
{
	supervisor_free(d->sup);
	http_engine_free(d->check_env.http);
	uv_close((uv_handle_t *)&d->sig_term, NULL);
	uv_close((uv_handle_t *)&d->sig_int, NULL);
	uv_close((uv_handle_t *)&d->sig_hup, NULL);
	uv_close((uv_handle_t *)&d->watchdog, NULL);
	uv_close((uv_handle_t *)&d->exit_soon, NULL);
	uv_close((uv_handle_t *)&d->log_repeats, NULL);
	/* Lets close callbacks run and service output pipes drain to EOF. */
	uv_run(d->loop, UV_RUN_DEFAULT);
	uv_walk(d->loop, daemon_close_handles, NULL);
	uv_run(d->loop, UV_RUN_DEFAULT);
	uv_loop_close(d->loop);
	proctab_release();
	statedir_unlink(d->sd, "tend.pid");
	statedir_close(d->sd);
	free(d->state_dir);
	free(d->socket_path);
	dl_curl_stop();
}

int
daemon_run(const struct daemon_options *opts)
{
	struct config_errors errs = { 0 };
	struct daemon d = { .opts = opts };
	struct tend_config *cfg;
	char err[512];

	/*
	 * glibc raises its mmap threshold to the size of any mmap'd block
	 * freed (up to 32 MB), and its trim threshold to twice that: after the
	 * config's 4 MB read buffer, every block up to 4 MB came from the heap
	 * and the heap kept up to 8 MB free. Fixed, large blocks (a snapshot's
	 * bodies, a hash's buffer) go back to the system when freed.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
	store_configure_process();
	cfg = config_load_auto(opts->config_path, &errs);
	if (cfg == NULL) {
		config_errors_print(&errs, stderr);
		config_errors_clear(&errs);
		return 2;
	}
	if (daemon_load_http(cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "tend: %s\n", err);
		config_free(cfg);
		return 1;
	}
	daemon_apply_log_settings(&d, cfg);
	if (daemon_prepare(&d, cfg) < 0) {
		config_free(cfg);
		statedir_close(d.sd);
		free(d.state_dir);
		free(d.socket_path);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	d.loop = uv_default_loop();
	d.started_ms = clock_mono_ms();
	daemon_start(&d, cfg);
	uv_run(d.loop, UV_RUN_DEFAULT);
	daemon_cleanup(&d);
	return d.exit_code;
}
