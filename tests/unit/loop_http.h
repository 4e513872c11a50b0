/*
 * A small HTTP/1.1 server on the test's own libuv loop, on 127.0.0.1 and a
 * port of the kernel's choosing, for the http and tcp checks' tests: the
 * checks and the server share the loop, so a test needs no thread and no
 * sleep. It keeps connections alive unless told otherwise, and counts the
 * connections it accepted and the requests it answered.
 *
 * What a request gets depends on its path:
 *   /ok      200 "ok"                     /fail    500 "fail"
 *   /close   200 "ok", Connection: close, then closed
 *   /reset   no answer: the connection is reset (RST)
 *   /flip    200 and 500 in turn (the server's count of /flip requests)
 *   /word    200 with "alpha" and "beta" in turn (its count of /word)
 *   /stall   no answer, the connection kept open
 * With `drop` set, every connection is closed right after its answer
 * without saying so (a server closing idle connections), with `drop_rst`
 * by a reset; with `close_reused`, a request that comes on a connection
 * that already had its answer is met with a close and no answer (a server
 * whose keep-alive timeout ran out just as the request came).
 * loop_http_drop() ends every connection open now, between two runs;
 * loop_http_timeout() sends each a 408 first, as servers do whose idle
 * timeout ran out.
 */
#ifndef TEND_TEST_LOOP_HTTP_H
#define TEND_TEST_LOOP_HTTP_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

struct loop_http {
	uv_tcp_t	 listener;
	int		 port;
	bool		 drop;		/* close every connection after its answer */
	bool		 drop_rst;	/* ... by a reset */
	bool		 close_reused;	/* a second request on a connection: closed */
	int		 accepted;
	int		 requests;
	int		 flips;
	int		 words;
	int		 open;		/* connections not yet closed */
	struct loop_http_conn *conns;	/* open ones, not closing */
};

struct loop_http_conn {
	uv_tcp_t	 tcp;
	struct loop_http *srv;
	struct loop_http_conn *next, **prevp;
	char		 buf[8192];
	size_t		 len;
	int		 answered;
	bool		 closing;
};

struct loop_http_write {
	uv_write_t	 req;
	struct loop_http_conn *conn;
	bool		 then_close;
	bool		 then_reset;
	char		 data[];
};

static void
loop_http_conn_closed(uv_handle_t *h)
{
	struct loop_http_conn *c = h->data;

	c->srv->open--;
	free(c);
}

static void
loop_http_conn_end(struct loop_http_conn *c, bool reset)
{
	if (c->closing)
		return;
	c->closing = true;
	if (c->next != NULL)
		c->next->prevp = c->prevp;
	*c->prevp = c->next;
	if (reset)
		uv_tcp_close_reset(&c->tcp, loop_http_conn_closed);
	else
		uv_close((uv_handle_t *)&c->tcp, loop_http_conn_closed);
}

static void
loop_http_written(uv_write_t *req, int status)
{
	struct loop_http_write *w = (struct loop_http_write *)req;

	if (status < 0 || w->then_close || w->then_reset)
		loop_http_conn_end(w->conn, w->then_reset);
	free(w);
}

static void
loop_http_send(struct loop_http_conn *c, int status, const char *body, bool close)
{
	struct loop_http *s = c->srv;
	struct loop_http_write *w;
	uv_buf_t buf;
	int n;

	w = malloc(sizeof(*w) + 512);
	n = snprintf(w->data, 512, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n%s\r\n%s",
	    status, status == 200 ? "OK" : "Fault", strlen(body),
	    close ? "Connection: close\r\n" : "", body);
	w->conn = c;
	w->then_close = close || (s->drop && !s->drop_rst);
	w->then_reset = s->drop_rst;
	buf = uv_buf_init(w->data, (unsigned)n);
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, loop_http_written) < 0) {
		free(w);
		loop_http_conn_end(c, false);
	}
}

/* One request head, whole: answers it by its path. */
static void
loop_http_answer(struct loop_http_conn *c, const char *head)
{
	struct loop_http *s = c->srv;
	char path[256] = "";

	if (s->close_reused && c->answered > 0) {
		loop_http_conn_end(c, false);
		return;
	}
	s->requests++;
	c->answered++;
	sscanf(head, "%*s %255s", path);
	if (strcmp(path, "/stall") == 0)
		return;
	if (strcmp(path, "/ok") == 0)
		loop_http_send(c, 200, "ok\n", false);
	else if (strcmp(path, "/fail") == 0)
		loop_http_send(c, 500, "fail\n", false);
	else if (strcmp(path, "/close") == 0)
		loop_http_send(c, 200, "ok\n", true);
	else if (strcmp(path, "/reset") == 0)
		loop_http_conn_end(c, true);
	else if (strcmp(path, "/flip") == 0)
		loop_http_send(c, s->flips++ % 2 == 0 ? 200 : 500, "flip\n", false);
	else if (strcmp(path, "/word") == 0)
		loop_http_send(c, 200, s->words++ % 2 == 0 ? "alpha\n" : "beta\n", false);
	else
		loop_http_send(c, 404, "none\n", false);
}

static void
loop_http_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct loop_http_conn *c = h->data;

	buf->base = c->buf + c->len;
	buf->len = sizeof(c->buf) - 1 - c->len;
}

static void
loop_http_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
	struct loop_http_conn *c = stream->data;
	char *end;
	size_t used;

	if (n < 0 || c->len + (size_t)n >= sizeof(c->buf) - 1) {
		loop_http_conn_end(c, false);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	/* Requests carry no body here: each ends with its head. */
	while (!c->closing && (end = strstr(c->buf, "\r\n\r\n")) != NULL) {
		*end = '\0';
		loop_http_answer(c, c->buf);
		used = (size_t)(end + 4 - c->buf);
		memmove(c->buf, c->buf + used, c->len - used + 1);
		c->len -= used;
	}
}

static void
loop_http_accept(uv_stream_t *listener, int status)
{
	struct loop_http *s = listener->data;
	struct loop_http_conn *c;

	if (status < 0)
		return;
	c = calloc(1, sizeof(*c));
	c->srv = s;
	c->next = s->conns;
	if (c->next != NULL)
		c->next->prevp = &c->next;
	c->prevp = &s->conns;
	s->conns = c;
	uv_tcp_init(listener->loop, &c->tcp);
	c->tcp.data = c;
	s->open++;
	if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
		loop_http_conn_end(c, false);
		return;
	}
	s->accepted++;
	uv_read_start((uv_stream_t *)&c->tcp, loop_http_alloc, loop_http_read);
}

/* Listens on 127.0.0.1, port s->port (0: any); 0 or libuv's error. */
static int
loop_http_start(uv_loop_t *loop, struct loop_http *s)
{
	struct sockaddr_in sa;
	struct sockaddr_storage got;
	int len = sizeof(got), rc;

	uv_ip4_addr("127.0.0.1", s->port, &sa);
	uv_tcp_init(loop, &s->listener);
	s->listener.data = s;
	if ((rc = uv_tcp_bind(&s->listener, (struct sockaddr *)&sa, 0)) != 0 ||
	    (rc = uv_listen((uv_stream_t *)&s->listener, 64, loop_http_accept)) != 0)
		return rc;
	uv_tcp_getsockname(&s->listener, (struct sockaddr *)&got, &len);
	s->port = ntohs(((struct sockaddr_in *)&got)->sin_port);
	return 0;
}

/* Ends every connection open now, with a FIN or a reset. */
static void __attribute__((unused))
loop_http_drop(struct loop_http *s, bool reset)
{
	while (s->conns != NULL)
		loop_http_conn_end(s->conns, reset);
}

/* A 408 on every connection open now, then a close. */
static void __attribute__((unused))
loop_http_timeout(struct loop_http *s)
{
	struct loop_http_conn *c, *next;

	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		loop_http_send(c, 408, "", true);
	}
}

/* Closes the listener and every connection still open (the loop frees them). */
static void
loop_http_stop(struct loop_http *s)
{
	uv_close((uv_handle_t *)&s->listener, NULL);
	loop_http_drop(s, false);
}

#endif
