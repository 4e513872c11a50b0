#include "store/read.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/mem.h"
#include "core/text.h"

#define READ_BUSY_TIMEOUT_MS	2000
/*
 * Each reader's page cache, in KB: the web server keeps up to eight of
 * them, which at SQLite's default 2000 KB could hold 16 MB after a few
 * long history queries. A miss is a pread from the kernel's cache.
 */
#define READ_CACHE_PRAGMA	"PRAGMA cache_size = -256"
#define DAY_MS			(24 * 3600 * 1000LL)

sqlite3 *
store_read_open(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db != NULL ? sqlite3_errmsg(db) :
		    "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, READ_BUSY_TIMEOUT_MS);
	sqlite3_exec(db, READ_CACHE_PRAGMA, NULL, NULL, NULL);
	return db;
}

/*
 * Text that is not valid UTF-8 (a service's output, a row from before
 * check results were sanitized) has U+FFFD where it is not.
 */
static json_t *
store_json_text(const char *s, size_t len)
{
	json_t *j;
	char *copy;

	if ((j = json_stringn(s, len)) != NULL)
		return j;
	copy = xstrndup(s, len);
	j = text_json(copy);
	free(copy);
	return j;
}

json_t *
store_json_column(sqlite3_stmt *stmt, int i)
{
	json_t *j;

	switch (sqlite3_column_type(stmt, i)) {
	case SQLITE_INTEGER:
		j = json_integer(sqlite3_column_int64(stmt, i));
		break;
	case SQLITE_FLOAT:
		/* NaN and infinity have no JSON; jansson says NULL. */
		j = json_real(sqlite3_column_double(stmt, i));
		break;
	case SQLITE_TEXT:
		j = store_json_text((const char *)sqlite3_column_text(stmt, i),
		    (size_t)sqlite3_column_bytes(stmt, i));
		break;
	default:
		j = NULL;
		break;
	}
	return j != NULL ? j : json_null();
}

/*
 * SELECT *, so that the JSON carries every column of whatever schema the
 * daemon wrote, and an older database still reads.
 */
static const char incidents_sql[] =
    "SELECT * FROM error_incidents"
    " WHERE (?1 = 0 OR resolved_at IS NULL) AND detected_at >= ?2"
    " ORDER BY detected_at DESC, id DESC LIMIT ?3";
static const char incident_sql[] = "SELECT * FROM error_incidents WHERE id = ?1";
static const char attempts_sql[] =
    "SELECT * FROM healing_attempts WHERE incident_id = ?1"
    " ORDER BY started_at, id";

static json_t *
store_row_json(sqlite3_stmt *stmt)
{
	json_t *row = json_object();
	int i;

	for (i = 0; i < sqlite3_column_count(stmt); i++)
		json_object_set_new(row, sqlite3_column_name(stmt, i),
		    store_json_column(stmt, i));
	return row;
}

/*
 * symptoms is a JSON array kept as text: it is shown as the array it is,
 * or as the text when that does not parse. The count of attempts gives its
 * name to the attempts themselves and is kept as attempt_count.
 */
static void
store_incident_fix_up(json_t *inc)
{
	json_t *symptoms, *parsed, *count;

	symptoms = json_object_get(inc, "symptoms");
	if (json_is_string(symptoms) &&
	    (parsed = json_loads(json_string_value(symptoms), 0, NULL)) != NULL) {
		if (json_is_array(parsed))
			json_object_set_new(inc, "symptoms", parsed);
		else
			json_decref(parsed);
	}
	if ((count = json_object_get(inc, "attempts")) != NULL) {
		json_object_set(inc, "attempt_count", count);
		json_object_del(inc, "attempts");
	}
}

static int
store_attach_attempts(sqlite3_stmt *stmt, json_t *inc)
{
	json_t *attempts = json_array();
	int rc;

	sqlite3_reset(stmt);
	sqlite3_bind_int64(stmt, 1, json_integer_value(json_object_get(inc, "id")));
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(attempts, store_row_json(stmt));
	json_object_set_new(inc, "attempts", attempts);
	return rc == SQLITE_DONE ? 0 : -1;
}

json_t *
store_read_incidents(sqlite3 *db, bool open_only, int64_t since_ms, int limit)
{
	sqlite3_stmt *inc = NULL, *att = NULL;
	json_t *list = json_array(), *row;
	int rc = SQLITE_ERROR;

	if (sqlite3_prepare_v2(db, incidents_sql, -1, &inc, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, attempts_sql, -1, &att, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int(inc, 1, open_only);
	sqlite3_bind_int64(inc, 2, since_ms);
	sqlite3_bind_int(inc, 3, limit);
	while ((rc = sqlite3_step(inc)) == SQLITE_ROW) {
		row = store_row_json(inc);
		store_incident_fix_up(row);
		json_array_append_new(list, row);
		if (store_attach_attempts(att, row) < 0) {
			rc = SQLITE_ERROR;
			break;
		}
	}
done:
	sqlite3_finalize(inc);
	sqlite3_finalize(att);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* stmt's rows as objects, each through fix (may be NULL); finalizes stmt. NULL on an error. */
static json_t *
store_read_rows(sqlite3_stmt *stmt, void (*fix)(json_t *row))
{
	json_t *list = json_array(), *row;
	int rc = SQLITE_ERROR;

	while (stmt != NULL && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		row = store_row_json(stmt);
		if (fix != NULL)
			fix(row);
		json_array_append_new(list, row);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* An integer column that is a flag, as a boolean. */
static void
store_read_flag(json_t *row, const char *key)
{
	json_object_set_new(row, key, json_boolean(json_integer_value(json_object_get(row,
	    key)) != 0));
}

static void
store_read_change_fix(json_t *row)
{
	json_t *v;

	/* detail and incidents are JSON kept as text: shown as what they are. */
	for (const char *const *k = (const char *const[]){ "detail", "incidents", NULL };
	    *k != NULL; k++) {
		v = json_object_get(row, *k);
		if (json_is_string(v) && (v = json_loads(json_string_value(v), 0, NULL)) != NULL)
			json_object_set_new(row, *k, v);
	}
	store_read_flag(row, "bad");
}

json_t *
store_read_changes(sqlite3 *db, int64_t since_ms, int limit)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(db, "SELECT c.*, (SELECT json_group_array(id) FROM "
	    "error_incidents WHERE change_id = c.id) AS incidents FROM changes c "
	    "WHERE at >= ?1 ORDER BY at DESC, id DESC LIMIT ?2", -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, since_ms);
		sqlite3_bind_int(stmt, 2, limit);
	}
	return store_read_rows(stmt, store_read_change_fix);
}

static void
store_read_snapshot_fix(json_t *row)
{
	store_read_flag(row, "lkg");
	store_read_flag(row, "bad");
}

json_t *
store_read_snapshots(sqlite3 *db, const char *set, int limit)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(db, "SELECT id, set_name AS \"set\", label, reason, created_at, "
	    "files, bytes, lkg, bad FROM snapshots WHERE ?1 IS NULL OR set_name = ?1 "
	    "ORDER BY id DESC LIMIT ?2", -1, &stmt, NULL) == SQLITE_OK) {
		if (set != NULL)
			sqlite3_bind_text(stmt, 1, set, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(stmt, 2, limit);
	}
	return store_read_rows(stmt, store_read_snapshot_fix);
}

json_t *
store_read_incident(sqlite3 *db, int64_t id)
{
	sqlite3_stmt *inc = NULL, *att = NULL;
	json_t *row = NULL;

	if (sqlite3_prepare_v2(db, incident_sql, -1, &inc, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, attempts_sql, -1, &att, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(inc, 1, id);
	if (sqlite3_step(inc) != SQLITE_ROW)
		goto done;
	row = store_row_json(inc);
	store_incident_fix_up(row);
	if (store_attach_attempts(att, row) < 0) {
		json_decref(row);
		row = NULL;
	}
done:
	sqlite3_finalize(inc);
	sqlite3_finalize(att);
	return row;
}

/* One range of the samples' key: the series' number, the resolution, the time. */
static const char metric_sql[] =
    "SELECT ts / ?4 * ?4 AS bucket, avg(value) FROM metric_samples"
    " WHERE series = (SELECT id FROM metric_series WHERE name = ?1) AND resolution = ?2"
    " AND ts >= ?3 GROUP BY bucket ORDER BY bucket";

json_t *
store_read_metric(sqlite3 *db, const char *series, int64_t since_ms, int64_t now_ms,
    int64_t step_ms)
{
	int64_t span = now_ms - since_ms, resolution = 0;
	sqlite3_stmt *stmt = NULL;
	json_t *points;
	int rc;

	if (span > 7 * DAY_MS)
		resolution = 3600 * 1000;
	else if (span > DAY_MS)
		resolution = 60 * 1000;
	if (step_ms < 1)
		step_ms = 1;
	if (sqlite3_prepare_v2(db, metric_sql, -1, &stmt, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(stmt, 1, series, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, resolution);
	sqlite3_bind_int64(stmt, 3, since_ms);
	sqlite3_bind_int64(stmt, 4, step_ms);
	points = json_array();
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(points, json_pack("[I, f]",
		    (json_int_t)sqlite3_column_int64(stmt, 0), sqlite3_column_double(stmt, 1)));
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(points);
		return NULL;
	}
	return points;
}
