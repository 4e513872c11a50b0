/* The rows of changes, written synchronously (store/changes.h says why). */
#include "store/changes.h"

#include <stdio.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_internal.h"

/* Runs sql with its values bound by bind; 0, or -1 with err. */
static int
change_exec(struct store *st, const char *sql, void (*bind)(sqlite3_stmt *, const void *),
    const void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *stmt;
	sqlite3 *db;
	int rc;

	if ((db = store_db_open(st, err, errlen)) == NULL)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: changes: %s", sqlite3_errmsg(db));
		return -1;
	}
	bind(stmt, arg);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: changes: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static void
bind_change(sqlite3_stmt *stmt, const void *arg)
{
	const struct store_change *c = arg;

	sqlite3_bind_int64(stmt, 1, c->at);
	store_bind_text(stmt, 2, c->kind);
	store_bind_text(stmt, 3, c->set);
	store_bind_text(stmt, 4, c->label);
	store_bind_text(stmt, 5, c->detail != NULL ? c->detail : "{}");
}

int
store_change_insert(struct store *st, const struct store_change *c, int64_t *id,
    char *err, size_t errlen)
{
	if (change_exec(st, "INSERT INTO changes (at, kind, set_name, label, detail) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)", bind_change, c, err, errlen) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(store_db(st));
	return 0;
}

/* Two integers: the value, then the id. */
struct pair {
	int64_t		 a;
	int64_t		 id;
};

static void
bind_pair(sqlite3_stmt *stmt, const void *arg)
{
	const struct pair *p = arg;

	sqlite3_bind_int64(stmt, 1, p->a);
	sqlite3_bind_int64(stmt, 2, p->id);
}

int
store_change_set_snapshot(struct store *st, int64_t id, int64_t snapshot_id, char *err,
    size_t errlen)
{
	struct pair p = { snapshot_id, id };

	return change_exec(st, "UPDATE changes SET snapshot_id = ?1 WHERE id = ?2",
	    bind_pair, &p, err, errlen);
}

int
store_change_rolled_back(struct store *st, int64_t id, int64_t at_ms, char *err,
    size_t errlen)
{
	struct pair p = { at_ms, id };

	return change_exec(st, "UPDATE changes SET bad = 1, rolled_back_at = ?1 WHERE id = ?2",
	    bind_pair, &p, err, errlen);
}
