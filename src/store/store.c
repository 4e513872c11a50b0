/*
 * The store's writes: what each row is written with, rows queued (queue.c)
 * and written in one transaction per flush, a row the database refuses
 * dropped and named, and the rows a `tend retry` run writes at once.
 */
#include "store/store.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/selfhealth.h"
#include "store/store_internal.h"

/*
 * Rows the recorder's flushes, a few ms at a time, have not kept up with
 * are written at once when they reach this many (about 1 MB, packed), not
 * held until the queue is full and drops them. A second's burst of 10,000
 * process checks, 8,000 rows, stays under it: written at 2 ms a flush, the
 * loop is never held for all of it (it was, at 2,048 rows: 10 ms).
 */
#define STORE_QUEUE_WRITE_AT	16384

/* What each statement writes, to name a row that cannot be written. */
static const char *const stmt_table[STMT_COUNT] = {
	[STMT_CHECK_RESULT] = "check_results", [STMT_STATE_CHANGE] = "state_changes",
	[STMT_METRIC] = "system_health_metrics", [STMT_INCIDENT] = "error_incidents",
	[STMT_ATTEMPT_BEGIN] = "healing_attempts", [STMT_ATTEMPT_END] = "healing_attempts",
	[STMT_PROCEDURE] = "recovery_procedures",
	[STMT_DEPENDENCY_CHANGE] = "dependency_changes", [STMT_ALERT] = "alert_deliveries",
	[STMT_RETRY_RUN_END] = "retry_runs", [STMT_RETRY_ATTEMPT] = "retry_attempts",
	[STMT_RETRY_RUN] = "retry_runs", [STMT_CHECK_NAME] = "check_names",
	[STMT_SERIES_NAME] = "metric_series",
};

static const char *const stmt_sql[STMT_COUNT] = {
	/* The check's and the series' numbers: see STMT_CHECK_NAME and STMT_SERIES_NAME. */
	[STMT_CHECK_RESULT] = "INSERT INTO check_runs (check_id, ts, state, message, "
	    "latency_ms) SELECT id, ?1, ?4, ?5, ?6 FROM check_names WHERE name = ?2 AND "
	    "service IS ?3 LIMIT 1",
	[STMT_STATE_CHANGE] = "INSERT INTO state_changes (ts, kind, target, service, "
	    "from_state, to_state, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* One sample of a series at a time: the last written. */
	[STMT_METRIC] = "INSERT OR REPLACE INTO metric_samples (series, resolution, ts, "
	    "value) SELECT id, 0, ?1, ?3 FROM metric_series WHERE name = ?2",
	/* The whole row each time: the last write of an incident is its state. */
	[STMT_INCIDENT] = "INSERT INTO error_incidents (id, target, service, error_type, "
	    "category, severity, detected_at, resolved_at, root_cause, diagnosis, "
	    "actions_taken, effectiveness_score, recurring, acked, mttd_ms, mttr_ms, "
	    "phase, symptoms, attempts, resolution, updated_at, change_id) VALUES (?1, ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
	    "?20, ?21, ?22) ON CONFLICT (id) DO UPDATE SET target = excluded.target, "
	    "service = excluded.service, error_type = excluded.error_type, "
	    "category = excluded.category, severity = excluded.severity, "
	    "resolved_at = excluded.resolved_at, root_cause = excluded.root_cause, "
	    "diagnosis = excluded.diagnosis, actions_taken = excluded.actions_taken, "
	    "effectiveness_score = excluded.effectiveness_score, "
	    "recurring = excluded.recurring, acked = excluded.acked, "
	    "mttd_ms = excluded.mttd_ms, mttr_ms = excluded.mttr_ms, "
	    "phase = excluded.phase, symptoms = excluded.symptoms, "
	    "attempts = excluded.attempts, resolution = excluded.resolution, "
	    "updated_at = excluded.updated_at, change_id = excluded.change_id",
	[STMT_ATTEMPT_BEGIN] = "INSERT INTO healing_attempts (id, incident_id, action, "
	    "started_at, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_ATTEMPT_END] = "UPDATE healing_attempts SET ended_at = ?2, outcome = ?3, "
	    "detail = ?4 WHERE id = ?1",
	[STMT_PROCEDURE] = "INSERT INTO recovery_procedures (category, action, attempts, "
	    "successes, success_rate, updated_at) VALUES (?1, ?2, 1, ?3, ?3, ?4) "
	    "ON CONFLICT (category, action) DO UPDATE SET attempts = attempts + 1, "
	    "successes = successes + excluded.successes, success_rate = "
	    "CAST(successes + excluded.successes AS REAL) / (attempts + 1), "
	    "updated_at = excluded.updated_at",
	[STMT_DEPENDENCY_CHANGE] = "INSERT INTO dependency_changes (ts, check_name, "
	    "dependency, old_version, new_version) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_ALERT] = "INSERT INTO alert_deliveries (id, at, event, target, state, "
	    "message, incident, channel, outcome, tries, detail, updated_at) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (id) DO "
	    "UPDATE SET outcome = excluded.outcome, tries = excluded.tries, "
	    "detail = excluded.detail, updated_at = excluded.updated_at",
	[STMT_RETRY_RUN_END] = "UPDATE retry_runs SET ended_at = ?2, exit_code = ?3, "
	    "attempts = ?4, outcome = ?5, summary = ?6 WHERE id = ?1",
	[STMT_RETRY_ATTEMPT] = "INSERT INTO retry_attempts (run_id, n, argv, fallback, "
	    "started_at, ended_at, exit_code, signal, timed_out, category, detail, tail, "
	    "heal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[STMT_RETRY_RUN] = "INSERT INTO retry_runs (origin, started_at, argv, attempts, "
	    "outcome, ci, ended_at, exit_code, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?9)",
	/* A service may be NULL, which UNIQUE would not match: looked up with IS. */
	[STMT_CHECK_NAME] = "INSERT INTO check_names (name, service) SELECT ?1, ?2 "
	    "WHERE NOT EXISTS (SELECT 1 FROM check_names WHERE name = ?1 AND service IS ?2)",
	[STMT_SERIES_NAME] = "INSERT INTO metric_series (name) VALUES (?1) "
	    "ON CONFLICT (name) DO NOTHING",
};

void
store_close(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	if (st->db != NULL)
		store_flush(st);
	/* The threads' connections first: the store's, closing last, checkpoints the WAL. */
	store_writer_stop(st);
	store_checkpoint_stop(st);
	/*
	 * SQLite checkpoints at close only as the last connection, without
	 * waiting for a lock: a brief writer lets it once the WAL is long.
	 */
	if (st->brief && st->wal_frames >= BRIEF_WAL_MAX)
		sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->prepared[i]);
	pending_queue_free(&st->queue);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

/* The oldest k rows leave the queue (written, or dropped). */
static void
store_take(struct store *st, size_t k)
{
	pending_queue_take(&st->queue, k);
	st->taken += k;
}

static void
store_enqueue(struct store *st, const struct pending *p)
{
	size_t n = st->queue.n;

	if (n >= STORE_QUEUE_WRITE_AT && n % STORE_QUEUE_WRITE_AT == 0 &&
	    !store_writer_hand(st))
		store_flush(st);
	if (st->queue.n == STORE_QUEUE_MAX) {
		store_take(st, STORE_QUEUE_DROP);
		st->dropped += STORE_QUEUE_DROP;
		selfhealth_count(SELF_STORE_DROPPED, STORE_QUEUE_DROP);
		log_error(NULL, "store %s: writes failing; dropped the oldest %d rows", st->path,
		    STORE_QUEUE_DROP);
	}
	pending_queue_push(&st->queue, p);
	st->added++;
}

void
store_add_check_result(struct store *st, int64_t ts_ms, const char *check,
    const char *service, enum health_state state, double latency_ms,
    const char *message)
{
	struct pending p = { .stmt = STMT_CHECK_RESULT };

	pending_int(&p, ts_ms);
	pending_text(&p, check);
	pending_text(&p, service);
	pending_text(&p, health_state_name(state));
	pending_text(&p, message);
	pending_real(&p, latency_ms);
	store_enqueue(st, &p);
}

void
store_add_state_change(struct store *st, int64_t ts_ms, const char *kind,
    const char *target, const char *service, const char *from, const char *to,
    const char *message)
{
	struct pending p = { .stmt = STMT_STATE_CHANGE };

	pending_int(&p, ts_ms);
	pending_text(&p, kind);
	pending_text(&p, target);
	pending_text(&p, service);
	pending_text(&p, from);
	pending_text(&p, to);
	pending_text(&p, message);
	store_enqueue(st, &p);
}

void
store_add_metric(struct store *st, int64_t ts_ms, const char *series, double value)
{
	struct pending p = { .stmt = STMT_METRIC };

	/* A sample is a number or nothing (a perfdata U, a NaN): not a row. */
	if (!isfinite(value))
		return;
	pending_int(&p, ts_ms);
	pending_text(&p, series);
	pending_real(&p, value);
	store_enqueue(st, &p);
}

int64_t
store_max_id(sqlite3 *db, const char *table)
{
	sqlite3_stmt *stmt;
	char sql[128];
	int64_t id = -1;

	snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) FROM %s", table);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return id;
}

/*
 * The next id of table: one above the largest stored, read once the
 * database is open. Until it opens (a full disk at start) ids go on from
 * what a read-only look at the file finds, so that the rows queued
 * meanwhile do not land on older ones when it does.
 */
static int64_t
store_next_id(struct store *st, struct store_ids *ids, const char *table)
{
	int64_t stored;

	if (!ids->read && store_ready(st) && (stored = store_max_id(st->db, table)) >= 0) {
		ids->read = true;
		if (stored + 1 > ids->next)
			ids->next = stored + 1;
	}
	if (ids->next == 0)
		ids->next = store_peek_max_id(st->path, table) + 1;
	return ids->next++;
}

int64_t
store_incident_new_id(struct store *st)
{
	return store_next_id(st, &st->incident_ids, "error_incidents");
}

void
store_put_incident(struct store *st, const struct store_incident *inc)
{
	struct pending p = { .stmt = STMT_INCIDENT };

	pending_int(&p, inc->id);
	pending_text(&p, inc->target);
	pending_text(&p, inc->service);
	pending_text(&p, inc->error_type);
	pending_text(&p, inc->category);
	pending_text(&p, inc->severity);
	pending_int(&p, inc->detected_at);
	pending_int_or_null(&p, inc->resolved_at);
	pending_text(&p, inc->root_cause);
	pending_text(&p, inc->diagnosis);
	pending_text(&p, inc->actions_taken);
	pending_real(&p, inc->effectiveness);
	pending_int(&p, inc->recurring);
	pending_int(&p, inc->acked);
	pending_int_or_null(&p, inc->mttd_ms);
	pending_int_or_null(&p, inc->mttr_ms);
	pending_text(&p, inc->phase);
	pending_text(&p, inc->symptoms);
	pending_int(&p, inc->attempts);
	pending_text(&p, inc->resolution);
	pending_int(&p, inc->updated_at);
	pending_int_or_null(&p, inc->change_id > 0 ? inc->change_id : -1);
	store_enqueue(st, &p);
}

int64_t
store_attempt_begin(struct store *st, int64_t incident_id, const char *action,
    int64_t started_at, const char *detail)
{
	int64_t id = store_next_id(st, &st->attempt_ids, "healing_attempts");
	struct pending p = { .stmt = STMT_ATTEMPT_BEGIN };

	pending_int(&p, id);
	pending_int(&p, incident_id);
	pending_text(&p, action);
	pending_int(&p, started_at);
	pending_text(&p, detail);
	store_enqueue(st, &p);
	return id;
}

void
store_attempt_end(struct store *st, int64_t attempt_id, int64_t ended_at,
    const char *outcome, const char *detail)
{
	struct pending p = { .stmt = STMT_ATTEMPT_END };

	pending_int(&p, attempt_id);
	pending_int(&p, ended_at);
	pending_text(&p, outcome);
	pending_text(&p, detail);
	store_enqueue(st, &p);
}

void
store_record_procedure(struct store *st, const char *category, const char *action,
    bool success, int64_t ts_ms)
{
	struct pending p = { .stmt = STMT_PROCEDURE };

	pending_text(&p, category);
	pending_text(&p, action);
	pending_int(&p, success ? 1 : 0);
	pending_int(&p, ts_ms);
	store_enqueue(st, &p);
}

void
store_add_dependency_change(struct store *st, int64_t ts_ms, const char *check,
    const char *dependency, const char *old_version, const char *new_version)
{
	struct pending p = { .stmt = STMT_DEPENDENCY_CHANGE };

	pending_int(&p, ts_ms);
	pending_text(&p, check);
	pending_text(&p, dependency);
	pending_text(&p, old_version);
	pending_text(&p, new_version);
	store_enqueue(st, &p);
}

int64_t
store_alert_new_id(struct store *st)
{
	return store_next_id(st, &st->alert_ids, "alert_deliveries");
}

void
store_put_alert(struct store *st, const struct store_alert *a)
{
	struct pending p = { .stmt = STMT_ALERT };

	pending_int(&p, a->id);
	pending_int(&p, a->at);
	pending_text(&p, a->event);
	pending_text(&p, a->target);
	pending_text(&p, a->state);
	pending_text(&p, a->message);
	pending_int_or_null(&p, a->incident > 0 ? a->incident : -1);
	pending_text(&p, a->channel);
	pending_text(&p, a->outcome);
	pending_int(&p, a->tries);
	pending_text(&p, a->detail);
	pending_int(&p, a->updated_at);
	store_enqueue(st, &p);
}

/* The statement, prepared the first time it is used; NULL on error. */
static sqlite3_stmt *
store_stmt(struct store *st, enum pending_stmt stmt)
{
	if (st->db == NULL)
		return NULL;
	if (st->prepared[stmt] == NULL && sqlite3_prepare_v2(st->db, stmt_sql[stmt], -1,
	    &st->prepared[stmt], NULL) != SQLITE_OK)
		return NULL;
	return st->prepared[stmt];
}

/* Binds v[0..n) to ?1..?n. */
static void
store_bind_values(sqlite3_stmt *stmt, const struct value *v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (v[i].type == VALUE_INT)
			sqlite3_bind_int64(stmt, i + 1, v[i].i);
		else if (v[i].type == VALUE_REAL)
			sqlite3_bind_double(stmt, i + 1, v[i].d);
		else if (v[i].type == VALUE_TEXT)
			sqlite3_bind_text(stmt, i + 1, v[i].s, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(stmt, i + 1);
	}
}

/* Runs stmt with v[0..n) bound; 0, or -1 with the error in the connection. */
static int
store_run(struct store *st, enum pending_stmt which, const struct value *v, int n)
{
	sqlite3_stmt *stmt = store_stmt(st, which);
	int rc;

	if (stmt == NULL)
		return -1;
	store_bind_values(stmt, v, n);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* store_run(), and how many rows it wrote: 0 when its SELECT found no number. */
static int
store_run_count(struct store *st, enum pending_stmt which, const struct value *v, int n)
{
	return store_run(st, which, v, n) < 0 ? -1 : sqlite3_changes(st->db);
}

/*
 * A row that takes the number of its check or series by name: written
 * first as if the number existed (it does, but for a check's or a series'
 * first row), and only when nothing was written is the name added and the
 * row written again. One statement a row, not two: at 1,000 process checks
 * a second, eight rows a run, the name's insert was half the store's time.
 */
static int
store_run_numbered(struct store *st, const struct pending *p, enum pending_stmt name_stmt,
    int n_names, const struct value *v)
{
	int rc = store_run_count(st, p->stmt, v, p->n);

	if (rc == 0) {
		if (store_run(st, name_stmt, &v[1], n_names) < 0)
			return -1;
		rc = store_run_count(st, p->stmt, v, p->n);
	}
	return rc < 0 ? -1 : 0;
}

/*
 * The first millisecond from ts on that no run of the check (name,
 * service) holds; ts itself when the check has none yet.
 */
static int64_t
store_free_ts(struct store *st, const struct value *name, int64_t ts)
{
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(st->db, "SELECT r.ts FROM check_runs r JOIN check_names n "
	    "ON n.id = r.check_id WHERE n.name = ?1 AND n.service IS ?2 AND r.ts >= ?3 "
	    "ORDER BY r.ts", -1, &stmt, NULL) != SQLITE_OK)
		return ts;
	store_bind_values(stmt, name, 2);
	sqlite3_bind_int64(stmt, 3, ts);
	while (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int64(stmt, 0) == ts)
		ts++;
	sqlite3_finalize(stmt);
	return ts;
}

/*
 * A check's run, keyed by the check and its time: one that comes in a
 * millisecond another run of it holds (a check run again at once) is
 * written at the next free one rather than lost.
 */
static int
store_write_run(struct store *st, const struct pending *p)
{
	struct value v[PENDING_MAX_VALUES];
	int code;

	if (store_run_numbered(st, p, STMT_CHECK_NAME, 2, p->v) == 0)
		return 0;
	code = sqlite3_extended_errcode(st->db);
	if (code != SQLITE_CONSTRAINT_PRIMARYKEY && code != SQLITE_CONSTRAINT_UNIQUE)
		return -1;
	memcpy(v, p->v, (size_t)p->n * sizeof(v[0]));
	v[0].i = store_free_ts(st, &p->v[1], v[0].i);
	return store_run(st, STMT_CHECK_RESULT, v, p->n);
}

static int
store_write(struct store *st, const struct pending *p)
{
	if (p->stmt == STMT_CHECK_RESULT)
		return store_write_run(st, p);
	if (p->stmt == STMT_METRIC)
		return store_run_numbered(st, p, STMT_SERIES_NAME, 1, p->v);
	return store_run(st, p->stmt, p->v, p->n);
}

/* Writes a row now rather than queueing it. */
static int
store_write_now(struct store *st, const struct pending *p)
{
	int rc = store_write(st, p);

	if (rc < 0)
		log_error(NULL, "store %s: %s", st->path, sqlite3_errmsg(st->db));
	return rc;
}

static int
store_begin(struct store *st)
{
	/* IMMEDIATE: take the write lock now, or wait busy_timeout for it. */
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		store_failed(st, sqlite3_extended_errcode(st->db), sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

int
store_begin_nowait(struct store *st)
{
	int rc;

	sqlite3_busy_timeout(st->db, 0);
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	if (rc == SQLITE_OK)
		return 0;
	if ((sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_BUSY)
		return 1;
	store_failed(st, sqlite3_extended_errcode(st->db), sqlite3_errmsg(st->db));
	return -1;
}

static void
store_rollback(struct store *st)
{
	/* After some errors SQLite has rolled back already: nothing to say. */
	if (sqlite3_get_autocommit(st->db))
		return;
	if (sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		log_error(NULL, "store %s: rollback: %s", st->path, sqlite3_errmsg(st->db));
}

/*
 * Errors of one row, not of the database: a NOT NULL or CHECK the row
 * breaks, a value too big. SQLite undoes only that statement.
 */
static bool
store_row_error(int code)
{
	code &= 0xff;
	return code == SQLITE_CONSTRAINT || code == SQLITE_MISMATCH ||
	    code == SQLITE_TOOBIG || code == SQLITE_RANGE;
}

/* A row that cannot be written is dropped and named, never retried. */
static void
store_drop_row(struct store *st, const struct pending *p)
{
	const char *name = NULL;
	int i;

	for (i = 0; i < p->n && name == NULL; i++)
		if (p->v[i].type == VALUE_TEXT)
			name = p->v[i].s;
	log_error(NULL, "store %s: dropped a row of %s (%s): %s", st->path,
	    stmt_table[p->stmt], name ? name : "no name", sqlite3_errmsg(st->db));
	selfhealth_count(SELF_STORE_DROPPED, 1);
	selfhealth_count(SELF_STORE_ERRORS, 1);
}

/*
 * Writes what is queued into the transaction store_begin opened and
 * commits it, the rows that cannot be written dropped (one bad row must
 * not hold back the others); the number written. When the database fails
 * (full, corrupt, busy) nothing of it is kept and the queue stays.
 *
 * ... or, given a deadline (clock_mono_ns), the oldest of them written by
 * then: the rest stay queued, in order, for the next. The clock is read
 * after every row: in a store of a month's history, a row's page may be
 * a read from the disk away, and sixteen of them are as many ms.
 */
static int
store_commit_until(struct store *st, int64_t deadline_ns)
{
	struct pending p;
	size_t i, off = st->queue.head;
	int n = 0;

	for (i = 0; i < st->queue.n; i++) {
		if (i > 0 && deadline_ns != INT64_MAX && clock_mono_ns() >= deadline_ns)
			break;
		pending_queue_read(&st->queue, &off, &p);
		if (store_write(st, &p) == 0)
			n++;
		else if (store_row_error(sqlite3_extended_errcode(st->db)))
			store_drop_row(st, &p);
		else
			goto fail;
	}
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	store_take(st, i);
	store_worked(st);
	return n;
fail:
	store_failed(st, sqlite3_extended_errcode(st->db), sqlite3_errmsg(st->db));
	store_rollback(st);
	return -1;
}

static int
store_commit(struct store *st)
{
	return store_commit_until(st, INT64_MAX);
}

/* A run's row; its end too when ended, else NULLs: it is still running. */
static void
push_retry_run(struct pending *p, const struct store_retry_run *run, bool ended)
{
	pending_text(p, run->origin);
	pending_int(p, run->started_at);
	pending_text(p, run->argv);
	pending_int(p, run->attempts);
	pending_text(p, run->outcome ? run->outcome : "running");
	pending_int(p, run->ci ? 1 : 0);
	pending_int_or_null(p, ended ? run->ended_at : -1);
	pending_int_or_null(p, ended ? run->exit_code : -1);
	pending_text(p, ended ? run->summary : NULL);
}

static void
push_retry_attempt(struct pending *p, const struct store_retry_attempt *a, int64_t run_id)
{
	pending_int(p, run_id);
	pending_int(p, a->n);
	pending_text(p, a->argv);
	pending_int(p, a->fallback);
	pending_int(p, a->started_at);
	pending_int_or_null(p, a->ended_at);
	pending_int_or_null(p, a->exit_code);
	pending_int_or_null(p, a->signal > 0 ? a->signal : -1);
	pending_int(p, a->timed_out ? 1 : 0);
	pending_text(p, a->category);
	pending_text(p, a->detail);
	pending_text(p, a->tail);
	pending_text(p, a->heal);
}

/* The run's row, written now: SQLite gives it its id. */
static int64_t
store_insert_run(struct store *st, const struct store_retry_run *run, bool ended)
{
	struct pending p = { .stmt = STMT_RETRY_RUN };

	push_retry_run(&p, run, ended);
	if (store_write_now(st, &p) < 0)
		return -1;
	return sqlite3_last_insert_rowid(st->db);
}

int64_t
store_retry_run_begin(struct store *st, const struct store_retry_run *run)
{
	if (!store_ready(st))
		return -1;
	store_flush(st);
	return store_insert_run(st, run, false);
}

int64_t
store_retry_run_once(struct store *st, const struct store_retry_run *run,
    const struct store_retry_attempt *a)
{
	struct pending p = { .stmt = STMT_RETRY_ATTEMPT };
	int64_t id;

	if (store_begin(st) < 0)
		return -1;
	id = store_insert_run(st, run, true);
	if (id > 0) {
		push_retry_attempt(&p, a, id);
		if (store_write_now(st, &p) < 0)
			id = -1;
	}
	if (id < 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st) < 0 ? -1 : id;
}

void
store_retry_run_end(struct store *st, const struct store_retry_run *run)
{
	struct pending p = { .stmt = STMT_RETRY_RUN_END };

	pending_int(&p, run->id);
	pending_int_or_null(&p, run->ended_at);
	pending_int_or_null(&p, run->exit_code);
	pending_int(&p, run->attempts);
	pending_text(&p, run->outcome);
	pending_text(&p, run->summary);
	store_enqueue(st, &p);
}

void
store_add_retry_attempt(struct store *st, const struct store_retry_attempt *a)
{
	struct pending p = { .stmt = STMT_RETRY_ATTEMPT };

	push_retry_attempt(&p, a, a->run_id);
	store_enqueue(st, &p);
}

int
store_flush_within(struct store *st, int budget_ms)
{
	int rc, n = (int)st->queue.n;

	/* Called with nothing queued, it still opens a store that would not. */
	if (!store_ready(st))
		return n == 0 ? 0 : -1;
	/* The daemon's: handed over, and waited for when asked to be written now. */
	if (store_writer_hand(st))
		return budget_ms < 0 && store_writer_wait(st) < 0 ? -1 : n;
	if (n == 0)
		return 0;
	if (budget_ms < 0 || st->waits)
		return store_begin(st) < 0 ? -1 : store_commit_until(st, budget_ms < 0 ?
		    INT64_MAX : clock_mono_ns() + (int64_t)budget_ms * 1000000);
	/* The lock is busy: nothing written, the rows wait for the next flush. */
	if ((rc = store_begin_nowait(st)) != 0)
		return rc < 0 ? -1 : 0;
	return store_commit_until(st, clock_mono_ns() + (int64_t)budget_ms * 1000000);
}

int
store_flush(struct store *st)
{
	return store_flush_within(st, -1);
}

void
store_use_writer(struct store *st)
{
	st->writer_wanted = true;
}

size_t
store_pending(const struct store *st)
{
	return st->queue.n;
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}
