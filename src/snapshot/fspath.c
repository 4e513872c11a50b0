/*
 * Paths of a set, outside the state dir: each reached from / one
 * component at a time with O_NOFOLLOW, so that no link another user made
 * can send a read or, worse, a restore somewhere else.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "snapshot/snapshot_internal.h"

int64_t
fspath_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

int
fspath_parent(const char *path, int flags, const char **base)
{
	char comp[NAME_MAX + 1];
	const char *p = path, *slash;
	size_t len;
	int fd, next, saved;

	if (path[0] != '/' || (*base = strrchr(path, '/'))[1] == '\0') {
		errno = EINVAL;
		return -1;
	}
	(*base)++;
	if ((fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	while (*p == '/')
		p++;
	while ((slash = strchr(p, '/')) != NULL) {
		len = (size_t)(slash - p);
		if (len == 0 || len > NAME_MAX) {
			close(fd);
			errno = len == 0 ? EINVAL : ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		p = slash + 1;
		/* The last directory is opened as the caller asks. */
		next = openat(fd, comp, (strchr(p, '/') == NULL ? flags : O_PATH) |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		saved = errno;
		close(fd);
		if (next < 0) {
			errno = saved == ELOOP ? ENOTDIR : saved;
			return -1;
		}
		fd = next;
	}
	if (flags != O_PATH && p == path + 1) {
		/* A path right under /: the parent is / itself. */
		close(fd);
		fd = open("/", flags | O_DIRECTORY | O_CLOEXEC);
	}
	return fd;
}
