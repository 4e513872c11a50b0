#include "core/statedir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fdio.h"
#include "core/mem.h"
#include "core/owner.h"

#define STATEDIR_MODE	0750	/* the directory and the subdirectories tend makes */
#define PARENT_MODE	0755	/* parents it makes on the way, as mkdir -p would */
#define SCAN_MAX	10000	/* entries looked at when opening: a huge cache stays cheap */
#define OPEN_DIR	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct statedir {
	int		 fd;
	char		*path;
};

/* One verification of a state dir: what it finds goes to fn. */
struct walk {
	bool		 create;
	mode_t		 mode;		/* of the directory, when it is made */
	statedir_report_fn fn;
	void		*arg;
	bool		 failed;
	int		 scanned;
};

static void
walk_say(struct walk *w, const char *path, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
walk_say(struct walk *w, const char *path, bool ok, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!ok)
		w->failed = true;
	w->fn(w->arg, path, ok, what);
}

static bool
others_can_write(const struct stat *st)
{
	return (st->st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

/*
 * A parent another user could change lets them put a directory of their
 * own in the state dir's place. The sticky bit (/tmp) stops them renaming
 * or removing what is not theirs.
 */
static bool
check_parent(struct walk *w, const char *path, const struct stat *st)
{
	char who[128];

	if (!owner_trusted(st->st_uid)) {
		owner_name(st->st_uid, who, sizeof(who));
		walk_say(w, path, false, "is a parent of the state dir and belongs to %s, who "
		    "could replace the state dir; choose one whose parents are root's", who);
		return false;
	}
	if (others_can_write(st) && (st->st_mode & S_ISVTX) == 0) {
		walk_say(w, path, false, "is a parent of the state dir and writable by %s "
		    "(mode %04o) without the sticky bit, who could replace the state dir; "
		    "chmod go-w it or choose another state dir", (st->st_mode & S_IWOTH) ?
		    "others" : "its group", (unsigned)(st->st_mode & 07777));
		return false;
	}
	return true;
}

/* A directory only its owner may change. */
static bool
check_unwritable(struct walk *w, const char *path, const struct stat *st)
{
	if (!others_can_write(st))
		return true;
	walk_say(w, path, false, "is writable by %s (mode %04o); chmod go-w it",
	    (st->st_mode & S_IWOTH) ? "others" : "its group",
	    (unsigned)(st->st_mode & 07777));
	return false;
}

static bool
check_dir(struct walk *w, const char *path, const struct stat *st)
{
	char who[128], me[128];

	if (!S_ISDIR(st->st_mode)) {
		walk_say(w, path, false, "is not a directory");
		return false;
	}
	if (st->st_uid != geteuid()) {
		owner_name(st->st_uid, who, sizeof(who));
		owner_name(geteuid(), me, sizeof(me));
		walk_say(w, path, false, "is owned by %s, not by %s whom tend runs as: its "
		    "owner may have planted a token, a socket or links in it; remove it, or "
		    "chown it if you trust what is in it", who, me);
		return false;
	}
	return check_unwritable(w, path, st);
}

/* Something in the state dir, or in one of its subdirectories. */
static bool
check_entry(struct walk *w, const char *path, const struct stat *st)
{
	char who[128];

	if (S_ISLNK(st->st_mode)) {
		walk_say(w, path, false, "is a symbolic link, and tend follows none in its "
		    "state dir; remove it");
		return false;
	}
	if (!owner_trusted(st->st_uid)) {
		owner_name(st->st_uid, who, sizeof(who));
		walk_say(w, path, false, "is owned by %s, who should have nothing in the "
		    "state dir; remove it", who);
		return false;
	}
	return !S_ISDIR(st->st_mode) || check_unwritable(w, path, st);
}

/* The entries of the state dir (depth 0) and of its subdirectories (depth 1). */
static void
scan(struct walk *w, int dirfd, const char *path, int depth)
{
	struct dirent *de;
	struct stat st;
	char *sub;
	DIR *d;
	int fd;

	if ((fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		walk_say(w, path, false, "cannot be listed: %s", strerror(errno));
		return;
	}
	while (w->scanned < SCAN_MAX && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		w->scanned++;
		sub = xasprintf("%s/%s", path, de->d_name);
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				walk_say(w, sub, false, "cannot be examined: %s",
				    strerror(errno));
		} else if (check_entry(w, sub, &st) && S_ISDIR(st.st_mode) && depth == 0 &&
		    (fd = openat(dirfd, de->d_name, OPEN_DIR)) >= 0) {
			scan(w, fd, sub, depth + 1);
			close(fd);
		}
		free(sub);
	}
	closedir(d);
}

/*
 * path made absolute and resolved by realpath(3) as far as it exists, the
 * rest appended as given: every parent that exists is then a directory,
 * not a link, and the walk below can refuse links. NULL with errno.
 */
static char *
canonical(const char *path)
{
	char cwd[PATH_MAX], *abs, *real = NULL, *rest, *out;
	size_t end;

	if (path[0] == '/')
		abs = xstrdup(path);
	else if (getcwd(cwd, sizeof(cwd)) != NULL)
		abs = xasprintf("%s/%s", cwd, path);
	else
		return NULL;
	for (end = strlen(abs); real == NULL; end = (size_t)(rest - abs)) {
		rest = xstrndup(abs, end);
		real = realpath(end == 0 ? "/" : rest, NULL);
		free(rest);
		if (real == NULL && errno != ENOENT && errno != ENOTDIR) {
			free(abs);
			return NULL;
		}
		if (real != NULL)
			break;
		rest = memrchr(abs, '/', end);
	}
	rest = abs + end;
	if (strstr(rest, "/../") != NULL || strstr(rest, "/./") != NULL ||
	    (strlen(rest) >= 3 && strcmp(rest + strlen(rest) - 3, "/..") == 0) ||
	    (strlen(rest) >= 2 && strcmp(rest + strlen(rest) - 2, "/.") == 0)) {
		free(abs);
		free(real);
		errno = EINVAL;
		return NULL;
	}
	out = xasprintf("%s%s", strcmp(real, "/") == 0 ? "" : real, rest);
	free(abs);
	free(real);
	if (out[0] == '\0') {
		free(out);
		out = xstrdup("/");
	}
	return out;
}

/* "/a/b" of path for comp "b", a component of copy (path's copy cut by strtok_r). */
static char *
prefix_through(const char *path, const char *copy, const char *comp)
{
	return xstrndup(path, (size_t)(comp - copy) + strlen(comp));
}

/* comp and what follows it are missing: what would be created. */
static void
walk_would_create(struct walk *w, const char *path, const char *copy, char *comp,
    char **save)
{
	char *sofar, *next;

	for (; comp != NULL; comp = next) {
		next = strtok_r(NULL, "/", save);
		sofar = prefix_through(path, copy, comp);
		walk_say(w, sofar, true, "does not exist yet; tend would create it (mode %04o, "
		    "owner uid %u)", next == NULL ? w->mode : PARENT_MODE,
		    (unsigned)geteuid());
		free(sofar);
	}
}

/* mkdirat then open; what it made has exactly mode, whatever the umask. */
static int
make_dir(int dirfd, const char *name, mode_t mode)
{
	bool made = mkdirat(dirfd, name, mode) == 0;
	int fd;

	if (!made && errno != EEXIST)
		return -1;
	if ((fd = openat(dirfd, name, OPEN_DIR)) < 0)
		return -1;
	if (made && fchmod(fd, mode) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Opens the canonical path one directory at a time from "/", each parent
 * checked before it is used, creating what is missing when w->create. The
 * directory's descriptor; -1 when a check failed (w said why) or, when not
 * creating, when a part is missing (w heard what would be made).
 */
static int
walk_to(struct walk *w, const char *path)
{
	char *copy = xstrdup(path), *save = NULL, *comp, *next, *sofar = xstrdup("/");
	struct stat st;
	int fd = open("/", OPEN_DIR), nfd;

	for (comp = strtok_r(copy, "/", &save); comp != NULL && fd >= 0; comp = next) {
		next = strtok_r(NULL, "/", &save);
		if (fstat(fd, &st) < 0 || !check_parent(w, sofar, &st)) {
			close(fd);
			fd = -1;
			break;
		}
		free(sofar);
		sofar = prefix_through(path, copy, comp);
		nfd = openat(fd, comp, OPEN_DIR);
		if (nfd < 0 && errno == ENOENT && !w->create) {
			/* next was taken from save already: put it back in the list. */
			walk_say(w, sofar, true, "does not exist yet; tend would create it (mode "
			    "%04o, owner uid %u)", next == NULL ? w->mode : PARENT_MODE,
			    (unsigned)geteuid());
			walk_would_create(w, path, copy, next, &save);
			close(fd);
			fd = -2;
			break;
		}
		if (nfd < 0 && errno == ENOENT)
			nfd = make_dir(fd, comp, next == NULL ? STATEDIR_MODE : PARENT_MODE);
		if (nfd < 0 && (errno == ELOOP || errno == ENOTDIR))
			walk_say(w, sofar, false, "%s", errno == ELOOP ? "is a symbolic link" :
			    "is not a directory");
		else if (nfd < 0)
			walk_say(w, sofar, false, "cannot be %s: %s", w->create ? "made" :
			    "opened", strerror(errno));
		close(fd);
		fd = nfd;
	}
	if (fd >= 0 && (fstat(fd, &st) < 0 || !check_dir(w, path, &st))) {
		close(fd);
		fd = -1;
	}
	free(copy);
	free(sofar);
	return fd;
}

/* statedir_open's report: the first problem, as its error. */
struct first_problem {
	char		*err;
	size_t		 len;
	bool		 said;
};

static void
keep_first_problem(void *arg, const char *path, bool ok, const char *what)
{
	struct first_problem *fp = arg;

	if (ok || fp->said)
		return;
	snprintf(fp->err, fp->len, "%s %s", path, what);
	fp->said = true;
}

/* Walks to path, creating what is missing, and verifies its entries when asked. */
static struct statedir *
open_walked(const char *path, bool entries, char *err, size_t errlen)
{
	struct first_problem fp = { .err = err, .len = errlen };
	struct walk w = { .create = true, .mode = STATEDIR_MODE, .fn = keep_first_problem,
	    .arg = &fp };
	struct statedir *sd;
	char *canon;
	int fd;

	if ((canon = canonical(path)) == NULL) {
		snprintf(err, errlen, "%s cannot be resolved: %s", path, strerror(errno));
		return NULL;
	}
	fd = walk_to(&w, canon);
	if (fd >= 0 && entries)
		scan(&w, fd, canon, 0);
	if (fd < 0 || w.failed) {
		if (fd >= 0)
			close(fd);
		free(canon);
		return NULL;
	}
	sd = xcalloc(1, sizeof(*sd));
	sd->fd = fd;
	sd->path = canon;
	return sd;
}

struct statedir *
statedir_open(const char *path, char *err, size_t errlen)
{
	return open_walked(path, true, err, errlen);
}

/* The checks of open_walked, creating nothing; entries looked at when asked. */
static int
inspect(const char *path, mode_t mode, bool entries, statedir_report_fn fn, void *arg)
{
	struct walk w = { .mode = mode, .fn = fn, .arg = arg };
	char *canon = canonical(path), me[128];
	int fd;

	if (canon == NULL) {
		walk_say(&w, path, false, "cannot be resolved: %s", strerror(errno));
		return -1;
	}
	fd = walk_to(&w, canon);
	if (fd >= 0) {
		if (entries)
			scan(&w, fd, canon, 0);
		close(fd);
		owner_name(geteuid(), me, sizeof(me));
		if (!w.failed)
			walk_say(&w, canon, true, "is owned by %s and not writable by "
			    "group or others; its parents%s are root's or its own", me,
			    entries ? " and entries" : "");
	}
	free(canon);
	return w.failed ? -1 : 0;
}

int
statedir_inspect(const char *path, statedir_report_fn fn, void *arg)
{
	return inspect(path, STATEDIR_MODE, true, fn, arg);
}

int
statedir_inspect_shared(const char *path, mode_t mode, statedir_report_fn fn, void *arg)
{
	return inspect(path, mode, false, fn, arg);
}

void
statedir_close(struct statedir *sd)
{
	if (sd == NULL)
		return;
	close(sd->fd);
	free(sd->path);
	free(sd);
}

const char *
statedir_path(const struct statedir *sd)
{
	return sd->path;
}

char *
statedir_file(const struct statedir *sd, const char *rel)
{
	return xasprintf("%s/%s", strcmp(sd->path, "/") == 0 ? "" : sd->path, rel);
}

/*
 * One verified step down from fd: its subdirectory name, made with mode
 * when missing and create.
 */
static int
subdir_step(int fd, const char *name, bool create, mode_t mode)
{
	struct stat st;
	int nfd = openat(fd, name, OPEN_DIR);

	if (nfd < 0 && errno == ENOENT && create)
		nfd = make_dir(fd, name, mode);
	if (nfd < 0)
		return -1;
	if (fstat(nfd, &st) < 0 || !owner_trusted(st.st_uid) || others_can_write(&st)) {
		close(nfd);
		errno = EPERM;
		return -1;
	}
	return nfd;
}

static bool
bad_name(const char *name, size_t len)
{
	return len == 0 || len > NAME_MAX || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.');
}

/*
 * The verified directory that holds rel's last part (a new descriptor),
 * that part's name in *base; directories on the way are made when create.
 */
static int
parent_of(struct statedir *sd, const char *rel, bool create, const char **base)
{
	char name[NAME_MAX + 1];
	const char *p = rel, *slash;
	int fd, nfd;

	if ((fd = fcntl(sd->fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	for (; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
		if (bad_name(p, (size_t)(slash - p))) {
			close(fd);
			errno = EINVAL;
			return -1;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(slash - p), p);
		nfd = subdir_step(fd, name, create, STATEDIR_MODE);
		close(fd);
		if ((fd = nfd) < 0)
			return -1;
	}
	if (bad_name(p, strlen(p))) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*base = p;
	return fd;
}

/*
 * Whether an existing file may be written: a regular file of tend's own,
 * with no other name (a hard link made while the directory was someone
 * else's would make tend write into the file it names).
 */
static bool
writable_file(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    st.st_nlink == 1;
}

static int
open_in(int dirfd, const char *name, int flags, mode_t mode)
{
	bool trunc = (flags & O_TRUNC) != 0;
	int fd;

	flags = (flags | O_NOFOLLOW | O_CLOEXEC) & ~O_TRUNC;
	if (flags & O_CREAT) {
		if ((fd = openat(dirfd, name, flags | O_EXCL, mode)) >= 0) {
			if (fchmod(fd, mode) == 0)
				return fd;
			close(fd);
			return -1;
		}
		if (errno != EEXIST || (flags & O_EXCL))
			return -1;
		flags &= ~O_CREAT;
	}
	if ((fd = openat(dirfd, name, flags)) < 0)
		return -1;
	/* Truncated only once it is known to be tend's own. */
	if ((flags & O_ACCMODE) != O_RDONLY && !writable_file(fd)) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	if (trunc && ftruncate(fd, 0) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
statedir_openat(struct statedir *sd, const char *rel, int flags, mode_t mode)
{
	const char *base;
	int dirfd = parent_of(sd, rel, (flags & O_CREAT) != 0, &base), fd, saved;

	if (dirfd < 0)
		return -1;
	fd = open_in(dirfd, base, flags, mode);
	saved = errno;
	close(dirfd);
	errno = saved;
	return fd;
}

int
statedir_subdir(struct statedir *sd, const char *rel, mode_t mode)
{
	const char *base;
	int dirfd = parent_of(sd, rel, true, &base), fd, saved;

	if (dirfd < 0)
		return -1;
	fd = subdir_step(dirfd, base, true, mode);
	saved = errno;
	close(dirfd);
	errno = saved;
	return fd;
}

int
statedir_unlink(struct statedir *sd, const char *rel)
{
	const char *base;
	int dirfd = parent_of(sd, rel, false, &base), rc, saved;

	if (dirfd < 0)
		return -1;
	rc = unlinkat(dirfd, base, 0);
	saved = errno;
	close(dirfd);
	errno = saved;
	return rc;
}

int
statedir_rename(struct statedir *sd, const char *from, const char *to)
{
	const char *from_base, *to_base;
	int from_dir, to_dir, rc, saved;

	if ((from_dir = parent_of(sd, from, false, &from_base)) < 0)
		return -1;
	if ((to_dir = parent_of(sd, to, true, &to_base)) < 0) {
		saved = errno;
		close(from_dir);
		errno = saved;
		return -1;
	}
	rc = renameat(from_dir, from_base, to_dir, to_base);
	saved = errno;
	close(from_dir);
	close(to_dir);
	errno = saved;
	return rc;
}

/* A new file beside base in dirfd, "base.tend-N" (mode 0600): its fd and name. */
static int
temp_beside(int dirfd, const char *base, char **tmp)
{
	static unsigned counter;
	int fd, i;

	for (i = 0; i < 100; i++) {
		*tmp = xasprintf("%s.tend-%d-%u", base, (int)getpid(), counter++);
		fd = openat(dirfd, *tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
		free(*tmp);
	}
	*tmp = NULL;
	return -1;
}

int
statedir_replace(struct statedir *sd, const char *rel, const void *buf, size_t len,
    mode_t mode)
{
	const char *base;
	char *tmp = NULL;
	int dirfd, fd, rc = -1, saved;

	if ((dirfd = parent_of(sd, rel, true, &base)) < 0)
		return -1;
	if ((fd = temp_beside(dirfd, base, &tmp)) >= 0) {
		rc = fchmod(fd, mode) < 0 || fd_write_all(fd, buf, len) < 0 ? -1 : 0;
		if (close(fd) < 0)
			rc = -1;
		if (rc == 0)
			rc = renameat(dirfd, tmp, dirfd, base);
		saved = errno;
		if (rc < 0)
			unlinkat(dirfd, tmp, 0);
		errno = saved;
	}
	saved = errno;
	free(tmp);
	close(dirfd);
	errno = saved;
	return rc;
}

int
statedir_prepare_subdir(const char *path, const char *rel, mode_t mode, char *err,
    size_t errlen)
{
	struct statedir *sd = statedir_open(path, err, errlen);
	int fd;

	if (sd == NULL)
		return -1;
	if ((fd = statedir_subdir(sd, rel, mode)) < 0)
		snprintf(err, errlen, "%s/%s: %s%s", statedir_path(sd), rel, strerror(errno),
		    errno == EPERM ? " (not tend's own, or writable by others)" : "");
	else
		close(fd);
	statedir_close(sd);
	return fd < 0 ? -1 : 0;
}

char *
statedir_resolve(const char *option, const char *configured)
{
	const char *env = getenv("TEND_STATE_DIR"), *xdg, *home;

	if (option != NULL && *option != '\0')
		return xstrdup(option);
	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (configured != NULL && *configured != '\0')
		return xstrdup(configured);
	if (geteuid() == 0)
		return xstrdup("/var/lib/tend");
	if ((xdg = getenv("XDG_STATE_HOME")) != NULL && *xdg == '/')
		return xasprintf("%s/tend", xdg);
	home = getenv("HOME");
	return xasprintf("%s/.local/state/tend", home ? home : "/tmp");
}

int
statedir_mkdir_p(const char *path, mode_t mode)
{
	char *copy = xstrdup(path), *p;
	int rc = 0;

	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(copy, mode);	/* the last mkdir tells */
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		rc = -1;
	free(copy);
	return rc;
}

char *
statedir_control_socket(const char *path)
{
	return xasprintf("%s/tend.sock", path);
}

/*
 * Sets the directory's mode to exactly mode when it differs (it was
 * verified to be tend's own).
 */
static int
set_mode(int fd, mode_t mode)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	return (st.st_mode & 07777) == mode ? 0 : fchmod(fd, mode);
}

struct statedir *
statedir_open_shared(const char *path, mode_t mode, char *err, size_t errlen)
{
	struct statedir *sd = open_walked(path, false, err, errlen);

	if (sd != NULL && set_mode(sd->fd, mode) < 0) {
		snprintf(err, errlen, "%s: %s", sd->path, strerror(errno));
		statedir_close(sd);
		return NULL;
	}
	return sd;
}

void
statedir_empty(struct statedir *sd)
{
	struct dirent *de;
	DIR *d;
	int fd, n = 0;

	if ((fd = fcntl(sd->fd, F_DUPFD_CLOEXEC, 0)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (n++ < SCAN_MAX && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(sd->fd, de->d_name, 0);	/* EISDIR: left */
	closedir(d);
}

int
statedir_chown(struct statedir *sd, const char *rel, uid_t uid, gid_t gid)
{
	const char *base;
	int dirfd = parent_of(sd, rel, false, &base), rc, saved;

	if (dirfd < 0)
		return -1;
	rc = fchownat(dirfd, base, uid, gid, AT_SYMLINK_NOFOLLOW);
	saved = errno;
	close(dirfd);
	errno = saved;
	return rc;
}
