#include "supervise/pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/account.h"

/* As the kernel's own limit on symlinks in one lookup. */
#define PIDFILE_MAX_LINKS	40

/* Who besides root and tend's own user could have changed what the path names. */
struct writers {
	int	 users;		/* other users: 0, 1, or 2 for "more than one" */
	uid_t	 uid;		/* the one, when users == 1 */
	bool	 many;		/* a group or everyone */
	char	 what[PATH_MAX + 64];	/* the first finding, for the message */
};

/* Where the walk stands: a directory, its stat and its path for messages. */
struct walk {
	int		 dirfd;
	struct stat	 dst;
	char		 dpath[PATH_MAX];
	int		 links;
	struct writers	 w;
};

/* account_user's name, as an expression. */
static const char *
user_name(uid_t uid, char *buf, size_t len)
{
	account_user(uid, buf, len);
	return buf;
}

static const char *
group_name(gid_t gid, char *buf, size_t len)
{
	account_group(gid, buf, len);
	return buf;
}

static bool
uid_trusted(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static void __attribute__((format(printf, 2, 3)))
writers_note(struct writers *w, const char *fmt, ...)
{
	va_list ap;

	if (w->what[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(w->what, sizeof(w->what), fmt, ap);
	va_end(ap);
}

static void
writers_add_owner(struct writers *w, uid_t uid, const char *path)
{
	char name[64];

	if (uid_trusted(uid) || (w->users == 1 && w->uid == uid))
		return;
	if (w->users == 0)
		w->uid = uid;
	w->users = w->users == 0 ? 1 : 2;
	writers_note(w, "%s is owned by %s", path, user_name(uid, name, sizeof(name)));
}

static void
writers_add_mode(struct writers *w, const struct stat *st, const char *path)
{
	char name[64];

	if (st->st_mode & S_IWOTH) {
		w->many = true;
		writers_note(w, "%s is writable by everyone", path);
	} else if ((st->st_mode & S_IWGRP) && st->st_gid != 0) {
		w->many = true;
		writers_note(w, "%s is writable by group %s", path,
		    group_name(st->st_gid, name, sizeof(name)));
	}
}

/* Who can replace the entry est (at epath) in the walk's directory. */
static void
writers_add_entry(struct walk *wk, const struct stat *est, const char *epath)
{
	const char *dpath = wk->dpath[0] != '\0' ? wk->dpath : "/";

	writers_add_owner(&wk->w, wk->dst.st_uid, dpath);
	/* Sticky (/tmp): others may add names, not replace one they do not own. */
	if (wk->dst.st_mode & S_ISVTX)
		writers_add_owner(&wk->w, est->st_uid, epath);
	else
		writers_add_mode(&wk->w, &wk->dst, dpath);
}

static bool
writers_trusted(const struct writers *w)
{
	return w->users == 0 && !w->many;
}

static int
walk_root(struct walk *wk)
{
	if (wk->dirfd >= 0)
		close(wk->dirfd);
	wk->dpath[0] = '\0';
	wk->dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return wk->dirfd < 0 ? -1 : fstat(wk->dirfd, &wk->dst);
}

/* Into the directory fd (the entry comp of the current one). */
static void
walk_enter(struct walk *wk, int fd, const struct stat *st, const char *comp)
{
	char *slash;

	close(wk->dirfd);
	wk->dirfd = fd;
	wk->dst = *st;
	if (strcmp(comp, "..") == 0) {
		if ((slash = strrchr(wk->dpath, '/')) != NULL)
			*slash = '\0';
	} else {
		snprintf(wk->dpath + strlen(wk->dpath), sizeof(wk->dpath) - strlen(wk->dpath),
		    "/%s", comp);
	}
}

/*
 * A symlink at fd, found where only trusted users write: the rest of the
 * walk becomes its target followed by what was left (in todo, at *rest).
 */
static int
walk_follow(struct walk *wk, int fd, char *todo, size_t todolen, const char **rest,
    char *why, size_t len)
{
	char target[PATH_MAX], next[2 * PATH_MAX];
	ssize_t n;

	if (++wk->links > PIDFILE_MAX_LINKS) {
		snprintf(why, len, "too many symlinks");
		return -1;
	}
	n = readlinkat(fd, "", target, sizeof(target) - 1);
	if (n < 0) {
		snprintf(why, len, "cannot read a symlink: %s", strerror(errno));
		return -1;
	}
	target[n] = '\0';
	if ((size_t)snprintf(next, sizeof(next), "%s/%s", target, *rest) >= todolen) {
		snprintf(why, len, "the path is too long");
		return -1;
	}
	snprintf(todo, todolen, "%s", next);
	*rest = todo;
	if (target[0] == '/' && walk_root(wk) < 0) {
		snprintf(why, len, "cannot open /: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The next component of *p into comp; false at the end of the path. */
static bool
walk_next(const char **p, char *comp, size_t len, bool *last)
{
	const char *s = *p, *slash;
	size_t n;

	while (*s == '/')
		s++;
	if (*s == '\0')
		return false;
	slash = strchr(s, '/');
	n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (n >= len)
		n = len - 1;
	memcpy(comp, s, n);
	comp[n] = '\0';
	s += n;
	*p = s;
	while (*s == '/')
		s++;
	*last = *s == '\0';
	return true;
}

/*
 * Walks path from / one component at a time, never following a symlink
 * where someone else could have put it, noting who could have changed
 * each step. The file, once reached, is opened for reading in *fd.
 */
static enum pidfile_result
pidfile_walk(const char *path, struct walk *wk, int *fd, struct stat *fst, char *why,
    size_t len)
{
	char todo[2 * PATH_MAX], comp[NAME_MAX + 1], epath[PATH_MAX + NAME_MAX + 2];
	char proc[64];
	const char *p = todo;
	struct stat st;
	bool last;
	int e;

	snprintf(todo, sizeof(todo), "%s", path);
	if (path[0] != '/' || walk_root(wk) < 0) {
		snprintf(why, len, "not an absolute path");
		return PIDFILE_REFUSED;
	}
	while (walk_next(&p, comp, sizeof(comp), &last)) {
		if (strcmp(comp, ".") == 0 && !last)
			continue;
		snprintf(epath, sizeof(epath), "%s/%s", wk->dpath, comp);
		e = openat(wk->dirfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (e < 0) {
			snprintf(why, len, "%s: %s", epath, strerror(errno));
			return errno == ENOENT ? PIDFILE_NONE : PIDFILE_REFUSED;
		}
		if (fstat(e, &st) < 0) {
			snprintf(why, len, "%s: %s", epath, strerror(errno));
			close(e);
			return PIDFILE_REFUSED;
		}
		if (strcmp(comp, "..") != 0)
			writers_add_entry(wk, &st, epath);
		if (S_ISLNK(st.st_mode)) {
			if (!writers_trusted(&wk->w)) {
				snprintf(why, len, "%s is a symlink and %s: not followed", epath,
				    wk->w.what);
				close(e);
				return PIDFILE_REFUSED;
			}
			if (walk_follow(wk, e, todo, sizeof(todo), &p, why, len) < 0) {
				close(e);
				return PIDFILE_REFUSED;
			}
			close(e);
			continue;
		}
		if (last) {
			if (!S_ISREG(st.st_mode)) {
				snprintf(why, len, "%s is not a regular file", epath);
				close(e);
				return PIDFILE_REFUSED;
			}
			writers_add_owner(&wk->w, st.st_uid, epath);
			writers_add_mode(&wk->w, &st, epath);
			/* The very inode walked to, now opened for reading. */
			snprintf(proc, sizeof(proc), "/proc/self/fd/%d", e);
			*fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
			close(e);
			if (*fd < 0) {
				snprintf(why, len, "%s: %s", epath, strerror(errno));
				return PIDFILE_REFUSED;
			}
			*fst = st;
			return PIDFILE_PID;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(why, len, "%s is not a directory", epath);
			close(e);
			return PIDFILE_REFUSED;
		}
		walk_enter(wk, e, &st, comp);
	}
	snprintf(why, len, "%s is a directory", path);
	return PIDFILE_REFUSED;
}

/* The pid in the file's first line; 0 when there is none. */
static pid_t
pidfile_parse(int fd)
{
	char buf[64], *end;
	ssize_t n;
	long pid;

	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || pid <= 0 || pid > INT_MAX ||
	    (*end != '\0' && *end != '\n' && *end != ' ' && *end != '\t' && *end != '\r'))
		return 0;
	return (pid_t)pid;
}

/* Whether the only other user who could write the file runs the process. */
static bool
pidfile_user_owns(const struct writers *w, const struct proc_info *pi)
{
	return w->users == 0 ||
	    (w->users == 1 && pi->uid == w->uid && pi->euid == w->uid && pi->suid == w->uid);
}

enum pidfile_result
pidfile_read(const char *path, struct proc_info *pi, char *why, size_t len)
{
	struct walk wk = { .dirfd = -1 };
	char owner[64], writer[64], runs_as[64], what[3 * PATH_MAX];
	enum pidfile_result res;
	struct stat st;
	pid_t pid;
	int fd = -1;

	res = pidfile_walk(path, &wk, &fd, &st, what, sizeof(what));
	if (wk.dirfd >= 0)
		close(wk.dirfd);
	if (res == PIDFILE_REFUSED)
		snprintf(why, len, "pidfile %s refused: %s", path, what);
	if (res != PIDFILE_PID) {
		if (res == PIDFILE_NONE)
			snprintf(why, len, "no pidfile (%s)", what);
		return res;
	}
	pid = pidfile_parse(fd);
	close(fd);
	user_name(st.st_uid, owner, sizeof(owner));
	if (wk.w.many || wk.w.users > 1) {
		snprintf(why, len, "pidfile %s (owner %s, mode %04o) refused: %s; only root "
		    "and one other user may be able to write a pidfile and the "
		    "directories above it", path, owner, (unsigned)(st.st_mode & 07777),
		    wk.w.what);
		return PIDFILE_REFUSED;
	}
	if (pid == 0) {
		snprintf(why, len, "%s holds no pid", path);
		return PIDFILE_NONE;
	}
	if (pid == 1 || pid == getpid()) {
		snprintf(why, len, "pidfile %s (owner %s) refused: it names pid %d, %s", path,
		    owner, (int)pid, pid == 1 ? "init" : "tend itself");
		return PIDFILE_REFUSED;
	}
	if (proc_info_read(pid, pi) < 0 || pi->state == 'Z' || pi->state == 'X') {
		snprintf(why, len, "pid %d in %s is not running", (int)pid, path);
		return PIDFILE_NONE;
	}
	if (!pidfile_user_owns(&wk.w, pi)) {
		snprintf(why, len, "pidfile %s (owner %s) refused: %s, and pid %d (%s) runs as "
		    "%s, not as %s", path, owner, wk.w.what, (int)pid, pi->comm,
		    user_name(pi->euid != wk.w.uid ? pi->euid : pi->uid, runs_as,
		    sizeof(runs_as)), user_name(wk.w.uid, writer, sizeof(writer)));
		return PIDFILE_REFUSED;
	}
	return PIDFILE_PID;
}
