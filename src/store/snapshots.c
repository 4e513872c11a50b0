/*
 * The rows of snapshots, written and read synchronously on the store's
 * connection (store/snapshots.h says why).
 */
#include "store/snapshots.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/mem.h"
#include "store/store.h"
#include "store/store_internal.h"

static const char *const type_names[] = { "file", "dir", "symlink" };

const char *
snapshot_type_name(enum snapshot_type t)
{
	return (size_t)t < 3 ? type_names[t] : "?";
}

static enum snapshot_type
type_of(const char *s)
{
	if (s != NULL && strcmp(s, "dir") == 0)
		return SNAPSHOT_DIR;
	if (s != NULL && strcmp(s, "symlink") == 0)
		return SNAPSHOT_SYMLINK;
	return SNAPSHOT_FILE;
}

void
snapshot_entry_clear(struct snapshot_entry *e)
{
	free(e->path);
	free(e->target);
	e->path = e->target = NULL;
}

void
snapshot_entries_free(struct snapshot_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		snapshot_entry_clear(&v[i]);
	free(v);
}

void
snapshot_info_clear(struct snapshot_info *s)
{
	free(s->set_name);
	free(s->label);
	free(s->reason);
	free(s->spec);
	memset(s, 0, sizeof(*s));
}

void
snapshot_infos_free(struct snapshot_info *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		snapshot_info_clear(&v[i]);
	free(v);
}

static int
db_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "store: %s: %s", what, sqlite3_errmsg(db));
	return -1;
}

static char *
column_text(sqlite3_stmt *stmt, int i)
{
	const unsigned char *s = sqlite3_column_text(stmt, i);

	return s != NULL ? xstrdup((const char *)s) : NULL;
}

static int
insert_row(sqlite3 *db, const struct snapshot_info *info, int64_t *id)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT INTO snapshots (set_name, label, reason, "
	    "created_at, files, bytes, lkg, bad, spec) VALUES (?,?,?,?,?,?,?,?,?)", -1, &stmt,
	    NULL) != SQLITE_OK)
		return -1;
	store_bind_text(stmt, 1, info->set_name);
	store_bind_text(stmt, 2, info->label);
	store_bind_text(stmt, 3, info->reason);
	sqlite3_bind_int64(stmt, 4, info->created_at);
	sqlite3_bind_int64(stmt, 5, info->files);
	sqlite3_bind_int64(stmt, 6, info->bytes);
	sqlite3_bind_int(stmt, 7, info->lkg);
	sqlite3_bind_int(stmt, 8, info->bad);
	store_bind_text(stmt, 9, info->spec != NULL ? info->spec : "{}");
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return -1;
	*id = sqlite3_last_insert_rowid(db);
	return 0;
}

static int
insert_entries(sqlite3 *db, int64_t id, const struct snapshot_entry *e, size_t n)
{
	sqlite3_stmt *stmt;
	size_t i;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(db, "INSERT INTO snapshot_entries (snapshot_id, path, type, "
	    "mode, uid, gid, mtime_ns, size, hash, target) VALUES (?,?,?,?,?,?,?,?,?,?)", -1,
	    &stmt, NULL) != SQLITE_OK)
		return -1;
	for (i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int64(stmt, 1, id);
		store_bind_text(stmt, 2, e[i].path);
		store_bind_text(stmt, 3, snapshot_type_name(e[i].type));
		sqlite3_bind_int(stmt, 4, (int)e[i].mode);
		sqlite3_bind_int64(stmt, 5, e[i].uid);
		sqlite3_bind_int64(stmt, 6, e[i].gid);
		sqlite3_bind_int64(stmt, 7, e[i].mtime_ns);
		sqlite3_bind_int64(stmt, 8, e[i].size);
		store_bind_text(stmt, 9, e[i].hash[0] != '\0' ? e[i].hash : NULL);
		store_bind_text(stmt, 10, e[i].target);
		rc = sqlite3_step(stmt);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
insert_cache(sqlite3 *db, const struct snapshot_stat *c, size_t n)
{
	sqlite3_stmt *stmt;
	size_t i;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO snapshot_stat_cache (path, dev, "
	    "ino, size, mtime_ns, ctime_ns, hash) VALUES (?,?,?,?,?,?,?)", -1, &stmt,
	    NULL) != SQLITE_OK)
		return -1;
	for (i = 0; i < n && rc == SQLITE_DONE; i++) {
		store_bind_text(stmt, 1, c[i].path);
		sqlite3_bind_int64(stmt, 2, c[i].dev);
		sqlite3_bind_int64(stmt, 3, c[i].ino);
		sqlite3_bind_int64(stmt, 4, c[i].size);
		sqlite3_bind_int64(stmt, 5, c[i].mtime_ns);
		sqlite3_bind_int64(stmt, 6, c[i].ctime_ns);
		store_bind_text(stmt, 7, c[i].hash);
		rc = sqlite3_step(stmt);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_snapshot_insert(struct store *st, const struct snapshot_info *info,
    const struct snapshot_entry *e, size_t n, const struct snapshot_stat *cache,
    size_t n_cache, int64_t *id, char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);

	if (db == NULL)
		return -1;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, "begin", err, errlen);
	if (insert_row(db, info, id) < 0 || insert_entries(db, *id, e, n) < 0 ||
	    insert_cache(db, cache, n_cache) < 0) {
		db_fail(db, "snapshot", err, errlen);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(db, "commit", err, errlen);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static void
read_info(sqlite3_stmt *stmt, struct snapshot_info *s)
{
	s->id = sqlite3_column_int64(stmt, 0);
	s->set_name = column_text(stmt, 1);
	s->label = column_text(stmt, 2);
	s->reason = column_text(stmt, 3);
	s->created_at = sqlite3_column_int64(stmt, 4);
	s->files = sqlite3_column_int64(stmt, 5);
	s->bytes = sqlite3_column_int64(stmt, 6);
	s->lkg = sqlite3_column_int(stmt, 7) != 0;
	s->bad = sqlite3_column_int(stmt, 8) != 0;
	s->spec = column_text(stmt, 9);
}

#define INFO_COLUMNS	"id, set_name, label, reason, created_at, files, bytes, lkg, bad, spec"

int
store_snapshot_list(struct store *st, const char *set_name, struct snapshot_info **v,
    size_t *n, char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);
	sqlite3_stmt *stmt;
	int rc;

	*v = NULL;
	*n = 0;
	if (db == NULL)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT " INFO_COLUMNS " FROM snapshots WHERE ?1 IS NULL "
	    "OR set_name = ?1 ORDER BY id DESC", -1, &stmt, NULL) != SQLITE_OK)
		return db_fail(db, "list", err, errlen);
	store_bind_text(stmt, 1, set_name);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*v = xgrow(*v, *n, sizeof(**v));
		memset(&(*v)[*n], 0, sizeof(**v));
		read_info(stmt, &(*v)[(*n)++]);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return db_fail(db, "list", err, errlen);
	return 0;
}

static int
read_entries(sqlite3 *db, int64_t id, struct snapshot_entry **e, size_t *n)
{
	sqlite3_stmt *stmt;
	struct snapshot_entry *x;
	const unsigned char *hash;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT path, type, mode, uid, gid, mtime_ns, size, hash, "
	    "target FROM snapshot_entries WHERE snapshot_id = ? ORDER BY path", -1, &stmt,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*e = xgrow(*e, *n, sizeof(**e));
		x = &(*e)[(*n)++];
		memset(x, 0, sizeof(*x));
		x->path = column_text(stmt, 0);
		x->type = type_of((const char *)sqlite3_column_text(stmt, 1));
		x->mode = (mode_t)sqlite3_column_int(stmt, 2);
		x->uid = (uid_t)sqlite3_column_int64(stmt, 3);
		x->gid = (gid_t)sqlite3_column_int64(stmt, 4);
		x->mtime_ns = sqlite3_column_int64(stmt, 5);
		x->size = sqlite3_column_int64(stmt, 6);
		if ((hash = sqlite3_column_text(stmt, 7)) != NULL)
			snprintf(x->hash, sizeof(x->hash), "%s", (const char *)hash);
		x->target = column_text(stmt, 8);
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_snapshot_get(struct store *st, int64_t id, struct snapshot_info *info,
    struct snapshot_entry **e, size_t *n, char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);
	sqlite3_stmt *stmt;
	int rc;

	memset(info, 0, sizeof(*info));
	if (e != NULL) {
		*e = NULL;
		*n = 0;
	}
	if (db == NULL)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT " INFO_COLUMNS " FROM snapshots WHERE id = ?", -1,
	    &stmt, NULL) != SQLITE_OK)
		return db_fail(db, "get", err, errlen);
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		read_info(stmt, info);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE) {
		snprintf(err, errlen, "no snapshot %lld", (long long)id);
		return 1;
	}
	if (rc != SQLITE_ROW)
		return db_fail(db, "get", err, errlen);
	if (e != NULL && read_entries(db, id, e, n) < 0) {
		snapshot_info_clear(info);
		snapshot_entries_free(*e, *n);
		*e = NULL;
		*n = 0;
		return db_fail(db, "entries", err, errlen);
	}
	return 0;
}

int
store_snapshot_mark(struct store *st, int64_t id, bool lkg, bool value, char *err,
    size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);
	sqlite3_stmt *stmt;
	int rc;

	if (db == NULL)
		return -1;
	if (sqlite3_prepare_v2(db, lkg ? "UPDATE snapshots SET lkg = ? WHERE id = ?" :
	    "UPDATE snapshots SET bad = ? WHERE id = ?", -1, &stmt, NULL) != SQLITE_OK)
		return db_fail(db, "mark", err, errlen);
	sqlite3_bind_int(stmt, 1, value);
	sqlite3_bind_int64(stmt, 2, id);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return db_fail(db, "mark", err, errlen);
	if (sqlite3_changes(db) == 0) {
		snprintf(err, errlen, "no snapshot %lld", (long long)id);
		return 1;
	}
	return 0;
}

static int
delete_one(sqlite3 *db, int64_t id)
{
	static const char *const sql[] = {
		"DELETE FROM snapshot_entries WHERE snapshot_id = ?",
		"DELETE FROM snapshots WHERE id = ?",
	};
	sqlite3_stmt *stmt;
	size_t i;
	int rc = SQLITE_DONE;

	for (i = 0; i < 2 && rc == SQLITE_DONE; i++) {
		if (sqlite3_prepare_v2(db, sql[i], -1, &stmt, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_int64(stmt, 1, id);
		rc = sqlite3_step(stmt);
		sqlite3_finalize(stmt);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_snapshot_delete(struct store *st, const int64_t *ids, size_t n, char *err,
    size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);
	size_t i;

	if (db == NULL)
		return -1;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, "begin", err, errlen);
	for (i = 0; i < n; i++)
		if (delete_one(db, ids[i]) < 0)
			goto fail;
	/* A cached hash whose object may go: the file is read again next time. */
	if (sqlite3_exec(db, "DELETE FROM snapshot_stat_cache WHERE hash NOT IN "
	    "(SELECT hash FROM snapshot_entries WHERE hash IS NOT NULL)", NULL, NULL,
	    NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	db_fail(db, "delete", err, errlen);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_snapshot_hash_used(struct store *st, const char *hash, char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);
	sqlite3_stmt *stmt;
	int rc;

	if (db == NULL)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM snapshot_entries WHERE "
	    "hash = ?1) OR EXISTS (SELECT 1 FROM snapshot_stat_cache WHERE hash = ?1)", -1,
	    &stmt, NULL) != SQLITE_OK)
		return db_fail(db, "hash", err, errlen);
	store_bind_text(stmt, 1, hash);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		rc = sqlite3_column_int(stmt, 0) != 0;
	else
		rc = -1;
	sqlite3_finalize(stmt);
	if (rc < 0)
		return db_fail(db, "hash", err, errlen);
	return rc;
}

int
store_snapshot_each_stat(struct store *st, store_snapshot_stat_fn fn, void *arg,
    char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);
	sqlite3_stmt *stmt;
	struct snapshot_stat s;
	const unsigned char *hash;
	int rc;

	if (db == NULL)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT path, dev, ino, size, mtime_ns, ctime_ns, hash "
	    "FROM snapshot_stat_cache ORDER BY path", -1, &stmt, NULL) != SQLITE_OK)
		return db_fail(db, "stat cache", err, errlen);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		s.path = (const char *)sqlite3_column_text(stmt, 0);
		s.dev = sqlite3_column_int64(stmt, 1);
		s.ino = sqlite3_column_int64(stmt, 2);
		s.size = sqlite3_column_int64(stmt, 3);
		s.mtime_ns = sqlite3_column_int64(stmt, 4);
		s.ctime_ns = sqlite3_column_int64(stmt, 5);
		hash = sqlite3_column_text(stmt, 6);
		snprintf(s.hash, sizeof(s.hash), "%s", hash != NULL ? (const char *)hash : "");
		if (s.path != NULL)
			fn(arg, &s);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return db_fail(db, "stat cache", err, errlen);
	return 0;
}

int
store_snapshot_each_hash(struct store *st, store_snapshot_hash_fn fn, void *arg,
    char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);
	sqlite3_stmt *stmt;
	int rc;

	if (db == NULL)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT hash FROM snapshot_entries WHERE hash IS NOT NULL "
	    "UNION SELECT hash FROM snapshot_stat_cache", -1, &stmt, NULL) != SQLITE_OK)
		return db_fail(db, "hashes", err, errlen);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return db_fail(db, "hashes", err, errlen);
	return 0;
}
