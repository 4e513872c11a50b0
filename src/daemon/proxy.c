#include "daemon/proxy.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/log.h"
#include "core/mem.h"

#define PROXY_CONNS_MAX		256		/* at once per proxy; more are closed */
#define PROXY_QUEUE_MAX		(256 * 1024)	/* unsent bytes before reading stops */

static const char *const mode_names[] = {
	[PROXY_PASS] = "passing", [PROXY_LATENCY] = "answering late", [PROXY_RESET] =
	"resetting every connection", [PROXY_ERROR] = "answering HTTP 503",
};

static const char http_503[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
    "Connection: close\r\n\r\n";

struct proxy_conn;

struct proxy {
	struct proxy_set *set;
	char		*name;
	struct sockaddr_storage upstream;
	uv_tcp_t	 server;
	uv_timer_t	 until;		/* the fault's end */
	int		 mode;
	int64_t		 delay_ms;
	struct proxy_conn *conns;
	int		 n_conns;
	bool		 listening;
};

struct proxy_set {
	uv_loop_t	*loop;
	struct proxy	*v;
	size_t		 n;
	int		 handles;	/* open: servers and timers */
	bool		 closing;
};

/* One client and its upstream; freed once all its handles are closed. */
struct proxy_conn {
	struct proxy_conn *next, *prev;
	struct proxy	*p;
	uv_tcp_t	 client, upstream;
	uv_connect_t	 connect;
	uv_timer_t	 delay;
	int		 handles;	/* open */
	int		 eofs;		/* sides that ended */
	bool		 closing;
};

struct proxy_write {
	uv_write_t	 req;
	struct proxy_conn *c;
	uv_stream_t	*from;		/* read again once the queue drains */
	char		*data;
};

/* A handle of the set, or a connection, is gone: the last one frees the set. */
static void
set_release(struct proxy_set *set)
{
	size_t i;

	if (--set->handles > 0)
		return;
	for (i = 0; i < set->n; i++)
		free(set->v[i].name);
	free(set->v);
	free(set);
}

static void
conn_handle_closed(uv_handle_t *h)
{
	struct proxy_conn *c = h->data;
	struct proxy_set *set = c->p->set;

	if (--c->handles > 0)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->p->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->p->n_conns--;
	free(c);
	set_release(set);
}

static void
conn_close(struct proxy_conn *c)
{
	uv_handle_t *h[3] = { (uv_handle_t *)&c->client, (uv_handle_t *)&c->upstream,
	    (uv_handle_t *)&c->delay };
	int i;

	c->closing = true;
	for (i = 0; i < 3; i++)
		if (h[i]->data != NULL && !uv_is_closing(h[i]))
			uv_close(h[i], conn_handle_closed);
}

static void
conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	buf->base = xmalloc(suggested);
	buf->len = suggested;
}

static void	conn_read(uv_stream_t *from, ssize_t nread, const uv_buf_t *buf);

static void
conn_shut(uv_shutdown_t *req, int status)
{
	(void)status;
	free(req);
}

static void
conn_written(uv_write_t *req, int status)
{
	struct proxy_write *w = (struct proxy_write *)req;
	struct proxy_conn *c = w->c;

	free(w->data);
	if (status < 0 && !c->closing)
		conn_close(c);
	else if (!c->closing && w->from != NULL &&
	    uv_stream_get_write_queue_size(req->handle) < PROXY_QUEUE_MAX)
		uv_read_start(w->from, conn_alloc, conn_read);	/* UV_EALREADY if reading */
	free(w);
}

/* What one side read goes to the other. */
static void
conn_read(uv_stream_t *from, ssize_t nread, const uv_buf_t *buf)
{
	struct proxy_conn *c = from->data;
	uv_stream_t *to = from == (uv_stream_t *)&c->client ? (uv_stream_t *)&c->upstream :
	    (uv_stream_t *)&c->client;
	struct proxy_write *w;
	uv_shutdown_t *sh;
	uv_buf_t out;

	if (nread > 0 && !c->closing) {
		w = xcalloc(1, sizeof(*w));
		w->c = c;
		w->data = buf->base;
		w->from = from;
		out = uv_buf_init(buf->base, (unsigned)nread);
		if (uv_write(&w->req, to, &out, 1, conn_written) < 0) {
			free(w->data);
			free(w);
			conn_close(c);
			return;
		}
		if (uv_stream_get_write_queue_size(to) >= PROXY_QUEUE_MAX)
			uv_read_stop(from);
		return;
	}
	free(buf->base);
	if (nread == UV_EOF && !c->closing) {
		uv_read_stop(from);
		if (++c->eofs == 2)
			conn_close(c);
		else if (uv_shutdown((sh = xcalloc(1, sizeof(*sh))), to, conn_shut) < 0)
			free(sh);
	} else if (nread < 0 && !c->closing) {
		conn_close(c);
	}
}

static void
conn_connected(uv_connect_t *req, int status)
{
	struct proxy_conn *c = req->data;

	if (c->closing)
		return;
	if (status < 0) {
		conn_close(c);
		return;
	}
	uv_read_start((uv_stream_t *)&c->client, conn_alloc, conn_read);
	uv_read_start((uv_stream_t *)&c->upstream, conn_alloc, conn_read);
}

static void
conn_to_upstream(struct proxy_conn *c)
{
	uv_tcp_init(c->p->set->loop, &c->upstream);
	c->upstream.data = c;
	c->handles++;
	c->connect.data = c;
	if (uv_tcp_connect(&c->connect, &c->upstream, (struct sockaddr *)&c->p->upstream,
	    conn_connected) < 0)
		conn_close(c);
}

static void
conn_delay_done(uv_timer_t *t)
{
	struct proxy_conn *c = t->data;

	if (!c->closing)
		conn_to_upstream(c);
}

static void
conn_503_written(uv_write_t *req, int status)
{
	struct proxy_conn *c = req->data;

	(void)status;
	free(req);
	if (!c->closing)
		conn_close(c);
}

/* A connection, handled as the proxy's mode says. */
static void
proxy_accept(uv_stream_t *server, int status)
{
	struct proxy *p = server->data;
	struct proxy_conn *c;
	uv_write_t *req;
	uv_buf_t buf;

	if (status < 0 || p->set->closing)
		return;
	c = xcalloc(1, sizeof(*c));
	c->p = p;
	p->set->handles++;		/* released when the connection is freed */
	uv_tcp_init(p->set->loop, &c->client);
	c->client.data = c;
	c->handles = 1;
	c->next = p->conns;
	if (p->conns != NULL)
		p->conns->prev = c;
	p->conns = c;
	p->n_conns++;
	if (uv_accept(server, (uv_stream_t *)&c->client) < 0 ||
	    p->n_conns > PROXY_CONNS_MAX) {
		conn_close(c);
		return;
	}
	switch (p->mode) {
	case PROXY_RESET:
		c->closing = true;
		uv_tcp_close_reset(&c->client, conn_handle_closed);
		break;
	case PROXY_ERROR:
		req = xcalloc(1, sizeof(*req));
		req->data = c;
		buf = uv_buf_init((char *)http_503, sizeof(http_503) - 1);
		if (uv_write(req, (uv_stream_t *)&c->client, &buf, 1, conn_503_written) < 0) {
			free(req);
			conn_close(c);
		}
		break;
	case PROXY_LATENCY:
		uv_timer_init(p->set->loop, &c->delay);
		c->delay.data = c;
		c->handles++;
		uv_timer_start(&c->delay, conn_delay_done, (uint64_t)p->delay_ms, 0);
		break;
	default:
		conn_to_upstream(c);
		break;
	}
}

static void
proxy_fault_over(uv_timer_t *t)
{
	struct proxy *p = t->data;

	p->mode = PROXY_PASS;
	log_info(NULL, "proxy %s: the fault is over; passing again", p->name);
}

static void
set_handle_closed(uv_handle_t *h)
{
	struct proxy *p = h->data;

	set_release(p->set);
}

static void
proxy_start(struct proxy_set *set, struct proxy *p, const struct proxy_conf *conf)
{
	struct sockaddr_storage listen;
	int rc;

	p->set = set;
	p->name = xstrdup(conf->name);
	uv_timer_init(set->loop, &p->until);
	p->until.data = p;
	uv_tcp_init(set->loop, &p->server);
	p->server.data = p;
	set->handles += 2;
	if (proxy_address(conf->listen, &listen) < 0 ||
	    proxy_address(conf->upstream, &p->upstream) < 0) {
		log_warn(NULL, "proxy %s: not a loopback address: left out", p->name);
		return;
	}
	if ((rc = uv_tcp_bind(&p->server, (struct sockaddr *)&listen, 0)) < 0 ||
	    (rc = uv_listen((uv_stream_t *)&p->server, 128, proxy_accept)) < 0) {
		log_warn(NULL, "proxy %s: cannot listen on %s: %s", p->name, conf->listen,
		    uv_strerror(rc));
		return;
	}
	p->listening = true;
	log_info(NULL, "proxy %s: %s -> %s", p->name, conf->listen, conf->upstream);
}

struct proxy_set *
proxy_set_new(uv_loop_t *loop, const struct tend_config *cfg)
{
	struct proxy_set *set;
	size_t i;

	if (cfg->n_proxies == 0)
		return NULL;
	set = xcalloc(1, sizeof(*set));
	set->loop = loop;
	set->v = xcalloc(cfg->n_proxies, sizeof(*set->v));
	set->n = cfg->n_proxies;
	for (i = 0; i < set->n; i++)
		proxy_start(set, &set->v[i], &cfg->proxies[i]);
	return set;
}

void
proxy_set_free(struct proxy_set *set)
{
	struct proxy_conn *c, *next;
	size_t i;

	if (set == NULL)
		return;
	set->closing = true;
	for (i = 0; i < set->n; i++) {
		for (c = set->v[i].conns; c != NULL; c = next) {
			next = c->next;
			if (!c->closing)
				conn_close(c);
		}
		uv_close((uv_handle_t *)&set->v[i].server, set_handle_closed);
		uv_close((uv_handle_t *)&set->v[i].until, set_handle_closed);
	}
}

int
proxy_set_fault(struct proxy_set *set, const char *name, int mode, int64_t delay_ms,
    int64_t duration_ms, char *err, size_t errlen)
{
	struct proxy *p = NULL;
	size_t i;

	for (i = 0; set != NULL && i < set->n; i++)
		if (strcmp(set->v[i].name, name) == 0)
			p = &set->v[i];
	if (p == NULL || !p->listening) {
		snprintf(err, errlen, "no proxy named '%s' listens", name);
		return -1;
	}
	p->mode = mode;
	p->delay_ms = delay_ms;
	if (mode == PROXY_PASS) {
		uv_timer_stop(&p->until);
		return 0;
	}
	uv_timer_start(&p->until, proxy_fault_over, (uint64_t)duration_ms, 0);
	log_info(NULL, "proxy %s: %s for %lld ms (a chaos fault)", p->name, mode_names[mode],
	    (long long)duration_ms);
	return 0;
}
