/*
 * The publisher: what the daemon shows to the web server. On the loop
 * thread it samples the host (every 5 s, also into the store as host.*
 * series), measures the loop's own lag, counts incidents and healing
 * actions, and publishes a fresh snapshot when something changed (at most
 * four times a second, at least once a second) and events at once.
 */
#ifndef TEND_DAEMON_PUBLISHER_H
#define TEND_DAEMON_PUBLISHER_H

#include <jansson.h>
#include <uv.h>

struct publisher;
struct store;
struct web_checks;
struct web_server;

/* The daemon's status (as `tend status --format json` shows it), a new object. */
typedef json_t	*(*publisher_status_fn)(void *arg);
/*
 * Every check, as the web server publishes them (web/snapshot.h), a new
 * reference; asked for before the status, which may be made from it.
 */
typedef struct web_checks *(*publisher_checks_fn)(void *arg);

/*
 * web may be NULL (--no-web): the figures still reach `tend status`; st
 * (where host.* samples go) may be NULL too.
 */
struct publisher *publisher_new(uv_loop_t *loop, struct web_server *web,
		    struct store *st, publisher_status_fn status, publisher_checks_fn checks,
		    void *arg);
void		 publisher_free(struct publisher *p);

/* Adds host, loop lag, RSS and the counters to a status object. */
void		 publisher_decorate(const struct publisher *p, json_t *status);
/* Publishes now (at start: there is something to serve at once). */
void		 publisher_publish(struct publisher *p);
/* Something in the status changed: publish soon. */
void		 publisher_dirty(struct publisher *p);
/* A check's result that the status does not list: publish the table of checks soon. */
void		 publisher_checks_dirty(struct publisher *p);
/* Streams an event now (docs/api.md) and publishes soon. data is borrowed. */
void		 publisher_event(struct publisher *p, const char *event, const json_t *data);
/* The healer's "incident" and "action" changes: counted, and streamed. */
void		 publisher_heal_changed(struct publisher *p, const char *what,
		    const json_t *data);

#endif
