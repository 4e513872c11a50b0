/*
 * The daemon's parts, for its own files only (daemon.c assembles them;
 * daemon_ops.c is what the healer and the change watch may ask of it,
 * daemon_control.c what the control socket may).
 */
#ifndef TEND_DAEMON_DAEMON_INTERNAL_H
#define TEND_DAEMON_DAEMON_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "checks/check_run.h"
#include "daemon/change_watch.h"
#include "daemon/daemon.h"
#include "heal/action.h"

struct daemon {
	const struct daemon_options *opts;
	uv_loop_t	*loop;
	char		*state_dir;
	struct statedir	*sd;			/* verified; everything in it goes through it */
	char		*socket_path;
	int64_t		 started_ms;
	struct supervisor *sup;
	struct check_env check_env;
	struct scheduler *checks;
	struct recorder	*recorder;
	struct healer	*healer;
	struct anomaly_watch *anomalies;
	struct change_watch *changes;		/* the snapshot sets' and dpkg's changes */
	struct proxy_set *proxies;		/* proxies:, NULL when none */
	struct alerter	*alerter;
	struct report_timer *reports;		/* `report:`, the scheduled report */
	struct chaos_timer *chaos;		/* `chaos: schedule:`, game days */
	struct job_timers *jobs;		/* `jobs:`, run on their schedules */
	struct scaling	*scaling;		/* services' copies scaled (scaling.c) */
	uint64_t	 runs_before_reload;	/* check runs of earlier schedulers */
	struct control_server *control;
	struct web_server *web;			/* NULL with --no-web */
	struct publisher *publisher;
	struct check_table *check_table;	/* what the web server publishes; NULL without it */
	uv_signal_t	 sig_term;
	uv_signal_t	 sig_int;
	uv_signal_t	 sig_hup;
	struct reload	*reload;		/* SIGHUP's reading of the new config */
	uv_timer_t	 watchdog;
	uv_timer_t	 log_repeats;		/* says what repeated warnings were not printed */
	uv_timer_t	 exit_soon;		/* exit_when's stop, off the service's callback */
	bool		 pidfile_failed;	/* tend.pid is tried again */
	bool		 stopping;
	int		 exit_code;		/* 0, or what exit_when said */
};

/*
 * The status document (docs/api.md's /api/status), a new reference. Each
 * service has its check_counts; past all_checks_up_to checks, only the
 * checks that are not healthy are listed and a service's "checks" (their
 * names) are left out (SIZE_MAX: every one).
 */
json_t	*daemon_status(struct daemon *d, size_t all_checks_up_to);
/*
 * The status the web server publishes: past WEB_STATUS_ALL_CHECKS checks,
 * the worst of those not healthy (that many at most, checks_more the rest)
 * and each service's check_counts, from the table last taken.
 */
json_t	*daemon_web_status(struct daemon *d);
/* The control socket's requests (daemon_control.c); NULL for a command it does not know. */
json_t	*daemon_handle_request(void *arg, json_t *req);
/* An event for the live views (SSE); takes data. */
void	daemon_stream(struct daemon *d, const char *event, json_t *data);
/* What the healer may ask of the daemon (heal/action.h), with d as arg. */
void	daemon_heal_ops(struct daemon *d, struct heal_ops *ops);
/* What the change watch may ask of it (daemon/change_watch.h). */
void	daemon_change_ops(struct daemon *d, struct change_watch_ops *ops);
/*
 * The web API's "change" (body {"set", "label"}) and "rollback" (of the
 * snapshot set name) on the loop: the HTTP status, and *answer set.
 */
int	daemon_web_change(struct daemon *d, const char *verb, const char *name,
	    const json_t *body, json_t **answer);
/* POST /api/ping/NAME's ping, checked and answered by the web thread (web_ops.ping). */
void	daemon_web_ping(void *arg, const char *check, const char *kind, const char *message);

#endif
