/*
 * The store: tend's memory in SQLite (state_dir/tend.db). WAL mode, a
 * schema versioned by PRAGMA user_version with migrations, and writes
 * queued in memory then committed together in one transaction, so the
 * loop does a single short write per flush, never one per result.
 * Nothing committed is lost when tend is killed.
 */
#ifndef TEND_STORE_STORE_H
#define TEND_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "health/state.h"

struct store;

/* The schema version this build writes. */
#define STORE_SCHEMA_VERSION	2

/* Opens (creating and migrating as needed); NULL with a message in err. */
struct store	*store_open(const char *path, char *err, size_t errlen);
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

/* How long each resolution of a metric series is kept. */
struct store_retention {
	int64_t		 raw_ms;	/* default 24 h */
	int64_t		 minute_ms;	/* default 7 d */
	int64_t		 hour_ms;	/* default 90 d */
};

/*
 * Rolls complete minutes of raw samples up into 1-minute averages and
 * complete hours of those into 1-hour averages, then deletes what is past
 * its retention, at most `chunk` rows per table and call so that a large
 * backlog never stalls the loop. Returns the rows deleted, or -1.
 */
int	store_maintain(struct store *st, int64_t now_ms, const struct store_retention *keep,
	    int chunk);
extern const struct store_retention store_default_retention;

/* Commits everything queued in one transaction; returns rows written or -1. */
int	store_flush(struct store *st);
size_t	store_pending(const struct store *st);

#endif
