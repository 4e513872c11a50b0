/*
 * The rows of chaos runs, written synchronously (store/chaos.h): a run's
 * key, the run read from the JSON it was printed as, and its rows.
 */
#include "store/chaos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/mem.h"
#include "store/store.h"
#include "store/store_internal.h"

static json_t *
ms_or_null(double ms)
{
	return ms >= 0 ? json_real(ms) : json_null();
}

void
store_chaos_key(const struct store_chaos_run *r, char key[SHA256_HEX_LEN + 1])
{
	json_t *o, *results = json_array(), *failed;
	struct sha256 *h;
	char *text;
	size_t i;

	for (i = 0; i < r->n_results; i++)
		json_array_append_new(results, json_pack("[o, o, I]",
		    ms_or_null(r->results[i].mttd_ms), ms_or_null(r->results[i].mttr_ms),
		    (json_int_t)r->results[i].incident));
	failed = json_loads(r->failed != NULL ? r->failed : "[]", 0, NULL);
	o = json_pack("{s:s?, s:s?, s:s?, s:I, s:I, s:b, s:o, s:o}", "experiment",
	    r->experiment, "fault", r->fault, "target", r->target, "started_at",
	    (json_int_t)r->started_at, "ended_at", (json_int_t)r->ended_at, "ok", r->ok != 0,
	    "failed", failed != NULL ? failed : json_string(r->failed), "results", results);
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
	h = sha256_new();
	if (text != NULL)
		sha256_update(h, text, strlen(text));
	sha256_final(h, key);
	sha256_free(h);
	free(text);
	json_decref(o);
}

/* A time of a fault: a number of ms, null or missing (-1: not measured). */
static int
json_fault_ms(json_t *v, size_t i, const char *name, double *ms, char *err, size_t errlen)
{
	*ms = -1;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_number(v) && json_number_value(v) >= 0) {
		*ms = json_number_value(v);
		return 0;
	}
	snprintf(err, errlen, "runs[%zu].%s: expected a time in ms (0 or more) or null",
	    i, name);
	return -1;
}

/* The faults of a run: "runs" as tend chaos run prints them, "results" as history does. */
static int
json_faults(json_t *x, struct store_chaos_run *r, char *err, size_t errlen)
{
	json_t *v = json_object_get(x, "runs"), *f, *inc;
	struct store_chaos_result *res;
	size_t i;

	if (v == NULL)
		v = json_object_get(x, "results");
	if (!json_is_array(v)) {
		snprintf(err, errlen, "runs: expected a list of the faults injected");
		return -1;
	}
	r->results = res = xcalloc(json_array_size(v) + 1, sizeof(*res));
	json_array_foreach(v, i, f) {
		inc = json_object_get(f, "incident");
		if (!json_is_object(f) || (inc != NULL && !json_is_null(inc) &&
		    !json_is_integer(inc))) {
			snprintf(err, errlen, "runs[%zu]: expected {\"mttd_ms\", \"mttr_ms\", "
			    "\"incident\"} (the incident an integer or null)", i);
			return -1;
		}
		if (json_fault_ms(json_object_get(f, "mttd_ms"), i, "mttd_ms", &res[i].mttd_ms,
		    err, errlen) < 0 || json_fault_ms(json_object_get(f, "mttr_ms"), i,
		    "mttr_ms", &res[i].mttr_ms, err, errlen) < 0)
			return -1;
		res[i].incident = json_integer_value(inc);
		r->n_results++;
	}
	return 0;
}

static bool
json_is_strings(json_t *v)
{
	json_t *e;
	size_t i;

	if (!json_is_array(v))
		return false;
	json_array_foreach(v, i, e)
		if (!json_is_string(e))
			return false;
	return true;
}

/* What failed, as a JSON array of strings; a refusal is one: "refused: why". */
static int
json_failed(json_t *x, struct store_chaos_run *r, char *err, size_t errlen)
{
	json_t *failed = json_object_get(x, "failed"), *refused = json_object_get(x, "refused");

	if (json_is_string(refused)) {
		failed = json_pack("[s+]", "refused: ", json_string_value(refused));
		r->failed = json_dumps(failed, JSON_COMPACT);
		json_decref(failed);
		return 0;
	}
	if (!json_is_strings(failed)) {
		snprintf(err, errlen, "failed: expected a list of the expectations that "
		    "failed (or \"refused\": why it was not run)");
		return -1;
	}
	r->failed = json_dumps(failed, JSON_COMPACT);
	return 0;
}

int
store_chaos_from_json(json_t *x, struct store_chaos_run *r, char *err, size_t errlen)
{
	static const char *const names[] = { "experiment", "fault", "target" };
	const char **fields[] = { &r->experiment, &r->fault, &r->target };
	json_t *start = json_object_get(x, "started_at"), *end = json_object_get(x, "ended_at");
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(x)) {
		snprintf(err, errlen, "expected a chaos run (an object)");
		return -1;
	}
	for (i = 0; i < 3; i++)
		if ((*fields[i] = json_string_value(json_object_get(x, names[i]))) == NULL) {
			snprintf(err, errlen, "%s: expected a string", names[i]);
			return -1;
		}
	if (!json_is_boolean(json_object_get(x, "ok"))) {
		snprintf(err, errlen, "ok: expected true or false");
		return -1;
	}
	r->ok = json_is_true(json_object_get(x, "ok"));
	if ((start != NULL && !json_is_integer(start)) || (end != NULL &&
	    !json_is_integer(end)) || json_integer_value(end) < json_integer_value(start) ||
	    json_integer_value(start) < 0) {
		snprintf(err, errlen, "started_at, ended_at: expected ms since the epoch, "
		    "the end not before the start");
		return -1;
	}
	r->started_at = json_integer_value(start);
	r->ended_at = json_integer_value(end);
	/* Kept as it was recorded: the key of a run dated on its import is not its times'. */
	if (json_is_string(json_object_get(x, "key")) &&
	    sha256_hex_valid(json_string_value(json_object_get(x, "key"))))
		r->key = json_string_value(json_object_get(x, "key"));
	return json_faults(x, r, err, errlen) < 0 || json_failed(x, r, err, errlen) < 0 ?
	    -1 : 0;
}

void
store_chaos_run_clear(struct store_chaos_run *r)
{
	free((void *)r->results);
	free((char *)r->failed);
	memset(r, 0, sizeof(*r));
}

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

/* One run in the transaction: its id, 0 when its key is there already, or -1. */
static int64_t
insert_run(sqlite3 *db, const struct store_chaos_run *r)
{
	char key[SHA256_HEX_LEN + 1];
	sqlite3_stmt *stmt;
	int64_t id;
	int rc;

	if (r->key == NULL)
		store_chaos_key(r, key);
	if (sqlite3_prepare_v2(db, "INSERT INTO chaos_runs (experiment, fault, target, "
	    "started_at, ended_at, ok, failed, source, run_key) VALUES (?,?,?,?,?,?,?,?,?) "
	    "ON CONFLICT DO NOTHING", -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	store_bind_text(stmt, 1, r->experiment);
	store_bind_text(stmt, 2, r->fault);
	store_bind_text(stmt, 3, r->target);
	sqlite3_bind_int64(stmt, 4, r->started_at);
	sqlite3_bind_int64(stmt, 5, r->ended_at);
	sqlite3_bind_int(stmt, 6, r->ok);
	store_bind_text(stmt, 7, r->failed != NULL ? r->failed : "[]");
	store_bind_text(stmt, 8, r->source);
	store_bind_text(stmt, 9, r->key != NULL ? r->key : key);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(db) == 0)
		return 0;
	id = sqlite3_last_insert_rowid(db);
	return insert_results(db, id, r) < 0 ? -1 : id;
}

int
store_chaos_import(struct store *st, const struct store_chaos_run *v, size_t n,
    size_t *added, char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);
	int64_t id;
	size_t i;

	*added = 0;
	if (db == NULL)
		return -1;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return chaos_fail(db, err, errlen);
	for (i = 0; i < n; i++) {
		if ((id = insert_run(db, &v[i])) < 0)
			return chaos_fail(db, err, errlen);
		*added += id > 0;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return chaos_fail(db, err, errlen);
	return 0;
}

int
store_chaos_insert(struct store *st, const struct store_chaos_run *r, int64_t *id,
    char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);

	if (db == NULL)
		return -1;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return chaos_fail(db, err, errlen);
	if ((*id = insert_run(db, r)) < 0 ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return chaos_fail(db, err, errlen);
	return 0;
}

static json_t *
column_text_or_null(sqlite3_stmt *stmt, int i)
{
	return sqlite3_column_type(stmt, i) == SQLITE_NULL ? json_null() :
	    json_string((const char *)sqlite3_column_text(stmt, i));
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
	json_t *runs, *failed, *run;
	sqlite3_stmt *stmt;
	int64_t id;
	int rc;

	/* By when they ran: an imported run is older than its id says. */
	if (sqlite3_prepare_v2(db, "SELECT id, experiment, fault, target, started_at, "
	    "ended_at, ok, failed, source, run_key FROM chaos_runs WHERE started_at >= ? "
	    "ORDER BY started_at DESC, id DESC LIMIT ?", -1, &stmt, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(stmt, 1, since_ms);
	sqlite3_bind_int(stmt, 2, limit);
	runs = json_array();
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		failed = json_loads((const char *)sqlite3_column_text(stmt, 7), 0, NULL);
		run = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:b, "
		    "s:o, s:o}", "id", (json_int_t)id, "experiment",
		    (const char *)sqlite3_column_text(stmt, 1), "fault",
		    (const char *)sqlite3_column_text(stmt, 2), "target",
		    (const char *)sqlite3_column_text(stmt, 3), "started_at",
		    (json_int_t)sqlite3_column_int64(stmt, 4), "ended_at",
		    (json_int_t)sqlite3_column_int64(stmt, 5), "ok",
		    sqlite3_column_int(stmt, 6) != 0, "failed",
		    failed != NULL ? failed : json_array(), "results", read_results(db, id));
		json_object_set_new(run, "source", column_text_or_null(stmt, 8));
		json_object_set_new(run, "key", column_text_or_null(stmt, 9));
		json_array_append_new(runs, run);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(runs);
		return NULL;
	}
	return runs;
}
