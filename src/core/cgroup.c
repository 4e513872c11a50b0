#include "core/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/pathwalk.h"

/*
 * One space-separated field of a mountinfo line into out, its octal
 * escapes (\040 for a space) undone; the text after it, or NULL.
 */
static const char *
mountinfo_field(const char *s, char *out, size_t len)
{
	size_t n = 0;

	while (*s == ' ')
		s++;
	if (*s == '\0' || *s == '\n')
		return NULL;
	for (; *s != '\0' && *s != ' ' && *s != '\n'; s++) {
		char c = *s;

		if (c == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			c = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	if (len > 0)
		out[n] = '\0';
	return s;
}

/* A line's root, mount point and file system type; false when it has fewer fields. */
static bool
mountinfo_line(const char *line, char *root, char *mnt, char *fstype, size_t len)
{
	char skip[PATH_MAX];
	const char *s = line, *dash;
	int i;

	for (i = 0; i < 3 && s != NULL; i++)
		s = mountinfo_field(s, skip, sizeof(skip));
	if (s == NULL || (s = mountinfo_field(s, root, len)) == NULL ||
	    (s = mountinfo_field(s, mnt, len)) == NULL)
		return false;
	/* The optional fields end at a lone "-"; the type follows it. */
	dash = strstr(s, " - ");
	if (dash == NULL || memchr(s, '\n', (size_t)(dash - s)) != NULL)
		return false;
	return mountinfo_field(dash + 3, fstype, len) != NULL;
}

int
cgroup_find_mount(const char *mountinfo, char *mnt, size_t mnt_len, char *root,
    size_t root_len)
{
	char r[PATH_MAX], m[PATH_MAX], type[PATH_MAX];
	const char *line;
	bool found = false;

	for (line = mountinfo; line != NULL && *line != '\0'; line = strchr(line, '\n'),
	    line = line != NULL ? line + 1 : NULL) {
		if (!mountinfo_line(line, r, m, type, sizeof(r)) || strcmp(type, "cgroup2") != 0)
			continue;
		/* The first, unless the usual place comes later. */
		if (found && strcmp(m, "/sys/fs/cgroup") != 0)
			continue;
		snprintf(mnt, mnt_len, "%s", m);
		snprintf(root, root_len, "%s", r);
		found = true;
	}
	return found ? 0 : -1;
}

int
cgroup_find_own(const char *proc_cgroup, char *path, size_t len)
{
	const char *line, *end;

	for (line = proc_cgroup; line != NULL && *line != '\0'; line = strchr(line, '\n'),
	    line = line != NULL ? line + 1 : NULL) {
		if (strncmp(line, "0::/", 4) != 0)
			continue;
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		if ((size_t)(end - line - 3) >= len)
			return -1;
		memcpy(path, line + 3, (size_t)(end - line - 3));
		path[end - line - 3] = '\0';
		return 0;
	}
	return -1;
}

int
cgroup_dir_path(const char *mnt, const char *root, const char *own, char *out, size_t len)
{
	size_t rl = strlen(root);
	const char *rest;
	int n;

	if (strcmp(root, "/") == 0)
		rest = own;
	else if (strncmp(own, root, rl) == 0 && (own[rl] == '/' || own[rl] == '\0'))
		rest = own + rl;
	else
		return -1;
	/* "/" below the mount is the mount itself. */
	while (*rest == '/')
		rest++;
	n = snprintf(out, len, "%s%s%s", mnt, *rest != '\0' && strcmp(mnt, "/") != 0 ?
	    "/" : "", rest);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

bool
cgroup_list_has(const char *list, const char *ctrl)
{
	size_t n = strlen(ctrl);
	const char *p;

	for (p = list; (p = strstr(p, ctrl)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' ||
		    p[n] == '\n'))
			return true;
	return false;
}

/* dir is a directory on cgroup2, or -1 with errno (and dir closed). */
static int
cgroup_verified(int dir)
{
	struct statfs sfs;

	if (dir < 0)
		return -1;
	if (fstatfs(dir, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		close(dir);
		errno = EXDEV;
		return -1;
	}
	return dir;
}

int
cgroup_open(const char *path)
{
	const char *base;
	int parent, dir, saved;

	if (strcmp(path, "/") == 0)
		return cgroup_verified(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if ((parent = pathwalk_parent(path, O_PATH, &base)) < 0)
		return -1;
	dir = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	saved = errno;
	close(parent);
	errno = saved;
	return cgroup_verified(dir);
}

int
cgroup_open_child(int dir, const char *name, bool create)
{
	if (strchr(name, '/') != NULL || strcmp(name, "..") == 0 || strcmp(name, ".") == 0) {
		errno = EINVAL;
		return -1;
	}
	if (create && mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
		return -1;
	return cgroup_verified(openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC));
}

int
cgroup_write(int dir, const char *file, const char *text)
{
	int fd, rc = 0;

	if ((fd = openat(dir, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno;
	/* One write: the kernel takes a control file's value from a single call. */
	if (write(fd, text, strlen(text)) < 0)
		rc = errno;
	close(fd);
	return rc;
}

long
cgroup_read(int dir, const char *file, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n = 0;
	int fd;

	if ((fd = openat(dir, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	while (got + 1 < len && ((n = read(fd, buf + got, len - 1 - got)) > 0 ||
	    (n < 0 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	close(fd);
	if (n < 0)
		return -1;
	buf[got] = '\0';
	return (long)got;
}

int
cgroup_read_u64(int dir, const char *file, const char *key, uint64_t *out)
{
	char buf[4096], *p = buf, *end;
	size_t kl;

	if (cgroup_read(dir, file, buf, sizeof(buf)) < 0)
		return -1;
	if (key != NULL) {
		kl = strlen(key);
		for (p = buf; p != NULL; p = strchr(p, '\n'), p = p != NULL ? p + 1 : NULL)
			if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
				break;
		if (p == NULL)
			return -1;
		p += kl + 1;
	}
	if (strncmp(p, "max", 3) == 0) {
		*out = CGROUP_MAX;
		return 0;
	}
	errno = 0;
	*out = strtoull(p, &end, 10);
	return end == p || errno != 0 ? -1 : 0;
}

int
cgroup_populated(int dir)
{
	uint64_t v;

	if (cgroup_read_u64(dir, "cgroup.events", "populated", &v) < 0)
		return -1;
	return v != 0;
}

int
cgroup_kill(int dir)
{
	return cgroup_write(dir, "cgroup.kill", "1");
}
