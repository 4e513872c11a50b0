/*
 * tend is a child subreaper: when a service's process forks and its parent
 * dies, the orphan is re-parented to tend instead of init, so nothing a
 * service starts escapes supervision. The children tend started itself are
 * reaped by their procspawn watches (core/children.h lists them); the reaper
 * reaps the rest, and kills them when tend shuts down.
 */
#ifndef TEND_SUPERVISE_REAPER_H
#define TEND_SUPERVISE_REAPER_H

#include <stdbool.h>
#include <sys/types.h>

#include <uv.h>

struct reaper;

struct reaper	*reaper_start(uv_loop_t *loop);
void		 reaper_close(struct reaper *r);

/*
 * External services that daemonized under tend become its children too:
 * they are reaped when they die but never killed at shutdown.
 */
void		 reaper_spare(struct reaper *r, pid_t pid);

/* Reaps every exited child that tend did not start itself. */
void		 reaper_reap(struct reaper *r);
/* Signals every live child that tend did not start itself; returns how many. */
int		 reaper_signal_orphans(struct reaper *r, int sig);

#endif
