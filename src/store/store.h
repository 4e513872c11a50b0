/*
 * The store: tend's memory in SQLite (state_dir/tend.db). WAL mode, a
 * schema versioned by PRAGMA user_version with migrations, and writes
 * queued in memory then committed together in one transaction, so the
 * loop does a single short write per flush, never one per result.
 * Nothing committed is lost when tend is killed. The WAL is kept short:
 * checkpointed past 1000 pages, truncated past 2000 (readers allowing) and
 * to 4 MB when it starts over (journal_size_limit).
 */
#ifndef TEND_STORE_STORE_H
#define TEND_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "health/state.h"

struct statedir;
struct store;

/* The schema version this build writes. */
#define STORE_SCHEMA_VERSION	12

/* Opens (creating and migrating as needed); NULL with a message in err. */
struct store	*store_open(const char *path, char *err, size_t errlen);
/*
 * store_open for a brief writer such as tend retry, whose process opens
 * the store, writes a run and exits. The first connection to open the
 * database rebuilds the WAL's index from every frame in the WAL, while a
 * checkpoint costs fsyncs: a brief writer leaves its writes in the WAL
 * when it closes, unless it is the last connection and the WAL has grown
 * long; then it checkpoints, and the next opener finds no WAL. It also
 * calls store_configure_process(): call it where no other thread uses
 * SQLite.
 */
struct store	*store_open_brief(const char *path, char *err, size_t errlen);
/*
 * SQLite's settings of the whole process, sized for tend: page caches
 * that grow page by page, no memory statistics. SQLite takes them only
 * before its first use in the process (and ignores them after): call it
 * first thing, where no other thread uses SQLite. (Lookaside, the other
 * knob, is compiled out of Debian's SQLite: SQLITE_OMIT_LOOKASIDE.)
 */
void		 store_configure_process(void);
/*
 * The daemon's store, STATE/tend.db (made 0600): never NULL. When the
 * database cannot be opened (a full disk at start, a corrupt file, wrong
 * permissions) writes queue as usual and each flush tries to open it
 * again, every 2 s, so that history starts once it can; meanwhile reads
 * fail, and tend's health (core/selfhealth.h, part "store") says what is
 * wrong and what to do. sd must outlive the store.
 */
struct store	*store_open_state(struct statedir *sd);
/*
 * Makes STATE/tend.db (0600, through the verified state dir) when it is
 * missing, and makes it and its -wal and -shm 0600 when others could read
 * them; store_open on its path is then safe. 0, or -1 with err (errno set).
 */
int		 store_prepare_file(struct statedir *sd, char *err, size_t errlen);
/* Flushes what is queued, then closes. */
void		 store_close(struct store *st);
int		 store_schema_version(struct store *st);

/* Queued until the next flush. Strings are copied; NULL is stored as NULL. */
void	store_add_check_result(struct store *st, int64_t ts_ms, const char *check,
	    const char *service, enum health_state state, double latency_ms,
	    const char *message);
/* kind: "check" or "service"; states as words ("up", "critical", ...). */
void	store_add_state_change(struct store *st, int64_t ts_ms, const char *kind,
	    const char *target, const char *service, const char *from, const char *to,
	    const char *message);
void	store_add_metric(struct store *st, int64_t ts_ms, const char *series, double value);

/*
 * An incident as a row of error_incidents. Times are ms since the epoch;
 * a negative resolved_at, mttd_ms or mttr_ms, or a NAN effectiveness, is
 * stored as NULL. Strings may be NULL.
 */
struct store_incident {
	int64_t		 id;
	const char	*target;	/* the failing check, or the service */
	const char	*service;
	const char	*error_type;	/* "check" or "service" */
	const char	*category;	/* a failure category */
	const char	*severity;	/* warning, critical */
	int64_t		 detected_at;
	int64_t		 resolved_at;
	const char	*root_cause;
	const char	*diagnosis;
	const char	*actions_taken;	/* JSON array */
	double		 effectiveness;
	bool		 recurring;
	bool		 acked;
	int64_t		 mttd_ms;
	int64_t		 mttr_ms;
	const char	*phase;
	const char	*symptoms;	/* JSON array */
	int		 attempts;
	const char	*resolution;
	int64_t		 updated_at;
	int64_t		 change_id;	/* the change it is blamed on; 0: none */
};

/* A new incident id, unique in this database; the row comes with a put. */
int64_t	store_incident_new_id(struct store *st);
/* Queues the whole row (insert, or update of the same id). */
void	store_put_incident(struct store *st, const struct store_incident *inc);
/* A healing attempt's row; returns its id for store_attempt_end. */
int64_t	store_attempt_begin(struct store *st, int64_t incident_id, const char *action,
	    int64_t started_at, const char *detail);
void	store_attempt_end(struct store *st, int64_t attempt_id, int64_t ended_at,
	    const char *outcome, const char *detail);
/* One more attempt of action against category, and whether it worked. */
void	store_record_procedure(struct store *st, const char *category,
	    const char *action, bool success, int64_t ts_ms);
void	store_add_dependency_change(struct store *st, int64_t ts_ms, const char *check,
	    const char *dependency, const char *old_version, const char *new_version);

/*
 * An alert's delivery to one channel as a row of alert_deliveries: written
 * after every try, so the last write is how it ended. An incident <= 0 is
 * stored as NULL; strings may be NULL.
 */
struct store_alert {
	int64_t		 id;
	int64_t		 at;		/* when the alert was raised */
	const char	*event;		/* critical, warning, escalated, resolved, anomaly */
	const char	*target;
	const char	*state;
	const char	*message;
	int64_t		 incident;
	const char	*channel;
	const char	*outcome;	/* delivered, retrying, failed */
	int		 tries;
	const char	*detail;
	int64_t		 updated_at;
};

/* A new delivery id, unique in this database; the row comes with a put. */
int64_t	store_alert_new_id(struct store *st);
/* Queues the whole row (insert, or update of the same id). */
void	store_put_alert(struct store *st, const struct store_alert *a);

/*
 * A run of a retried command (retry_runs) and its attempts
 * (retry_attempts). Runs get their id from SQLite at once, so that
 * several `tend retry` at the same time never share one; the rest is
 * queued. A negative ended_at or exit_code is stored as NULL.
 */
struct store_retry_run {
	int64_t		 id;
	const char	*origin;	/* "tend retry", "deps install", ... */
	int64_t		 started_at;
	int64_t		 ended_at;
	const char	*argv;		/* JSON array */
	int		 exit_code;
	int		 attempts;
	const char	*outcome;	/* running, succeeded, failed, timed out, interrupted */
	bool		 ci;
	const char	*summary;
};

struct store_retry_attempt {
	int64_t		 run_id;
	int		 n;
	const char	*argv;		/* JSON array */
	int		 fallback;	/* 0 the main command, i the i-th fallback */
	int64_t		 started_at;
	int64_t		 ended_at;
	int		 exit_code;	/* negative: NULL (killed by a signal) */
	int		 signal;	/* 0: NULL */
	bool		 timed_out;
	const char	*category;	/* NULL when it succeeded */
	const char	*detail;
	const char	*tail;
	const char	*heal;
};

/* Inserts the run now (committing what is queued first); its id, or -1. */
int64_t	store_retry_run_begin(struct store *st, const struct store_retry_run *run);
/*
 * A run whose first write is its end (its first attempt worked): the run,
 * ended, and that attempt (its run_id ignored) in one transaction with
 * what is queued. Its id, or -1.
 */
int64_t	store_retry_run_once(struct store *st, const struct store_retry_run *run,
	    const struct store_retry_attempt *a);
/* Queues the run's end: ended_at, exit_code, attempts, outcome, summary. */
void	store_retry_run_end(struct store *st, const struct store_retry_run *run);
void	store_add_retry_attempt(struct store *st, const struct store_retry_attempt *a);

/* Reads (they flush first, so they see every queued write). */
typedef void	(*store_procedure_fn)(void *arg, const char *category,
		    const char *action, int attempts, int successes);
int	store_each_procedure(struct store *st, store_procedure_fn fn, void *arg);
/* The last recorded version of every (check, dependency). */
typedef void	(*store_version_fn)(void *arg, const char *check, const char *dependency,
		    const char *version);
int	store_each_dependency_version(struct store *st, store_version_fn fn, void *arg);
/* Incidents of target in category detected at or after since_ms; -1 on error. */
int	store_count_incidents(struct store *st, const char *target, const char *category,
	    int64_t since_ms);
/*
 * Sets an incident's acked flag, or resolves it by hand, directly (for an
 * incident no running daemon holds). Returns 1 when the row exists, 0
 * when not, -1 on error.
 */
/*
 * The incidents no run has closed, newest first, at most
 * STORE_OPEN_INCIDENTS_MAX, as store_read_incidents shows them (with their
 * attempts); NULL on a database error. For a new daemon to rejoin them.
 */
#define STORE_OPEN_INCIDENTS_MAX	10000
json_t	*store_open_incidents(struct store *st);
int	store_ack_incident(struct store *st, int64_t id, int64_t now_ms);
int	store_resolve_incident(struct store *st, int64_t id, int64_t now_ms);

/* How long each resolution of a metric series is kept; check runs as raw samples. */
struct store_retention {
	int64_t		 raw_ms;	/* default 24 h */
	int64_t		 minute_ms;	/* default 7 d */
	int64_t		 hour_ms;	/* default 90 d */
};

/*
 * Roll-ups and retention, a pass over every metric series and check:
 * complete minutes of raw samples averaged into 1-minute rows and complete
 * hours of those into 1-hour rows, then what is past its retention
 * deleted (raw samples and check runs past raw_ms, minutes past minute_ms,
 * hours past hour_ms). store_maintain_step does a slice of a pass, about
 * budget_ms of work in one transaction (a series or check is never split
 * between slices), and begins a pass 5 minutes after the last began (the
 * first 5 minutes after its first call): the daemon calls it after each
 * flush. 1 while a pass is under way, 0 when none is, -1 on an error (the
 * pass is given up; the next begins in its turn and does its work).
 */
int	store_maintain_step(struct store *st, int64_t now_ms,
	    const struct store_retention *keep, int budget_ms);
/*
 * A whole pass at once, at most `chunk` rows deleted per table (<= 0: no
 * bound). Returns the rows deleted, or -1.
 */
int	store_maintain(struct store *st, int64_t now_ms, const struct store_retention *keep,
	    int chunk);
extern const struct store_retention store_default_retention;

/*
 * Commits everything queued in one transaction; returns the rows written,
 * or -1 when the database failed (the queue is kept, to the next flush).
 * A row the database refuses (a constraint) is dropped, named in the log
 * and counted, and the others are written: one bad row never blocks them.
 * Non-finite numbers are stored as NULL, and a metric sample that is not
 * finite is not queued at all.
 */
int	store_flush(struct store *st);
/*
 * store_flush of the oldest rows, as many as go in about budget_ms (the
 * daemon's loop: never held longer, whatever the rate of results); the rest
 * stay queued, in order. The rows written, or -1. A write lock another
 * connection holds is not waited for: then 0, the rows kept for the next.
 */
int	store_flush_within(struct store *st, int budget_ms);
/*
 * The daemon's: its rows written, and the roll-ups and retention done, by
 * a thread of the store's own. store_flush_within then hands the queued
 * rows over and returns their number at once; store_flush hands them over
 * and waits for the thread to have written them (what follows reads them).
 */
void	store_use_writer(struct store *st);
size_t	store_pending(const struct store *st);

#endif
