/*
 * One try of a delivery (internal to src/alert): a POST on the loop's HTTP
 * engine, or a command with TEND_* variables and a timeout that kills its
 * process group. Exactly one call of done per started try, never from
 * inside the start; none after a cancel.
 */
#ifndef TEND_ALERT_DELIVER_H
#define TEND_ALERT_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct http_engine;

/*
 * ok: it was delivered. retry: trying again may help (a 5xx, a refused
 * connection, a timeout, a command that failed), not a 4xx that will
 * never change. detail: "HTTP 200", "exit 3: no route", ...
 */
typedef void	(*deliver_done_fn)(void *arg, bool ok, bool retry, const char *detail);

struct webhook_call;

/* body is taken. NULL, with a reason in err, when the transfer cannot be started. */
struct webhook_call *webhook_post(struct http_engine *e, const char *url,
		    char *const *headers, char *body, int64_t timeout_ms,
		    deliver_done_fn done, void *arg, char *err, size_t errlen);
void		 webhook_cancel(struct webhook_call *c);

struct command_call;

/* env: "K=V" added to tend's environment. NULL, with a reason in err, when it cannot start. */
struct command_call *command_deliver(uv_loop_t *loop, char *const *argv,
		    char *const *env, int64_t timeout_ms, deliver_done_fn done,
		    void *arg, char *err, size_t errlen);
void		 command_deliver_cancel(struct command_call *c);

#endif
