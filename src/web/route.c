/*
 * Routing: what a request's path names, what is checked before a request is
 * routed (its Host, its path and query, its size), the token of POSTs, and
 * libmicrohttpd's access handler that hands each request to its endpoint.
 */
#include "web/web_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"

#define WEB_THREAD_NICE		5	/* added to tend's nice value */

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
	    "/api/checks", "/api/metrics", "/healthz", "/readyz", "/metrics", NULL };
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
web_dispatch_get(struct web_server *ws, struct MHD_Connection *conn, struct web_request *req,
    const char *url, enum web_route route, const struct web_post *post)
{
	if (req->read != NULL)		/* resumed: the reader has answered */
		return web_read_answer(conn, req);
	switch (route) {
	case ROUTE_JOBS:
		return web_get_jobs(ws, conn, req);
	case ROUTE_LOGS:
		return web_get_logs(ws, conn, req, post->name);
	case ROUTE_LOG_STREAM:
		return web_logs_stream(ws, conn, post->name);
	case ROUTE_PUBLISHED:
		return web_get_published(ws, conn, req, url);
	case ROUTE_INCIDENTS:
		return web_get_incidents(ws, conn, req);
	case ROUTE_ALERTS:
		return web_get_alerts(ws, conn, req);
	case ROUTE_CHANGES:
		return web_get_changes(ws, conn, req);
	case ROUTE_SNAPSHOTS:
		return web_get_snapshots(ws, conn, req);
	case ROUTE_REPORT:
		return web_get_report(ws, conn, req);
	case ROUTE_DIFF:
		/* It shows what files hold: the token's, as actions are. */
		return web_authorized(ws, conn) ? web_get_diff(ws, conn, req, url) :
		    web_send_unauthorized(conn);
	case ROUTE_METRIC:
		return web_get_metric(ws, conn, req, url + strlen("/api/metrics/"));
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
 * The web and reader threads yield to the loop: under a flood of requests
 * supervision and checks keep their pace, and the dashboard waits a little
 * instead.
 */
void
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

enum MHD_Result
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
	return web_dispatch_get(ws, conn, req, url, route, &post);
}

void
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
	web_read_done(ws, req);
	web_snapshot_unref(req->held);
	free(req->body);
	free(req);
	*req_cls = NULL;
}
