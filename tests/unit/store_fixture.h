/*
 * Shared by the store's tests: a database in a temp dir made for each
 * test, a count read from it with SQL, and a database as an older schema
 * left it.
 */
#ifndef TEND_TEST_STORE_FIXTURE_H
#define TEND_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/selfhealth.h"
#include "store/schema.h"

static char dir[] = "/tmp/tend-store-XXXXXX";
static char path[128];

static int
setup(void **state)
{
	strcpy(dir, "/tmp/tend-store-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tend.db", dir);
	selfhealth_reset();
	return 0;
}

static int
teardown(void **state)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static long long
count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	long long n = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return n;
}

/* A database as schema version left it, with what seed puts in it. */
static __attribute__((unused)) void
old_database(int version, const char *seed)
{
	sqlite3 *db;
	int v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (v = 1; v <= version; v++)
		assert_int_equal(sqlite3_exec(db, schema_migration((size_t)v), NULL, NULL,
		    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, seed, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

#endif
