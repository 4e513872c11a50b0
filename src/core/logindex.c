/*
 * The time index beside a captured log (core/logindex.h): written by the
 * supervisor as output arrives, read by tend logs --since and the web
 * server's log endpoints to find where a time begins in the log files.
 */
#include "core/logindex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

#define LOGINDEX_MAGIC		"tendlidx"
#define LOGINDEX_VERSION	1
#define LOGINDEX_CHUNK		65536

struct logindex_rec {
	int64_t		 offset;
	int64_t		 ms;
};

static void
logindex_header(unsigned char *h)
{
	uint32_t version = LOGINDEX_VERSION, size = LOGINDEX_RECORD;

	memcpy(h, LOGINDEX_MAGIC, 8);
	memcpy(h + 8, &version, 4);
	memcpy(h + 12, &size, 4);
}

/* Whether fd starts with this version's header; the records it holds in *n. */
static bool
logindex_valid(int fd, int64_t *n)
{
	unsigned char want[LOGINDEX_HEADER], got[LOGINDEX_HEADER];
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < LOGINDEX_HEADER ||
	    pread(fd, got, sizeof(got), 0) != (ssize_t)sizeof(got))
		return false;
	logindex_header(want);
	/* A record torn by a crash is not counted: the writer cuts it off. */
	*n = (st.st_size - LOGINDEX_HEADER) / LOGINDEX_RECORD;
	return memcmp(want, got, sizeof(want)) == 0;
}

static int
logindex_get(int fd, int64_t i, struct logindex_rec *r)
{
	ssize_t got = pread(fd, r, sizeof(*r), LOGINDEX_HEADER + i * LOGINDEX_RECORD);

	if (got == (ssize_t)sizeof(*r))
		return 0;
	if (got >= 0)
		errno = EIO;
	return -1;
}

/* Emptied to its header alone. */
static int
logindex_reset(int fd)
{
	unsigned char h[LOGINDEX_HEADER];

	logindex_header(h);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return -1;
	return 0;
}

int
logindex_prepare(int fd, int64_t log_size, int64_t *last_ms)
{
	struct logindex_rec r;
	struct stat st;
	int64_t n;

	*last_ms = INT64_MIN;
	if (!logindex_valid(fd, &n))
		return logindex_reset(fd);
	if (fstat(fd, &st) < 0)
		return -1;
	if (st.st_size != LOGINDEX_HEADER + n * LOGINDEX_RECORD &&
	    ftruncate(fd, LOGINDEX_HEADER + n * LOGINDEX_RECORD) < 0)
		return -1;
	if (n == 0)
		return 0;
	if (logindex_get(fd, n - 1, &r) < 0)
		return -1;
	/* Records past the log's end are another file's (the log was replaced). */
	if (r.offset > log_size || r.offset < 0)
		return logindex_reset(fd);
	*last_ms = r.ms;
	return 0;
}

int
logindex_note(int fd, int64_t offset, int64_t now_ms, int64_t *last_ms)
{
	struct logindex_rec r = { offset, now_ms };

	if (*last_ms != INT64_MIN && now_ms < *last_ms + LOGINDEX_STEP_MS)
		return 0;
	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		return -1;
	*last_ms = now_ms;
	return 1;
}

int
logindex_offset(int fd, int64_t ms, int64_t log_size, int64_t *offset)
{
	struct logindex_rec r;
	int64_t lo = 0, hi, mid, n;

	if (!logindex_valid(fd, &n)) {
		errno = EINVAL;
		return -1;
	}
	/* The first record whose step reaches past ms: records' times only grow. */
	hi = n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (logindex_get(fd, mid, &r) < 0)
			return -1;
		if (r.ms + LOGINDEX_STEP_MS > ms)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == 0) {
		/* What came before the first record counts as written at its time. */
		*offset = 0;
		return 0;
	}
	if (lo == n) {
		*offset = log_size;
		return 0;
	}
	if (logindex_get(fd, lo, &r) < 0)
		return -1;
	*offset = r.offset < 0 ? 0 : r.offset > log_size ? log_size : r.offset;
	return 0;
}

static int64_t
logindex_stat_ms(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
}

/* The mtime of dirfd's name in ms, INT64_MIN when there is none. */
static int64_t
logindex_mtime(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return INT64_MIN;
	return logindex_stat_ms(&st);
}

/* Where since and until fall in one file through its index; false when it has none. */
static bool
logindex_span_indexed(int dirfd, struct logindex_span *s, int64_t since, int64_t until)
{
	char idx[sizeof(s->name) + 8];
	bool ok;
	int fd;

	snprintf(idx, sizeof(idx), "%s.idx", s->name);
	if ((fd = openat(dirfd, idx, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return false;
	ok = logindex_offset(fd, since, s->end, &s->start) == 0 &&
	    (until >= INT64_MAX - LOGINDEX_STEP_MS ||
	    logindex_offset(fd, until + LOGINDEX_STEP_MS, s->end, &s->end) == 0);
	close(fd);
	return ok;
}

/*
 * Without an index, a file is judged whole: after since when its last write
 * (mtime) is, before until when the older file's last write (about when this
 * one began) is.
 */
static void
logindex_span_approx(int dirfd, struct logindex_span *s, const char *older, int64_t since,
    int64_t until, int64_t mtime)
{
	int64_t began = logindex_mtime(dirfd, older);

	s->approx = true;
	if (mtime < since)
		s->start = s->end;
	if (began != INT64_MIN && began > until)
		s->end = s->start;
}

size_t
logindex_spans(int dirfd, const char *base, int64_t since_ms, int64_t until_ms,
    struct logindex_span *out, size_t max)
{
	struct logindex_span s, tmp;
	char older[sizeof(s.name)];
	struct stat st;
	size_t n = 0, k, i;

	for (k = 0; k < max; k++) {
		memset(&s, 0, sizeof(s));
		if (k == 0)
			snprintf(s.name, sizeof(s.name), "%s", base);
		else
			snprintf(s.name, sizeof(s.name), "%s.%zu", base, k);
		snprintf(older, sizeof(older), "%s.%zu", base, k + 1);
		s.fd = openat(dirfd, s.name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (s.fd < 0)
			break;
		if (fstat(s.fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(s.fd);
			break;
		}
		s.end = st.st_size;
		if (!logindex_span_indexed(dirfd, &s, since_ms, until_ms)) {
			s.start = 0;
			s.end = st.st_size;
			logindex_span_approx(dirfd, &s, older, since_ms, until_ms,
			    logindex_stat_ms(&st));
		}
		if (s.end < s.start)
			s.end = s.start;
		out[n++] = s;
		/* since falls in this file: the older ones are all before it. */
		if (s.start > 0)
			break;
	}
	for (i = 0; i < n / 2; i++) {
		tmp = out[i];
		out[i] = out[n - 1 - i];
		out[n - 1 - i] = tmp;
	}
	return n;
}

void
logindex_spans_close(struct logindex_span *spans, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (spans[i].fd >= 0)
			close(spans[i].fd);
		spans[i].fd = -1;
	}
}

struct logindex_lines {
	logindex_line_fn fn;
	void		*arg;
	char		*line;
	size_t		 len, max;
	bool		 skipping;	/* the rest of a line begun before the span */
};

/* A piece of a line, up to its newline when nl. */
static void
logindex_piece(struct logindex_lines *l, const char *p, size_t n, bool nl)
{
	size_t room = l->max - l->len;

	if (!l->skipping) {
		memcpy(l->line + l->len, p, n < room ? n : room);
		l->len += n < room ? n : room;
	}
	if (!nl)
		return;
	if (!l->skipping)
		l->fn(l->arg, l->line, l->len);
	l->skipping = false;
	l->len = 0;
}

int
logindex_read(const struct logindex_span *span, size_t line_max, logindex_line_fn fn,
    void *arg)
{
	struct logindex_lines l = { fn, arg, xmalloc(line_max + 1), 0, line_max, false };
	char *buf = xmalloc(LOGINDEX_CHUNK), before;
	int64_t pos = span->start;
	const char *p, *nl;
	ssize_t got = 0;
	size_t want;

	l.skipping = pos > 0 && pread(span->fd, &before, 1, pos - 1) == 1 && before != '\n';
	while (pos < span->end) {
		want = span->end - pos < LOGINDEX_CHUNK ? (size_t)(span->end - pos) :
		    LOGINDEX_CHUNK;
		if ((got = pread(span->fd, buf, want, pos)) < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		for (p = buf; (nl = memchr(p, '\n', (size_t)(buf + got - p))) != NULL;
		    p = nl + 1)
			logindex_piece(&l, p, (size_t)(nl - p), true);
		logindex_piece(&l, p, (size_t)(buf + got - p), false);
		pos += got;
	}
	if (l.len > 0 && !l.skipping)
		fn(arg, l.line, l.len);
	free(l.line);
	free(buf);
	return got < 0 ? -1 : 0;
}
