/*
 * Read-only queries of the store, on a connection of the caller's own: the
 * CLI's, or one of the web server's threads'. They never touch the
 * daemon's writing connection, and WAL lets them read while it writes.
 */
#ifndef TEND_STORE_READ_H
#define TEND_STORE_READ_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

/* A read-only connection with a busy timeout; NULL with a message in err. */
sqlite3	*store_read_open(const char *path, char *err, size_t errlen);

/* A column as JSON: integer, real, text (invalid UTF-8 made safe) or null. */
json_t	*store_json_column(sqlite3_stmt *stmt, int i);

/*
 * Incidents detected since since_ms, newest first, at most limit, with
 * their healing attempts: every column of the schema the daemon wrote
 * (see docs/api.md, INCIDENT). NULL on a database error.
 */
json_t	*store_read_incidents(sqlite3 *db, bool open_only, int64_t since_ms, int limit);
/* One incident as store_read_incidents shows it; NULL when there is none. */
json_t	*store_read_incident(sqlite3 *db, int64_t id);

/*
 * Changes from since_ms on, newest first, at most limit: every column of
 * changes (detail as the JSON object it is, bad as a boolean) and
 * "incidents", the ids of the incidents blamed on each. NULL on a
 * database error.
 */
json_t	*store_read_changes(sqlite3 *db, int64_t since_ms, int limit);

/*
 * The snapshots of set (NULL: every set), newest first, at most limit, as
 * `tend snapshot list --format json` shows them: {"id", "set", "label",
 * "reason", "created_at", "files", "bytes", "lkg", "bad"}. NULL on a
 * database error.
 */
json_t	*store_read_snapshots(sqlite3 *db, const char *set, int limit);

/*
 * A metric series from since_ms on, averaged per step_ms, as an array of
 * [t_ms, value] pairs, read at the coarsest resolution that keeps the
 * span's detail (raw up to 24 h, 1-minute roll-ups up to 7 d, then 1-hour).
 * NULL on a database error.
 */
json_t	*store_read_metric(sqlite3 *db, const char *series, int64_t since_ms,
	    int64_t now_ms, int64_t step_ms);

#endif
