/* The rows of chaos runs, written synchronously (store/chaos.h). */
#include "store/chaos.h"

#include <stdio.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_internal.h"

static int
chaos_fail(sqlite3 *db, char *err, size_t errlen)
{
	snprintf(err, errlen, "store: chaos: %s", sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static void
bind_ms(sqlite3_stmt *stmt, int i, double ms)
{
	if (ms >= 0)
		sqlite3_bind_double(stmt, i, ms);
	else
		sqlite3_bind_null(stmt, i);
}

static int
insert_results(sqlite3 *db, int64_t id, const struct store_chaos_run *r)
{
	sqlite3_stmt *stmt;
	size_t i;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(db, "INSERT INTO chaos_results (run_id, n, mttd_ms, mttr_ms, "
	    "incident) VALUES (?,?,?,?,?)", -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	for (i = 0; i < r->n_results && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)i + 1);
		bind_ms(stmt, 3, r->results[i].mttd_ms);
		bind_ms(stmt, 4, r->results[i].mttr_ms);
		if (r->results[i].incident > 0)
			sqlite3_bind_int64(stmt, 5, r->results[i].incident);
		else
			sqlite3_bind_null(stmt, 5);
		rc = sqlite3_step(stmt);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_chaos_insert(struct store *st, const struct store_chaos_run *r, int64_t *id,
    char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);
	sqlite3_stmt *stmt;
	int rc;

	if (db == NULL)
		return -1;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return chaos_fail(db, err, errlen);
	if (sqlite3_prepare_v2(db, "INSERT INTO chaos_runs (experiment, fault, target, "
	    "started_at, ended_at, ok, failed) VALUES (?,?,?,?,?,?,?)", -1, &stmt,
	    NULL) != SQLITE_OK)
		return chaos_fail(db, err, errlen);
	store_bind_text(stmt, 1, r->experiment);
	store_bind_text(stmt, 2, r->fault);
	store_bind_text(stmt, 3, r->target);
	sqlite3_bind_int64(stmt, 4, r->started_at);
	sqlite3_bind_int64(stmt, 5, r->ended_at);
	sqlite3_bind_int(stmt, 6, r->ok);
	store_bind_text(stmt, 7, r->failed != NULL ? r->failed : "[]");
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return chaos_fail(db, err, errlen);
	*id = sqlite3_last_insert_rowid(db);
	if (insert_results(db, *id, r) < 0 ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return chaos_fail(db, err, errlen);
	return 0;
}

static json_t *
column_ms(sqlite3_stmt *stmt, int i)
{
	return sqlite3_column_type(stmt, i) == SQLITE_NULL ? json_null() :
	    json_real(sqlite3_column_double(stmt, i));
}

/* The results of run id, in order. */
static json_t *
read_results(sqlite3 *db, int64_t id)
{
	json_t *v = json_array();
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(db, "SELECT mttd_ms, mttr_ms, incident FROM chaos_results "
	    "WHERE run_id = ? ORDER BY n", -1, &stmt, NULL) != SQLITE_OK)
		return v;
	sqlite3_bind_int64(stmt, 1, id);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		json_array_append_new(v, json_pack("{s:o, s:o, s:I}", "mttd_ms",
		    column_ms(stmt, 0), "mttr_ms", column_ms(stmt, 1), "incident",
		    (json_int_t)sqlite3_column_int64(stmt, 2)));
	sqlite3_finalize(stmt);
	return v;
}

json_t *
store_read_chaos(sqlite3 *db, int64_t since_ms, int limit)
{
	json_t *runs, *failed;
	sqlite3_stmt *stmt;
	int64_t id;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, experiment, fault, target, started_at, "
	    "ended_at, ok, failed FROM chaos_runs WHERE started_at >= ? ORDER BY id DESC "
	    "LIMIT ?", -1, &stmt, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(stmt, 1, since_ms);
	sqlite3_bind_int(stmt, 2, limit);
	runs = json_array();
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		failed = json_loads((const char *)sqlite3_column_text(stmt, 7), 0, NULL);
		json_array_append_new(runs, json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:b, "
		    "s:o, s:o}", "id", (json_int_t)id, "experiment",
		    (const char *)sqlite3_column_text(stmt, 1), "fault",
		    (const char *)sqlite3_column_text(stmt, 2), "target",
		    (const char *)sqlite3_column_text(stmt, 3), "started_at",
		    (json_int_t)sqlite3_column_int64(stmt, 4), "ended_at",
		    (json_int_t)sqlite3_column_int64(stmt, 5), "ok",
		    sqlite3_column_int(stmt, 6) != 0, "failed",
		    failed != NULL ? failed : json_array(), "results", read_results(db, id)));
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(runs);
		return NULL;
	}
	return runs;
}
