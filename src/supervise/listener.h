/*
 * Whether a service's own processes hold the socket listening on a port.
 * A TCP readiness probe that reached the port must not count another
 * process's listener: a redis that failed with "address in use" was
 * "ready after 0 ms" on the port of the one that held it. The service's
 * processes are its main process, the process group and session it
 * leads, their descendants, and tend's adopted orphans that carry its
 * TEND_SERVICE.
 */
#ifndef TEND_SUPERVISE_LISTENER_H
#define TEND_SUPERVISE_LISTENER_H

#include <stddef.h>
#include <sys/types.h>

enum listener_verdict {
	LISTENER_OURS,
	LISTENER_FOREIGN,	/* why names the holder */
	LISTENER_UNKNOWN,	/* not to be known: another namespace, fds unreadable */
};

enum listener_verdict listener_check(const char *service, pid_t pid, int port,
		    char *why, size_t len);

#endif
