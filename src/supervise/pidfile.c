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
#include "core/owner.h"
#include "core/pathwalk.h"

/* Who besides root and tend's own user could have changed what the path names. */
struct writers {
	int	 users;		/* other users: 0, 1, or 2 for "more than one" */
	uid_t	 uid;		/* the one, when users == 1 */
	bool	 many;		/* a group or everyone */
	char	 what[PATH_MAX + 64];	/* the first finding, for the message */
};

/* Where the walk stands, and who could have changed what it went through. */
struct walk {
	struct pathwalk	 pw;
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

	if (owner_trusted(uid) || (w->users == 1 && w->uid == uid))
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
	const char *dpath = wk->pw.dpath[0] != '\0' ? wk->pw.dpath : "/";

	writers_add_owner(&wk->w, wk->pw.dst.st_uid, dpath);
	/* Sticky (/tmp): others may add names, not replace one they do not own. */
	if (wk->pw.dst.st_mode & S_ISVTX)
		writers_add_owner(&wk->w, est->st_uid, epath);
	else
		writers_add_mode(&wk->w, &wk->pw.dst, dpath);
}

static bool
writers_trusted(const struct writers *w)
{
	return w->users == 0 && !w->many;
}

/* Why a link could not be followed. */
static void
follow_failed(const char *epath, char *why, size_t len)
{
	if (errno == ELOOP)
		snprintf(why, len, "%s: too many symlinks", epath);
	else if (errno == ENAMETOOLONG)
		snprintf(why, len, "%s: the path is too long", epath);
	else
		snprintf(why, len, "%s: cannot read a symlink: %s", epath, strerror(errno));
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
	char comp[NAME_MAX + 1], epath[PATH_MAX + NAME_MAX + 2], proc[64];
	struct stat st;
	bool last;
	int e;

	if (pathwalk_start(&wk->pw, path) < 0) {
		if (errno == EINVAL)
			snprintf(why, len, "not an absolute path");
		else
			snprintf(why, len, "cannot open /: %s", strerror(errno));
		return PIDFILE_REFUSED;
	}
	while (pathwalk_next(&wk->pw, comp, sizeof(comp), &last)) {
		if (strcmp(comp, ".") == 0 && !last)
			continue;
		snprintf(epath, sizeof(epath), "%s/%s", wk->pw.dpath, comp);
		e = openat(wk->pw.dirfd, comp, PATHWALK_OPEN);
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
			if (pathwalk_follow(&wk->pw, e) < 0) {
				follow_failed(epath, why, len);
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
		pathwalk_enter(&wk->pw, e, &st, comp);
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
	struct walk wk = { .pw.dirfd = -1 };
	char owner[64], writer[64], runs_as[64], what[3 * PATH_MAX];
	enum pidfile_result res;
	struct stat st;
	pid_t pid;
	int fd = -1;

	res = pidfile_walk(path, &wk, &fd, &st, what, sizeof(what));
	pathwalk_end(&wk.pw);
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
