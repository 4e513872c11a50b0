/*
 * The sd_notify protocol, server side: a datagram socket whose path is
 * given to services as NOTIFY_SOCKET. The kernel tells us the sender's pid
 * (SO_PASSCRED), so a service cannot speak for another.
 */
#ifndef TEND_SUPERVISE_NOTIFY_H
#define TEND_SUPERVISE_NOTIFY_H

#include <sys/types.h>

#include <uv.h>

/* Called once per datagram; msg is NUL-terminated ("READY=1\nSTATUS=..."). */
typedef void	(*notify_message_cb)(void *arg, pid_t pid, const char *msg);

struct notify_server;

struct notify_server *notify_server_open(uv_loop_t *loop, const char *path,
		    notify_message_cb cb, void *arg);
void		notify_server_close(struct notify_server *ns);

/* True when the message holds the assignment, e.g. "READY=1". */
int		notify_message_has(const char *msg, const char *assignment);

#endif
