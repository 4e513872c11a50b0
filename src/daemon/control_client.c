#include "daemon/control.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/mem.h"

#define CONTROL_TIMEOUT_MS	10000
/* A live tend answers at once; this bounds the wait on a stray socket. */
#define CONTROL_ALIVE_MS	3000

static int
control_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "tend is not running (cannot connect to %s: %s)",
		    path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
control_send(int fd, const char *text, char *err, size_t errlen)
{
	size_t len = strlen(text), off = 0;
	ssize_t n;

	while (off < len) {
		n = send(fd, text + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "send: %s", strerror(errno));
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/* Reads until newline or EOF, within the timeout. */
static char *
control_receive(int fd, char *err, size_t errlen)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap);
	ssize_t n;

	for (;;) {
		if (poll(&pfd, 1, CONTROL_TIMEOUT_MS) <= 0) {
			snprintf(err, errlen, "no answer from tend within %ds",
			    CONTROL_TIMEOUT_MS / 1000);
			free(buf);
			return NULL;
		}
		if (len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(buf, '\n', len) != NULL)
			break;
	}
	buf[len] = '\0';
	return buf;
}

int
control_call(const char *path, json_t *request, json_t **answer, char *err,
    size_t errlen)
{
	json_error_t jerr;
	char *text, *line, *reply;
	int fd, rc;

	fd = control_connect(path, err, errlen);
	if (fd < 0)
		return -1;
	text = json_dumps(request, JSON_COMPACT);
	line = xasprintf("%s\n", text);
	free(text);
	rc = control_send(fd, line, err, errlen);
	free(line);
	reply = rc == 0 ? control_receive(fd, err, errlen) : NULL;
	close(fd);
	if (reply == NULL)
		return -1;
	*answer = json_loads(reply, 0, &jerr);
	free(reply);
	if (*answer == NULL) {
		snprintf(err, errlen, "bad answer from tend: %s", jerr.text);
		return -1;
	}
	return 0;
}

/*
 * A socket that accepts a connection is not enough: a process that
 * inherited the listening socket of a tend that died (whatever it was)
 * keeps it accepting. The tend that listened is the peer SO_PEERCRED
 * names; it must still run and answer a line.
 */
pid_t
control_daemon_alive(const char *path)
{
	struct pollfd pfd = { .events = POLLIN };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char err[256], c;
	pid_t pid = 0;

	if ((pfd.fd = control_connect(path, err, sizeof(err))) < 0)
		return 0;
	if (getsockopt(pfd.fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	    cred.pid > 0 && (kill(cred.pid, 0) == 0 || errno == EPERM) &&
	    control_send(pfd.fd, "{\"cmd\":\"ping\"}\n", err, sizeof(err)) == 0 &&
	    poll(&pfd, 1, CONTROL_ALIVE_MS) == 1 && recv(pfd.fd, &c, 1, 0) == 1)
		pid = cred.pid;
	close(pfd.fd);
	return pid;
}
