/*
 * The sd_notify protocol, server side: a datagram socket in the abstract
 * namespace ("@tend/notify/<random>"), which a service reaches whatever
 * user it runs as — a path under the state dir would be root's alone. Any
 * local process can send to it, so a message counts only for the pid the
 * kernel vouches for (SO_PASSCRED): the receiver matches it to a service.
 */
#ifndef TEND_SUPERVISE_NOTIFY_H
#define TEND_SUPERVISE_NOTIFY_H

#include <sys/types.h>

#include <uv.h>

/* Called once per datagram; msg is NUL-terminated ("READY=1\nSTATUS=..."). */
typedef void	(*notify_message_cb)(void *arg, pid_t pid, const char *msg);

struct notify_server;

/* Binds a fresh abstract address; NULL (logged) when it cannot. */
struct notify_server *notify_server_open(uv_loop_t *loop, notify_message_cb cb, void *arg);
/* What NOTIFY_SOCKET says: "@tend/notify/..." */
const char	*notify_server_address(const struct notify_server *ns);
void		notify_server_close(struct notify_server *ns);

/* True when the message holds the assignment, e.g. "READY=1". */
int		notify_message_has(const char *msg, const char *assignment);

#endif
