/*
 * tcp checks: resolve, connect, optionally send a line and wait for an
 * expected reply (Redis PING -> +PONG), all within the check's timeout.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check_kinds.h"
#include "core/mem.h"
#include "core/workpool.h"

struct tcp_run {
	struct check_run *run;		/* NULL once reported or cancelled */
	uv_getaddrinfo_t resolve;
	uv_tcp_t	 tcp;
	uv_connect_t	 connect;
	uv_write_t	 write;
	uv_timer_t	 timer;
	char		*send;		/* unescaped */
	char		 reply[4096];
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
tcp_handle_closed(uv_handle_t *handle)
{
	struct tcp_run *t = handle->data;

	if (--t->open == 0 && !t->resolving) {
		free(t->send);
		free(t);
	}
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
	buf->len = sizeof(t->reply) - 1 - t->reply_len;
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
	if (n < 0 || t->reply_len == sizeof(t->reply) - 1)
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
	if (conf->expect != NULL)
		uv_read_start((uv_stream_t *)&t->tcp, tcp_alloc, tcp_read);
	if (conf->send != NULL) {
		buf = uv_buf_init(t->send, (unsigned)strlen(t->send));
		t->write.data = t;
		uv_write(&t->write, (uv_stream_t *)&t->tcp, &buf, 1, tcp_written);
	}
}

static void
tcp_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *ai)
{
	struct tcp_run *t = req->data;

	t->resolving = false;
	if (t->run == NULL) {
		uv_freeaddrinfo(ai);
		if (t->open == 0) {
			free(t->send);
			free(t);
		}
		return;
	}
	if (status < 0) {
		tcp_report(t, HEALTH_CRITICAL, "%s: cannot resolve: %s",
		    t->run->conf->tcp.host, uv_strerror(status));
		return;
	}
	uv_tcp_init(t->run->env->loop, &t->tcp);
	t->tcp.data = t;
	t->tcp_open = true;
	t->open++;
	t->connect.data = t;
	status = uv_tcp_connect(&t->connect, &t->tcp, ai->ai_addr, tcp_connected);
	uv_freeaddrinfo(ai);
	if (status < 0)
		tcp_report(t, HEALTH_CRITICAL, "%s:%d: %s", t->run->conf->tcp.host,
		    t->run->conf->tcp.port, uv_strerror(status));
}

static void
tcp_cancel(struct check_run *run)
{
	tcp_release(run->kind);
}

void
check_tcp_start(struct check_run *run)
{
	const struct tcp_check_conf *conf = &run->conf->tcp;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct tcp_run *t = xcalloc(1, sizeof(*t));
	char port[16];
	int rc;

	t->run = run;
	t->send = conf->send ? tcp_unescape(conf->send) : NULL;
	uv_timer_init(run->env->loop, &t->timer);
	t->timer.data = t;
	t->open = 1;
	uv_timer_start(&t->timer, tcp_timed_out, (uint64_t)run->conf->timeout_ms, 0);
	snprintf(port, sizeof(port), "%d", conf->port);
	t->resolve.data = t;
	t->resolving = true;
	run->kind = t;
	run->cancel = tcp_cancel;
	workpool_start(run->env->loop);	/* the name is resolved there */
	rc = uv_getaddrinfo(run->env->loop, &t->resolve, tcp_resolved,
	    strcmp(conf->host, "localhost") == 0 ? "127.0.0.1" : conf->host, port, &hints);
	if (rc != 0) {
		t->resolving = false;
		tcp_release(t);
		check_run_finish_soon(run, HEALTH_UNKNOWN, "cannot resolve %s: %s",
		    conf->host, uv_strerror(rc));
	}
}
