#include "core/pathwalk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
pathwalk_root(struct pathwalk *pw)
{
	if (pw->dirfd >= 0)
		close(pw->dirfd);
	pw->dpath[0] = '\0';
	pw->dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return pw->dirfd < 0 ? -1 : fstat(pw->dirfd, &pw->dst);
}

int
pathwalk_start(struct pathwalk *pw, const char *path)
{
	pw->dirfd = -1;
	pw->links = 0;
	pw->rest = pw->todo;
	if (path[0] != '/' || strlen(path) >= sizeof(pw->todo)) {
		pw->todo[0] = '\0';
		errno = path[0] != '/' ? EINVAL : ENAMETOOLONG;
		return -1;
	}
	snprintf(pw->todo, sizeof(pw->todo), "%s", path);
	return pathwalk_root(pw);
}

bool
pathwalk_next(struct pathwalk *pw, char *comp, size_t len, bool *last)
{
	const char *s = pw->rest;
	size_t n;

	while (*s == '/')
		s++;
	if (*s == '\0')
		return false;
	n = strcspn(s, "/");
	if (n >= len)
		n = len - 1;
	memcpy(comp, s, n);
	comp[n] = '\0';
	s += strcspn(s, "/");
	pw->rest = s;
	while (*s == '/')
		s++;
	*last = *s == '\0';
	return true;
}

void
pathwalk_enter(struct pathwalk *pw, int fd, const struct stat *st, const char *comp)
{
	size_t len = strlen(pw->dpath);
	char *slash;

	close(pw->dirfd);
	pw->dirfd = fd;
	pw->dst = *st;
	if (strcmp(comp, "..") == 0) {
		if ((slash = strrchr(pw->dpath, '/')) != NULL)
			*slash = '\0';
	} else {
		snprintf(pw->dpath + len, sizeof(pw->dpath) - len, "/%s", comp);
	}
}

int
pathwalk_follow(struct pathwalk *pw, int link)
{
	char target[PATH_MAX], next[sizeof(pw->todo)];
	ssize_t n;

	if (++pw->links > PATHWALK_MAX_LINKS) {
		errno = ELOOP;
		return -1;
	}
	if ((n = readlinkat(link, "", target, sizeof(target) - 1)) < 0)
		return -1;
	target[n] = '\0';
	if ((size_t)snprintf(next, sizeof(next), "%s/%s", target, pw->rest) >= sizeof(next)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(pw->todo, next, sizeof(pw->todo));
	pw->rest = pw->todo;
	return target[0] == '/' ? pathwalk_root(pw) : 0;
}

void
pathwalk_end(struct pathwalk *pw)
{
	if (pw->dirfd >= 0)
		close(pw->dirfd);
	pw->dirfd = -1;
}

int
pathwalk_parent(const char *path, int flags, const char **base)
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
