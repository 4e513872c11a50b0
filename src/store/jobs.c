/* The runs of tend job (store/jobs.h). */
#include "store/jobs.h"

#include <stdio.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_internal.h"

int
store_job_insert(struct store *st, const struct store_job_run *r, char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);
	sqlite3_stmt *stmt;
	int rc;

	if (db == NULL)
		return -1;
	if (sqlite3_prepare_v2(db, "INSERT INTO job_runs (name, started_at, ended_at, "
	    "exit_code, signal, timed_out, output) VALUES (?,?,?,?,?,?,?)", -1, &stmt,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: jobs: %s", sqlite3_errmsg(db));
		return -1;
	}
	store_bind_text(stmt, 1, r->name);
	sqlite3_bind_int64(stmt, 2, r->started_at);
	sqlite3_bind_int64(stmt, 3, r->ended_at);
	if (r->signal == 0)
		sqlite3_bind_int(stmt, 4, r->exit_code);
	else
		sqlite3_bind_int(stmt, 5, r->signal);
	sqlite3_bind_int(stmt, 6, r->timed_out);
	store_bind_text(stmt, 7, r->output != NULL ? r->output : "");
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: jobs: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static json_t *
column_int_or_null(sqlite3_stmt *stmt, int i)
{
	return sqlite3_column_type(stmt, i) == SQLITE_NULL ? json_null() :
	    json_integer(sqlite3_column_int64(stmt, i));
}

json_t *
store_read_jobs(sqlite3 *db, const char *name, int64_t since_ms, int limit)
{
	json_t *v = json_array();
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(db, "SELECT name, started_at, ended_at, exit_code, signal, "
	    "timed_out, output FROM job_runs WHERE started_at >= ? AND (?2 IS NULL OR "
	    "name = ?2) ORDER BY started_at DESC, id DESC LIMIT ?3", -1, &stmt,
	    NULL) != SQLITE_OK)
		return v;
	sqlite3_bind_int64(stmt, 1, since_ms);
	store_bind_text(stmt, 2, name);
	sqlite3_bind_int(stmt, 3, limit);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		json_array_append_new(v, json_pack("{s:s, s:I, s:I, s:I, s:o, s:o, s:b, s:s}",
		    "name", (const char *)sqlite3_column_text(stmt, 0),
		    "started_at", (json_int_t)sqlite3_column_int64(stmt, 1),
		    "ended_at", (json_int_t)sqlite3_column_int64(stmt, 2),
		    "duration_ms", (json_int_t)(sqlite3_column_int64(stmt, 2) -
		    sqlite3_column_int64(stmt, 1)),
		    "exit_code", column_int_or_null(stmt, 3),
		    "signal", column_int_or_null(stmt, 4),
		    "timed_out", sqlite3_column_int(stmt, 5),
		    "output", (const char *)sqlite3_column_text(stmt, 6)));
	sqlite3_finalize(stmt);
	return v;
}
