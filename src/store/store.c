#include "store/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/schema.h"
#include "store/store_internal.h"

/* Past this many queued rows (the disk is failing), the oldest are dropped. */
#define STORE_QUEUE_MAX	50000

enum pending_kind {
	PENDING_CHECK_RESULT,
	PENDING_STATE_CHANGE,
	PENDING_METRIC,
};

struct pending {
	enum pending_kind kind;
	int64_t		 ts;
	char		*text[6];
	double		 number;
};

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*insert[3];	/* by enum pending_kind */
	struct pending	*queue;
	size_t		 n;
	size_t		 cap;
	size_t		 dropped;
};

static const char *const insert_sql[] = {
	[PENDING_CHECK_RESULT] = "INSERT INTO check_results (ts, check_name, service, "
	    "state, message, latency_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[PENDING_STATE_CHANGE] = "INSERT INTO state_changes (ts, kind, target, service, "
	    "from_state, to_state, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[PENDING_METRIC] = "INSERT INTO system_health_metrics (ts, series, value) "
	    "VALUES (?1, ?2, ?3)",
};

static int
store_exec(struct store *st, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
	sqlite3_free(msg);
	return -1;
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt *stmt;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* Each migration and its version bump commit together, or not at all. */
static int
store_migrate(struct store *st, char *err, size_t errlen)
{
	int v = store_schema_version(st), to;
	char bump[64];

	if (v < 0) {
		snprintf(err, errlen, "%s: cannot read the schema version", st->path);
		return -1;
	}
	if ((size_t)v > schema_migration_count()) {
		snprintf(err, errlen, "%s: schema %d is newer than this tend (%zu)",
		    st->path, v, schema_migration_count());
		return -1;
	}
	for (to = v + 1; (size_t)to <= schema_migration_count(); to++) {
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", to);
		if (store_exec(st, "BEGIN IMMEDIATE", err, errlen) < 0)
			return -1;
		if (store_exec(st, schema_migration((size_t)to), err, errlen) < 0 ||
		    store_exec(st, bump, err, errlen) < 0) {
			store_exec(st, "ROLLBACK", err + strlen(err), 0);
			return -1;
		}
		if (store_exec(st, "COMMIT", err, errlen) < 0)
			return -1;
		log_info(NULL, "store %s: schema %d", st->path, to);
	}
	return 0;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));
	size_t i;

	st->path = xstrdup(path);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	/* WAL: readers never block the writer; NORMAL: a commit costs no fsync. */
	if (store_exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
	    "PRAGMA foreign_keys = ON", err, errlen) < 0 || store_migrate(st, err, errlen) < 0)
		goto fail;
	for (i = 0; i < sizeof(insert_sql) / sizeof(insert_sql[0]); i++) {
		if (sqlite3_prepare_v2(st->db, insert_sql[i], -1, &st->insert[i], NULL) !=
		    SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
			goto fail;
		}
	}
	return st;
fail:
	store_close(st);
	return NULL;
}

static void
pending_free(struct pending *p)
{
	size_t i;

	for (i = 0; i < sizeof(p->text) / sizeof(p->text[0]); i++)
		free(p->text[i]);
}

void
store_close(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	if (st->db != NULL && st->insert[0] != NULL)
		store_flush(st);
	for (i = 0; i < sizeof(st->insert) / sizeof(st->insert[0]); i++)
		sqlite3_finalize(st->insert[i]);
	for (i = 0; i < st->n; i++)
		pending_free(&st->queue[i]);
	free(st->queue);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

static struct pending *
store_enqueue(struct store *st, enum pending_kind kind, int64_t ts)
{
	struct pending *p;

	if (st->n == STORE_QUEUE_MAX) {
		pending_free(&st->queue[0]);
		memmove(st->queue, st->queue + 1, (st->n - 1) * sizeof(*st->queue));
		st->n--;
		if (st->dropped++ % 1000 == 0)
			log_error(NULL, "store %s: writes failing; dropping the oldest rows",
			    st->path);
	}
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 256;
		st->queue = xrealloc(st->queue, st->cap * sizeof(*st->queue));
	}
	p = &st->queue[st->n++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->ts = ts;
	return p;
}

void
store_add_check_result(struct store *st, int64_t ts_ms, const char *check,
    const char *service, enum health_state state, double latency_ms,
    const char *message)
{
	struct pending *p = store_enqueue(st, PENDING_CHECK_RESULT, ts_ms);

	p->text[0] = xstrdup(check);
	p->text[1] = xstrdup(service);
	p->text[2] = xstrdup(health_state_name(state));
	p->text[3] = xstrdup(message);
	p->number = latency_ms;
}

void
store_add_state_change(struct store *st, int64_t ts_ms, const char *kind,
    const char *target, const char *service, const char *from, const char *to,
    const char *message)
{
	struct pending *p = store_enqueue(st, PENDING_STATE_CHANGE, ts_ms);

	p->text[0] = xstrdup(kind);
	p->text[1] = xstrdup(target);
	p->text[2] = xstrdup(service);
	p->text[3] = xstrdup(from);
	p->text[4] = xstrdup(to);
	p->text[5] = xstrdup(message);
}

void
store_add_metric(struct store *st, int64_t ts_ms, const char *series, double value)
{
	struct pending *p = store_enqueue(st, PENDING_METRIC, ts_ms);

	p->text[0] = xstrdup(series);
	p->number = value;
}

static void
store_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
}

/* Binds a row to its statement: ts first, the texts, then the number. */
static int
store_write(struct store *st, const struct pending *p)
{
	sqlite3_stmt *stmt = st->insert[p->kind];
	int n_text = p->kind == PENDING_CHECK_RESULT ? 4 :
	    p->kind == PENDING_STATE_CHANGE ? 6 : 1, i, rc;

	sqlite3_bind_int64(stmt, 1, p->ts);
	for (i = 0; i < n_text; i++)
		store_bind_text(stmt, i + 2, p->text[i]);
	if (p->kind != PENDING_STATE_CHANGE)
		sqlite3_bind_double(stmt, n_text + 2, p->number);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_flush(struct store *st)
{
	char err[512];
	size_t i;
	int n;

	if (st->n == 0)
		return 0;
	/* IMMEDIATE: take the write lock now, or wait busy_timeout for it. */
	if (store_exec(st, "BEGIN IMMEDIATE", err, sizeof(err)) < 0) {
		log_error(NULL, "store: %s", err);
		return -1;
	}
	for (i = 0; i < st->n; i++) {
		if (store_write(st, &st->queue[i]) < 0) {
			log_error(NULL, "store %s: %s", st->path, sqlite3_errmsg(st->db));
			store_exec(st, "ROLLBACK", err, sizeof(err));
			return -1;
		}
	}
	if (store_exec(st, "COMMIT", err, sizeof(err)) < 0) {
		log_error(NULL, "store: %s", err);
		store_exec(st, "ROLLBACK", err, sizeof(err));
		return -1;
	}
	for (i = 0; i < st->n; i++)
		pending_free(&st->queue[i]);
	n = (int)st->n;
	st->n = 0;
	return n;
}

size_t
store_pending(const struct store *st)
{
	return st->n;
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}
