/*
 * The daemon's change safety (docs/snapshots.md, "In the daemon"): it
 * watches the snapshot sets' paths (daemon/pathwatch.h) and dpkg's log
 * (diagnose/dpkglog.h), records each change in the store with what
 * changed, snapshots the set after it, marks a set's state last known
 * good once every check has stayed healthy for its lkg_after
 * (heal/changes.h has the rules), and says which change an incident is
 * blamed on.
 *
 * Snapshots run on libuv's thread pool, one at a time, on an engine with
 * a store connection of its own: a large set never stalls the loop.
 */
#ifndef TEND_DAEMON_CHANGE_WATCH_H
#define TEND_DAEMON_CHANGE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

struct statedir;
struct store;
struct tend_config;

struct change_watch_ops {
	void	*arg;
	/* A change for the live views: the "change" event (takes data). */
	void	(*event)(void *arg, const char *event, json_t *data);
	/*
	 * A change was recorded: incidents opened since it began (a change on
	 * disk is recorded once its set is quiet) may now be blamed on it.
	 */
	void	(*recorded)(void *arg);
	/* Restarts a service after a rollback (as the healer would). */
	int	(*restart)(void *arg, const char *service, char *err, size_t errlen);
};

struct change_watch;

/*
 * Starts watching cfg's sets (those with watch: true) and dpkg_log (NULL:
 * none; DPKGLOG_PATH in the daemon). st is the daemon's store (changes are
 * recorded on it); sd, st and cfg must outlive the watch (or the next
 * change_watch_set_config).
 */
struct change_watch *change_watch_new(uv_loop_t *loop, struct statedir *sd,
		    struct store *st, const struct tend_config *cfg, const char *dpkg_log,
		    const struct change_watch_ops *ops);
/* A reload: the sets again, and a change of kind reload for the `tend` set. */
void		 change_watch_set_config(struct change_watch *cw, const struct tend_config *cfg);
/* Whether every check is healthy now: call when that changes. */
void		 change_watch_health(struct change_watch *cw, bool all_healthy);
/*
 * A change a deploy tool (or tend guard) says it made: kind is a
 * CHANGE_KIND_*, set may be NULL. Its id, or -1 with err.
 */
int64_t		 change_watch_mark(struct change_watch *cw, const char *kind, const char *set,
		    const char *label, char *err, size_t errlen);
/*
 * The healer's blame hook (heal/action.h): the change an incident opened
 * at at_ms (monotonic) on service is blamed on, with a sentence in why and
 * the set to roll back first in rollback (auto_rollback), or 0. A change
 * still settling on disk is recorded first: the failure may be its doing.
 */
int64_t		 change_watch_blame(struct change_watch *cw, const char *service, bool critical,
		    int64_t at_ms, char *why, size_t len, char *rollback, size_t rollback_len);
/*
 * The control socket's {"cmd": "change", "set": S, "label": L}, a deploy
 * tool's change (tend change mark), and {"cmd": "guard", "set": S, "pid":
 * P, "hold": B}: while tend guard (process P) changes S, its writes are
 * not the daemon's changes and S is not rolled back by the daemon. The
 * answer.
 */
json_t		*change_watch_request(struct change_watch *cw, json_t *req);
/*
 * The rollback heal action (heal/action.h): set, or when NULL the one
 * whose restart: has the service of target (a check or a service), back
 * to its last known good on the thread pool. The files tend writes are
 * not a change; the set's change is marked rolled back (bad); its
 * services are restarted; then done(token, ok, detail) on the loop. 0
 * when queued, or -1 with err (no such set, none for target).
 */
int		 change_watch_rollback(struct change_watch *cw, const char *target,
		    const char *set, void (*done)(void *token, bool ok, const char *detail),
		    void *token, char *err, size_t errlen);
/* Stops watching; a snapshot under way finishes first. */
void		 change_watch_free(struct change_watch *cw);

#endif
