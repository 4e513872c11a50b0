/*
 * What the daemon reads or changes in its store at once, on its loop: what
 * learning starts from, a target's incidents counted, one acknowledged or
 * resolved by hand, the dependency versions last seen, the open incidents.
 * Each flushes the queue first (with the writer thread, waits for it), so
 * that it sees every row queued before it.
 */
#include "store/store.h"

#include <stdint.h>

#include <sqlite3.h>

#include "store/read.h"
#include "store/store_internal.h"

/* sql prepared on the loop's connection once what was queued before is written. */
static int
at_once_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt)
{
	if (!store_ready(st))
		return -1;
	store_flush(st);
	return sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) == SQLITE_OK ? 0 : -1;
}

int
store_each_procedure(struct store *st, store_procedure_fn fn, void *arg)
{
	sqlite3_stmt *stmt;
	int n = 0;

	if (at_once_prepare(st, "SELECT category, action, attempts, successes "
	    "FROM recovery_procedures", &stmt) < 0)
		return -1;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		fn(arg, (const char *)sqlite3_column_text(stmt, 0),
		    (const char *)sqlite3_column_text(stmt, 1),
		    sqlite3_column_int(stmt, 2), sqlite3_column_int(stmt, 3));
		n++;
	}
	sqlite3_finalize(stmt);
	return n;
}

int
store_count_incidents(struct store *st, const char *target, const char *category,
    int64_t since_ms)
{
	sqlite3_stmt *stmt;
	int n = -1;

	if (at_once_prepare(st, "SELECT count(*) FROM error_incidents WHERE "
	    "target = ?1 AND category = ?2 AND detected_at >= ?3", &stmt) < 0)
		return -1;
	sqlite3_bind_text(stmt, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, category, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, since_ms);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static int
store_update_incident(struct store *st, const char *sql, int64_t id, int64_t now_ms)
{
	sqlite3_stmt *stmt;
	int rc;

	if (at_once_prepare(st, sql, &stmt) < 0)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now_ms);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int
store_ack_incident(struct store *st, int64_t id, int64_t now_ms)
{
	return store_update_incident(st, "UPDATE error_incidents SET acked = 1, "
	    "updated_at = ?2 WHERE id = ?1", id, now_ms);
}

int
store_resolve_incident(struct store *st, int64_t id, int64_t now_ms)
{
	return store_update_incident(st, "UPDATE error_incidents SET resolved_at = "
	    "coalesce(resolved_at, ?2), phase = 'resolved', resolution = "
	    "coalesce(resolution, 'resolved by hand'), mttr_ms = coalesce(mttr_ms, "
	    "?2 - detected_at), updated_at = ?2 WHERE id = ?1", id, now_ms);
}

int
store_each_dependency_version(struct store *st, store_version_fn fn, void *arg)
{
	sqlite3_stmt *stmt;
	int n = 0;

	if (at_once_prepare(st, "SELECT check_name, dependency, new_version FROM "
	    "dependency_changes WHERE id IN (SELECT max(id) FROM dependency_changes "
	    "GROUP BY check_name, dependency)", &stmt) < 0)
		return -1;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		fn(arg, (const char *)sqlite3_column_text(stmt, 0),
		    (const char *)sqlite3_column_text(stmt, 1),
		    (const char *)sqlite3_column_text(stmt, 2));
		n++;
	}
	sqlite3_finalize(stmt);
	return n;
}

json_t *
store_open_incidents(struct store *st)
{
	store_flush(st);
	return store_read_incidents(st->db, true, INT64_MIN, STORE_OPEN_INCIDENTS_MAX);
}
