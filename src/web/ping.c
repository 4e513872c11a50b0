/*
 * POST /api/ping/NAME[/fail|/start]: a heartbeat's ping, answered on the
 * web thread. The loop publishes the checks' names, types and ping keys
 * (web_set_ping_checks, at start and at each reload) as it publishes
 * snapshots; a ping is checked against that table here — 404 for no such
 * check, 401 without its key or the API token, 400 for a check that is no
 * heartbeat — then queued for the loop (uv_async), which records it, and
 * answered 200 at once. So a ping costs the client no wait for the loop,
 * however busy it is. The body, if any, is the ping's message (its first
 * 255 bytes). The keys held here are freed wiped, and never shown.
 */
#include "web/web_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctcmp.h"
#include "core/mem.h"
#include "core/text.h"

/* Pings waiting for the loop: beyond this, it is stuck and they are refused (503). */
#define WEB_PINGS_MAX		65536

/* One check as a ping sees it. */
struct web_ping_check {
	char		*name;
	char		*key;		/* NULL: none */
	bool		 heartbeat;
};

/* A ping on its way to the loop. */
struct web_ping {
	struct web_ping	*next;
	char		 kind[8];
	char		*name;
	char		*message;	/* NULL: none */
};

static int
web_ping_check_order(const void *a, const void *b)
{
	return strcmp(((const struct web_ping_check *)a)->name,
	    ((const struct web_ping_check *)b)->name);
}

static void
web_ping_checks_free(struct web_ping_check *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		if (v[i].key != NULL)
			explicit_bzero(v[i].key, strlen(v[i].key));
		free(v[i].key);
	}
	free(v);
}

void
web_set_ping_checks(struct web_server *ws, const struct tend_config *cfg)
{
	struct web_ping_check *v, *old;
	size_t i, n_old;

	if (ws == NULL)
		return;
	v = xcalloc(cfg->n_checks + 1, sizeof(*v));
	for (i = 0; i < cfg->n_checks; i++) {
		v[i].name = xstrdup(cfg->checks[i].name);
		v[i].heartbeat = cfg->checks[i].type == CHECK_HEARTBEAT;
		v[i].key = cfg->checks[i].heartbeat.key != NULL ?
		    xstrdup(cfg->checks[i].heartbeat.key) : NULL;
	}
	qsort(v, cfg->n_checks, sizeof(*v), web_ping_check_order);
	pthread_mutex_lock(&ws->lock);
	old = ws->ping_checks;
	n_old = ws->n_ping_checks;
	ws->ping_checks = v;
	ws->n_ping_checks = cfg->n_checks;
	pthread_mutex_unlock(&ws->lock);
	web_ping_checks_free(old, n_old);
}

void
web_ping_fini(struct web_server *ws)
{
	struct web_ping *p;

	web_ping_checks_free(ws->ping_checks, ws->n_ping_checks);
	ws->ping_checks = NULL;
	while ((p = ws->pings) != NULL) {
		ws->pings = p->next;
		free(p->name);
		free(p->message);
		free(p);
	}
}

/* Whether key is the check's, in constant time for keys of its length. */
static bool
web_ping_key_ok(const struct web_ping_check *c, const char *key)
{
	size_t n;

	if (c->key == NULL || key == NULL || (n = strlen(c->key)) != strlen(key))
		return false;
	return ct_equal(c->key, key, n);
}

/*
 * With ws->lock held: what the table says of this ping, 200 or the refusal
 * (status and message into err).
 */
static unsigned
web_ping_judge_locked(struct web_server *ws, const char *name, const char *key,
    bool admin, char *err, size_t len)
{
	struct web_ping_check want = { .name = (char *)name }, *c;

	c = bsearch(&want, ws->ping_checks, ws->n_ping_checks, sizeof(want),
	    web_ping_check_order);
	if (c == NULL) {
		snprintf(err, len, "no check named '%s'", name);
		return MHD_HTTP_NOT_FOUND;
	}
	if (!admin && !web_ping_key_ok(c, key)) {
		snprintf(err, len, "this needs 'Authorization: Bearer KEY' with the check's "
		    "ping key (its 'key:') or the API token");
		return MHD_HTTP_UNAUTHORIZED;
	}
	if (!c->heartbeat) {
		snprintf(err, len, "check '%s' is not a heartbeat", name);
		return MHD_HTTP_BAD_REQUEST;
	}
	return MHD_HTTP_OK;
}

/*
 * The body as the ping's message, its trailing newlines cut; NULL for none.
 * heartbeat_record makes it valid UTF-8 and hides credentials.
 */
static char *
web_ping_message(const struct web_request *req)
{
	char message[256];
	size_t n;

	if (req->body == NULL || req->body_len == 0)
		return NULL;
	text_copy(message, sizeof(message), req->body);
	/* A job's last line, as `curl --data-binary @-` sends it. */
	n = strlen(message);
	while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == '\r'))
		message[--n] = '\0';
	return xstrdup(message);
}

enum MHD_Result
web_post_ping(struct web_server *ws, struct MHD_Connection *conn, struct web_request *req,
    const char *name, const char *kind)
{
	const char *key = web_bearer(conn);
	bool admin = key != NULL && web_token_equal(&ws->token, key, strlen(key));
	struct web_ping *p;
	unsigned status;
	char err[400];

	pthread_mutex_lock(&ws->lock);
	if (ws->stopping || ws->n_pings >= WEB_PINGS_MAX) {
		snprintf(err, sizeof(err), "%s", ws->stopping ? "tend is stopping" :
		    "too many pings waiting for the daemon; try again");
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
	} else
		status = web_ping_judge_locked(ws, name, key, admin, err, sizeof(err));
	if (status != MHD_HTTP_OK) {
		pthread_mutex_unlock(&ws->lock);
		return web_send_error(conn, status, "%s", err);
	}
	p = xcalloc(1, sizeof(*p));
	snprintf(p->kind, sizeof(p->kind), "%s", kind);
	p->name = xstrdup(name);
	p->message = web_ping_message(req);
	/* Newest first; the loop takes them in order. */
	p->next = ws->pings;
	ws->pings = p;
	ws->n_pings++;
	pthread_mutex_unlock(&ws->lock);
	uv_async_send(&ws->wake);
	return web_send_json(conn, MHD_HTTP_OK, json_pack("{s:b, s:s, s:s}", "ok", 1, "check",
	    name, "ping", kind));
}

void
web_ping_drain(struct web_server *ws)
{
	struct web_ping *p, *next, *in_order = NULL;

	/* All at once: the loop takes a burst of pings in one turn. */
	pthread_mutex_lock(&ws->lock);
	p = ws->pings;
	ws->pings = NULL;
	ws->n_pings = 0;
	pthread_mutex_unlock(&ws->lock);
	for (; p != NULL; p = next) {
		next = p->next;
		p->next = in_order;
		in_order = p;
	}
	for (p = in_order; p != NULL; p = next) {
		next = p->next;
		if (ws->ops.ping != NULL)
			ws->ops.ping(ws->ops.arg, p->name, p->kind, p->message);
		free(p->name);
		free(p->message);
		free(p);
	}
}
