#include "supervise/notify.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"

struct notify_server {
	uv_poll_t	 poll;
	int		 fd;
	char		*path;
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

	if (status < 0)
		return;
	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = &control;
		mh.msg_controllen = sizeof(control);
		n = recvmsg(ns->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0)
			return;		/* EAGAIN: drained */
		buf[n] = '\0';
		pid = notify_sender_pid(&mh);
		if (pid > 0)
			ns->cb(ns->arg, pid, buf);
	}
}

struct notify_server *
notify_server_open(uv_loop_t *loop, const char *path, notify_message_cb cb,
    void *arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct notify_server *ns;
	int fd, one = 1;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_error(NULL, "notify socket path too long: %s", path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		log_error(NULL, "notify socket: %s", strerror(errno));
		return NULL;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		log_error(NULL, "notify socket %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	ns = xcalloc(1, sizeof(*ns));
	ns->fd = fd;
	ns->path = xstrdup(path);
	ns->cb = cb;
	ns->arg = arg;
	ns->poll.data = ns;
	uv_poll_init(loop, &ns->poll, fd);
	uv_poll_start(&ns->poll, UV_READABLE, notify_server_readable);
	return ns;
}

static void
notify_server_closed(uv_handle_t *handle)
{
	struct notify_server *ns = handle->data;

	close(ns->fd);
	unlink(ns->path);
	free(ns->path);
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
