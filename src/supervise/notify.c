#include "supervise/notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"

/*
 * Datagrams read per wakeup: anyone may send, and a flood must not keep
 * the loop from everything else.
 */
#define NOTIFY_BATCH	64

struct notify_server {
	uv_poll_t	 poll;
	int		 fd;
	char		 address[64];	/* "@tend/notify/<16 hex digits>" */
	notify_message_cb cb;
	void		*arg;
};

static pid_t
notify_sender_pid(struct msghdr *mh)
{
	struct cmsghdr *cm;
	struct ucred cred;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(cred))) {
			memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
			return cred.pid;
		}
	}
	return 0;
}

static void
notify_server_readable(uv_poll_t *poll, int status, int events)
{
	struct notify_server *ns = poll->data;
	char buf[4096];
	union {
		struct cmsghdr	align;
		char		space[CMSG_SPACE(sizeof(struct ucred))];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr mh;
	ssize_t n;
	pid_t pid;
	int i;

	if (status < 0)
		return;
	for (i = 0; i < NOTIFY_BATCH; i++) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = &control;
		mh.msg_controllen = sizeof(control);
		n = recvmsg(ns->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
		if (n < 0)
			return;		/* EAGAIN: drained */
		if ((size_t)n >= sizeof(buf))
			continue;	/* too long for the protocol: dropped */
		buf[n] = '\0';
		pid = notify_sender_pid(&mh);
		if (pid > 0)
			ns->cb(ns->arg, pid, buf);
	}
}

/*
 * Binds a random abstract name, like systemd's "@/org/freedesktop/..."
 * but unguessable in advance, so no one can take it first.
 */
static int
notify_bind(int fd, char *address, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned char rnd[8];
	size_t namelen;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return -1;
		snprintf(address, len, "@tend/notify/%02x%02x%02x%02x%02x%02x%02x%02x",
		    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
		namelen = strlen(address);
		memcpy(sa.sun_path, address, namelen);
		sa.sun_path[0] = '\0';
		/* The name is exactly its bytes, as sd_notify clients send it. */
		if (bind(fd, (struct sockaddr *)&sa,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + namelen)) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -1;
	}
	return -1;
}

struct notify_server *
notify_server_open(uv_loop_t *loop, notify_message_cb cb, void *arg)
{
	struct notify_server *ns = xcalloc(1, sizeof(*ns));
	int one = 1;

	ns->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ns->fd < 0 || notify_bind(ns->fd, ns->address, sizeof(ns->address)) < 0 ||
	    setsockopt(ns->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		log_error(NULL, "notify socket: %s; services with ready: notify cannot "
		    "get ready", strerror(errno));
		if (ns->fd >= 0)
			close(ns->fd);
		free(ns);
		return NULL;
	}
	ns->cb = cb;
	ns->arg = arg;
	ns->poll.data = ns;
	uv_poll_init(loop, &ns->poll, ns->fd);
	uv_poll_start(&ns->poll, UV_READABLE, notify_server_readable);
	return ns;
}

const char *
notify_server_address(const struct notify_server *ns)
{
	return ns != NULL ? ns->address : NULL;
}

static void
notify_server_closed(uv_handle_t *handle)
{
	struct notify_server *ns = handle->data;

	close(ns->fd);
	free(ns);
}

void
notify_server_close(struct notify_server *ns)
{
	if (ns != NULL)
		uv_close((uv_handle_t *)&ns->poll, notify_server_closed);
}

int
notify_message_has(const char *msg, const char *assignment)
{
	size_t len = strlen(assignment);
	const char *p = msg;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, assignment, len) == 0 &&
		    (p[len] == '\n' || p[len] == '\0'))
			return 1;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return 0;
}
