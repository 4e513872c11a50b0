/*
 * The HTTP server's life: libmicrohttpd started with all its options
 * (web_listen, the one place they are set), its timers on the loop, the
 * hand-over of snapshots and events from the loop, and its stop. What a
 * request is answered with is route.c's.
 */
#include "web/web_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/statedir.h"

/*
 * One thread answers every request: what it sends is in memory (the
 * published snapshot, the assets) and the store's reads are the reader
 * thread's (reader.c), so it never waits. One answers 60,000 statuses a
 * second here; a second thread on a machine of few cores only adds a tail,
 * the two taking turns (p99 4.7 ms for 1.9 at 50 connections: bench/README.md).
 */
#define WEB_THREADS		1
#define WEB_KEEPALIVE_MS	15000
/*
 * Per connection, for its headers and buffers. libmicrohttpd maps a fresh
 * block of this size for each connection when it is large (128 KiB cost a
 * munmap per connection), and zeroes the whole of it after each request:
 * at 32 KiB that memset was the largest of a keep-alive request's costs in
 * tend (8 %). 16 KiB holds any request head a browser or a script sends.
 */
#define WEB_MEMORY_LIMIT	(16 * 1024)

struct web_snapshot *
web_current(struct web_server *ws)
{
	struct web_snapshot *snap;

	pthread_mutex_lock(&ws->lock);
	snap = ws->snap;
	if (snap != NULL)
		web_snapshot_ref(snap);
	pthread_mutex_unlock(&ws->lock);
	return snap;
}

static void
web_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_debug(NULL, "web: %s", msg);
}

/* No token yet (a full disk at start, one refused): try again. */
static void
web_token_retry(struct web_server *ws)
{
	char err[512];

	if (web_token_load(&ws->token, ws->sd, err, sizeof(err)) < 0)
		log_error(NULL, "no API token, so every action is refused: %s", err);
}

static void
web_keepalive(uv_timer_t *timer)
{
	struct web_server *ws = timer->data;

	web_token_retry(ws);

	/* Also how a stream whose client left is noticed: the write fails. */
	pthread_mutex_lock(&ws->lock);
	sse_wake_all_locked(ws, true);
	pthread_mutex_unlock(&ws->lock);
}

/* Requests late past connection_timeout are cut off within a quarter of it (at most 1 s). */
static uint64_t
web_sweep_interval(const struct web_conf *conf)
{
	int64_t ms = conf->connection_timeout_ms / 4;

	return ms < 100 ? 100 : ms > 1000 ? 1000 : (uint64_t)ms;
}

static void
web_sweep(uv_timer_t *timer)
{
	struct web_server *ws = timer->data;

	web_conns_sweep(&ws->conns, clock_mono_ms());
}

/* The address to listen on: IPv4 or IPv6 literal (checked by the config). */
static int
web_sockaddr(const struct web_conf *conf, struct sockaddr_storage *ss, bool *v6)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	*v6 = false;
	if (inet_pton(AF_INET, conf->host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)conf->port);
		return 0;
	}
	if (inet_pton(AF_INET6, conf->host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)conf->port);
		*v6 = true;
		return 0;
	}
	return -1;
}

/*
 * libmicrohttpd decodes the path and the query with this: a %00 stays as it
 * is, so that no decoded name holds a NUL that would cut its lookup short
 * ("/assets/app.js%00.png" is not "/assets/app.js").
 */
static size_t
web_mhd_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	return web_unescape(s);
}

/*
 * libmicrohttpd's own limit is a backstop above ours (web/conns.c), which
 * sheds rather than refuses: room for what is being closed, in each of the
 * threads it divides it among.
 */
#define WEB_CLOSING_SLACK	16

static int
web_listen(struct web_server *ws, const struct web_conf *conf, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	bool v6, listening = conf->port >= 0;
	unsigned port;

	if (dl_mhd_load(err, errlen) < 0)
		return -1;
	if (web_sockaddr(conf, &ss, &v6) < 0) {
		snprintf(err, errlen, "web.listen: '%s' is not an IP address", conf->host);
		return -1;
	}
	if (v6)
		flags |= MHD_USE_IPv6;
	if (!listening)
		flags |= MHD_USE_NO_LISTEN_SOCKET;
	/* Ready before the first request; port 0's is known once bound, before anyone can know it. */
	web_hosts_init(&ws->hosts, conf->host, listening ? conf->port : 80, conf->allowed_hosts);
	ws->mhd = MHD_start_daemon(flags, (uint16_t)conf->port, NULL, NULL, web_handle, ws,
	    MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, ws,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)WEB_THREADS,
	    MHD_OPTION_THREAD_STACK_SIZE, (size_t)WEB_THREAD_STACK,
	    MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)(conf->max_connections + WEB_THREADS * WEB_CLOSING_SLACK),
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)((conf->connection_timeout_ms + 999) / 1000),
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_MEMORY_LIMIT,
	    MHD_OPTION_NOTIFY_COMPLETED, web_request_done, ws,
	    MHD_OPTION_NOTIFY_CONNECTION, web_conns_notify, &ws->conns,
	    MHD_OPTION_UNESCAPE_CALLBACK, web_mhd_unescape, ws,
	    MHD_OPTION_END);
	if (ws->mhd == NULL) {
		snprintf(err, errlen, "cannot listen on %s%s%s:%d: %s", v6 ? "[" : "",
		    conf->host, v6 ? "]" : "", conf->port, strerror(errno));
		web_hosts_free(&ws->hosts);
		return -1;
	}
	/* Not listening, connections come from web_serve_fd as if to port 80. */
	info = listening ? MHD_get_daemon_info(ws->mhd, MHD_DAEMON_INFO_BIND_PORT) : NULL;
	port = info != NULL ? (unsigned)info->port : listening ? (unsigned)conf->port : 80;
	ws->url = xasprintf("http://%s%s%s:%u/", v6 ? "[" : "", conf->host, v6 ? "]" : "",
	    port);
	web_hosts_set_port(&ws->hosts, (int)port);
	return 0;
}

int
web_serve_fd(struct web_server *ws, int fd)
{
	struct sockaddr_in local = { .sin_family = AF_INET };

	local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return MHD_add_connection(ws->mhd, fd, (struct sockaddr *)&local, sizeof(local)) ==
	    MHD_YES ? 0 : -1;
}

/* STATE_DIR/web.url, for `tend status`, scripts and tests (port 0). */
static void
web_write_url(const struct web_server *ws)
{
	char *text = xasprintf("%s\n", ws->url);

	if (statedir_replace(ws->sd, "web.url", text, strlen(text), 0644) < 0)
		log_warn(NULL, "cannot write %s/web.url: %s", statedir_path(ws->sd),
		    strerror(errno));
	free(text);
}

struct web_server *
web_start(uv_loop_t *loop, const struct web_conf *conf, struct statedir *sd,
    const struct web_ops *ops, char *err, size_t errlen)
{
	struct web_server *ws = xcalloc(1, sizeof(*ws));

	ws->ops = *ops;
	ws->sse_max = conf->sse_clients;
	ws->sd = sd;
	ws->logs_fd = -1;
	ws->db_path = statedir_file(sd, "tend.db");
	ws->reader = web_reader_new(ws);
	pthread_mutex_init(&ws->lock, NULL);
	web_conns_init(&ws->conns, conf->max_connections, conf->per_ip_connections,
	    conf->connection_timeout_ms);
	/* Without a token the dashboard still shows; actions wait for one. */
	web_token_retry(ws);
	if (web_listen(ws, conf, err, errlen) < 0) {
		web_conns_fini(&ws->conns);
		pthread_mutex_destroy(&ws->lock);
		web_reader_free(ws->reader);
		free(ws->db_path);
		free(ws);
		return NULL;
	}
	uv_async_init(loop, &ws->wake, web_action_drain);
	ws->wake.data = ws;
	uv_timer_init(loop, &ws->keepalive);
	ws->keepalive.data = ws;
	uv_timer_start(&ws->keepalive, web_keepalive, WEB_KEEPALIVE_MS, WEB_KEEPALIVE_MS);
	uv_timer_init(loop, &ws->sweep);
	ws->sweep.data = ws;
	uv_timer_start(&ws->sweep, web_sweep, web_sweep_interval(conf),
	    web_sweep_interval(conf));
	uv_timer_init(loop, &ws->logs_tick);
	ws->logs_tick.data = ws;
	uv_timer_start(&ws->logs_tick, web_logs_tick, 250, 250);
	ws->open_handles = 4;
	if (conf->port < 0)
		return ws;
	web_write_url(ws);
	log_info(NULL, "dashboard and API on %s", ws->url);
	return ws;
}

const char *
web_url(const struct web_server *ws)
{
	return ws->url;
}

void
web_publish(struct web_server *ws, struct web_snapshot *snap)
{
	struct web_snapshot *old;

	pthread_mutex_lock(&ws->lock);
	old = ws->snap;
	ws->snap = snap;
	/* A new status: every stream sends it after the events it has not sent yet. */
	if (old == NULL || old->st != snap->st) {
		ws->status_gen++;
		sse_wake_all_locked(ws, false);
	}
	pthread_mutex_unlock(&ws->lock);
	web_snapshot_unref(old);
}

void
web_event(struct web_server *ws, const char *event, const json_t *data)
{
	char *json, *text;
	size_t len;
	int streams;

	/* A stream starts at the newest event: with none open, there is no one to keep it for. */
	pthread_mutex_lock(&ws->lock);
	streams = ws->n_clients;
	pthread_mutex_unlock(&ws->lock);
	if (streams == 0 || (json = json_dumps(data, WEB_JSON_FLAGS)) == NULL)
		return;
	text = xasprintf("event: %s\ndata: %s\n\n", event, json);
	free(json);
	len = strlen(text);
	pthread_mutex_lock(&ws->lock);
	sse_push_locked(ws, text, len);
	pthread_mutex_unlock(&ws->lock);
}

static void
web_handle_closed(uv_handle_t *handle)
{
	struct web_server *ws = handle->data;
	size_t i;

	if (--ws->open_handles > 0)
		return;
	for (i = 0; i < WEB_SSE_RING; i++)
		free(ws->ring[i].text);
	web_snapshot_unref(ws->snap);
	web_ping_fini(ws);
	web_hosts_free(&ws->hosts);
	web_conns_fini(&ws->conns);
	pthread_mutex_destroy(&ws->lock);
	if (ws->logs_fd >= 0)
		close(ws->logs_fd);
	web_reader_free(ws->reader);
	free(ws->db_path);
	free(ws->url);
	free(ws);
}

void
web_stop(struct web_server *ws)
{
	if (ws == NULL)
		return;
	/* Nothing may stay suspended when MHD stops: answer and wake everything. */
	pthread_mutex_lock(&ws->lock);
	ws->stopping = true;
	web_action_abort_locked(ws);
	sse_wake_all_locked(ws, false);
	web_logs_wake_all_locked(ws);
	pthread_mutex_unlock(&ws->lock);
	web_reader_stop(ws->reader);
	MHD_stop_daemon(ws->mhd);
	uv_close((uv_handle_t *)&ws->wake, web_handle_closed);
	uv_close((uv_handle_t *)&ws->keepalive, web_handle_closed);
	uv_close((uv_handle_t *)&ws->sweep, web_handle_closed);
	uv_close((uv_handle_t *)&ws->logs_tick, web_handle_closed);
}
