#include "supervise/notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/statedir.h"

/*
 * Datagrams read per wakeup: the service's user may send as fast as it
 * likes, and that must not keep the loop from everything else.
 */
#define NOTIFY_BATCH	64
#define NOTIFY_MODE	0600	/* the service's user's alone */

struct notify_socket {
	uv_poll_t	 poll;
	int		 fd;
	struct statedir	*runtime;
	char		*rel;		/* "NAME.notify", in the runtime dir */
	char		*path;		/* its absolute path: NOTIFY_SOCKET */
	char		*name;		/* the service's, for the log */
	uid_t		 uid;
	gid_t		 gid;
	bool		 warned;	/* a stranger's message was logged once */
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

/* Only the service's user can send: another of its processes, say so once. */
static void
notify_stranger(struct notify_socket *ns, pid_t pid)
{
	log_msg(ns->warned ? LOG_DEBUG : LOG_WARN, ns->name, "notify message from pid %d "
	    "ignored: not the service's process%s", (int)pid, ns->warned ? "" :
	    " (further ones are logged at debug level)");
	ns->warned = true;
}

static void
notify_readable(uv_poll_t *poll, int status, int events)
{
	struct notify_socket *ns = poll->data;
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
		if (pid <= 0 || !ns->cb(ns->arg, pid, buf))
			notify_stranger(ns, pid);
	}
}

/*
 * The socket's name, made for its user only. The mode set before bind is
 * the mode of the name bind makes (less the umask), so there is no moment
 * when another user could connect to it — a connected datagram socket
 * keeps sending without asking again. Only root writes in the runtime dir,
 * so the path leads where it says.
 */
static int
notify_bind(struct notify_socket *ns, char *step, size_t steplen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int one = 1;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ns->path);
	if (fchmod(ns->fd, NOTIFY_MODE) < 0) {
		snprintf(step, steplen, "fchmod");
		return -1;
	}
	if (statedir_unlink(ns->runtime, ns->rel) < 0 && errno != ENOENT) {
		snprintf(step, steplen, "removing the old one");
		return -1;
	}
	if (bind(ns->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(step, steplen, "bind");
		return -1;
	}
	if (lstat(ns->path, &st) < 0) {
		snprintf(step, steplen, "stat");
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(step, steplen, "made with mode %04o, not %04o",
		    (unsigned)(st.st_mode & 07777), NOTIFY_MODE);
		errno = EPERM;
		return -1;
	}
	if (statedir_chown(ns->runtime, ns->rel, ns->uid, ns->gid) < 0) {
		snprintf(step, steplen, "chown to uid %u", (unsigned)ns->uid);
		return -1;
	}
	if (setsockopt(ns->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		snprintf(step, steplen, "SO_PASSCRED");
		return -1;
	}
	return 0;
}

static void
notify_socket_free(struct notify_socket *ns)
{
	if (ns->fd >= 0)
		close(ns->fd);
	free(ns->rel);
	free(ns->path);
	free(ns->name);
	free(ns);
}

struct notify_socket *
notify_socket_open(uv_loop_t *loop, struct statedir *runtime, const char *name, uid_t uid,
    gid_t gid, notify_message_cb cb, void *arg, char *err, size_t errlen)
{
	struct notify_socket *ns = xcalloc(1, sizeof(*ns));
	struct sockaddr_un sa;
	char step[64];
	int rc;

	ns->runtime = runtime;
	ns->rel = xasprintf("%s.notify", name);
	ns->path = statedir_file(runtime, ns->rel);
	ns->name = xstrdup(name);
	ns->uid = uid;
	ns->gid = gid;
	ns->cb = cb;
	ns->arg = arg;
	ns->fd = -1;
	if (strlen(ns->path) >= sizeof(sa.sun_path)) {
		/* The path last: it is long, and the reason must not be cut off. */
		snprintf(err, errlen, "a path of %zu bytes, longer than a socket address "
		    "holds (%zu): shorten the service's name or the runtime dir "
		    "(TEND_RUNTIME_DIR): %s", strlen(ns->path), sizeof(sa.sun_path) - 1,
		    ns->path);
		notify_socket_free(ns);
		return NULL;
	}
	ns->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ns->fd < 0 || notify_bind(ns, step, sizeof(step)) < 0) {
		snprintf(err, errlen, "%s: %s: %s", ns->path, ns->fd < 0 ? "socket" : step,
		    strerror(errno));
		if (ns->fd >= 0)
			statedir_unlink(runtime, ns->rel);
		notify_socket_free(ns);
		return NULL;
	}
	if ((rc = uv_poll_init(loop, &ns->poll, ns->fd)) != 0) {
		snprintf(err, errlen, "%s: %s", ns->path, uv_strerror(rc));
		statedir_unlink(runtime, ns->rel);
		notify_socket_free(ns);
		return NULL;
	}
	ns->poll.data = ns;
	uv_poll_start(&ns->poll, UV_READABLE, notify_readable);
	return ns;
}

const char *
notify_socket_path(const struct notify_socket *ns)
{
	return ns->path;
}

bool
notify_socket_is_for(const struct notify_socket *ns, uid_t uid, gid_t gid)
{
	return ns->uid == uid && ns->gid == gid;
}

static void
notify_socket_closed(uv_handle_t *handle)
{
	notify_socket_free(handle->data);
}

void
notify_socket_close(struct notify_socket *ns)
{
	if (ns == NULL)
		return;
	statedir_unlink(ns->runtime, ns->rel);
	uv_close((uv_handle_t *)&ns->poll, notify_socket_closed);
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
