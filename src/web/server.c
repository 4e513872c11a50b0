/*
 * The HTTP server: libmicrohttpd with a small pool of its own threads,
 * routing, the common headers, authentication of POSTs, and the hand-over
 * of snapshots and events from the loop.
 */
#include "web/web_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "core/text.h"

#define WEB_THREADS		2
#define WEB_KEEPALIVE_MS	15000
#define WEB_THREAD_NICE		5	/* added to tend's nice value */
/*
 * Per connection, for its headers and buffers. libmicrohttpd maps a fresh
 * block of this size for each connection when it is large; 32 KiB comes
 * from its pool and costs nothing per connection.
 */
#define WEB_MEMORY_LIMIT	(32 * 1024)
/*
 * Each web thread's stack; libmicrohttpd's default is glibc's, RLIMIT_STACK
 * (8 MB). The deepest a busy run touched (every endpoint, reports and
 * history from the store) was 28 KB: bench/README.md, `footprint`.
 */
#define WEB_THREAD_STACK	(256 * 1024)

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

/* GETs answered from the published snapshot. */
static enum MHD_Result
web_get_published(struct web_server *ws, struct MHD_Connection *conn, const char *url)
{
	static const char json[] = "application/json";
	struct web_snapshot *snap = web_current(ws);
	const struct web_service_page *page;

	if (snap == NULL)
		return web_send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "tend is starting; no status yet");
	if (strcmp(url, "/api/status") == 0)
		return web_send_snapshot(conn, snap, &snap->status, json);
	if (strcmp(url, "/api/services") == 0)
		return web_send_snapshot(conn, snap, &snap->services, json);
	if (strcmp(url, "/api/checks") == 0)
		return web_send_snapshot(conn, snap, &snap->checks, json);
	if (strcmp(url, "/api/metrics") == 0)
		return web_send_snapshot(conn, snap, &snap->series, json);
	if (strcmp(url, "/healthz") == 0)
		return web_send_snapshot(conn, snap, &snap->healthz, json);
	if (strcmp(url, "/metrics") == 0)
		return web_send_snapshot(conn, snap, &snap->metrics,
		    "text/plain; version=0.0.4; charset=utf-8");
	page = web_snapshot_page(snap, url + strlen("/api/services/"));
	if (page != NULL)
		return web_send_snapshot(conn, snap, &page->body, json);
	web_snapshot_unref(snap);
	return web_send_error(conn, MHD_HTTP_NOT_FOUND, "no service named '%s'",
	    url + strlen("/api/services/"));
}

const char *
web_bearer(struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return h;
}

/* Authorization: Bearer TOKEN */
static bool
web_authorized(struct web_server *ws, struct MHD_Connection *conn)
{
	const char *h = web_bearer(conn);

	return h != NULL && web_token_equal(&ws->token, h, strlen(h));
}

/* What a path names; ROUTE_ACTION alone takes POST. */
enum web_route {
	ROUTE_NONE, ROUTE_ASSET, ROUTE_PUBLISHED, ROUTE_INCIDENTS, ROUTE_METRIC,
	ROUTE_ALERTS, ROUTE_EVENTS, ROUTE_ACTION, ROUTE_CHANGES, ROUTE_SNAPSHOTS, ROUTE_DIFF,
	ROUTE_REPORT, ROUTE_PING, ROUTE_JOBS, ROUTE_LOGS, ROUTE_LOG_STREAM,
};

/* What a ROUTE_ACTION asks the loop to do (web_ops.action's verb and name). */
struct web_post {
	const char	*verb;
	char		 name[256];
};

static const char *const service_verbs[] = { "restart", "stop", "start", "heal", "scale",
	NULL };
static const char *const snapshot_verbs[] = { "rollback", NULL };
static const char *const snapshot_reads[] = { "diff", NULL };
static const char *const ping_kinds[] = { "fail", "start", NULL };
static const char *const log_reads[] = { "stream", NULL };

/* Splits PREFIX/NAME/VERB (url begins with prefix); false when it is not that. */
static bool
web_action_path(const char *url, const char *prefix, const char *const *verbs, char *name,
    size_t namelen, const char **verb)
{
	const char *rest = url + strlen(prefix), *slash = strchr(rest, '/');
	size_t i;

	if (slash == NULL || slash == rest || (size_t)(slash - rest) >= namelen)
		return false;
	for (i = 0; verbs[i] != NULL; i++) {
		if (strcmp(slash + 1, verbs[i]) == 0) {
			snprintf(name, namelen, "%.*s", (int)(slash - rest), rest);
			*verb = verbs[i];
			return true;
		}
	}
	return false;
}

static bool
web_prefix(const char *url, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(url, prefix, n) == 0 && url[n] != '\0';
}

/* /api/ping/NAME (kind "ping"), /api/ping/NAME/fail or /start. */
static enum web_route
web_ping_route(const char *url, struct web_post *post)
{
	const char *rest = url + strlen("/api/ping/");

	if (web_action_path(url, "/api/ping/", ping_kinds, post->name, sizeof(post->name),
	    &post->verb))
		return ROUTE_PING;
	if (strchr(rest, '/') != NULL || strlen(rest) >= sizeof(post->name))
		return ROUTE_NONE;
	post->verb = "ping";
	snprintf(post->name, sizeof(post->name), "%s", rest);
	return ROUTE_PING;
}

/* /api/logs/NAME, /api/logs/NAME/stream. */
static enum web_route
web_logs_route(const char *url, struct web_post *post)
{
	const char *rest = url + strlen("/api/logs/");

	if (web_action_path(url, "/api/logs/", log_reads, post->name, sizeof(post->name),
	    &post->verb))
		return ROUTE_LOG_STREAM;
	if (strchr(rest, '/') != NULL || strlen(rest) >= sizeof(post->name))
		return ROUTE_NONE;
	snprintf(post->name, sizeof(post->name), "%s", rest);
	return ROUTE_LOGS;
}

static enum web_route
web_route_of(const char *url, struct web_post *post)
{
	static const char *const published[] = { "/api/status", "/api/services",
	    "/api/checks", "/api/metrics", "/healthz", "/metrics", NULL };
	size_t i;

	for (i = 0; published[i] != NULL; i++)
		if (strcmp(url, published[i]) == 0)
			return ROUTE_PUBLISHED;
	if (strcmp(url, "/api/incidents") == 0)
		return ROUTE_INCIDENTS;
	if (strcmp(url, "/api/alerts") == 0)
		return ROUTE_ALERTS;
	if (strcmp(url, "/api/events") == 0)
		return ROUTE_EVENTS;
	if (strcmp(url, "/api/changes") == 0)
		return ROUTE_CHANGES;
	if (strcmp(url, "/api/snapshots") == 0)
		return ROUTE_SNAPSHOTS;
	if (strcmp(url, "/api/report") == 0)
		return ROUTE_REPORT;
	if (strcmp(url, "/api/jobs") == 0)
		return ROUTE_JOBS;
	if (web_prefix(url, "/api/snapshots/") && web_action_path(url, "/api/snapshots/",
	    snapshot_reads, post->name, sizeof(post->name), &post->verb))
		return ROUTE_DIFF;
	if (web_prefix(url, "/api/snapshots/"))
		return web_action_path(url, "/api/snapshots/", snapshot_verbs, post->name,
		    sizeof(post->name), &post->verb) ? ROUTE_ACTION : ROUTE_NONE;
	if (web_prefix(url, "/api/services/")) {
		if (web_action_path(url, "/api/services/", service_verbs, post->name,
		    sizeof(post->name), &post->verb))
			return ROUTE_ACTION;
		return strchr(url + strlen("/api/services/"), '/') == NULL ?
		    ROUTE_PUBLISHED : ROUTE_NONE;
	}
	/* A name too long to hold is no name: never looked up cut short. */
	if (web_prefix(url, "/api/actions/") &&
	    strchr(url + strlen("/api/actions/"), '/') == NULL &&
	    strlen(url + strlen("/api/actions/")) < sizeof(post->name)) {
		post->verb = "action";
		snprintf(post->name, sizeof(post->name), "%s", url + strlen("/api/actions/"));
		return ROUTE_ACTION;
	}
	if (web_prefix(url, "/api/ping/"))
		return web_ping_route(url, post);
	if (web_prefix(url, "/api/logs/"))
		return web_logs_route(url, post);
	if (web_prefix(url, "/api/metrics/"))
		return ROUTE_METRIC;
	return strncmp(url, "/api/", 5) == 0 ? ROUTE_NONE : ROUTE_ASSET;
}

/* POST /api/services/NAME/scale: the one service verb with a body. */
static bool
web_scale_url(const char *url)
{
	size_t n = strlen(url);

	return strncmp(url, "/api/services/", 14) == 0 && n > 20 &&
	    strcmp(url + n - 6, "/scale") == 0;
}

/* A body that must be a JSON object (what is in it, the loop checks); NULL after a 400. */
static json_t *
web_object_body(struct MHD_Connection *conn, const struct web_request *req,
    enum MHD_Result *ret)
{
	json_error_t jerr;
	json_t *body = json_loadb(req->body != NULL ? req->body : "", req->body_len, 0, &jerr);

	if (body != NULL && json_is_object(body))
		return body;
	*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST, "the body must be a JSON object%s%.200s",
	    body == NULL ? ": " : "", body == NULL ? jerr.text : "");
	json_decref(body);
	return NULL;
}

/*
 * POST /api/changes's body, {"set": S, "label": L} (both optional, S a set
 * or null), checked here so that the loop gets only what it can use. NULL
 * after answering 400.
 */
static json_t *
web_change_body(struct MHD_Connection *conn, const struct web_request *req,
    enum MHD_Result *ret)
{
	json_error_t jerr;
	json_t *body, *set, *label;

	body = json_loadb(req->body != NULL ? req->body : "", req->body_len, 0, &jerr);
	if (body == NULL || !json_is_object(body)) {
		*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST, "the body must be a JSON "
		    "object like {\"set\": \"app\", \"label\": \"deploy 1.4.2\"}%s%.200s",
		    body == NULL ? ": " : "", body == NULL ? jerr.text : "");
		json_decref(body);
		return NULL;
	}
	set = json_object_get(body, "set");
	label = json_object_get(body, "label");
	if ((set != NULL && !json_is_null(set) && (!json_is_string(set) ||
	    !web_text_ok(json_string_value(set)) || *json_string_value(set) == '\0')) ||
	    (label != NULL && !json_is_null(label) && (!json_is_string(label) ||
	    !web_text_ok(json_string_value(label))))) {
		*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST, "'set' must be the name of "
		    "a snapshot set and 'label' a line of text");
		json_decref(body);
		return NULL;
	}
	return body;
}

static enum MHD_Result
web_send_unauthorized(struct MHD_Connection *conn)
{
	return web_send_error(conn, MHD_HTTP_UNAUTHORIZED, "this needs 'Authorization: "
	    "Bearer TOKEN' (the token is in the state directory's file 'token')");
}

static enum MHD_Result
web_dispatch_post(struct web_server *ws, struct MHD_Connection *conn,
    struct web_request *req, const struct web_post *post)
{
	enum MHD_Result ret = MHD_NO;
	json_t *body = NULL;

	if (req->action == NULL && !web_authorized(ws, conn))
		return web_send_unauthorized(conn);
	if (req->action == NULL && req->keep_body && post->verb != NULL &&
	    strcmp(post->verb, "scale") == 0 &&
	    (body = web_object_body(conn, req, &ret)) == NULL)
		return ret;
	if (req->action == NULL && req->keep_body && body == NULL &&
	    (body = web_change_body(conn, req, &ret)) == NULL)
		return ret;
	return web_post_action(ws, conn, req, post->verb, post->name, body);
}

static enum MHD_Result
web_dispatch_get(struct web_server *ws, struct MHD_Connection *conn, const char *url,
    enum web_route route, const struct web_post *post)
{
	switch (route) {
	case ROUTE_JOBS:
		return web_get_jobs(ws, conn);
	case ROUTE_LOGS:
		return web_get_logs(ws, conn, post->name);
	case ROUTE_LOG_STREAM:
		return web_logs_stream(ws, conn, post->name);
	case ROUTE_PUBLISHED:
		return web_get_published(ws, conn, url);
	case ROUTE_INCIDENTS:
		return web_get_incidents(ws, conn);
	case ROUTE_ALERTS:
		return web_get_alerts(ws, conn);
	case ROUTE_CHANGES:
		return web_get_changes(ws, conn);
	case ROUTE_SNAPSHOTS:
		return web_get_snapshots(ws, conn);
	case ROUTE_REPORT:
		return web_get_report(ws, conn);
	case ROUTE_DIFF:
		/* It shows what files hold: the token's, as actions are. */
		return web_authorized(ws, conn) ? web_get_diff(ws, conn, url) :
		    web_send_unauthorized(conn);
	case ROUTE_METRIC:
		return web_get_metric(ws, conn, url + strlen("/api/metrics/"));
	case ROUTE_EVENTS:
		return sse_open(ws, conn);
	case ROUTE_ASSET:
		return web_get_asset(conn, url);
	default:
		return web_send_error(conn, MHD_HTTP_NOT_FOUND, "no such endpoint: %s", url);
	}
}

/* Content-Length, or 0 when there is none. */
static unsigned long long
web_declared_length(struct MHD_Connection *conn)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);

	return v != NULL ? strtoull(v, NULL, 10) : 0;
}

/*
 * The web threads yield to the loop: under a flood of requests supervision
 * and checks keep their pace, and the dashboard waits a little instead.
 */
static void
web_thread_yield_to_loop(void)
{
	static __thread bool done;
	int nice_now;

	if (done)
		return;
	done = true;
	errno = 0;
	nice_now = getpriority(PRIO_PROCESS, (id_t)gettid());
	if (errno == 0 && setpriority(PRIO_PROCESS, (id_t)gettid(),
	    nice_now + WEB_THREAD_NICE > 19 ? 19 : nice_now + WEB_THREAD_NICE) < 0)
		log_debug(NULL, "web: setpriority: %s", strerror(errno));
}

/* A query argument's key and value (NULL: "?open") must be text. */
static enum MHD_Result
web_arg_is_text(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	bool *ok = cls;

	if (!web_text_ok(key) || (value != NULL && !web_text_ok(value))) {
		*ok = false;
		return MHD_NO;
	}
	return MHD_YES;
}

/*
 * What is checked before a request is routed, as soon as its head is in:
 * the Host it names (DNS rebinding), that its path and query decoded to
 * text, and the size of its body. False with the refusal queued in *ret.
 */
static bool
web_request_acceptable(struct web_server *ws, struct MHD_Connection *conn, const char *url,
    enum MHD_Result *ret)
{
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST);
	bool args_ok = true;

	if (!web_host_allowed(&ws->hosts, host))
		*ret = web_send_error(conn, MHD_HTTP_MISDIRECTED_REQUEST, "Host '%.200s' is "
		    "not served here: tend answers to its own address, localhost and the "
		    "names in web.allowed_hosts", web_text_ok(host) ? host : "?");
	else if (!web_text_ok(url))
		*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST, "the path is not valid "
		    "UTF-8 or holds control characters");
	else if (MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, web_arg_is_text,
	    &args_ok) >= 0 && !args_ok)
		*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST, "a query argument is not "
		    "valid UTF-8 or holds control characters");
	else if (web_declared_length(conn) > WEB_BODY_MAX)
		*ret = web_send_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
		    "request body over %d bytes", WEB_BODY_MAX);
	else
		return true;
	return false;
}

static enum MHD_Result
web_handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct web_server *ws = cls;
	struct web_request *req = *req_cls;
	bool is_get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	bool is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0, wants_post;
	enum MHD_Result ret;
	struct web_post post;
	enum web_route route;

	web_thread_yield_to_loop();
	if (req == NULL) {
		/*
		 * Nothing is answered on the first call: libmicrohttpd 0.9.75
		 * closes a connection whose answer was queued before it finished
		 * reading the request, and keep-alive is what makes the API fast.
		 * A request refused for its head is, before its body is read.
		 */
		*req_cls = req = xcalloc(1, sizeof(*req));
		req->keep_body = is_post && (strcmp(url, "/api/changes") == 0 ||
		    strncmp(url, "/api/ping/", 10) == 0 || web_scale_url(url));
		if (web_request_acceptable(ws, conn, url, &ret))
			return MHD_YES;
		web_conns_answering(&ws->conns, conn, false);
		return ret;
	}
	if (*upload_size > 0) {
		/*
		 * Read and dropped, but for POST /api/changes's and pings' (up to
		 * WEB_BODY_MAX). A client that never stops is cut off.
		 */
		if (req->keep_body && req->body_len + *upload_size <= WEB_BODY_MAX) {
			req->body = xrealloc(req->body, req->body_len + *upload_size + 1);
			memcpy(req->body + req->body_len, upload_data, *upload_size);
			req->body[req->body_len + *upload_size] = '\0';
		}
		req->body_len += *upload_size;
		*upload_size = 0;
		return req->body_len > 16 * WEB_BODY_MAX ? MHD_NO : MHD_YES;
	}
	/* The whole request is in: from here its answer is not hurried. */
	route = web_route_of(url, &post);
	if (route == ROUTE_CHANGES && is_post) {
		route = ROUTE_ACTION;
		post.verb = "change";
		post.name[0] = '\0';
	}
	wants_post = route == ROUTE_ACTION || route == ROUTE_PING;
	web_conns_answering(&ws->conns, conn, (is_post && route == ROUTE_ACTION) ||
	    (is_get && (route == ROUTE_EVENTS || route == ROUTE_LOG_STREAM)));
	if (req->body_len > WEB_BODY_MAX)
		return web_send_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
		    "request body over %d bytes", WEB_BODY_MAX);
	if (route == ROUTE_NONE)
		return web_send_error(conn, MHD_HTTP_NOT_FOUND, "no such endpoint: %s", url);
	if (wants_post ? !is_post : !is_get)
		return web_send_method_not_allowed(conn, route == ROUTE_CHANGES ?
		    "GET, HEAD, POST" : wants_post ? "POST" : "GET, HEAD");
	if (is_post && route == ROUTE_PING)
		return web_post_ping(ws, conn, req, post.name, post.verb);
	if (is_post)
		return web_dispatch_post(ws, conn, req, &post);
	if (req->body_len > 0)
		return web_send_error(conn, MHD_HTTP_BAD_REQUEST, "a GET takes no body");
	return web_dispatch_get(ws, conn, url, route, &post);
}

static void
web_request_done(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct web_server *ws = cls;
	struct web_request *req = *req_cls;

	web_conns_answered(&ws->conns, conn);
	if (req == NULL)
		return;
	/* An action the loop answered after the client left. */
	if (req->action != NULL && req->action->done)
		web_action_free(req->action);
	free(req->body);
	free(req);
	*req_cls = NULL;
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
	pthread_mutex_init(&ws->lock, NULL);
	web_conns_init(&ws->conns, conf->max_connections, conf->per_ip_connections,
	    conf->connection_timeout_ms);
	/* Without a token the dashboard still shows; actions wait for one. */
	web_token_retry(ws);
	if (web_listen(ws, conf, err, errlen) < 0) {
		web_conns_fini(&ws->conns);
		pthread_mutex_destroy(&ws->lock);
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
	/*
	 * The ring's copy (a stream that reads it may outlive the snapshot),
	 * only for streams open now: a stream opens with the status as it is,
	 * and a copy a second for no one filled the ring's 256 places (9 MB at
	 * a hundred services).
	 */
	if (ws->n_clients > 0)
		sse_push_locked(ws, xstrdup(snap->sse_status.data), snap->sse_status.len);
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
	MHD_stop_daemon(ws->mhd);
	web_db_close_all(ws);
	uv_close((uv_handle_t *)&ws->wake, web_handle_closed);
	uv_close((uv_handle_t *)&ws->keepalive, web_handle_closed);
	uv_close((uv_handle_t *)&ws->sweep, web_handle_closed);
	uv_close((uv_handle_t *)&ws->logs_tick, web_handle_closed);
}
