/*
 * How the server answers: the headers every response carries, JSON bodies
 * and errors (always JSON, always valid UTF-8), a body of the published
 * snapshot sent without a copy, and the embedded dashboard's files with
 * their ETag and content security policy.
 */
#include "web/web_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/text.h"
#include "web/assets.h"

static const char page_csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

static void
web_common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
}

static enum MHD_Result
web_queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (resp == NULL)
		return MHD_NO;
	web_common_headers(resp);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A JSON body (taken: freed with the response); NULL when MHD has no room. */
static struct MHD_Response *
web_json_response(char *text)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer_with_free_callback(strlen(text), text, free);
	if (resp == NULL) {
		free(text);
		return NULL;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	return resp;
}

enum MHD_Result
web_send_json_text(struct MHD_Connection *conn, unsigned status, char *text)
{
	struct MHD_Response *resp = web_json_response(text);

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return web_queue(conn, status, resp);
}

/* An answer that cannot be encoded is a 500, never its status with an error body. */
enum MHD_Result
web_send_json(struct MHD_Connection *conn, unsigned status, json_t *doc)
{
	char *text = doc != NULL ? json_dumps(doc, WEB_JSON_FLAGS) : NULL;

	json_decref(doc);
	if (text == NULL) {
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		text = xstrdup("{\"ok\":false,\"status\":500,"
		    "\"error\":\"cannot encode the answer\"}");
	}
	return web_send_json_text(conn, status, text);
}

json_t *
web_error_doc(unsigned status, const char *msg)
{
	return json_pack("{s:b, s:i, s:s}", "ok", 0, "status", (int)status, "error", msg);
}

char *
web_error_text(unsigned status, const char *msg)
{
	json_t *doc = web_error_doc(status, msg);
	char *text = doc != NULL ? json_dumps(doc, WEB_JSON_FLAGS) : NULL;

	json_decref(doc);
	if (text == NULL)
		text = xstrdup("{\"ok\":false,\"error\":\"cannot encode the answer\"}");
	return text;
}

enum MHD_Result
web_send_error(struct MHD_Connection *conn, unsigned status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	/* Cut mid-character by the buffer, it is still JSON, and still this status. */
	va_start(ap, fmt);
	text_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return web_send_json(conn, status, web_error_doc(status, msg));
}

enum MHD_Result
web_send_method_not_allowed(struct MHD_Connection *conn, const char *allow)
{
	struct MHD_Response *resp = web_json_response(xasprintf("{\"ok\":false,"
	    "\"status\":405,\"error\":\"method not allowed here; use %s\"}", allow));

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	return web_queue(conn, MHD_HTTP_METHOD_NOT_ALLOWED, resp);
}

static void
web_snapshot_release(void *cls)
{
	web_snapshot_unref(cls);
}

/* A body of the snapshot, sent without a copy; the response holds a reference. */
enum MHD_Result
web_send_snapshot(struct MHD_Connection *conn, struct web_snapshot *snap,
    const struct web_body *body, const char *type)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer_with_free_callback_cls(body->len, body->data,
	    web_snapshot_release, snap);
	if (resp == NULL) {
		web_snapshot_unref(snap);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return web_queue(conn, MHD_HTTP_OK, resp);
}

/*
 * /api/status's body from a file in memory (memfd), so that libmicrohttpd
 * sends it with sendfile(2): the kernel takes its pages as they are rather
 * than copying 60 KB (400 KB with a thousand services) into each send.
 * NULL when no such file can be made (then the body is sent from memory).
 */
static struct MHD_Response *
web_file_response(const struct web_body *body)
{
	struct MHD_Response *resp;
	size_t off = 0;
	ssize_t n;
	int fd = memfd_create("tend-status", MFD_CLOEXEC);

	if (fd < 0)
		return NULL;
	while (off < body->len && (n = write(fd, body->data + off, body->len - off)) > 0)
		off += (size_t)n;
	if (off < body->len || (resp = MHD_create_response_from_fd(body->len, fd)) == NULL) {
		close(fd);
		return NULL;
	}
	return resp;
}

/* body: the status's text (web_status_text) or its healthz; with st->shared_lock held. */
static struct MHD_Response *
web_shared_make(const struct web_body *body, enum web_shared which)
{
	struct MHD_Response *resp = NULL;

	if (which == WEB_SHARED_STATUS)
		resp = web_file_response(body);
	if (resp == NULL)
		resp = MHD_create_response_from_buffer(body->len, body->data,
		    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	web_common_headers(resp);
	return resp;
}

/*
 * /api/status, /healthz and /readyz (503 when not ready): one response per
 * status, made by the first request and queued for every one after it
 * (libmicrohttpd counts its users), with no allocation per request. The
 * request holds the snapshot until its answer is sent (web_request.held),
 * so the status's memory outlives every send of it.
 */
enum MHD_Result
web_send_shared(struct MHD_Connection *conn, struct web_request *req,
    struct web_snapshot *snap, enum web_shared which)
{
	struct web_status *st = snap->st;
	const struct web_body *body = which == WEB_SHARED_STATUS ? web_status_text(st) :
	    which == WEB_SHARED_READYZ ? &st->readyz : &st->healthz;
	unsigned status = which == WEB_SHARED_READYZ && !st->ready ?
	    MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK;
	struct MHD_Response *resp;

	pthread_mutex_lock(&st->shared_lock);
	if ((resp = st->shared[which]) == NULL)
		resp = st->shared[which] = web_shared_make(body, which);
	pthread_mutex_unlock(&st->shared_lock);
	if (resp == NULL) {
		web_snapshot_unref(snap);
		return MHD_NO;
	}
	web_snapshot_unref(req->held);
	req->held = snap;
	return MHD_queue_response(conn, status, resp);
}

enum MHD_Result
web_get_asset(struct MHD_Connection *conn, const char *url)
{
	const struct web_asset *a = web_asset_find(url);
	const char *match;
	struct MHD_Response *resp;
	unsigned status = MHD_HTTP_OK;

	if (a == NULL)
		return web_send_error(conn, MHD_HTTP_NOT_FOUND, "no such page: %s", url);
	match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (match != NULL && strcmp(match, a->etag) == 0) {
		status = MHD_HTTP_NOT_MODIFIED;
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else
		resp = MHD_create_response_from_buffer(a->len, (void *)a->data,
		    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->mime);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, a->etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(resp, "Content-Security-Policy", page_csp);
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	return web_queue(conn, status, resp);
}
