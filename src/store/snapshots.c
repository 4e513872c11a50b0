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

void
snapshot_entry_clear(struct snapshot_entry *e)
{
	free(e->path);
	free(e->target);
	e->path = e->target = NULL;
}

void
snapshot_entry_copy(struct snapshot_entry *dst, const struct snapshot_entry *src)
{
	*dst = *src;
	dst->path = src->path != NULL ? xstrdup(src->path) : NULL;
	dst->target = src->target != NULL ? xstrdup(src->target) : NULL;
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

int
store_snapshot_insert(struct store *st, const struct snapshot_info *info,
    const struct snapshot_entry *e, size_t n, const struct snapshot_entry *base,
    size_t n_base, int64_t *id, char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);

	if (db == NULL)
		return -1;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, "begin", err, errlen);
	if (insert_row(db, info, id) < 0 ||
	    manifest_write(db, info->set_name, *id, e, n, base, n_base, NULL) < 0) {
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

int
store_manifest_newest(struct store *st, const char *set_name, struct snapshot_entry **e,
    size_t *n, char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);

	*e = NULL;
	*n = 0;
	if (db == NULL)
		return -1;
	if (manifest_newest(db, set_name, e, n) < 0) {
		snapshot_entries_free(*e, *n);
		*e = NULL;
		*n = 0;
		return db_fail(db, "manifest", err, errlen);
	}
	return 0;
}

int
store_manifest_at(struct store *st, const char *set_name, int64_t id, int64_t before,
    struct snapshot_entry **base, size_t *n_base, struct snapshot_entry **e, size_t *n,
    char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);
	int rc = -1;

	*e = NULL;
	*n = 0;
	if (db != NULL && (rc = manifest_at(db, set_name, id, before, *base, *n_base, e,
	    n)) < 0) {
		snapshot_entries_free(*e, *n);
		*e = NULL;
		*n = 0;
		db_fail(db, "manifest", err, errlen);
	}
	snapshot_entries_free(*base, *n_base);
	*base = NULL;
	*n_base = 0;
	return rc;
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
	if (e != NULL && manifest_read(db, info->set_name, id, e, n) < 0) {
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
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(db, "DELETE FROM snapshots WHERE id = ?", -1, &stmt,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
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
	if (manifest_collect(db) < 0)
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
	if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM manifest_entries WHERE "
	    "hash = ?1)", -1,
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
store_snapshot_each_hash(struct store *st, store_snapshot_hash_fn fn, void *arg,
    char *err, size_t errlen)
{
	sqlite3 *db = store_db_open(st, err, errlen);
	sqlite3_stmt *stmt;
	int rc;

	if (db == NULL)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT DISTINCT hash FROM manifest_entries WHERE hash IS NOT NULL", -1, &stmt, NULL) != SQLITE_OK)
		return db_fail(db, "hashes", err, errlen);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return db_fail(db, "hashes", err, errlen);
	return 0;
}
