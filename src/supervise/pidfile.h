/*
 * Reading a pidfile that root tend will act on. Who could have written the
 * pid decides what tend believes: a file that only root (or tend's own
 * user) can change is trusted; one that a single other user can change —
 * they own the file or a directory on its path, as /run/NAME often belongs
 * to a service's user — is believed only for a process of that very user;
 * one that a group or everyone can change is refused. Symlinks are
 * followed only where no other user can write. These are systemd's rules
 * for PIDFile=, with a user's own pids allowed; ACLs are not read.
 */
#ifndef TEND_SUPERVISE_PIDFILE_H
#define TEND_SUPERVISE_PIDFILE_H

#include <stddef.h>

#include "core/procid.h"

enum pidfile_result {
	PIDFILE_PID,		/* a live process tend may take on, in *pi */
	PIDFILE_NONE,		/* no file yet, no pid in it, or its process ended */
	PIDFILE_REFUSED,	/* a pid tend must not believe */
};

/* Reads path; why says what was found (NONE) or why it is refused. */
enum pidfile_result pidfile_read(const char *path, struct proc_info *pi, char *why,
		    size_t len);

#endif
