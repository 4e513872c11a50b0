/*
 * One supervised service: a small state machine
 *
 *   DOWN -> WAITING -> STARTING -> UP -> STOPPING -> DOWN
 *                 ^       |        |
 *                 |       v        v
 *               BACKOFF <-+--------+ (exit) ---> FAILED (crash loop)
 *
 * driven by events from the loop (exit, ready, timers) and by requests
 * (start, stop, restart). Every transition is logged with its reason. The
 * supervisor decides *when* a waiting service may start (its dependencies
 * are up) and calls service_spawn().
 */
#ifndef TEND_SUPERVISE_SERVICE_H
#define TEND_SUPERVISE_SERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <uv.h>

#include "config/model.h"
#include "supervise/attached.h"
#include "supervise/backoff.h"
#include "supervise/raise.h"
#include "supervise/svc_cgroup.h"

enum service_state {
	SVC_DOWN,
	SVC_WAITING,
	SVC_STARTING,
	SVC_UP,
	SVC_STOPPING,
	SVC_BACKOFF,
	SVC_FAILED,
};

struct service;
struct statedir;
struct reaper;
struct ready_probe;
struct service_log;
struct external;
struct notify_socket;
struct cgtree;

/* What the services of one supervisor share. */
struct supervise_ctx {
	uv_loop_t	*loop;
	struct reaper	*reaper;
	const char	*state_dir;
	struct statedir	*statedir;	/* where logs/NAME.log go */
	/* Where notify sockets go: opened when a service first needs one. */
	struct statedir	*runtime;
	/* Where services with cgroup: go: found when the first one starts. */
	struct cgtree	*cgroups;
	/* Called after every state change, to start or stop what now can. */
	void		(*changed)(void *arg, struct service *svc);
	/*
	 * Called when a service's process ended and tend will not start it
	 * again by itself (its restart policy, or its limit: gave_up).
	 */
	void		(*ended)(void *arg, struct service *svc, bool gave_up);
	void		*arg;
	uint64_t	 jitter;	/* state of the restart delays' jitter */
};

/* Why tend is killing the process, so the exit can be explained. */
enum kill_cause {
	KILL_NONE,
	KILL_STOP,
	KILL_READY_TIMEOUT,
	KILL_WATCHDOG,
	KILL_SPAWN_FAILED,	/* not killed: it never ran */
};

/* Why a service's process was replaced: the restart counts, by reason. */
enum restart_reason {
	RESTARTED_CRASH,	/* killed by a signal, or exited non-zero */
	RESTARTED_EXIT,		/* exited 0 under restart: always */
	RESTARTED_SPAWN_FAILED,	/* the start before failed */
	RESTARTED_READY_TIMEOUT,
	RESTARTED_WATCHDOG,
	RESTARTED_OPERATOR,	/* tend restart, the API, the dashboard */
	RESTARTED_HEALER,
	RESTARTED_RELOAD,	/* its config changed */
	RESTARTED_NREASONS,
};

struct service_exit {
	bool		 valid;
	enum kill_cause	 cause;		/* why tend killed it, if it did */
	int		 code;		/* when signal == 0 */
	int		 signal;
	int64_t		 at_wall_ms;
};

struct service {
	struct supervise_ctx *ctx;
	const struct service_conf *conf;
	char		*name;
	enum service_state state;
	enum service_state prev_state;	/* before the last transition */
	char		 reason[512];

	bool		 want_up;	/* the operator's or config's intent */
	bool		 restart_pending; /* start again once down */
	bool		 removed;	/* dropped by a reload: free once down */
	bool		 parked;	/* a copy scaled down: kept stopped (scale.c) */

	pid_t		 pid;		/* the running process; 0 when none */
	int64_t		 spawned_mono_ms;
	int64_t		 spawned_wall_ms;
	int		 restarts;	/* total, for status */
	int		 restarts_by[RESTARTED_NREASONS];
	int		 consecutive;	/* restarts since the last stable run */
	struct restart_window window;
	struct service_exit last_exit;
	enum kill_cause	 kill_cause;
	char		 spawn_error[256];	/* why the last start failed */

	uv_timer_t	*timer;		/* backoff delay, stop timeout */
	uv_timer_t	*deadline;	/* ready timeout, watchdog */
	struct ready_probe *probe;
	struct service_log *log;
	struct external	*ext;		/* external (pidfile) services */
	struct notify_socket *notify;	/* ready: notify: kept from start to start */
	struct attached_set attached;	/* counted as its own, ended with its process */
	struct svc_cgroup cg;		/* its cgroup, with cgroup: */
	struct svc_raised raised;	/* limits increase_resources raised */
};

struct service	*service_new(struct supervise_ctx *ctx, const struct service_conf *conf);
/* Frees once its handles are closed; the service must be down. */
void		 service_free(struct service *svc);
/* A reload kept the service: point it at the new config's copy. */
void		 service_rebind(struct service *svc, const struct service_conf *conf);

void		 service_want_start(struct service *svc);
void		 service_want_stop(struct service *svc);
/* Stops it and starts it again; a running process replaced counts for why. */
void		 service_want_restart(struct service *svc, enum restart_reason why);
/* Counts a replacement of its process that the supervisor drives (a reload). */
void		 service_count_restart(struct service *svc, enum restart_reason why);
/* Called by the supervisor when a WAITING service's dependencies are up. */
void		 service_spawn(struct service *svc);
/* A message from the sd_notify socket, already matched to this service. */
void		 service_notify(struct service *svc, const char *msg);

bool		 service_is_running(const struct service *svc);
bool		 service_owns_pid(const struct service *svc, pid_t pid);
const char	*service_state_name(enum service_state state);
/*
 * The service for status; brief: what a table of a thousand shows (name,
 * kind, state, ready, pid, uptime, restarts, reason, last exit, copies).
 */
json_t		*service_status_json(const struct service *svc, bool brief);

/* Shared with external.c, the other kind of service. */
void		 service_set_state(struct service *svc, enum service_state state,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void		 service_exited(struct service *svc, int64_t code, int signal);
void		 service_became_ready(struct service *svc);
/* The process (or the external service's pid) now runs. */
void		 service_process_started(struct service *svc, pid_t pid);

#endif
