/*
 * Starting a child in its own session and process group with posix_spawn
 * (signals at their defaults, none blocked), and learning of its end
 * through a pidfd: what a supervised service and a `tend retry` attempt
 * both need.
 */
#ifndef TEND_CORE_PROCSPAWN_H
#define TEND_CORE_PROCSPAWN_H

#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* posix_spawnp of argv with the caller's file actions; 0 or an errno. */
int	procspawn_session(pid_t *pid, const char *file, posix_spawn_file_actions_t *fa,
	    char *const argv[], char *const env[]);
/* A pidfd for pid, or -1 with errno set. */
int	procspawn_pidfd(pid_t pid);
/*
 * When pid's pidfd is readable: reaps it and says how it ended (exit
 * status, or the signal that ended it); false when it is not reaped yet.
 */
bool	procspawn_reap(pid_t pid, int64_t *status, int *term_signal);

#endif
