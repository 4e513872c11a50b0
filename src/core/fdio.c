#include "core/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

int
fd_write_all(int fd, const void *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	const char *p = buf;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w > 0) {
			p += w;
			len -= (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			poll(&pfd, 1, -1);
		} else {
			if (w == 0)
				errno = EIO;
			return -1;
		}
	}
	return 0;
}

int
fd_temp_beside(const char *path, char **tmp)
{
	int fd;

	*tmp = xasprintf("%s.tend-XXXXXX", path);
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0) {
		free(*tmp);
		*tmp = NULL;
	}
	return fd;
}

int
file_replace(const char *path, const void *buf, size_t len, mode_t mode)
{
	char *tmp;
	int fd, rc, saved;

	if ((fd = fd_temp_beside(path, &tmp)) < 0)
		return -1;
	rc = fchmod(fd, mode) < 0 || fd_write_all(fd, buf, len) < 0 ? -1 : 0;
	saved = errno;
	if (close(fd) < 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = -1;
		saved = errno;
	}
	if (rc < 0) {
		unlink(tmp);
		errno = saved;
	}
	free(tmp);
	return rc;
}
