#include "checks/http_engine.h"

#include <stdlib.h>

#include "core/log.h"
#include "core/mem.h"

struct http_engine {
	uv_loop_t	*loop;
	CURLM		*multi;
	uv_timer_t	*timer;
};

/* The poll of one of curl's sockets. */
struct http_socket {
	uv_poll_t	 poll;
	curl_socket_t	 fd;
	struct http_engine *e;
};

/* What a transfer's CURLOPT_PRIVATE points at. */
struct http_transfer {
	http_done_fn	 done;
	void		*arg;
};

static void
http_engine_drain(struct http_engine *e)
{
	struct http_transfer *t;
	CURLMsg *msg;
	CURL *easy;
	int left;

	while ((msg = curl_multi_info_read(e->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
		curl_multi_remove_handle(e->multi, easy);
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		t->done(t->arg, easy, msg->data.result);
		free(t);
	}
}

static void
http_socket_ready(uv_poll_t *poll, int status, int events)
{
	struct http_socket *s = poll->data;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(s->e->multi, s->fd, flags, &running);
	http_engine_drain(s->e);
}

static void
http_socket_closed(uv_handle_t *handle)
{
	free(handle->data);
}

/* CURLMOPT_SOCKETFUNCTION: start, change or stop watching a socket. */
static int
http_engine_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct http_engine *e = userp;
	struct http_socket *s = socketp;
	int events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			/* Closed at once: a stopped poll on a reused fd number crashes. */
			uv_poll_stop(&s->poll);
			uv_close((uv_handle_t *)&s->poll, http_socket_closed);
			curl_multi_assign(e->multi, fd, NULL);
		}
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->fd = fd;
		s->e = e;
		s->poll.data = s;
		if (uv_poll_init_socket(e->loop, &s->poll, fd) != 0) {
			free(s);
			return -1;
		}
		curl_multi_assign(e->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	uv_poll_start(&s->poll, events, http_socket_ready);
	return 0;
}

static void
http_engine_timeout(uv_timer_t *timer)
{
	struct http_engine *e = timer->data;
	int running;

	curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_engine_drain(e);
}

/* CURLMOPT_TIMERFUNCTION: only (re)arms the timer; never calls curl. */
static int
http_engine_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_engine *e = userp;

	if (timeout_ms < 0)
		uv_timer_stop(e->timer);
	else
		uv_timer_start(e->timer, http_engine_timeout, (uint64_t)timeout_ms, 0);
	return 0;
}

struct http_engine *
http_engine_new(uv_loop_t *loop)
{
	struct http_engine *e = xcalloc(1, sizeof(*e));

	e->loop = loop;
	e->timer = xcalloc(1, sizeof(*e->timer));
	uv_timer_init(loop, e->timer);
	e->timer->data = e;
	return e;
}

/*
 * The multi handle, made at the first transfer: a daemon whose config has
 * no HTTP in it never maps libcurl and its TLS stack (some 10 MB).
 */
static CURLM *
http_engine_multi(struct http_engine *e)
{
	if (e->multi != NULL)
		return e->multi;
	dl_curl_require();
	e->multi = curl_multi_init();
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, http_engine_socket);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, http_engine_timer);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e);
	return e->multi;
}

static void
http_engine_timer_closed(uv_handle_t *handle)
{
	free(handle);
}

void
http_engine_free(struct http_engine *e)
{
	if (e == NULL)
		return;
	if (e->multi != NULL)
		curl_multi_cleanup(e->multi);
	uv_close((uv_handle_t *)e->timer, http_engine_timer_closed);
	free(e);
}

int
http_engine_add(struct http_engine *e, CURL *easy, http_done_fn done, void *arg)
{
	struct http_transfer *t = xcalloc(1, sizeof(*t));

	t->done = done;
	t->arg = arg;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
	if (curl_multi_add_handle(http_engine_multi(e), easy) != CURLM_OK) {
		free(t);
		return -1;
	}
	return 0;
}

void
http_engine_remove(struct http_engine *e, CURL *easy)
{
	struct http_transfer *t = NULL;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
	if (e->multi != NULL)
		curl_multi_remove_handle(e->multi, easy);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
	free(t);
}
