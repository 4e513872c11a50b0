/*
 * The set of services of one daemon: starts them in dependency order once
 * their dependencies are ready, stops them in reverse, applies reloads, and
 * answers control requests. It owns the configs its services point into.
 */
#ifndef TEND_SUPERVISE_SUPERVISOR_H
#define TEND_SUPERVISE_SUPERVISOR_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>
#include <uv.h>

#include "config/model.h"

struct proc_id;

struct statedir;
struct supervisor;

/* sd (the services' logs) must outlive the supervisor. */
struct supervisor *supervisor_new(uv_loop_t *loop, struct statedir *sd);
/* Takes ownership of cfg and starts every service. */
void		supervisor_start(struct supervisor *sup, struct tend_config *cfg);
/*
 * Takes ownership of cfg: added services start, removed ones stop, changed
 * ones restart, unchanged ones are left alone.
 */
void		supervisor_reload(struct supervisor *sup, struct tend_config *cfg);
/* The config of the last start or reload. */
const struct tend_config *supervisor_config(const struct supervisor *sup);
/*
 * Stops every supervised service, dependents first, then what they left
 * behind; calls done once all are down. External services keep running.
 */
void		supervisor_shutdown(struct supervisor *sup, void (*done)(void *arg),
		    void *arg);
/* Frees everything; call after shutdown is done. */
void		supervisor_free(struct supervisor *sup);

/*
 * The alert hook: called with the service's name and why, when a service
 * gives up after a crash loop. (The alert channels of a later issue plug
 * in here.)
 */
typedef void	(*supervisor_alert_fn)(void *arg, const char *service, const char *why);
void		supervisor_set_alert(struct supervisor *sup, supervisor_alert_fn fn,
		    void *arg);

/*
 * When a service's process ended and tend will not start it again by
 * itself (restart: never or on-failure said no, or its restart limit):
 * its exit status as a shell gives it (the code, or 128 + the signal) and
 * whether it failed. For exit_when (daemon/exit_when.h).
 */
typedef void	(*supervisor_ended_fn)(void *arg, const struct service_conf *conf,
		    int status, bool failed);
void		supervisor_set_ended(struct supervisor *sup, supervisor_ended_fn fn,
		    void *arg);

/* Every service transition, as words ("up", "backoff"), for the store. */
typedef void	(*supervisor_observer_fn)(void *arg, const char *service,
		    const char *from, const char *to, const char *reason);
void		supervisor_set_observer(struct supervisor *sup,
		    supervisor_observer_fn fn, void *arg);

/* Who asks for a control: a restart is counted under their name. */
enum control_origin {
	CONTROL_OPERATOR,	/* the CLI, the API, the dashboard */
	CONTROL_HEALER,
};

/* "start", "stop" or "restart"; returns 0, or -1 with a message in err. */
int		supervisor_control(struct supervisor *sup, const char *cmd,
		    const char *name, enum control_origin by, char *err, size_t errlen);
/*
 * Runs the first count copies of a group (`instances:`, `scale:`) and parks
 * the others; why is logged. Returns the count before, or -1 with err (not
 * a group, count outside its min and max).
 */
int		supervisor_scale(struct supervisor *sup, const char *group, int count,
		    const char *why, char *err, size_t errlen);
/* The running copies of a group, and its scale settings into scale; -1 if none. */
int		supervisor_group_count(const struct supervisor *sup, const char *group,
		    struct scale_conf *scale);
/* Every service's status (service_status_json). */
json_t		*supervisor_status_json(const struct supervisor *sup, bool brief);
/*
 * A service's state as a word ("up", "failed"; "parked" for a copy scaled
 * down), NULL if there is none.
 */
const char	*supervisor_service_state(const struct supervisor *sup, const char *name);
/*
 * Whether a service's main process has ended and the loop has not yet
 * taken its exit (a check that failed because it died can come first).
 */
bool		 supervisor_service_ended_unseen(const struct supervisor *sup,
		    const char *name);
/*
 * A running service's processes to account for: its main pid first, then
 * those counted as its own (supervise/attached.h); how many (0: not running).
 */
int		supervisor_service_pids(const struct supervisor *sup, const char *name,
		    pid_t *pids, int max);
/* A running service's cgroup directory (a descriptor to close), or -1: none. */
int		supervisor_service_cgroup(const struct supervisor *sup, const char *name);
/*
 * The heal action increase_resources on service name: an enum raise_result
 * (supervise/raise.h), with what became what, or why not, in detail.
 */
int		supervisor_increase_resources(struct supervisor *sup, const char *name,
		    const struct heal_action *a, char *detail, size_t len);
/* Counts process id as service name's own until its process ends; 0, or -1 with err. */
int		supervisor_attach(struct supervisor *sup, const char *name,
		    const struct proc_id *id, char *err, size_t errlen);

#endif
