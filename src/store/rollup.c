/*
 * Metric roll-ups and retention. A watermark per resolution (store_meta)
 * says up to where raw samples have been averaged into minutes and minutes
 * into hours, so every bucket is rolled up exactly once, and only when it
 * is complete.
 */
#include <stdio.h>

#include <sqlite3.h>

#include "core/log.h"
#include "store/store.h"
#include "store/store_internal.h"

#define MINUTE_MS	60000LL
#define HOUR_MS		3600000LL

const struct store_retention store_default_retention = {
	.raw_ms = 24 * HOUR_MS,
	.minute_ms = 7 * 24 * HOUR_MS,
	.hour_ms = 90 * 24 * HOUR_MS,
};

static int64_t
rollup_watermark(sqlite3 *db, const char *key)
{
	sqlite3_stmt *stmt;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, "SELECT value FROM store_meta WHERE key = ?1", -1,
	    &stmt, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* Runs SQL built from integers only (no text from outside goes in). */
static int
rollup_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? sqlite3_changes(db) : -1;
}

/*
 * Averages the complete buckets of resolution `from` since the watermark
 * into resolution `to`, and moves the watermark. Buckets still filling
 * (the current one) wait for the next call.
 */
static int
rollup_level(sqlite3 *db, const char *key, int64_t from, int64_t to, int64_t now)
{
	int64_t mark = rollup_watermark(db, key), end = now / to * to;
	char sql[512];

	if (mark < 0)
		return -1;
	if (end <= mark)
		return 0;
	snprintf(sql, sizeof(sql),
	    "INSERT INTO system_health_metrics (series, ts, value, resolution) "
	    "SELECT series, ts / %lld * %lld, avg(value), %lld FROM system_health_metrics "
	    "WHERE resolution = %lld AND ts >= %lld AND ts < %lld "
	    "GROUP BY series, ts / %lld",
	    (long long)to, (long long)to, (long long)to, (long long)from, (long long)mark,
	    (long long)end, (long long)to);
	if (rollup_exec(db, sql) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO store_meta (key, value) "
	    "VALUES ('%s', %lld)", key, (long long)end);
	return rollup_exec(db, sql) < 0 ? -1 : 0;
}

/* Deletes at most chunk rows of one resolution older than keep_ms. */
static int
rollup_expire(sqlite3 *db, int64_t resolution, int64_t before, int chunk)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "DELETE FROM system_health_metrics WHERE rowid IN "
	    "(SELECT rowid FROM system_health_metrics WHERE resolution = %lld AND ts < %lld "
	    "LIMIT %d)", (long long)resolution, (long long)before, chunk);
	return rollup_exec(db, sql);
}

int
store_maintain(struct store *st, int64_t now_ms, const struct store_retention *keep,
    int chunk)
{
	sqlite3 *db;
	int n, deleted = 0;

	if (!store_ready(st) || store_flush(st) < 0)
		return -1;
	db = store_db(st);
	if (rollup_exec(db, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (rollup_level(db, "rollup.minute", 0, MINUTE_MS, now_ms) < 0 ||
	    rollup_level(db, "rollup.hour", MINUTE_MS, HOUR_MS, now_ms) < 0)
		goto fail;
	if ((n = rollup_expire(db, 0, now_ms - keep->raw_ms, chunk)) < 0)
		goto fail;
	deleted += n;
	if ((n = rollup_expire(db, MINUTE_MS, now_ms - keep->minute_ms, chunk)) < 0)
		goto fail;
	deleted += n;
	if ((n = rollup_expire(db, HOUR_MS, now_ms - keep->hour_ms, chunk)) < 0)
		goto fail;
	deleted += n;
	if (rollup_exec(db, "COMMIT") < 0)
		goto fail;
	return deleted;
fail:
	log_error(NULL, "store maintenance: %s", sqlite3_errmsg(db));
	rollup_exec(db, "ROLLBACK");
	return -1;
}
