/*
 * The web server: dashboard, JSON API, Server-Sent Events and /metrics
 * (docs/api.md), on libmicrohttpd's own threads.
 *
 * The server never touches the daemon's state. The loop publishes a
 * snapshot (web_publish) and events (web_event); the web threads serve
 * those, read history from the store through read-only connections of
 * their own, and hand POSTed actions back to the loop through a queue
 * (uv_async), where ops->action runs them and the answer is sent.
 */
#ifndef TEND_WEB_WEB_H
#define TEND_WEB_WEB_H

#include <jansson.h>
#include <uv.h>

#include "config/model.h"
#include "web/snapshot.h"

struct statedir;
struct web_server;

struct web_ops {
	void	*arg;
	/*
	 * On the loop thread: verb is "restart", "stop", "start" or "heal"
	 * for the service name, "action" for the named action, "rollback"
	 * for the snapshot set name, or "change" (name "") with body the
	 * change {"set", "label"} (both optional; set a string or null,
	 * label a string). body is NULL for every other verb. Returns the
	 * HTTP status and sets *answer (a JSON object, owned by the server).
	 */
	int	(*action)(void *arg, const char *verb, const char *name, const json_t *body,
		    json_t **answer);
	/*
	 * On the loop thread: a heartbeat's ping, already checked against
	 * web_set_ping_checks' table and answered; kind "ping", "fail" or
	 * "start", message NULL for none.
	 */
	void	(*ping)(void *arg, const char *check, const char *kind, const char *message);
};

/*
 * Listens on conf's address (port 0: a free one) and writes the URL to
 * STATE_DIR/web.url. NULL with a message in err when it cannot. sd (the
 * API token, the database) must outlive the server. Port -1 listens
 * nowhere and writes no URL: connections come from web_serve_fd alone
 * (tests, the HTTP fuzz harness).
 */
struct web_server *web_start(uv_loop_t *loop, const struct web_conf *conf,
		    struct statedir *sd, const struct web_ops *ops, char *err,
		    size_t errlen);
/* Answers what is in flight, ends every stream and stops the threads. */
void		 web_stop(struct web_server *ws);
/*
 * Serves a connected stream socket (taken; a socketpair will do) as a
 * client on 127.0.0.1 would be served, on the server's own threads: what
 * a fuzz harness calls to feed a request through the whole request path.
 * 0, or -1 with errno set (the fd is closed either way).
 */
int		 web_serve_fd(struct web_server *ws, int fd);
/* "http://127.0.0.1:8090/" */
const char	*web_url(const struct web_server *ws);

/*
 * The checks POST /api/ping/NAME may name, with their types and ping keys,
 * copied from cfg: at start and after each reload. NULL ws is fine.
 */
void		 web_set_ping_checks(struct web_server *ws, const struct tend_config *cfg);
/* Takes over snap (the caller's reference); streams get its status. */
void		 web_publish(struct web_server *ws, struct web_snapshot *snap);
/* Streams an event (docs/api.md: state, incident, action, anomaly, alert). */
void		 web_event(struct web_server *ws, const char *event, const json_t *data);

#endif
