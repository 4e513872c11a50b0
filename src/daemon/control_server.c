#include "daemon/control.h"

#include <stdarg.h>
#include <stdbool.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "core/text.h"

/* A request is a line of JSON; nothing legitimate comes near this. */
#define CONTROL_MAX_REQUEST	65536
/* A client gets this long to send its line (the CLI sends it at once). */
#define CONTROL_REQUEST_MS	5000

#define CONTROL_SOCKET	"tend.sock"

struct control_server {
	uv_pipe_t	 pipe;
	struct statedir	*sd;
	char		*path;
	control_handler	 handler;
	void		*arg;
};

/* A connection: its pipe and its deadline, freed once both are closed. */
struct control_conn {
	uv_pipe_t	 pipe;
	uv_timer_t	 deadline;
	uv_write_t	 write;
	struct control_server *cs;
	char		*buf;
	size_t		 len;
	char		*answer;
	bool		 answered;
	int		 open_handles;
};

/*
 * Past this, the memory an answer took (its JSON tree and text: 12 MB
 * for every one of ten thousand checks) is handed back once it is sent,
 * not kept by malloc as the high-water mark of the daemon.
 */
#define CONTROL_TRIM_AFTER	(1024 * 1024)

static void
control_conn_closed(uv_handle_t *handle)
{
	struct control_conn *c = handle->data;
	bool large;

	if (--c->open_handles > 0)
		return;
	large = c->answer != NULL && strlen(c->answer) > CONTROL_TRIM_AFTER;
	free(c->buf);
	free(c->answer);
	free(c);
	if (large)
		malloc_trim(0);
}

static void
control_conn_close(struct control_conn *c)
{
	if (uv_is_closing((uv_handle_t *)&c->pipe))
		return;
	uv_close((uv_handle_t *)&c->deadline, control_conn_closed);
	uv_close((uv_handle_t *)&c->pipe, control_conn_closed);
}

static void
control_conn_written(uv_write_t *req, int status)
{
	(void)status;
	control_conn_close(req->data);
}

static void
control_conn_answer(struct control_conn *c, json_t *answer)
{
	uv_buf_t buf;
	char *text;
	size_t len;

	c->answered = true;
	uv_timer_stop(&c->deadline);
	uv_read_stop((uv_stream_t *)&c->pipe);
	text = json_dumps(answer, JSON_COMPACT);
	json_decref(answer);
	if (text == NULL)
		text = xstrdup("{\"ok\":false}");
	len = strlen(text);
	c->answer = xrealloc(text, len + 2);
	memcpy(c->answer + len, "\n", 2);
	buf = uv_buf_init(c->answer, (unsigned)len + 1);
	c->write.data = c;
	if (uv_write(&c->write, (uv_stream_t *)&c->pipe, &buf, 1,
	    control_conn_written) != 0)
		control_conn_close(c);
}

/* {"ok": false, "error": ...}; the text is made valid UTF-8 for JSON. */
static json_t *
control_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	text_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

/*
 * Whatever arrives gets an answer that says what was wrong with it: not
 * JSON, not an object, no "cmd", or a command the daemon does not know
 * (its handler returns NULL).
 */
static json_t *
control_conn_handle(struct control_conn *c)
{
	json_error_t jerr;
	json_t *req, *answer;
	const char *cmd;

	req = json_loadb(c->buf, c->len, JSON_DECODE_ANY, &jerr);
	if (req == NULL)
		return control_error("not JSON: %s (at column %d); expected a line "
		    "like {\"cmd\": \"status\"}", jerr.text, jerr.column);
	if (!json_is_object(req)) {
		json_decref(req);
		return control_error("not a JSON object; expected a line like "
		    "{\"cmd\": \"status\"}");
	}
	if ((cmd = json_string_value(json_object_get(req, "cmd"))) == NULL) {
		json_decref(req);
		return control_error("missing \"cmd\" (a string, such as \"status\")");
	}
	answer = c->cs->handler(c->cs->arg, req);
	if (answer == NULL)
		answer = control_error("unknown command: %.64s", cmd);
	json_decref(req);
	return answer;
}

static void
control_conn_request(struct control_conn *c)
{
	control_conn_answer(c, control_conn_handle(c));
}

static void
control_conn_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	struct control_conn *c = handle->data;

	c->buf = xrealloc(c->buf, c->len + 4096);
	buf->base = c->buf + c->len;
	buf->len = 4096;
}

static void
control_conn_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct control_conn *c = stream->data;
	char *nl;

	if (c->answered)
		return;
	if (nread < 0) {
		/* A client that said nothing (a liveness probe) gets nothing. */
		if (nread == UV_EOF && c->len > 0)
			control_conn_request(c);
		else
			control_conn_close(c);
		return;
	}
	c->len += (size_t)nread;
	nl = memchr(c->buf, '\n', c->len);
	if (nl != NULL) {
		c->len = (size_t)(nl - c->buf);
		control_conn_request(c);
	} else if (c->len > CONTROL_MAX_REQUEST)
		control_conn_answer(c, control_error("request too large (over %d bytes "
		    "without a newline)", CONTROL_MAX_REQUEST));
}

static void
control_conn_expired(uv_timer_t *timer)
{
	struct control_conn *c = timer->data;

	control_conn_answer(c, control_error("no request line within %d ms",
	    CONTROL_REQUEST_MS));
}

static void
control_server_connection(uv_stream_t *server, int status)
{
	struct control_server *cs = server->data;
	struct control_conn *c;

	if (status < 0)
		return;
	c = xcalloc(1, sizeof(*c));
	c->cs = cs;
	c->open_handles = 2;
	uv_pipe_init(server->loop, &c->pipe, 0);
	c->pipe.data = c;
	uv_timer_init(server->loop, &c->deadline);
	c->deadline.data = c;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) != 0 ||
	    uv_read_start((uv_stream_t *)&c->pipe, control_conn_alloc,
	    control_conn_read) != 0) {
		control_conn_close(c);
		return;
	}
	uv_timer_start(&c->deadline, control_conn_expired, CONTROL_REQUEST_MS, 0);
}

/*
 * STATE/tend.sock. bind(2) takes a path, not a directory's descriptor:
 * that is safe here, as statedir_open verified that nobody but root and
 * tend's user can change the state dir or its parents. What was there is
 * removed through the descriptor, and bind never follows a link.
 */
struct control_server *
control_server_open(uv_loop_t *loop, struct statedir *sd, control_handler handler,
    void *arg)
{
	struct control_server *cs = xcalloc(1, sizeof(*cs));
	mode_t old;
	int rc;

	cs->sd = sd;
	cs->path = statedir_file(sd, CONTROL_SOCKET);
	cs->handler = handler;
	cs->arg = arg;
	uv_pipe_init(loop, &cs->pipe, 0);
	cs->pipe.data = cs;
	statedir_unlink(sd, CONTROL_SOCKET);
	/* Only tend's own user may control it. */
	old = umask(0077);
	rc = uv_pipe_bind(&cs->pipe, cs->path);
	umask(old);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&cs->pipe, 64, control_server_connection);
	if (rc != 0) {
		log_error(NULL, "control socket %s: %s", cs->path, uv_strerror(rc));
		control_server_close(cs);
		return NULL;
	}
	return cs;
}

static void
control_server_closed(uv_handle_t *handle)
{
	struct control_server *cs = handle->data;

	free(cs->path);
	free(cs);
}

void
control_server_close(struct control_server *cs)
{
	if (cs == NULL)
		return;
	statedir_unlink(cs->sd, CONTROL_SOCKET);
	uv_close((uv_handle_t *)&cs->pipe, control_server_closed);
}
