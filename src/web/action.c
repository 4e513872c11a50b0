/*
 * POSTed actions. The web thread cannot act: it suspends the connection,
 * queues the action and wakes the loop, which runs it through ops->action,
 * stores the answer and resumes the connection; MHD then calls the request
 * handler again, and it sends the answer.
 */
#include "web/web_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void
web_action_free(struct web_action *a)
{
	free(a->answer);
	free(a->name);
	json_decref(a->body);
	free(a);
}

static void
web_action_answer(struct web_action *a, unsigned status, json_t *answer)
{
	a->status = status;
	a->answer = json_dumps(answer, WEB_JSON_FLAGS);
	json_decref(answer);
	a->done = true;
	MHD_resume_connection(a->conn);
}

enum MHD_Result
web_post_action(struct web_server *ws, struct MHD_Connection *conn,
    struct web_request *req, const char *verb, const char *name, json_t *body)
{
	struct web_action *a, **tail;
	enum MHD_Result ret;

	if (req->action != NULL) {	/* resumed: the loop has answered */
		a = req->action;
		req->action = NULL;
		/* Sent as the loop wrote it; the response frees it. */
		ret = web_send_json_text(conn, a->status, a->answer != NULL ? a->answer :
		    xstrdup("{}"));
		a->answer = NULL;
		web_action_free(a);
		return ret;
	}
	a = xcalloc(1, sizeof(*a));
	a->conn = conn;
	snprintf(a->verb, sizeof(a->verb), "%s", verb);
	a->name = xstrdup(name);
	a->body = body;
	pthread_mutex_lock(&ws->lock);
	if (ws->stopping) {
		pthread_mutex_unlock(&ws->lock);
		web_action_free(a);
		return web_send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "tend is stopping");
	}
	for (tail = &ws->queue; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = a;
	req->action = a;
	/* Under the lock: the loop cannot answer (and resume) before this. */
	MHD_suspend_connection(conn);
	pthread_mutex_unlock(&ws->lock);
	uv_async_send(&ws->wake);
	return MHD_YES;
}

void
web_action_drain(uv_async_t *async)
{
	struct web_server *ws = async->data;
	struct web_action *a;
	json_t *answer;
	int status;

	web_ping_drain(ws);
	for (;;) {
		pthread_mutex_lock(&ws->lock);
		a = ws->queue;
		if (a != NULL)
			ws->queue = a->next;
		pthread_mutex_unlock(&ws->lock);
		if (a == NULL)
			return;
		answer = NULL;
		status = ws->ops.action(ws->ops.arg, a->verb, a->name, a->body, &answer);
		if (answer == NULL)
			answer = json_pack("{s:b}", "ok", status < 300);
		pthread_mutex_lock(&ws->lock);
		web_action_answer(a, (unsigned)status, answer);
		pthread_mutex_unlock(&ws->lock);
	}
}

void
web_action_abort_locked(struct web_server *ws)
{
	struct web_action *a;

	while ((a = ws->queue) != NULL) {
		ws->queue = a->next;
		web_action_answer(a, MHD_HTTP_SERVICE_UNAVAILABLE,
		    web_error_doc(MHD_HTTP_SERVICE_UNAVAILABLE, "tend is stopping"));
	}
}
