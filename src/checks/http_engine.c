#include "checks/http_engine.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"

/* Idle connections kept beyond one per target: webhooks, redirects' targets. */
#define HTTP_ENGINE_SPARE	16
/* How long a name's addresses are believed, s (libcurl's default, said here). */
#define HTTP_ENGINE_DNS_TTL	60L
/* What an idle connection may have been sent (a 408, a TLS alert) that is read away. */
#define HTTP_IDLE_DRAIN		(64 * 1024)

/* The poll of one of curl's sockets, found by its descriptor. */
struct http_socket {
	uv_poll_t	 poll;
	curl_socket_t	 fd;
	struct http_engine *e;
	int		 events;	/* what curl asked for last */
	bool		 ours;		/* opened by the engine: its close is heard */
	bool		 connected;	/* curl has read from it: a connection's */
	bool		 idle;		/* kept by curl, no transfer on it */
	bool		 multiplexed;	/* h2: frames (a PING) may come while idle */
};

struct http_engine {
	uv_loop_t	*loop;
	CURLM		*multi;
	uv_timer_t	*timer;
	long		 max_connects;	/* the connection cache's size */
	struct http_socket **by_fd;
	size_t		 n_fd;
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

static struct http_socket *
http_socket_find(struct http_engine *e, curl_socket_t fd)
{
	return fd >= 0 && (size_t)fd < e->n_fd ? e->by_fd[fd] : NULL;
}

static void
http_socket_closed(uv_handle_t *handle)
{
	free(handle->data);
}

/* Stops watching fd, at once: a poll left on a reused descriptor number breaks it. */
static void
http_socket_discard(struct http_socket *s)
{
	s->e->by_fd[s->fd] = NULL;
	uv_close((uv_handle_t *)&s->poll, http_socket_closed);
}

static struct http_socket *
http_socket_new(struct http_engine *e, curl_socket_t fd, bool ours)
{
	struct http_socket *s;
	size_t n;

	if ((s = http_socket_find(e, fd)) != NULL)
		http_socket_discard(s);		/* a number curl closed without a word */
	if ((size_t)fd >= e->n_fd) {
		n = e->n_fd ? e->n_fd : 64;
		while (n <= (size_t)fd)
			n *= 2;
		e->by_fd = xrealloc(e->by_fd, n * sizeof(*e->by_fd));
		memset(e->by_fd + e->n_fd, 0, (n - e->n_fd) * sizeof(*e->by_fd));
		e->n_fd = n;
	}
	s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	s->e = e;
	s->ours = ours;
	s->poll.data = s;
	if (uv_poll_init_socket(e->loop, &s->poll, fd) != 0) {
		free(s);
		return NULL;
	}
	e->by_fd[fd] = s;
	return s;
}

static void
http_socket_ready(uv_poll_t *poll, int status, int events)
{
	struct http_socket *s = poll->data;
	struct http_engine *e = s->e;
	curl_socket_t fd = s->fd;
	int flags = 0, running;

	/*
	 * An error (a reset) is curl's to find by reading: what the peer sent
	 * before it is still there, often the whole answer. libuv stops the
	 * poll on an error; it is started again if curl still wants it.
	 */
	if (status < 0)
		flags = CURL_CSELECT_IN | CURL_CSELECT_OUT;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(e->multi, fd, flags, &running);
	if (status < 0 && http_socket_find(e, fd) == s && !s->idle)
		uv_poll_start(&s->poll, s->events, http_socket_ready);
	http_engine_drain(e);
}

/*
 * A kept connection spoke while no transfer was on it: the server closed
 * it (a FIN, a reset) or said something before closing (a 408, a TLS
 * alert). libcurl 7.88 would take a reset or unread bytes for a live
 * connection and send the next check's request on it. Read away what came
 * and shut it: curl's test before reuse then sees it closed and drops it.
 * (An h2 connection is watched for its end only: curl reads its frames.)
 */
static void
http_socket_idle_spoke(uv_poll_t *poll, int status, int events)
{
	struct http_socket *s = poll->data;
	char buf[4096];
	size_t drained = 0;
	socklen_t len = sizeof(int);
	ssize_t n;
	int err;

	uv_poll_stop(&s->poll);
	while (drained < HTTP_IDLE_DRAIN &&
	    (n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		drained += (size_t)n;
	getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	shutdown(s->fd, SHUT_RDWR);
}

/*
 * A connection curl keeps (a transfer on it is done, the last to need it):
 * watched while idle, until curl closes it or a transfer takes it again.
 */
static void
http_socket_idle(struct http_socket *s, CURL *easy)
{
	long version = 0;

	s->idle = true;
	if (easy != NULL && curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version) ==
	    CURLE_OK)
		s->multiplexed = version == CURL_HTTP_VERSION_2_0;
	uv_poll_start(&s->poll, s->multiplexed ? UV_DISCONNECT :
	    UV_READABLE | UV_DISCONNECT, http_socket_idle_spoke);
	/* A kept connection is no work to wait for: `tend check`'s loop ends without it. */
	uv_unref((uv_handle_t *)&s->poll);
}

/*
 * CURLMOPT_SOCKETFUNCTION: start, change or stop watching a socket. The
 * engine's table, not curl_multi_assign, finds a socket's poll: curl may
 * close a socket it never connected without a word, and open the next on
 * the same number.
 */
static int
http_engine_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct http_engine *e = userp;
	struct http_socket *s = http_socket_find(e, fd);

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL && s->ours && s->connected)
			http_socket_idle(s, easy);
		else if (s != NULL)
			http_socket_discard(s);
		return 0;
	}
	if (s == NULL && (s = http_socket_new(e, fd, false)) == NULL)
		return -1;
	if (s->idle)
		uv_ref((uv_handle_t *)&s->poll);
	s->idle = false;
	s->events = 0;
	if (what & CURL_POLL_IN) {
		s->events |= UV_READABLE;
		s->connected = true;
	}
	if (what & CURL_POLL_OUT)
		s->events |= UV_WRITABLE;
	uv_poll_start(&s->poll, s->events, http_socket_ready);
	return 0;
}

/* CURLOPT_OPENSOCKETFUNCTION: the engine's own sockets, whose end it hears. */
static curl_socket_t
http_engine_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct http_engine *e = clientp;
	curl_socket_t fd;

	fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
	if (fd < 0)
		return CURL_SOCKET_BAD;
	if (http_socket_new(e, fd, true) == NULL) {
		close(fd);
		return CURL_SOCKET_BAD;
	}
	return fd;
}

/* CURLOPT_CLOSESOCKETFUNCTION: the poll goes first, then the descriptor. */
static int
http_engine_close_socket(void *clientp, curl_socket_t fd)
{
	struct http_socket *s = http_socket_find(clientp, fd);

	if (s != NULL)
		http_socket_discard(s);
	return close(fd);
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
	e->max_connects = HTTP_ENGINE_SPARE;
	return e;
}

void
http_engine_expect(struct http_engine *e, size_t targets)
{
	struct rlimit rl;
	long n = (long)targets + HTTP_ENGINE_SPARE, cap;

	/*
	 * An idle connection is a descriptor: never more of them than a quarter
	 * of what tend may open (256 under systemd's default 1024), the rest
	 * being the services' pipes, the store, the web server's. Past it, the
	 * oldest idle connection is closed for a new one: reuse, not a result,
	 * is what is lost.
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		cap = (long)(rl.rlim_cur / 4);
		if (n > cap)
			n = cap > HTTP_ENGINE_SPARE ? cap : HTTP_ENGINE_SPARE;
	}
	e->max_connects = n;
	if (e->multi != NULL)
		curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, e->max_connects);
}

void
http_engine_easy_defaults(struct http_engine *e, CURL *easy)
{
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	/* h2 only where TLS's ALPN offers it; no h2c upgrade of plain http. */
	curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/*
	 * A transfer to an https target whose connection is still in its
	 * handshake waits to learn whether it speaks h2 rather than opening a
	 * second one: one connection per h2 target. (Plain http cannot
	 * multiplex here: no waiting.)
	 */
	curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
	/* Shared by every handle of the multi: one lookup per name a minute. */
	curl_easy_setopt(easy, CURLOPT_DNS_CACHE_TIMEOUT, HTTP_ENGINE_DNS_TTL);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, http_engine_open_socket);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, e);
	curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, http_engine_close_socket);
	curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, e);
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
	/*
	 * Connections stay open between transfers, in the multi's cache: one
	 * per target, so that every check finds its own connection again.
	 * Multiplexing (h2) is allowed, HTTP/1.1 pipelining is not: a request
	 * queued behind another's slow answer would time out for it. For the
	 * same reason there is no limit per host (MAX_HOST_CONNECTIONS): a
	 * check must never wait for a connection held by a hung one.
	 */
	curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, e->max_connects);
	curl_multi_setopt(e->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
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
	size_t i;

	if (e == NULL)
		return;
	/* Closes the kept connections, through the engine's close callback. */
	if (e->multi != NULL)
		curl_multi_cleanup(e->multi);
	for (i = 0; i < e->n_fd; i++)
		if (e->by_fd[i] != NULL)
			http_socket_discard(e->by_fd[i]);
	free(e->by_fd);
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
