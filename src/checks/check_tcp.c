/*
 * tcp checks: resolve, connect, optionally send a line and wait for an
 * expected reply (Redis PING -> +PONG), all within the check's timeout.
 * What a run needs that never changes — the address, the request — is
 * worked out at the first run and kept in the check's memory: a run is
 * then one allocation and a connect, with no lookup on the thread pool.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check_kinds.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/workpool.h"

/* How long a name's address is believed (libcurl's DNS cache's, for http). */
#define TCP_ADDR_TTL_MS	60000
#define TCP_REPLY_MAX	4096

/* What a check keeps between runs. */
struct tcp_memo {
	char		*send;		/* unescaped; NULL: nothing to send */
	struct sockaddr_storage addr;
	bool		 have_addr;
	bool		 numeric;	/* an address, never looked up */
	int64_t		 resolved_ms;	/* monotonic; when a name was looked up */
};

struct tcp_run {
	struct check_run *run;		/* NULL once reported or cancelled */
	struct tcp_memo	*memo;
	bool		 own_memo;	/* a check without memory: this run's */
	uv_getaddrinfo_t resolve;
	uv_tcp_t	 tcp;
	uv_connect_t	 connect;
	uv_write_t	 write;
	uv_timer_t	 timer;
	char		*reply;		/* made when an answer is expected */
	size_t		 reply_len;
	int		 open;		/* handles still to close */
	bool		 tcp_open;
	bool		 resolving;
	double		 connect_ms;
};

/* "PING\r\n" as written in YAML: \r \n \t and \\ are understood. */
static char *
tcp_unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0') {
			*o++ = *s;
			continue;
		}
		s++;
		*o++ = *s == 'r' ? '\r' : *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
	}
	*o = '\0';
	return out;
}

static void
tcp_memo_free(void *state)
{
	struct tcp_memo *m = state;

	if (m == NULL)
		return;
	free(m->send);
	free(m);
}

static void
tcp_free(struct tcp_run *t)
{
	if (t->own_memo)
		tcp_memo_free(t->memo);
	free(t->reply);
	free(t);
}

static void
tcp_handle_closed(uv_handle_t *handle)
{
	struct tcp_run *t = handle->data;

	if (--t->open == 0 && !t->resolving)
		tcp_free(t);
}

/* Closes what is open; frees once everything has let go. */
static void
tcp_release(struct tcp_run *t)
{
	t->run = NULL;
	uv_timer_stop(&t->timer);
	if (t->resolving)
		uv_cancel((uv_req_t *)&t->resolve);
	if (t->tcp_open && !uv_is_closing((uv_handle_t *)&t->tcp))
		uv_close((uv_handle_t *)&t->tcp, tcp_handle_closed);
	if (!uv_is_closing((uv_handle_t *)&t->timer))
		uv_close((uv_handle_t *)&t->timer, tcp_handle_closed);
}

static void
tcp_report(struct tcp_run *t, enum health_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
tcp_report(struct tcp_run *t, enum health_state state, const char *fmt, ...)
{
	struct check_run *run = t->run;
	struct check_result r;
	va_list ap;

	if (run == NULL)
		return;
	check_result_init(&r);
	r.state = state;
	va_start(ap, fmt);
	vsnprintf(r.message, sizeof(r.message), fmt, ap);
	va_end(ap);
	r.latency_ms = t->connect_ms > 0 ? t->connect_ms : check_run_elapsed_ms(run);
	check_run_judge_latency(run, &r);
	check_result_add_metric(&r, "time", r.latency_ms / 1000.0, "s");
	tcp_release(t);
	check_run_finish(run, &r);
	check_result_clear(&r);
}

static void
tcp_timed_out(uv_timer_t *timer)
{
	struct tcp_run *t = timer->data;

	tcp_report(t, HEALTH_CRITICAL, "%s:%d: timed out after %lldms",
	    t->run->conf->tcp.host, t->run->conf->tcp.port,
	    (long long)t->run->conf->timeout_ms);
}

static void
tcp_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	struct tcp_run *t = handle->data;

	buf->base = t->reply + t->reply_len;
	buf->len = TCP_REPLY_MAX - 1 - t->reply_len;
}

static void
tcp_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
	struct tcp_run *t = stream->data;
	const struct tcp_check_conf *conf;

	if (t->run == NULL)
		return;
	conf = &t->run->conf->tcp;
	if (n > 0) {
		t->reply_len += (size_t)n;
		t->reply[t->reply_len] = '\0';
	}
	if (strstr(t->reply, conf->expect) != NULL) {
		tcp_report(t, HEALTH_HEALTHY, "%s:%d answered '%s' in %.0fms", conf->host,
		    conf->port, conf->expect, check_run_elapsed_ms(t->run));
		return;
	}
	if (n < 0 || t->reply_len == TCP_REPLY_MAX - 1)
		tcp_report(t, HEALTH_CRITICAL, "%s:%d: expected '%s', got '%.60s'",
		    conf->host, conf->port, conf->expect, t->reply);
}

static void
tcp_written(uv_write_t *req, int status)
{
	struct tcp_run *t = req->data;
	const struct tcp_check_conf *conf;

	if (t->run == NULL)
		return;
	conf = &t->run->conf->tcp;
	if (status < 0)
		tcp_report(t, HEALTH_CRITICAL, "%s:%d: send failed: %s", conf->host,
		    conf->port, uv_strerror(status));
	else if (conf->expect == NULL)
		tcp_report(t, HEALTH_HEALTHY, "%s:%d accepted and took the request",
		    conf->host, conf->port);
}

static void
tcp_connected(uv_connect_t *req, int status)
{
	struct tcp_run *t = req->data;
	const struct tcp_check_conf *conf;
	uv_buf_t buf;

	if (t->run == NULL)
		return;
	conf = &t->run->conf->tcp;
	if (status < 0) {
		/* Where the name points may have moved: looked up again next run. */
		if (!t->memo->numeric)
			t->memo->have_addr = false;
		tcp_report(t, HEALTH_CRITICAL, "%s:%d: %s", conf->host, conf->port,
		    uv_strerror(status));
		return;
	}
	t->connect_ms = check_run_elapsed_ms(t->run);
	if (conf->send == NULL && conf->expect == NULL) {
		tcp_report(t, HEALTH_HEALTHY, "%s:%d accepted in %.0fms", conf->host,
		    conf->port, t->connect_ms);
		return;
	}
	if (conf->expect != NULL) {
		t->reply = xcalloc(1, TCP_REPLY_MAX);
		uv_read_start((uv_stream_t *)&t->tcp, tcp_alloc, tcp_read);
	}
	if (t->memo->send != NULL) {
		buf = uv_buf_init(t->memo->send, (unsigned)strlen(t->memo->send));
		t->write.data = t;
		uv_write(&t->write, (uv_stream_t *)&t->tcp, &buf, 1, tcp_written);
	}
}

/* Connects to the memo's address: 0, or libuv's error (nothing reported). */
static int
tcp_connect(struct tcp_run *t)
{
	uv_tcp_init(t->run->env->loop, &t->tcp);
	t->tcp.data = t;
	t->tcp_open = true;
	t->open++;
	t->connect.data = t;
	return uv_tcp_connect(&t->connect, &t->tcp, (struct sockaddr *)&t->memo->addr,
	    tcp_connected);
}

static void
tcp_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *ai)
{
	struct tcp_run *t = req->data;

	t->resolving = false;
	if (t->run == NULL) {
		uv_freeaddrinfo(ai);
		if (t->open == 0)
			tcp_free(t);
		return;
	}
	if (status < 0) {
		tcp_report(t, HEALTH_CRITICAL, "%s: cannot resolve: %s",
		    t->run->conf->tcp.host, uv_strerror(status));
		return;
	}
	memcpy(&t->memo->addr, ai->ai_addr, ai->ai_addrlen);
	t->memo->have_addr = true;
	t->memo->resolved_ms = clock_mono_ms();
	uv_freeaddrinfo(ai);
	if ((status = tcp_connect(t)) < 0)
		tcp_report(t, HEALTH_CRITICAL, "%s:%d: %s", t->run->conf->tcp.host,
		    t->run->conf->tcp.port, uv_strerror(status));
}

static void
tcp_cancel(struct check_run *run)
{
	tcp_release(run->kind);
}

/*
 * The memo, made at a check's first run: its request unescaped once, and
 * its address when the host is one ("localhost" is 127.0.0.1).
 */
static struct tcp_memo *
tcp_memo_new(const struct tcp_check_conf *conf)
{
	struct tcp_memo *m = xcalloc(1, sizeof(*m));
	const char *host = strcmp(conf->host, "localhost") == 0 ? "127.0.0.1" :
	    conf->host;

	m->send = conf->send != NULL ? tcp_unescape(conf->send) : NULL;
	if (uv_ip4_addr(host, conf->port, (struct sockaddr_in *)&m->addr) == 0 ||
	    uv_ip6_addr(host, conf->port, (struct sockaddr_in6 *)&m->addr) == 0)
		m->numeric = m->have_addr = true;
	return m;
}

static struct tcp_memo *
tcp_memo_get(struct check_run *run, bool *own)
{
	struct check_memory *memory = run->memory;

	*own = memory == NULL;
	if (memory == NULL)
		return tcp_memo_new(&run->conf->tcp);
	if (memory->state == NULL) {
		memory->state = tcp_memo_new(&run->conf->tcp);
		memory->state_free = tcp_memo_free;
	}
	return memory->state;
}

/*
 * Looks the name up on the thread pool (its address is a minute old, or
 * there is none): 0, or libuv's error (nothing reported).
 */
static int
tcp_resolve(struct tcp_run *t)
{
	const struct tcp_check_conf *conf = &t->run->conf->tcp;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	char port[16];
	int rc;

	snprintf(port, sizeof(port), "%d", conf->port);
	t->resolve.data = t;
	t->resolving = true;
	workpool_start(t->run->env->loop);	/* the name is resolved there */
	rc = uv_getaddrinfo(t->run->env->loop, &t->resolve, tcp_resolved, conf->host, port,
	    &hints);
	if (rc != 0)
		t->resolving = false;
	return rc;
}

void
check_tcp_start(struct check_run *run)
{
	struct tcp_run *t = xcalloc(1, sizeof(*t));
	struct tcp_memo *m;
	bool fresh;
	int rc;

	t->run = run;
	t->memo = m = tcp_memo_get(run, &t->own_memo);
	uv_timer_init(run->env->loop, &t->timer);
	t->timer.data = t;
	t->open = 1;
	uv_timer_start(&t->timer, tcp_timed_out, (uint64_t)run->conf->timeout_ms, 0);
	run->kind = t;
	run->cancel = tcp_cancel;
	fresh = m->have_addr && (m->numeric ||
	    clock_mono_ms() - m->resolved_ms < TCP_ADDR_TTL_MS);
	if ((rc = fresh ? tcp_connect(t) : tcp_resolve(t)) == 0)
		return;
	/* Never reported inside this call: the caller must get its handle first. */
	tcp_release(t);
	if (fresh)
		check_run_finish_soon(run, HEALTH_CRITICAL, "%s:%d: %s", run->conf->tcp.host,
		    run->conf->tcp.port, uv_strerror(rc));
	else
		check_run_finish_soon(run, HEALTH_UNKNOWN, "cannot resolve %s: %s",
		    run->conf->tcp.host, uv_strerror(rc));
}
