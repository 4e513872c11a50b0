/*
 * What services print, read from the files the supervisor writes
 * (STATE/logs/NAME.log, its rotations and their time indexes,
 * core/logindex.h) by the web server's reader thread (a stream's, by the
 * web thread), never from the loop:
 *
 *   GET /api/logs/NAME?n=200&grep=RE&since=T&until=T   the last n lines
 *   GET /api/logs/NAME/stream?n=200&grep=RE            SSE: those, then new ones
 *
 * Every line is made valid UTF-8 with the credentials in it hidden, as a
 * check's output is. A stream sends at most WEB_LOGS_RATE lines a second
 * and says how many it skipped beyond; it reads at most WEB_LOGS_READ_MAX
 * bytes at a time, so a service that floods its log costs the web thread a
 * bounded read, and the service nothing. A stream with nothing to send is
 * suspended; a timer on the loop resumes them four times a second to look
 * at the file again (it touches nothing but the streams' list).
 */
#include "web/web_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/units.h"
#include "core/clock.h"
#include "core/logindex.h"
#include "core/mem.h"
#include "core/regexset.h"
#include "core/statedir.h"
#include "core/text.h"

#define WEB_LOGS_DEFAULT_LINES	200
#define WEB_LOGS_MAX_LINES	1000
#define WEB_LOGS_LINE_MAX	16384	/* longer lines are cut */
#define WEB_LOGS_RATE		200	/* lines a second per stream */
#define WEB_LOGS_READ_MAX	(1 << 20)	/* per look at the file */
#define WEB_LOGS_KEEPALIVE_MS	15000

struct web_log_stream {
	struct web_log_stream *next;
	struct web_server *ws;
	struct MHD_Connection *conn;
	bool		 suspended;
	int		 dirfd;
	char		 base[300];	/* "NAME.log" */
	int		 fd;		/* the file followed, -1 before it exists */
	dev_t		 dev;
	ino_t		 ino;
	int64_t		 pos;
	bool		 skip_partial;	/* pos may be mid-line: drop up to a newline */
	struct regexset	*grep;
	char		*carry;		/* a line not ended yet */
	size_t		 carry_len;
	json_t		*batch;		/* lines to send */
	int64_t		 window_ms;	/* the second being counted (monotonic) */
	int		 window_lines;
	uint64_t	 skipped;	/* lines past the rate, not said yet */
	uint64_t	 skipped_bytes;	/* jumped over, too far behind */
	int64_t		 last_sent_ms;
	char		*pending;
	size_t		 pending_len, pending_off;
};

/* A line as it may be shown: valid UTF-8, credentials hidden. */
static json_t *
web_logs_line(const char *line, size_t len)
{
	char *raw = xstrndup(line, len), *utf8 = text_utf8(raw), *shown = text_redact(utf8);
	json_t *v = text_json(shown);

	free(shown);
	free(utf8);
	free(raw);
	return v;
}

/*
 * The directory logs/ of the state dir, a descriptor of its own: opened once,
 * again when it was deleted (the supervisor makes it again).
 */
static int
web_logs_dir(struct web_server *ws)
{
	struct stat st;
	int fd;

	pthread_mutex_lock(&ws->lock);
	if (ws->logs_fd >= 0 && (fstat(ws->logs_fd, &st) < 0 || st.st_nlink == 0)) {
		close(ws->logs_fd);
		ws->logs_fd = -1;
	}
	if (ws->logs_fd < 0)
		ws->logs_fd = statedir_subdir(ws->sd, "logs", 0750);
	fd = ws->logs_fd >= 0 ? fcntl(ws->logs_fd, F_DUPFD_CLOEXEC, 0) : -1;
	pthread_mutex_unlock(&ws->lock);
	return fd;
}

/* Whether name is a service of the published status (404 answered when not). */
static bool
web_logs_known(struct web_server *ws, struct MHD_Connection *conn, const char *name,
    enum MHD_Result *ret)
{
	struct web_snapshot *snap = web_current(ws);
	bool known = snap != NULL && web_snapshot_service(snap, name) != NULL;

	web_snapshot_unref(snap);
	if (snap == NULL)
		*ret = web_send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "tend is starting; no status yet");
	else if (!known)
		*ret = web_send_error(conn, MHD_HTTP_NOT_FOUND, "no service named '%s'", name);
	return known;
}

/*
 * ?n= and ?grep=: 0, or -1 after answering 400. *grep is NULL when not
 * asked for (free it with regexset_free).
 */
static int
web_logs_args(struct MHD_Connection *conn, long *n, struct regexset **grep,
    enum MHD_Result *ret)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "n");
	char *patterns[2] = { NULL, NULL }, err[256], *end;

	*n = WEB_LOGS_DEFAULT_LINES;
	*grep = NULL;
	if (v != NULL) {
		errno = 0;
		*n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 || *n < 0 ||
		    *n > WEB_LOGS_MAX_LINES) {
			*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST,
			    "'n': expected a number of lines from 0 to %d, got '%s'",
			    WEB_LOGS_MAX_LINES, v);
			return -1;
		}
	}
	patterns[0] = (char *)MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "grep");
	if (patterns[0] == NULL || *patterns[0] == '\0')
		return 0;
	if ((*grep = regexset_new(patterns, err, sizeof(err))) == NULL) {
		*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST, "'grep': %s", err);
		return -1;
	}
	return 0;
}

/*
 * ?name=T: ms since the epoch, an ISO 8601 time, or a duration back from
 * now; *ms untouched when absent. 0, or -1 after answering 400.
 */
static int
web_logs_time(struct MHD_Connection *conn, const char *name, int64_t *ms,
    enum MHD_Result *ret)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
	const char *expected;
	int64_t span;
	char *end;
	long long n;

	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v != '\0' && *end == '\0' && errno == 0 && n > 0) {
		*ms = n;
		return 0;
	}
	if (clock_parse_iso(v, ms) == 0)
		return 0;
	if (units_parse_duration(v, &span, &expected) == 0 && span > 0) {
		*ms = clock_wall_ms() - span;
		return 0;
	}
	*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST, "'%s': expected ms since the "
	    "epoch, a time like 2026-12-02T14:05:00Z or a duration like 10m, got '%s'", name, v);
	return -1;
}

/* The newest lines read, at most n, those grep keeps. */
struct web_logs_tail {
	struct regexset	*grep;
	char		**ring;
	size_t		*lens;
	long		 n, head, count;
	uint64_t	 dropped;	/* older lines of the window past n */
};

static void
web_logs_keep(void *arg, const char *line, size_t len)
{
	struct web_logs_tail *t = arg;

	if (t->grep != NULL && !regexset_match(t->grep, line, len))
		return;
	if (t->n == 0) {
		t->dropped++;
		return;
	}
	if (t->count == t->n)
		t->dropped++;
	free(t->ring[t->head]);
	t->ring[t->head] = xstrndup(line, len);
	t->lens[t->head] = len;
	t->head = (t->head + 1) % t->n;
	if (t->count < t->n)
		t->count++;
}

/*
 * The tail of base's files in dirfd between since and until (of the current
 * file and the last rotation when both are open), kept in t; the current
 * file read only to cur_end when that is not negative. Whether a file had
 * no usable index.
 */
static bool
web_logs_read_tail(int dirfd, const char *base, int64_t since, int64_t until,
    int64_t cur_end, struct web_logs_tail *t)
{
	struct logindex_span spans[LOGINDEX_FILES_MAX];
	bool window = since != INT64_MIN || until != INT64_MAX, approx = false;
	size_t n, i;

	n = logindex_spans(dirfd, base, since, until, spans, window ? LOGINDEX_FILES_MAX : 2);
	for (i = 0; i < n; i++) {
		if (i == n - 1 && strcmp(spans[i].name, base) == 0 && cur_end >= 0 &&
		    spans[i].end > cur_end)
			spans[i].end = cur_end;
		approx |= spans[i].approx && window;
		logindex_read(&spans[i], WEB_LOGS_LINE_MAX, web_logs_keep, t);
	}
	logindex_spans_close(spans, n);
	return approx;
}

/* t's lines, oldest first, as a JSON array; t emptied. */
static json_t *
web_logs_tail_json(struct web_logs_tail *t)
{
	json_t *lines = json_array();
	long i, at;

	for (i = 0; i < t->count; i++) {
		at = (t->head - t->count + i + t->n) % t->n;
		json_array_append_new(lines, web_logs_line(t->ring[at], t->lens[at]));
	}
	for (i = 0; i < t->n; i++)
		free(t->ring[i]);
	free(t->ring);
	free(t->lens);
	return lines;
}

static void
web_logs_tail_init(struct web_logs_tail *t, long n, struct regexset *grep)
{
	memset(t, 0, sizeof(*t));
	t->n = n;
	t->grep = grep;
	t->ring = xcalloc((size_t)n + 1, sizeof(*t->ring));
	t->lens = xcalloc((size_t)n + 1, sizeof(*t->lens));
}

static void
web_logs_grep_free(void *grep)
{
	regexset_free(grep);
}

/* On the reader thread: the last q->limit lines of q->name's logs that q->arg matches. */
static json_t *
read_logs(struct web_server *ws, sqlite3 *db, const struct web_query *q, unsigned *status,
    char *err, size_t errlen)
{
	struct web_logs_tail t;
	char base[300];
	bool approx;
	int dirfd;

	snprintf(base, sizeof(base), "%s.log", q->name);
	web_logs_tail_init(&t, q->limit, q->arg);
	approx = (dirfd = web_logs_dir(ws)) >= 0 &&
	    web_logs_read_tail(dirfd, base, q->since, q->until, -1, &t);
	if (dirfd >= 0)
		close(dirfd);
	return json_pack("{s:s, s:I, s:b, s:o}", "service", q->name, "more",
	    (json_int_t)t.dropped, "approximate", approx, "lines", web_logs_tail_json(&t));
}

enum MHD_Result
web_get_logs(struct web_server *ws, struct MHD_Connection *conn, struct web_request *req,
    const char *name)
{
	struct web_query q = { .since = INT64_MIN, .until = INT64_MAX };
	enum MHD_Result ret = MHD_NO;
	struct regexset *grep;
	long n;

	if (!web_logs_known(ws, conn, name, &ret) || web_logs_args(conn, &n, &grep, &ret) < 0)
		return ret;
	q.arg = grep;
	q.arg_free = web_logs_grep_free;
	if (web_logs_time(conn, "since", &q.since, &ret) < 0 ||
	    web_logs_time(conn, "until", &q.until, &ret) < 0) {
		regexset_free(grep);
		return ret;
	}
	if (q.since > q.until) {
		regexset_free(grep);
		return web_send_error(conn, MHD_HTTP_BAD_REQUEST,
		    "'since' is after 'until': no time is between them");
	}
	q.limit = (int)n;
	q.name = xstrdup(name);
	return web_read(ws, conn, req, read_logs, &q);
}

/* A line read by a stream: kept for the batch while the second's rate allows. */
static void
web_log_stream_line(struct web_log_stream *s, const char *line, size_t len)
{
	int64_t now = clock_mono_ms();

	if (s->grep != NULL && !regexset_match(s->grep, line, len))
		return;
	if (now - s->window_ms >= 1000) {
		s->window_ms = now;
		s->window_lines = 0;
	}
	if (s->window_lines >= WEB_LOGS_RATE) {
		s->skipped++;
		return;
	}
	s->window_lines++;
	json_array_append_new(s->batch, web_logs_line(line, len));
}

/* Bytes read from the followed file, split into lines; an unended one carried. */
static void
web_log_stream_bytes(struct web_log_stream *s, const char *p, size_t n)
{
	const char *nl;
	size_t room;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		room = WEB_LOGS_LINE_MAX - s->carry_len;
		if (!s->skip_partial) {
			if (room > (size_t)(nl != NULL ? nl - p : (ptrdiff_t)n))
				room = nl != NULL ? (size_t)(nl - p) : n;
			memcpy(s->carry + s->carry_len, p, room);
			s->carry_len += room;
		}
		if (nl == NULL)
			return;
		if (!s->skip_partial)
			web_log_stream_line(s, s->carry, s->carry_len);
		s->skip_partial = false;
		s->carry_len = 0;
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
}

/* What the followed file holds past pos, at most WEB_LOGS_READ_MAX of it. */
static void
web_log_stream_drain(struct web_log_stream *s)
{
	char buf[65536];
	struct stat st;
	ssize_t got;

	if (s->fd < 0 || fstat(s->fd, &st) < 0)
		return;
	if (st.st_size < s->pos) {
		/* Truncated: from its start. */
		s->pos = 0;
		s->carry_len = 0;
	}
	if (st.st_size - s->pos > WEB_LOGS_READ_MAX) {
		/* Too far behind: the bytes between are skipped, and said. */
		s->skipped_bytes += (uint64_t)(st.st_size - WEB_LOGS_READ_MAX - s->pos);
		s->pos = st.st_size - WEB_LOGS_READ_MAX;
		s->carry_len = 0;
		s->skip_partial = true;
	}
	while (s->pos < st.st_size) {
		got = pread(s->fd, buf, sizeof(buf), s->pos);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		web_log_stream_bytes(s, buf, (size_t)got);
		s->pos += got;
	}
}

/*
 * The regular file at base now, not a link (nor a FIFO to block on); its
 * identity in *st is the opened file's, not what a look before saw. -1.
 */
static int
web_log_stream_open(const struct web_log_stream *s, struct stat *st)
{
	int fd = openat(s->dirfd, s->base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0 && (fstat(fd, st) < 0 || !S_ISREG(st->st_mode))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Whether st is the file followed now. */
static bool
web_log_stream_same(const struct web_log_stream *s, const struct stat *st)
{
	return s->fd >= 0 && st->st_ino == s->ino && st->st_dev == s->dev;
}

/*
 * Another file at base than the one followed (or a first one): opened, its
 * identity in *st; else -1. A look first, cheaper than an open four times a
 * second; what is opened is judged again (base may change between).
 */
static int
web_log_stream_next(const struct web_log_stream *s, struct stat *st)
{
	int fd;

	if (fstatat(s->dirfd, s->base, st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st->st_mode) ||
	    web_log_stream_same(s, st) || (fd = web_log_stream_open(s, st)) < 0)
		return -1;
	if (web_log_stream_same(s, st)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Follows base through rotation: the old file read to its end, the new from its start. */
static void
web_log_stream_follow(struct web_log_stream *s)
{
	struct stat st;
	int fd;

	if ((fd = web_log_stream_next(s, &st)) >= 0) {
		web_log_stream_drain(s);
		if (s->fd >= 0)
			close(s->fd);
		s->fd = fd;
		s->dev = st.st_dev;
		s->ino = st.st_ino;
		s->pos = 0;
		s->carry_len = 0;
	}
	web_log_stream_drain(s);
}

static void
web_log_stream_take(struct web_log_stream *s, char *text)
{
	free(s->pending);
	s->pending = text;
	s->pending_len = strlen(text);
	s->pending_off = 0;
	s->last_sent_ms = clock_mono_ms();
}

/* The batch of lines (and what was skipped) as events; false when there is nothing. */
static bool
web_log_stream_events(struct web_log_stream *s)
{
	char *lines = NULL, *text;
	json_t *doc;

	if (json_array_size(s->batch) > 0) {
		doc = json_pack("{s:O}", "lines", s->batch);
		lines = json_dumps(doc, WEB_JSON_FLAGS);
		json_decref(doc);
		json_array_clear(s->batch);
	}
	if (lines == NULL && s->skipped == 0 && s->skipped_bytes == 0) {
		if (clock_mono_ms() - s->last_sent_ms < WEB_LOGS_KEEPALIVE_MS)
			return false;
		/* Also how a client that left is noticed: the write fails. */
		web_log_stream_take(s, xstrdup(": keep-alive\n\n"));
		return true;
	}
	text = xasprintf("%s%s%s", lines != NULL ? "event: lines\ndata: " : "",
	    lines != NULL ? lines : "", lines != NULL ? "\n\n" : "");
	if (s->skipped > 0 || s->skipped_bytes > 0) {
		free(lines);
		lines = text;
		text = xasprintf("%sevent: skipped\ndata: {\"lines\":%llu,\"bytes\":%llu,"
		    "\"rate\":%d}\n\n", lines, (unsigned long long)s->skipped,
		    (unsigned long long)s->skipped_bytes, WEB_LOGS_RATE);
		s->skipped = 0;
		s->skipped_bytes = 0;
	}
	free(lines);
	web_log_stream_take(s, text);
	return true;
}

static ssize_t
web_log_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct web_log_stream *s = cls;
	struct web_server *ws = s->ws;

	if (s->pending_off == s->pending_len) {
		/* The files are read without the lock: it guards the list alone. */
		web_log_stream_follow(s);
		if (!web_log_stream_events(s)) {
			pthread_mutex_lock(&ws->lock);
			if (ws->stopping) {
				pthread_mutex_unlock(&ws->lock);
				return MHD_CONTENT_READER_END_OF_STREAM;
			}
			/* Resumed by web_logs_tick or web_logs_wake_all_locked. */
			s->suspended = true;
			MHD_suspend_connection(s->conn);
			pthread_mutex_unlock(&ws->lock);
			return 0;
		}
	}
	return (ssize_t)sse_copy(s->pending, s->pending_len, &s->pending_off, buf, max);
}

/* The response is gone: the client left, or the server stops. */
static void
web_log_stream_free(void *cls)
{
	struct web_log_stream *s = cls, **p;
	struct web_server *ws = s->ws;

	pthread_mutex_lock(&ws->lock);
	for (p = &ws->log_streams; *p != NULL; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			ws->n_log_streams--;
			break;
		}
	}
	pthread_mutex_unlock(&ws->lock);
	if (s->fd >= 0)
		close(s->fd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	regexset_free(s->grep);
	json_decref(s->batch);
	free(s->carry);
	free(s->pending);
	free(s);
}

/*
 * A new stream: the current file opened and its size taken first, so the
 * last n lines (read up to that size) and the lines followed from there
 * neither overlap nor leave a gap.
 */
static struct web_log_stream *
web_log_stream_new(struct web_server *ws, struct MHD_Connection *conn, const char *name,
    long n, struct regexset *grep)
{
	struct web_log_stream *s = xcalloc(1, sizeof(*s));
	struct web_logs_tail t;
	struct stat st;
	json_t *lines;
	char *text;

	s->ws = ws;
	s->conn = conn;
	s->grep = grep;
	s->fd = -1;
	s->batch = json_array();
	s->carry = xmalloc(WEB_LOGS_LINE_MAX);
	s->window_ms = clock_mono_ms();
	snprintf(s->base, sizeof(s->base), "%s.log", name);
	s->dirfd = web_logs_dir(ws);
	if (s->dirfd >= 0 && (s->fd = web_log_stream_open(s, &st)) >= 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
		s->pos = st.st_size;
	}
	web_logs_tail_init(&t, n, grep);
	if (s->dirfd >= 0)
		web_logs_read_tail(s->dirfd, s->base, INT64_MIN, INT64_MAX, s->pos, &t);
	lines = json_pack("{s:o}", "lines", web_logs_tail_json(&t));
	text = json_dumps(lines, WEB_JSON_FLAGS);
	json_decref(lines);
	web_log_stream_take(s, xasprintf("retry: 2000\n\nevent: lines\ndata: %s\n\n",
	    text != NULL ? text : "{\"lines\":[]}"));
	free(text);
	return s;
}

enum MHD_Result
web_logs_stream(struct web_server *ws, struct MHD_Connection *conn, const char *name)
{
	enum MHD_Result ret = MHD_NO;
	struct web_log_stream *s;
	struct regexset *grep;
	long n;

	if (!web_logs_known(ws, conn, name, &ret) || web_logs_args(conn, &n, &grep, &ret) < 0)
		return ret;
	pthread_mutex_lock(&ws->lock);
	if (ws->stopping || ws->n_log_streams >= ws->sse_max) {
		pthread_mutex_unlock(&ws->lock);
		regexset_free(grep);
		return web_send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "too many log streams (web.sse_clients is %d)", ws->sse_max);
	}
	ws->n_log_streams++;
	pthread_mutex_unlock(&ws->lock);
	s = web_log_stream_new(ws, conn, name, n, grep);
	pthread_mutex_lock(&ws->lock);
	s->next = ws->log_streams;
	ws->log_streams = s;
	pthread_mutex_unlock(&ws->lock);
	return sse_respond(conn, web_log_stream_read, s, web_log_stream_free);
}

void
web_logs_wake_all_locked(struct web_server *ws)
{
	struct web_log_stream *s;

	for (s = ws->log_streams; s != NULL; s = s->next) {
		if (s->suspended) {
			s->suspended = false;
			MHD_resume_connection(s->conn);
		}
	}
}

void
web_logs_tick(uv_timer_t *timer)
{
	struct web_server *ws = timer->data;

	pthread_mutex_lock(&ws->lock);
	web_logs_wake_all_locked(ws);
	pthread_mutex_unlock(&ws->lock);
}
