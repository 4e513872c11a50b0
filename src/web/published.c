/*
 * The GETs answered from the published snapshot, without touching the
 * loop: the status, the services, one service with its checks, the checks
 * (filtered and paged), the metric series there are, /metrics, /healthz,
 * /readyz.
 */
#include "web/web_internal.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define CHECKS_LIMIT_MAX	1000
#define CHECK_STATES		5

static const char *const check_states[CHECK_STATES] = { "healthy", "warning", "critical",
	"unknown", "paused" };

/* What GET /api/checks asks for. */
struct checks_query {
	const char	*service;	/* NULL: any; "": none */
	const char	*type;
	char		 q[256];	/* in the name, service or message, any case: lower */
	bool		 states[CHECK_STATES];	/* none set: any */
	bool		 any_state;
	long		 offset, limit;
};

/* ?state=critical,warning (or "unhealthy": warning, critical, unknown); false when bad. */
static bool
checks_states(const char *v, struct checks_query *cq)
{
	const char *p = v, *end;
	size_t n, k;

	cq->any_state = v == NULL;
	for (; v != NULL && *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, ",");
		n = (size_t)(end - p);
		if (n == 9 && strncmp(p, "unhealthy", n) == 0) {
			cq->states[1] = cq->states[2] = cq->states[3] = true;
			continue;
		}
		for (k = 0; k < CHECK_STATES; k++)
			if (strlen(check_states[k]) == n && strncmp(p, check_states[k], n) == 0)
				break;
		if (k == CHECK_STATES)
			return false;
		cq->states[k] = true;
	}
	return cq->any_state || *v != '\0';
}

/* ?q=TEXT in lower case (ASCII, as web_check.words is), cut at 255 bytes. */
static void
checks_words(const char *q, struct checks_query *cq)
{
	size_t i;

	for (i = 0; q != NULL && q[i] != '\0' && i < sizeof(cq->q) - 1; i++)
		cq->q[i] = (char)tolower((unsigned char)q[i]);
	cq->q[i] = '\0';
}

/* The query's arguments; false after answering 400 or 404. */
static bool
checks_query_parse(struct MHD_Connection *conn, const struct web_snapshot *snap,
    struct checks_query *cq, enum MHD_Result *ret)
{
	const char *state = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "state");

	memset(cq, 0, sizeof(*cq));
	cq->service = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "service");
	cq->type = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "type");
	checks_words(MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "q"), cq);
	if (!checks_states(state, cq)) {
		*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST, "'state': expected states "
		    "separated by commas (healthy, warning, critical, unknown, paused or "
		    "unhealthy), got '%s'", state);
		return false;
	}
	if (web_arg_number(conn, "offset", 0, LONG_MAX, 0, &cq->offset, ret) < 0 ||
	    web_arg_number(conn, "limit", 1, CHECKS_LIMIT_MAX, CHECKS_LIMIT_MAX, &cq->limit,
	    ret) < 0)
		return false;
	if (cq->service != NULL && *cq->service != '\0' &&
	    web_snapshot_service(snap, cq->service) == NULL) {
		*ret = web_send_error(conn, MHD_HTTP_NOT_FOUND, "no service named '%s'",
		    cq->service);
		return false;
	}
	return true;
}

static bool
checks_match(const struct checks_query *cq, const struct web_check *c)
{
	size_t k;

	if (cq->service != NULL && (*cq->service == '\0' ? c->service != NULL :
	    c->service == NULL || strcmp(c->service, cq->service) != 0))
		return false;
	if (cq->type != NULL && strcmp(c->type, cq->type) != 0)
		return false;
	if (!cq->any_state) {
		for (k = 0; k < CHECK_STATES && strcmp(c->state, check_states[k]) != 0; k++)
			;
		if (k == CHECK_STATES || !cq->states[k])
			return false;
	}
	return cq->q[0] == '\0' || strstr(c->words, cq->q) != NULL;
}

/*
 * "[CHECK,...]": the page asked for of the checks that match, in the
 * config's order; *total counts every match.
 */
static char *
checks_list(const struct web_snapshot *snap, const struct checks_query *cq, size_t *total)
{
	const struct web_checks *t = snap->checks;
	struct web_check **page = xcalloc((size_t)cq->limit < t->n ? (size_t)cq->limit + 1 :
	    t->n + 1, sizeof(*page));
	size_t i, n = 0, shown = 0, len = 2, at = 0;
	char *text;

	for (i = 0; i < t->n; i++) {
		if (!checks_match(cq, t->v[i]) || (long)n++ < cq->offset ||
		    (long)shown >= cq->limit)
			continue;
		page[shown++] = t->v[i];
		len += t->v[i]->json.len + 1;
	}
	*total = n;
	text = xmalloc(len + 1);
	text[at++] = '[';
	for (i = 0; i < shown; i++) {
		if (i > 0)
			text[at++] = ',';
		memcpy(text + at, page[i]->json.data, page[i]->json.len);
		at += page[i]->json.len;
	}
	memcpy(text + at, "]", 2);
	free(page);
	return text;
}

/*
 * GET /api/checks?service=&state=&type=&q=&offset=&limit=: {"checks":
 * [CHECK...], "total", "offset", "limit", "generated_at"}.
 */
static enum MHD_Result
web_get_checks(struct MHD_Connection *conn, struct web_snapshot *snap)
{
	struct checks_query cq;
	enum MHD_Result ret;
	size_t total;
	char *list;

	if (checks_query_parse(conn, snap, &cq, &ret)) {
		list = checks_list(snap, &cq, &total);
		ret = web_send_json_text(conn, MHD_HTTP_OK, xasprintf("{\"checks\":%s,"
		    "\"total\":%zu,\"offset\":%ld,\"limit\":%ld,\"generated_at\":%lld}", list,
		    total, cq.offset, cq.limit, (long long)snap->st->generated_at));
		free(list);
	}
	web_snapshot_unref(snap);
	return ret;
}

/* GET /api/services/NAME: {"service": SERVICE, "checks": [its CHECKs]}. */
static enum MHD_Result
web_get_service(struct MHD_Connection *conn, struct web_snapshot *snap, const char *name)
{
	const json_t *svc = web_snapshot_service(snap, name);
	struct checks_query cq = { .service = name, .any_state = true,
	    .limit = (long)snap->checks->n };
	char *service, *checks, *text;
	enum MHD_Result ret;
	size_t total;

	if (svc == NULL) {
		web_snapshot_unref(snap);
		return web_send_error(conn, MHD_HTTP_NOT_FOUND, "no service named '%s'", name);
	}
	service = json_dumps(svc, WEB_JSON_FLAGS);
	checks = checks_list(snap, &cq, &total);
	text = xasprintf("{\"service\":%s,\"checks\":%s}", service != NULL ? service : "null",
	    checks);
	free(service);
	free(checks);
	ret = web_send_json_text(conn, MHD_HTTP_OK, text);
	web_snapshot_unref(snap);
	return ret;
}

enum MHD_Result
web_get_published(struct web_server *ws, struct MHD_Connection *conn,
    struct web_request *req, const char *url)
{
	static const char json[] = "application/json";
	struct web_snapshot *snap = web_current(ws);

	if (snap == NULL)
		return web_send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "tend is starting; no status yet");
	if (strcmp(url, "/api/status") == 0)
		return web_send_shared(conn, req, snap, WEB_SHARED_STATUS);
	if (strcmp(url, "/healthz") == 0)
		return web_send_shared(conn, req, snap, WEB_SHARED_HEALTHZ);
	if (strcmp(url, "/readyz") == 0)
		return web_send_shared(conn, req, snap, WEB_SHARED_READYZ);
	if (strcmp(url, "/api/checks") == 0)
		return web_get_checks(conn, snap);
	if (strcmp(url, "/api/services") == 0)
		return web_send_snapshot(conn, snap, web_snapshot_lazy(snap,
		    WEB_LAZY_SERVICES), json);
	if (strcmp(url, "/api/metrics") == 0)
		return web_send_snapshot(conn, snap, web_snapshot_lazy(snap, WEB_LAZY_SERIES),
		    json);
	if (strcmp(url, "/metrics") == 0)
		return web_send_snapshot(conn, snap, web_snapshot_lazy(snap, WEB_LAZY_METRICS),
		    "text/plain; version=0.0.4; charset=utf-8");
	return web_get_service(conn, snap, url + strlen("/api/services/"));
}
