/*
 * Manifests shared between the snapshots of a set: an unchanged set adds
 * no row, a changed file one version; every snapshot still reads back as
 * it was taken, after older and newer ones are pruned or deleted; a
 * snapshot's manifest read from the newest is the same as read whole;
 * and the rows of schema 7 (and their stat cache) are carried over.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "snapshot_fixture.h"
#include "store/schema.h"
#include "store/snapshots.h"

/* The manifest rows where cond holds. */
static long long
rows_where(const char *cond)
{
	char path[PATH_MAX];
	sqlite3_stmt *stmt;
	sqlite3 *db;
	char sql[256];
	long long n;

	snprintf(path, sizeof(path), "%s/tend.db", fx_state);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM manifest_entries WHERE %s", cond);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return n;
}

static long long
manifest_rows(void)
{
	return rows_where("1");
}

/* The content snapshot id recorded for rel, "" when it has no such file. */
static const char *
content_in(int64_t id, const char *rel)
{
	static char text[64];
	const struct snapshot_entry *e;
	struct snapshot_entry *v;
	struct snapshot_info info;
	char err[256], buf[PATH_MAX];
	size_t n;
	ssize_t len;
	int fd;

	text[0] = '\0';
	assert_int_equal(snapshot_get(fx_eng, id, &info, &v, &n, err, sizeof(err)), 0);
	e = fx_find(v, n, fx_path(rel));
	if (e != NULL && e->type == SNAPSHOT_FILE) {
		snprintf(buf, sizeof(buf), "%s/snapshots/objects/%.2s/%s", fx_state, e->hash,
		    e->hash);
		assert_true((fd = open(buf, O_RDONLY)) >= 0);
		len = read(fd, text, sizeof(text) - 1);
		close(fd);
		text[len > 0 ? len : 0] = '\0';
	}
	snapshot_entries_free(v, n);
	snapshot_info_clear(&info);
	return text;
}

static void
write_tree(int files)
{
	char name[32];
	int i;

	for (i = 0; i < files; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		fx_write(name, name);
	}
	fx_settle();
}

static void
an_unchanged_snapshot_adds_no_row_and_a_change_one_version(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	int64_t a, b, c;

	write_tree(50);
	a = fx_create(&spec, NULL);
	assert_int_equal(manifest_rows(), 51);		/* the directory and 50 files */
	b = fx_create(&spec, NULL);
	assert_int_equal(manifest_rows(), 51);
	fx_write("f7", "seven");
	fx_settle();
	c = fx_create(&spec, NULL);
	/* f7's new version, and the directory's (its mtime did not move: same row). */
	assert_true(manifest_rows() >= 52 && manifest_rows() <= 53);
	assert_string_equal(content_in(a, "f7"), "f7");
	assert_string_equal(content_in(b, "f7"), "f7");
	assert_string_equal(content_in(c, "f7"), "seven");
	assert_string_equal(content_in(c, "f8"), "f8");
}

static void
added_and_removed_files_are_in_the_snapshots_that_had_them(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	int64_t a, b, c;

	write_tree(3);
	a = fx_create(&spec, NULL);
	fx_write("new", "new");
	fx_settle();
	b = fx_create(&spec, NULL);
	assert_int_equal(unlink(fx_path("f1")), 0);
	fx_settle();
	c = fx_create(&spec, NULL);
	assert_string_equal(content_in(a, "new"), "");
	assert_string_equal(content_in(b, "new"), "new");
	assert_string_equal(content_in(c, "new"), "new");
	assert_string_equal(content_in(a, "f1"), "f1");
	assert_string_equal(content_in(b, "f1"), "f1");
	assert_string_equal(content_in(c, "f1"), "");
}

static void
delete_ids(int64_t *ids, size_t n)
{
	char err[256];

	assert_int_equal(store_snapshot_delete(fx_st, ids, n, err, sizeof(err)), 0);
}

/*
 * The newest snapshot deleted (a refused restore's pre-rollback one): the
 * one before it is the newest again, and the next snapshot is compared
 * with it, not with what was deleted.
 */
static void
deleting_the_newest_makes_the_one_before_it_the_base_again(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	int64_t a, b, c;

	write_tree(3);
	a = fx_create(&spec, NULL);
	fx_write("f0", "changed");
	fx_write("extra", "extra");
	assert_int_equal(unlink(fx_path("f2")), 0);
	fx_settle();
	b = fx_create(&spec, NULL);
	delete_ids(&b, 1);
	/* a's manifest is the newest again: the directory and f0, f1, f2. */
	assert_int_equal(rows_where("until_id IS NULL"), 4);
	assert_int_equal(manifest_rows(), 4);
	c = fx_create(&spec, NULL);	/* the tree still as b saw it */
	assert_string_equal(content_in(a, "f0"), "f0");
	assert_string_equal(content_in(a, "f2"), "f2");
	assert_string_equal(content_in(a, "extra"), "");
	assert_string_equal(content_in(c, "f0"), "changed");
	assert_string_equal(content_in(c, "extra"), "extra");
	assert_string_equal(content_in(c, "f2"), "");
	fx_write("f0", "f0");		/* back as a had it */
	fx_settle();
	c = fx_create(&spec, NULL);
	assert_string_equal(content_in(c, "f0"), "f0");
	assert_string_equal(content_in(a, "f0"), "f0");
}

static void
pruning_keeps_every_remaining_snapshot_whole(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_prune_stats ps;
	char err[256], text[16];
	int64_t ids[5];
	long long before;
	int i;

	write_tree(10);
	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "v%d", i);
		fx_write("f4", text);
		fx_settle();
		ids[i] = fx_create(&spec, NULL);
	}
	before = manifest_rows();
	delete_ids(&ids[2], 1);		/* one from the middle: its version of f4 goes */
	assert_true(manifest_rows() < before);
	assert_int_equal(snapshot_prune(fx_eng, "app", 2, &ps, err, sizeof(err)), 0);
	assert_int_equal(ps.snapshots, 2);
	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "v%d", i);
		if (i >= 3)
			assert_string_equal(content_in(ids[i], "f4"), text);
	}
	assert_string_equal(content_in(ids[3], "f9"), "f9");
	assert_string_equal(content_in(ids[4], "f9"), "f9");
	/* Ten files and the directory, f4 twice (v3, v4): no other version left. */
	assert_true(manifest_rows() <= 14);
}

/* Snapshot id read from base (taken over) is what it is read whole. */
static void
same_as_whole(int64_t id, int64_t before, struct snapshot_entry *base, size_t n_base)
{
	struct snapshot_entry *whole, *at;
	struct snapshot_info info;
	size_t n_whole, n_at, k;
	char err[256];

	assert_int_equal(snapshot_get(fx_eng, id, &info, &whole, &n_whole, err,
	    sizeof(err)), 0);
	assert_int_equal(store_manifest_at(fx_st, "app", id, before, &base, &n_base, &at,
	    &n_at, err, sizeof(err)), 0);
	assert_null(base);
	assert_int_equal(n_at, n_whole);
	for (k = 0; k < n_at; k++) {
		assert_string_equal(at[k].path, whole[k].path);
		assert_string_equal(at[k].hash, whole[k].hash);
		assert_int_equal(at[k].mtime_ns, whole[k].mtime_ns);
	}
	snapshot_entries_free(whole, n_whole);
	snapshot_entries_free(at, n_at);
	snapshot_info_clear(&info);
}

/*
 * Read from the newest manifest, every snapshot is what it is read whole;
 * and from a newest manifest that a snapshot has replaced since (as a
 * restore reads it before its pre-rollback snapshot).
 */
static void
a_manifest_read_from_the_newest_is_the_whole_one(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_entry *base;
	size_t n_base;
	char err[256];
	int64_t ids[6], later;
	int i;

	write_tree(5);
	ids[0] = fx_create(&spec, NULL);
	fx_write("f1", "one");
	ids[1] = fx_create(&spec, NULL);
	fx_write("added", "a");
	assert_int_equal(unlink(fx_path("f2")), 0);
	ids[2] = fx_create(&spec, NULL);
	fx_write("f2", "f2");
	ids[3] = fx_create(&spec, NULL);
	assert_int_equal(unlink(fx_path("added")), 0);
	fx_write("f1", "f1");
	ids[4] = fx_create(&spec, NULL);
	ids[5] = fx_create(&spec, NULL);
	for (i = 0; i < 6; i++) {
		assert_int_equal(store_manifest_newest(fx_st, "app", &base, &n_base, err,
		    sizeof(err)), 0);
		same_as_whole(ids[i], 0, base, n_base);
	}
	for (i = 0; i < 6; i++) {
		assert_int_equal(store_manifest_newest(fx_st, "app", &base, &n_base, err,
		    sizeof(err)), 0);
		fx_write("f3", i % 2 ? "odd" : "even");
		fx_write("f1", i % 2 ? "f1" : "one");
		later = fx_create(&spec, NULL);
		same_as_whole(ids[i], later, base, n_base);
	}
}

/* Schema 7's rows, one set per snapshot, become versions of schema 8. */
static void
schema_7_manifests_are_carried_over(void **state)
{
	static const char seed[] =
	    "INSERT INTO snapshots (id, set_name, created_at, files, bytes, spec) VALUES "
	    "(1, 'app', 1, 1, 1, '{}'), (2, 'app', 2, 1, 1, '{}'), (3, 'web', 3, 1, 1, '{}');"
	    "INSERT INTO snapshot_entries (snapshot_id, path, type, mode, uid, gid, mtime_ns, "
	    "size, hash, target) VALUES (1, '/a', 'file', 420, 0, 0, 1, 1, 'h1', NULL), "
	    "(2, '/a', 'file', 420, 0, 0, 1, 1, 'h2', NULL), "
	    "(3, '/w', 'symlink', 511, 0, 0, 1, 1, NULL, 't');"
	    "INSERT INTO snapshot_stat_cache (path, dev, ino, size, mtime_ns, ctime_ns, hash) "
	    "VALUES ('/a', 8, 99, 1, 1, 5, 'h2');"
	    "PRAGMA user_version = 7;";
	struct snapshot_entry *v;
	struct snapshot_info info;
	char path[PATH_MAX], err[256];
	sqlite3 *db;
	size_t n;
	int i;

	fx_close();
	snprintf(path, sizeof(path), "%s/tend.db", fx_state);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (i = 1; i <= 7; i++)
		assert_int_equal(sqlite3_exec(db, schema_migration((size_t)i), NULL, NULL,
		    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, seed, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	fx_open();
	assert_int_equal(snapshot_get(fx_eng, 1, &info, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].hash, "h1");
	snapshot_entries_free(v, n);
	snapshot_info_clear(&info);
	assert_int_equal(snapshot_get(fx_eng, 2, &info, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].hash, "h2");
	snapshot_entries_free(v, n);
	snapshot_info_clear(&info);
	/* The newest version keeps what the stat cache knew of its file. */
	assert_int_equal(store_manifest_newest(fx_st, "app", &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].hash, "h2");
	assert_int_equal(v[0].ino, 99);
	assert_int_equal(v[0].since, 2);
	snapshot_entries_free(v, n);
	assert_int_equal(snapshot_get(fx_eng, 3, &info, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].target, "t");
	snapshot_entries_free(v, n);
	snapshot_info_clear(&info);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    an_unchanged_snapshot_adds_no_row_and_a_change_one_version, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    added_and_removed_files_are_in_the_snapshots_that_had_them, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    deleting_the_newest_makes_the_one_before_it_the_base_again, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(pruning_keeps_every_remaining_snapshot_whole,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(a_manifest_read_from_the_newest_is_the_whole_one,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(schema_7_manifests_are_carried_over, fx_setup,
		    fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
