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
#define STORE_SCHEMA_VERSION	1

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

/* Commits everything queued in one transaction; returns rows written or -1. */
int	store_flush(struct store *st);
size_t	store_pending(const struct store *st);

#endif
