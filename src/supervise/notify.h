/*
 * The sd_notify protocol, server side: one datagram socket for each
 * service that uses it, RUNTIME/NAME.notify in tend's runtime directory
 * (runtimedir_open), as systemd gives its services private sockets.
 * Only root writes in that directory and others may only pass through it;
 * the socket is 0600 from the moment it has a name (its mode is set before
 * bind) and then handed to the service's user: only that user and root can
 * send to it, so no one else can fill its queue while the service starts.
 * A message counts only when the kernel says (SO_PASSCRED) who sent it and
 * the receiver takes it as the service's; any other is logged, once at
 * warning level.
 */
#ifndef TEND_SUPERVISE_NOTIFY_H
#define TEND_SUPERVISE_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <uv.h>

struct statedir;

/*
 * Called once per datagram; msg is NUL-terminated ("READY=1\nSTATUS=...").
 * Returns false when pid is not the service's: the message is ignored.
 */
typedef bool	(*notify_message_cb)(void *arg, pid_t pid, const char *msg);

struct notify_socket;

/*
 * Binds RUNTIME/NAME.notify (replacing what a killed tend left) for the
 * service name, owned by uid:gid, mode 0600. NULL with err when it cannot
 * ("a path of 130 bytes, longer than a socket address holds (107): ...").
 */
struct notify_socket *notify_socket_open(uv_loop_t *loop, struct statedir *runtime,
		    const char *name, uid_t uid, gid_t gid, notify_message_cb cb, void *arg,
		    char *err, size_t errlen);
/* What NOTIFY_SOCKET says: the socket's absolute path. */
const char	*notify_socket_path(const struct notify_socket *ns);
/* Whether the socket is the one for a service run as uid:gid. */
bool		 notify_socket_is_for(const struct notify_socket *ns, uid_t uid, gid_t gid);
/* Removes the socket's name at once; its handle closes on the loop. NULL is fine. */
void		 notify_socket_close(struct notify_socket *ns);

/* True when the message holds the assignment, e.g. "READY=1". */
int		 notify_message_has(const char *msg, const char *assignment);

#endif
