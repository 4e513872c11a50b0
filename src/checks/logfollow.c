/*
 * The follower of log checks (logfollow.h). The identity of the file is
 * its device and inode: a new inode at the path is a rotation, whatever
 * its size. The old file stays open until it is read to its end, since a
 * writer may still append to it before it reopens.
 */
#include "checks/logfollow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

#define LOGFOLLOW_CHUNK	65536

void
logfollow_init(struct logfollow *f, const char *path, bool nofollow,
    size_t line_max)
{
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->nofollow = nofollow;
	f->line_max = line_max > 0 ? line_max : LOGFOLLOW_LINE_MAX;
	f->fd = -1;
	f->old_fd = -1;
	f->line = xmalloc(f->line_max);
	f->buf = xmalloc(LOGFOLLOW_CHUNK);
}

void
logfollow_close(struct logfollow *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->old_fd >= 0)
		close(f->old_fd);
	free(f->path);
	free(f->line);
	free(f->buf);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->old_fd = -1;
}

/* A line begun is dropped: its file was truncated or is done. */
static void
logfollow_reset_line(struct logfollow *f)
{
	f->len = 0;
	f->skipping = false;
}

static void
logfollow_emit(const char *line, size_t len, unsigned flags, logline_fn fn, void *arg)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	fn(arg, line, len, flags);
}

/* Adds bytes to the line begun; a line reaching line_max is given, cut. */
static void
logfollow_append(struct logfollow *f, const char *p, size_t n, logline_fn fn, void *arg)
{
	size_t room;

	if (f->skipping)
		return;
	room = f->line_max - f->len;
	if (n < room) {
		memcpy(f->line + f->len, p, n);
		f->len += n;
		return;
	}
	memcpy(f->line + f->len, p, room);
	logfollow_emit(f->line, f->line_max, LOGLINE_CUT, fn, arg);
	f->len = 0;
	f->skipping = true;
}

/* Splits a chunk into lines; lines whole in the chunk are given without a copy. */
static void
logfollow_split(struct logfollow *f, const char *p, size_t n, logline_fn fn, void *arg)
{
	const char *end = p + n, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			logfollow_append(f, p, (size_t)(end - p), fn, arg);
			return;
		}
		if (f->len == 0 && !f->skipping && (size_t)(nl - p) < f->line_max) {
			logfollow_emit(p, (size_t)(nl - p), 0, fn, arg);
		} else {
			logfollow_append(f, p, (size_t)(nl - p), fn, arg);
			if (!f->skipping)
				logfollow_emit(f->line, f->len, 0, fn, arg);
			logfollow_reset_line(f);
		}
		p = nl + 1;
	}
}

/* Reads fd from *off to its end or the budget: true at its end. */
static bool
logfollow_drain(struct logfollow *f, int fd, int64_t *off, int64_t *budget,
    logline_fn fn, void *arg, struct logfollow_report *rep)
{
	size_t want;
	ssize_t n;

	for (;;) {
		if (*budget <= 0)
			return false;
		want = *budget < LOGFOLLOW_CHUNK ? (size_t)*budget : LOGFOLLOW_CHUNK;
		n = pread(fd, f->buf, want, (off_t)*off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rep->status = LOGFOLLOW_ERROR;
			rep->err = errno;
			return true;
		}
		if (n == 0)
			return true;
		*off += n;
		*budget -= n;
		rep->bytes += n;
		logfollow_split(f, f->buf, (size_t)n, fn, arg);
	}
}

/* The rotated-away file, to its end: then its last line, unended, is given too. */
static bool
logfollow_finish_old(struct logfollow *f, int64_t *budget, logline_fn fn, void *arg,
    struct logfollow_report *rep)
{
	if (f->old_fd < 0)
		return true;
	if (!logfollow_drain(f, f->old_fd, &f->old_off, budget, fn, arg, rep))
		return false;
	if (f->len > 0 && !f->skipping)
		logfollow_emit(f->line, f->len, 0, fn, arg);
	logfollow_reset_line(f);
	close(f->old_fd);
	f->old_fd = -1;
	return true;
}

/* Opens what is at the path now: from its end the first time, else from 0. */
static bool
logfollow_open(struct logfollow *f, struct logfollow_report *rep)
{
	struct stat st;
	int fd;

	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	    (f->nofollow ? O_NOFOLLOW : 0));
	if (fd < 0) {
		rep->err = errno;
		rep->status = errno == ENOENT ? LOGFOLLOW_MISSING : errno == ELOOP ?
		    LOGFOLLOW_NOT_FILE : LOGFOLLOW_ERROR;
		return false;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rep->status = LOGFOLLOW_NOT_FILE;
		rep->mode = st.st_mode;
		close(fd);
		return false;
	}
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->off = f->seen ? 0 : (int64_t)st.st_size;
	rep->started = !f->seen;
	return true;
}

/* What is at the path: the same file, another one (rotation), or none. */
static bool
logfollow_look(struct logfollow *f, struct logfollow_report *rep)
{
	struct stat st;
	int rc = f->nofollow ? lstat(f->path, &st) : stat(f->path, &st);

	if (rc < 0) {
		rep->err = errno;
		rep->status = errno == ENOENT || errno == ENOTDIR ? LOGFOLLOW_MISSING :
		    LOGFOLLOW_ERROR;
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		rep->status = LOGFOLLOW_NOT_FILE;
		rep->mode = st.st_mode;
		return false;
	}
	if (f->fd >= 0 && (st.st_dev != f->dev || st.st_ino != f->ino)) {
		if (f->old_fd >= 0)	/* rotated twice before the first was finished */
			close(f->old_fd);
		f->old_fd = f->fd;
		f->old_off = f->off;
		f->fd = -1;
		rep->rotated = true;
	}
	return true;
}

void
logfollow_read(struct logfollow *f, int64_t budget, logline_fn fn, void *arg,
    struct logfollow_report *rep)
{
	bool there, opened = f->fd >= 0;
	struct stat st;

	memset(rep, 0, sizeof(*rep));
	there = logfollow_look(f, rep);
	if (there && f->fd < 0 && !logfollow_open(f, rep))
		there = false;
	f->seen = true;
	if (!logfollow_finish_old(f, &budget, fn, arg, rep))
		goto behind;
	/* Gone, or not a file: the one still open is read to its end meanwhile. */
	if (!there && opened && f->fd >= 0 && f->old_fd < 0)
		logfollow_drain(f, f->fd, &f->off, &budget, fn, arg, rep);
	if (!there || f->fd < 0)
		return;
	if (fstat(f->fd, &st) == 0 && (int64_t)st.st_size < f->off) {
		f->off = 0;
		logfollow_reset_line(f);
		rep->truncated = true;
	}
	if (logfollow_drain(f, f->fd, &f->off, &budget, fn, arg, rep))
		return;
behind:
	if (f->fd >= 0 && fstat(f->fd, &st) == 0 && st.st_size > f->off)
		rep->behind = (int64_t)st.st_size - f->off;
	if (f->old_fd >= 0 && fstat(f->old_fd, &st) == 0 && st.st_size > f->old_off)
		rep->behind += (int64_t)st.st_size - f->old_off;
}
