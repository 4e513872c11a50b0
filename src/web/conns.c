/*
 * The connections the web server holds, and the limits libmicrohttpd cannot
 * keep by itself:
 *
 * - per client, not per address: all of loopback is one local client
 *   (web/request.h), so a local user cannot pass web.per_ip_connections by
 *   connecting from 127.0.0.2, 127.0.0.3, ...;
 * - a deadline for the whole request: one that has not arrived within
 *   web.connection_timeout of the connection's start (or of its previous
 *   answer) is closed however busily it trickles in, where libmicrohttpd's
 *   timeout only closes connections that are silent (slowloris);
 * - when a client, or the server, is full, a new connection makes way by
 *   closing the oldest one still waiting for its request, rather than
 *   being refused: what a flood holds open is what goes first, and the
 *   dashboard or a probe of /healthz gets in. Next in line is an answer
 *   that has been going out for a while to a client that does not read it.
 *   Only when every connection is busy with a request (or is a live stream,
 *   or an action the loop is carrying out) is the new one refused.
 *
 * A connection is closed from outside its thread by shutdown(2) on its
 * socket: libmicrohttpd reads the end of the stream and cleans it up. This
 * is safe because libmicrohttpd tells us it is closing (NOTIFY_CLOSED,
 * which takes our lock) before it closes the fd, so a socket we shut down
 * under the lock is still that connection's.
 */
#include "web/web_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"

#define WEB_CONNS_REPORT_MS	60000	/* how often a flood is logged */
/* An answer still going out after this is to a client that does not read it. */
#define WEB_STALLED_ANSWER_MS	1000

enum web_conn_phase {
	CONN_WAITING,		/* for a request, or the rest of it */
	CONN_ANSWERING,		/* a request is in; its answer is being made or sent */
	CONN_LASTING,		/* a live stream, an action: long by nature */
};

struct web_conn {
	struct web_conn	*prev, *next;		/* oldest first */
	struct web_client client;
	int		 fd;
	enum web_conn_phase phase;
	int64_t		 since;			/* mono ms the phase began */
	bool		 closing;		/* shut down here: no longer counted */
};

void
web_conns_init(struct web_conns *cs, int max_total, int max_client, int64_t deadline_ms)
{
	memset(cs, 0, sizeof(*cs));
	pthread_mutex_init(&cs->lock, NULL);
	cs->max_total = max_total;
	cs->max_client = max_client;
	cs->deadline_ms = deadline_ms;
}

void
web_conns_fini(struct web_conns *cs)
{
	pthread_mutex_destroy(&cs->lock);
}

/* With the lock held: the connection is closed and no longer counted. */
static void
web_conn_close_locked(struct web_conns *cs, struct web_conn *c)
{
	c->closing = true;
	cs->live--;
	shutdown(c->fd, SHUT_RDWR);
}

/*
 * What may be closed to make way, best first: the connection waiting
 * longest for a request, else the answer stalled longest. Of client, or of
 * anyone; NULL when every connection is busy.
 */
static struct web_conn *
web_conns_victim(struct web_conns *cs, const struct web_client *client, int64_t now)
{
	struct web_conn *c, *waiting = NULL, *stalled = NULL;

	for (c = cs->head; c != NULL; c = c->next) {
		if (c->closing || (client != NULL && !web_client_same(&c->client, client)))
			continue;
		if (c->phase == CONN_WAITING && (waiting == NULL || c->since < waiting->since))
			waiting = c;
		else if (c->phase == CONN_ANSWERING && now - c->since >= WEB_STALLED_ANSWER_MS &&
		    (stalled == NULL || c->since < stalled->since))
			stalled = c;
	}
	return waiting != NULL ? waiting : stalled;
}

static int
web_conns_of(struct web_conns *cs, const struct web_client *client)
{
	struct web_conn *c;
	int n = 0;

	for (c = cs->head; c != NULL; c = c->next)
		n += !c->closing && web_client_same(&c->client, client);
	return n;
}

/* With the lock held: counts a new connection in, making way for it if it must. */
static void
web_conns_admit_locked(struct web_conns *cs, struct web_conn *c)
{
	const struct web_client *full = NULL;
	struct web_conn *victim = NULL;
	bool over;

	if (web_conns_of(cs, &c->client) >= cs->max_client)
		full = &c->client;
	over = full != NULL || cs->live >= cs->max_total;
	if (over)
		victim = web_conns_victim(cs, full, c->since);
	c->prev = cs->tail;
	if (cs->tail != NULL)
		cs->tail->next = c;
	else
		cs->head = c;
	cs->tail = c;
	cs->live++;
	if (victim != NULL) {
		web_conn_close_locked(cs, victim);
		cs->shed++;
	} else if (over) {
		web_conn_close_locked(cs, c);
		cs->refused++;
	}
}

static void
web_conns_started(struct web_conns *cs, struct MHD_Connection *conn, void **socket_context)
{
	const union MHD_ConnectionInfo *addr, *fd;
	struct web_conn *c = xcalloc(1, sizeof(*c));

	addr = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	web_client_of(addr != NULL ? addr->client_addr : NULL, &c->client);
	c->fd = fd != NULL ? fd->connect_fd : -1;
	c->phase = CONN_WAITING;
	c->since = clock_mono_ms();
	pthread_mutex_lock(&cs->lock);
	web_conns_admit_locked(cs, c);
	pthread_mutex_unlock(&cs->lock);
	*socket_context = c;
}

static void
web_conns_closed(struct web_conns *cs, void **socket_context)
{
	struct web_conn *c = *socket_context;

	if (c == NULL)
		return;
	pthread_mutex_lock(&cs->lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		cs->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		cs->tail = c->prev;
	if (!c->closing)
		cs->live--;
	pthread_mutex_unlock(&cs->lock);
	free(c);
	*socket_context = NULL;
}

void
web_conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		web_conns_started(cls, conn, socket_context);
	else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		web_conns_closed(cls, socket_context);
}

static void
web_conns_set_phase(struct web_conns *cs, struct MHD_Connection *conn,
    enum web_conn_phase phase)
{
	const union MHD_ConnectionInfo *info;
	struct web_conn *c;
	int64_t now = clock_mono_ms();

	info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (info == NULL || (c = info->socket_context) == NULL)
		return;
	pthread_mutex_lock(&cs->lock);
	c->phase = phase;
	c->since = now;
	pthread_mutex_unlock(&cs->lock);
}

void
web_conns_answering(struct web_conns *cs, struct MHD_Connection *conn, bool lasting)
{
	web_conns_set_phase(cs, conn, lasting ? CONN_LASTING : CONN_ANSWERING);
}

void
web_conns_answered(struct web_conns *cs, struct MHD_Connection *conn)
{
	web_conns_set_phase(cs, conn, CONN_WAITING);
}

/*
 * With the lock held: what was shed, refused and cut off since the last
 * report, when there was pressure (a browser's idle keep-alive connection
 * reaching its deadline is no news).
 */
static void
web_conns_report_locked(struct web_conns *cs, int64_t now)
{
	if (cs->shed + cs->refused == 0 ||
	    (cs->reported_at != 0 && now - cs->reported_at < WEB_CONNS_REPORT_MS))
		return;
	log_warn(NULL, "web: %lu idle connections closed to make way for new ones, %lu "
	    "refused (every one busy), %lu cut off after connection_timeout without a "
	    "whole request (web.max_connections %d, per client %d)", cs->shed, cs->refused,
	    cs->timed_out, cs->max_total, cs->max_client);
	cs->shed = cs->refused = cs->timed_out = 0;
	cs->reported_at = now;
}

int
web_conns_sweep(struct web_conns *cs, int64_t now)
{
	struct web_conn *c;
	int n = 0;

	pthread_mutex_lock(&cs->lock);
	for (c = cs->head; c != NULL; c = c->next) {
		if (c->closing || c->phase != CONN_WAITING || now - c->since < cs->deadline_ms)
			continue;
		web_conn_close_locked(cs, c);
		n++;
	}
	cs->timed_out += (unsigned long)n;
	web_conns_report_locked(cs, now);
	pthread_mutex_unlock(&cs->lock);
	return n;
}
