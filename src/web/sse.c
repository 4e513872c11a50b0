/*
 * /api/events: Server-Sent Events. Every stream reads the same ring of
 * recent events at its own pace. A stream with nothing to send suspends its
 * connection (a content reader that returns 0 bytes would make MHD call it
 * again at once, spinning); a new event, the keep-alive timer or the end of
 * the daemon resumes it. The status is no event of the ring: a stream is
 * sent the current one (without a copy: it holds the snapshot while it
 * writes it) after the events, whenever a newer one was published since it
 * sent the last, so that a status of ten thousand checks' host is not kept
 * 256 times over. A stream that falls a whole ring behind goes on from the
 * newest event, with the current status.
 */
#include "web/web_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct sse_client {
	struct sse_client *next;
	struct web_server *ws;
	struct MHD_Connection *conn;
	uint64_t	 next_seq;
	uint64_t	 status_gen;	/* of the last status taken */
	bool		 suspended;
	bool		 keepalive_due;
	/* What is being written, in up to three pieces: own, or held's status. */
	struct {
		const char *data;
		size_t	 len;
	}		 piece[3];
	int		 n_pieces, at;
	size_t		 off;		/* into piece[at] */
	char		*own;
	struct web_snapshot *held;
};

static const char status_head[] = "event: status\ndata: ";

void
sse_wake_all_locked(struct web_server *ws, bool keepalive)
{
	struct sse_client *c;

	for (c = ws->clients; c != NULL; c = c->next) {
		if (keepalive)
			c->keepalive_due = true;
		if (c->suspended) {
			c->suspended = false;
			MHD_resume_connection(c->conn);
		}
	}
}

void
sse_push_locked(struct web_server *ws, char *text, size_t len)
{
	struct sse_event *e = &ws->ring[ws->ring_next % WEB_SSE_RING];

	free(e->text);
	e->text = text;
	e->len = len;
	e->seq = ws->ring_next++;
	sse_wake_all_locked(ws, false);
}

/* What was being written is written: let go of it. */
static void
sse_drop(struct sse_client *c)
{
	free(c->own);
	c->own = NULL;
	web_snapshot_unref(c->held);
	c->held = NULL;
	c->n_pieces = c->at = 0;
	c->off = 0;
}

static void
sse_piece(struct sse_client *c, const char *data, size_t len)
{
	c->piece[c->n_pieces].data = data;
	c->piece[c->n_pieces++].len = len;
}

static void
sse_take(struct sse_client *c, const char *text, size_t len)
{
	sse_drop(c);
	c->own = xmalloc(len);
	memcpy(c->own, text, len);
	sse_piece(c, c->own, len);
}

/*
 * The current status, held rather than copied; with ws->lock held. Its
 * pieces are set by sse_status_pieces, outside the lock: its text may be
 * written then (web_status_text), and the loop must not wait for that.
 */
static void
sse_take_status_locked(struct sse_client *c)
{
	struct web_server *ws = c->ws;

	sse_drop(c);
	c->status_gen = ws->status_gen;
	web_snapshot_ref(ws->snap);
	c->held = ws->snap;
}

/* Called with ws->lock held, which it lets go of for a while. */
static void
sse_status_pieces(struct sse_client *c)
{
	const struct web_body *text;

	pthread_mutex_unlock(&c->ws->lock);
	text = web_status_text(c->held->st);
	pthread_mutex_lock(&c->ws->lock);
	sse_piece(c, status_head, sizeof(status_head) - 1);
	sse_piece(c, text->data, text->len);
	sse_piece(c, "\n\n", 2);
}

/* The next thing to write, with the lock held; false when there is none. */
static bool
sse_next_locked(struct sse_client *c)
{
	struct web_server *ws = c->ws;
	uint64_t oldest = ws->ring_next > WEB_SSE_RING ? ws->ring_next - WEB_SSE_RING : 0;
	const struct sse_event *e;

	if (c->next_seq < oldest) {
		c->next_seq = ws->ring_next;
		c->status_gen = 0;
	}
	if (c->next_seq < ws->ring_next) {
		e = &ws->ring[c->next_seq % WEB_SSE_RING];
		sse_take(c, e->text, e->len);
		c->next_seq++;
		return true;
	}
	if (c->status_gen != ws->status_gen && ws->snap != NULL) {
		sse_take_status_locked(c);
		return true;
	}
	if (c->keepalive_due) {
		c->keepalive_due = false;
		sse_take(c, ": keep-alive\n\n", 14);
		return true;
	}
	return false;
}

size_t
sse_copy(const char *pending, size_t len, size_t *off, char *buf, size_t max)
{
	size_t n = len - *off;

	if (n > max)
		n = max;
	memcpy(buf, pending + *off, n);
	*off += n;
	return n;
}

/* As much of what is taken as fits in buf, across its pieces; with ws->lock held. */
static size_t
sse_fill_locked(struct sse_client *c, char *buf, size_t max)
{
	size_t n = 0;

	while (n < max && c->at < c->n_pieces) {
		n += sse_copy(c->piece[c->at].data, c->piece[c->at].len, &c->off, buf + n,
		    max - n);
		if (c->off == c->piece[c->at].len) {
			c->at++;
			c->off = 0;
		}
	}
	return n;
}

static ssize_t
sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse_client *c = cls;
	struct web_server *ws = c->ws;
	size_t n;

	pthread_mutex_lock(&ws->lock);
	if (ws->stopping) {
		pthread_mutex_unlock(&ws->lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	if (c->at == c->n_pieces && !sse_next_locked(c)) {
		/* Resumed by sse_wake_all_locked, under this same lock. */
		c->suspended = true;
		MHD_suspend_connection(c->conn);
		pthread_mutex_unlock(&ws->lock);
		return 0;
	}
	if (c->n_pieces == 0 && c->held != NULL)
		sse_status_pieces(c);
	n = sse_fill_locked(c, buf, max);
	/* Copied out: a snapshot held is not kept while the stream waits. */
	if (c->at == c->n_pieces)
		sse_drop(c);
	pthread_mutex_unlock(&ws->lock);
	return (ssize_t)n;
}

/* The response is gone: the client left, or the server stops. */
static void
sse_free(void *cls)
{
	struct sse_client *c = cls, **p;
	struct web_server *ws = c->ws;

	pthread_mutex_lock(&ws->lock);
	for (p = &ws->clients; *p != NULL; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			ws->n_clients--;
			break;
		}
	}
	pthread_mutex_unlock(&ws->lock);
	sse_drop(c);
	free(c);
}

enum MHD_Result
sse_open(struct web_server *ws, struct MHD_Connection *conn)
{
	static const char hello[] = "retry: 2000\n\n";
	struct sse_client *c;

	pthread_mutex_lock(&ws->lock);
	if (ws->stopping || ws->n_clients >= ws->sse_max) {
		pthread_mutex_unlock(&ws->lock);
		return web_send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "too many live streams (web.sse_clients is %d)", ws->sse_max);
	}
	c = xcalloc(1, sizeof(*c));
	c->ws = ws;
	c->conn = conn;
	c->next_seq = ws->ring_next;
	/* The first thing a stream says: retry advice, then the status as it is now. */
	sse_take(c, hello, strlen(hello));
	c->next = ws->clients;
	ws->clients = c;
	ws->n_clients++;
	pthread_mutex_unlock(&ws->lock);

	return sse_respond(conn, sse_read, c, sse_free);
}

enum MHD_Result
sse_respond(struct MHD_Connection *conn, MHD_ContentReaderCallback read, void *cls,
    MHD_ContentReaderFreeCallback free_cls)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, read, cls, free_cls);
	if (resp == NULL) {
		free_cls(cls);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}
