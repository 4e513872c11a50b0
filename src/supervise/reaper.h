/*
 * tend is a child subreaper: when a service's process forks and its parent
 * dies, the orphan is re-parented to tend instead of init, so nothing a
 * service starts escapes supervision. The children tend started itself are
 * reaped by their procspawn watches (core/children.h lists them); the reaper
 * reaps the rest, and kills them when tend shuts down.
 *
 * Orphans are attributed to the service that started them by the
 * TEND_SERVICE every service's process inherits (read from
 * /proc/PID/environ when the orphan is first seen: at once on SIGCHLD, at
 * a service's stop and end, and every second after a start, an exit or an
 * adoption, then less often down to every 8 s while nothing changes). A service's orphans get its
 * stop signal and are killed when its main process exits, with its
 * process group, so a detached (setsid) grandchild does not outlive its
 * run; one found while its service has no main process is killed then.
 * An orphan whose environment says nothing is stopped at shutdown. They
 * are tend's unreaped children: their pids cannot be another's yet.
 */
#ifndef TEND_SUPERVISE_REAPER_H
#define TEND_SUPERVISE_REAPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <uv.h>

#include "core/procid.h"

struct reaper;

/* What the reaper asks of the supervisor. */
struct reaper_owner {
	/* The orphans attributed to services changed: the run record. */
	void	(*changed)(void *arg);
	/* Whether service has a main process now. */
	bool	(*running)(void *arg, const char *service);
	void	*arg;
};

struct reaper	*reaper_start(uv_loop_t *loop);
void		 reaper_close(struct reaper *r);
void		 reaper_set_owner(struct reaper *r, const struct reaper_owner *owner);

/*
 * External services that daemonized under tend become its children too:
 * they are reaped when they die but never killed at shutdown.
 */
void		 reaper_spare(struct reaper *r, pid_t pid);

/* A process was started, which may leave orphans: look every second again. */
void		 reaper_expect(struct reaper *r);
/* Reaps every exited child that tend did not start itself. */
void		 reaper_reap(struct reaper *r);
/* Signals every live child that tend did not start itself; returns how many. */
int		 reaper_signal_orphans(struct reaper *r, int sig);

/* Signals the orphans of service (then SIGCONT); returns how many. */
int		 reaper_signal_service(struct reaper *r, const char *service, int sig);
/* The service's main process has exited: its orphans are killed. */
void		 reaper_service_ended(struct reaper *r, const char *service);
/* The orphans of service, for the run record; how many (up to max). */
size_t		 reaper_orphans(const struct reaper *r, const char *service,
		    struct proc_id *ids, size_t max);

#endif
