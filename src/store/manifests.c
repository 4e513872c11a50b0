/*
 * Manifests shared between the snapshots of a set (schema 8). Each row
 * is one version of a path, in every snapshot of its set whose id is in
 * [first_id, until_id); until_id NULL means "still in the newest". A new
 * snapshot is compared with the newest manifest (the base, which the
 * walk already read as its stat cache): a path the same as before costs
 * nothing, one that changed ends its old version and begins a new one.
 *
 * Invariant: the rows with until_id NULL are the newest snapshot's
 * manifest. Deleting snapshots keeps it (manifest_collect).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/mem.h"
#include "store/snapshots.h"
#include "store/store_internal.h"

#define ENTRY_COLUMNS	"path, type, mode, uid, gid, mtime_ns, size, hash, target, " \
			"first_id, dev, ino, ctime_ns"

static enum snapshot_type
type_of(const char *s)
{
	if (s != NULL && strcmp(s, "dir") == 0)
		return SNAPSHOT_DIR;
	if (s != NULL && strcmp(s, "symlink") == 0)
		return SNAPSHOT_SYMLINK;
	return SNAPSHOT_FILE;
}

static char *
column_text(sqlite3_stmt *stmt, int i)
{
	const unsigned char *s = sqlite3_column_text(stmt, i);

	return s != NULL ? xstrdup((const char *)s) : NULL;
}

/* The rows stmt yields (ENTRY_COLUMNS), appended in its order. */
static int
read_rows(sqlite3_stmt *stmt, struct snapshot_entry **e, size_t *n)
{
	struct snapshot_entry *x;
	const unsigned char *hash;
	int rc;

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
		x->since = sqlite3_column_int64(stmt, 9);
		x->dev = sqlite3_column_int64(stmt, 10);
		x->ino = sqlite3_column_int64(stmt, 11);	/* NULL reads as 0: not known */
		x->ctime_ns = sqlite3_column_int64(stmt, 12);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

/* sql's rows, sql taking the set's name as ?1 and (those it has of) ids as ?2, ?3. */
static int
query(sqlite3 *db, const char *sql, const char *set_name, int64_t id, int64_t id2,
    struct snapshot_entry **e, size_t *n)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	store_bind_text(stmt, 1, set_name);
	if (sqlite3_bind_parameter_count(stmt) >= 2)
		sqlite3_bind_int64(stmt, 2, id);
	if (sqlite3_bind_parameter_count(stmt) >= 3)
		sqlite3_bind_int64(stmt, 3, id2);
	rc = read_rows(stmt, e, n);
	sqlite3_finalize(stmt);
	return rc;
}

int
manifest_read(sqlite3 *db, const char *set_name, int64_t id, struct snapshot_entry **e,
    size_t *n)
{
	return query(db, "SELECT " ENTRY_COLUMNS " FROM manifest_entries WHERE set_name = ?1 "
	    "AND first_id <= ?2 AND (until_id IS NULL OR until_id > ?2) ORDER BY path",
	    set_name, id, 0, e, n);
}

int
manifest_newest(sqlite3 *db, const char *set_name, struct snapshot_entry **e, size_t *n)
{
	return query(db, "SELECT " ENTRY_COLUMNS " FROM manifest_entries WHERE set_name = ?1 "
	    "AND until_id IS NULL ORDER BY path", set_name, 0, 0, e, n);
}

/*
 * Snapshot id's manifest is the base's versions that began by id and the
 * versions that ended after it (few: found by the manifest_ended index),
 * but before `before` when the base has been replaced by snapshot
 * `before` since it was read (its ended versions are the base's own). A
 * path has one version in a snapshot, so the two lists never share one.
 * The base's entries are moved, not copied.
 */
int
manifest_at(sqlite3 *db, const char *set_name, int64_t id, int64_t before,
    struct snapshot_entry *base, size_t n_base, struct snapshot_entry **e, size_t *n)
{
	struct snapshot_entry *ended = NULL;
	size_t n_ended = 0, i = 0, j = 0;
	int cmp;

	if (query(db, "SELECT " ENTRY_COLUMNS " FROM manifest_entries WHERE set_name = ?1 "
	    "AND until_id > ?2 AND first_id <= ?2 AND (?3 = 0 OR until_id < ?3) "
	    "ORDER BY path", set_name, id, before, &ended, &n_ended) < 0) {
		snapshot_entries_free(ended, n_ended);
		return -1;
	}
	*e = xcalloc(n_base + n_ended + 1, sizeof(**e));
	while (i < n_base || j < n_ended) {
		if (i < n_base && base[i].since > id) {
			i++;
			continue;
		}
		cmp = i == n_base ? 1 : j == n_ended ? -1 : strcmp(base[i].path, ended[j].path);
		if (cmp < 0) {
			(*e)[(*n)++] = base[i];
			memset(&base[i++], 0, sizeof(*base));
		} else {
			(*e)[(*n)++] = ended[j];
			memset(&ended[j++], 0, sizeof(*ended));
		}
	}
	snapshot_entries_free(ended, n_ended);
	return 0;
}

static bool
same_text(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* The same version: everything a manifest records but the stat cache. */
static bool
same_version(const struct snapshot_entry *a, const struct snapshot_entry *b)
{
	return a->type == b->type && a->mode == b->mode && a->uid == b->uid &&
	    a->gid == b->gid && a->mtime_ns == b->mtime_ns && a->size == b->size &&
	    strcmp(a->hash, b->hash) == 0 && same_text(a->target, b->target);
}

static bool
same_stat(const struct snapshot_entry *a, const struct snapshot_entry *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->ctime_ns == b->ctime_ns;
}

enum { STMT_BEGIN, STMT_END, STMT_RESTAT, STMT_N };

static const char *const sql[STMT_N] = {
	[STMT_BEGIN] = "INSERT INTO manifest_entries (set_name, path, first_id, type, mode, "
	    "uid, gid, mtime_ns, size, hash, target, dev, ino, ctime_ns) VALUES "
	    "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
	[STMT_END] = "UPDATE manifest_entries SET until_id = ?3 WHERE set_name = ?1 AND "
	    "path = ?2 AND first_id = ?4",
	[STMT_RESTAT] = "UPDATE manifest_entries SET dev = ?12, ino = ?13, ctime_ns = ?14 "
	    "WHERE set_name = ?1 AND path = ?2 AND first_id = ?4",
};

struct writer {
	sqlite3_stmt	*stmt[STMT_N];
	const char	*set_name;
	int64_t		 id;
	int64_t		 rows;		/* rows begun, ended or given a new stat */
};

/* One statement for e: its version begun, ended (e from the base) or its stat kept. */
static int
put(struct writer *w, int which, const struct snapshot_entry *e, int64_t first_id)
{
	sqlite3_stmt *s = w->stmt[which];
	int rc;

	sqlite3_clear_bindings(s);
	store_bind_text(s, 1, w->set_name);
	store_bind_text(s, 2, e->path);
	sqlite3_bind_int64(s, 3, w->id);
	if (which != STMT_BEGIN)
		sqlite3_bind_int64(s, 4, first_id);
	else {
		store_bind_text(s, 4, snapshot_type_name(e->type));
		sqlite3_bind_int(s, 5, (int)e->mode);
		sqlite3_bind_int64(s, 6, e->uid);
		sqlite3_bind_int64(s, 7, e->gid);
		sqlite3_bind_int64(s, 8, e->mtime_ns);
		sqlite3_bind_int64(s, 9, e->size);
		store_bind_text(s, 10, e->hash[0] != '\0' ? e->hash : NULL);
		store_bind_text(s, 11, e->target);
	}
	if (which != STMT_END && e->ino != 0) {
		sqlite3_bind_int64(s, 12, e->dev);
		sqlite3_bind_int64(s, 13, e->ino);
		sqlite3_bind_int64(s, 14, e->ctime_ns);
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	w->rows++;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Both lists sorted by path (strcmp, as SQLite's BINARY collation orders them). */
static int
merge(struct writer *w, const struct snapshot_entry *e, size_t n,
    const struct snapshot_entry *base, size_t n_base)
{
	size_t i = 0, j = 0;
	int cmp, rc = 0;

	while (rc == 0 && (i < n || j < n_base)) {
		cmp = i == n ? 1 : j == n_base ? -1 : strcmp(e[i].path, base[j].path);
		if (cmp < 0) {
			rc = put(w, STMT_BEGIN, &e[i], 0);
		} else if (cmp > 0) {
			rc = put(w, STMT_END, &base[j], base[j].since);
		} else if (!same_version(&e[i], &base[j])) {
			if ((rc = put(w, STMT_END, &base[j], base[j].since)) == 0)
				rc = put(w, STMT_BEGIN, &e[i], 0);
		} else if (e[i].ino != 0 && !same_stat(&e[i], &base[j])) {
			rc = put(w, STMT_RESTAT, &e[i], base[j].since);
		}
		i += cmp <= 0;
		j += cmp >= 0;
	}
	return rc;
}

int
manifest_write(sqlite3 *db, const char *set_name, int64_t id,
    const struct snapshot_entry *e, size_t n, const struct snapshot_entry *base,
    size_t n_base, int64_t *rows)
{
	struct writer w = { .set_name = set_name, .id = id };
	int i, rc = -1;

	for (i = 0; i < STMT_N; i++)
		if (sqlite3_prepare_v2(db, sql[i], -1, &w.stmt[i], NULL) != SQLITE_OK)
			goto out;
	rc = merge(&w, e, n, base, n_base);
	if (rows != NULL)
		*rows = w.rows;
out:
	for (i = 0; i < STMT_N; i++)
		sqlite3_finalize(w.stmt[i]);
	return rc;
}

int
manifest_collect(sqlite3 *db)
{
	/*
	 * A version no remaining snapshot of its set falls in goes. Then, if
	 * the newest snapshots went, the versions that reach past the newest
	 * one left are its own again: open, as the invariant wants.
	 */
	static const char collect[] =
	    "DELETE FROM manifest_entries AS m WHERE NOT EXISTS (SELECT 1 FROM snapshots s "
	    "  WHERE s.set_name = m.set_name AND s.id >= m.first_id AND "
	    "  (m.until_id IS NULL OR s.id < m.until_id));"
	    "UPDATE manifest_entries AS m SET until_id = NULL WHERE until_id > "
	    "  (SELECT max(s.id) FROM snapshots s WHERE s.set_name = m.set_name);";

	return sqlite3_exec(db, collect, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}
