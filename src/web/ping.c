/*
 * POST /api/ping/NAME[/fail|/start]: a heartbeat's ping, handed to the
 * loop like every POST. The web thread checks no key: the check's key is
 * in the config, which the loop owns; it passes on what the client gave
 * (or that it gave the API token), and the loop answers 404, 401 or 200.
 * The body, if any, is the ping's message (its first 255 bytes).
 */
#include "web/web_internal.h"

#include <string.h>

#include "core/text.h"

#define WEB_PING_MESSAGE	256	/* as a heartbeat keeps it, with the NUL */
#define WEB_PING_KEY_MAX	512	/* longer than any key: never one */

static json_t *
web_ping_body(struct web_server *ws, struct MHD_Connection *conn,
    const struct web_request *req, const char *kind)
{
	const char *key = web_bearer(conn);
	char message[WEB_PING_MESSAGE];
	json_t *body = json_pack("{s:s}", "kind", kind);
	size_t n;

	if (key != NULL && web_token_equal(&ws->token, key, strlen(key)))
		json_object_set_new(body, "admin", json_true());
	else if (key != NULL && strlen(key) < WEB_PING_KEY_MAX && web_text_ok(key))
		json_object_set_new(body, "key", json_string(key));
	if (req->body != NULL && req->body_len > 0) {
		text_copy(message, sizeof(message), req->body);
		/* A job's last line, as `curl --data-binary @-` sends it. */
		n = strlen(message);
		while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == '\r'))
			message[--n] = '\0';
		text_utf8_fix(message, sizeof(message));
		json_object_set_new(body, "message", json_string(message));
	}
	return body;
}

enum MHD_Result
web_post_ping(struct web_server *ws, struct MHD_Connection *conn, struct web_request *req,
    const char *name, const char *kind)
{
	if (req->action != NULL)	/* resumed: the loop has answered */
		return web_post_action(ws, conn, req, "ping", name, NULL);
	return web_post_action(ws, conn, req, "ping", name, web_ping_body(ws, conn, req,
	    kind));
}
