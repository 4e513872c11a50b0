/* The runs of tend job in the store (store/jobs.h): schema 10 -> 11, written and read back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store/jobs.h"
#include "store/store.h"
#include "store_fixture.h"

static void
schema_10_is_migrated_forward_and_runs_are_kept(void **state)
{
	struct store_job_run failed = { .name = "backup", .started_at = 1000, .ended_at = 4000,
	    .exit_code = 3, .output = "hello\nthere\n" };
	struct store_job_run killed = { .name = "backup", .started_at = 5000, .ended_at = 6000,
	    .signal = 9 };
	struct store_job_run other = { .name = "rotate", .started_at = 7000, .ended_at = 7001,
	    .timed_out = true, .exit_code = 124 };
	char err[256];
	struct store *st;
	json_t *runs, *r;
	sqlite3 *db;

	(void)state;
	old_database(10, "PRAGMA user_version = 10");
	st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(count("SELECT count(*) FROM job_runs"), 0);
	assert_int_equal(store_job_insert(st, &failed, err, sizeof(err)), 0);
	assert_int_equal(store_job_insert(st, &killed, err, sizeof(err)), 0);
	assert_int_equal(store_job_insert(st, &other, err, sizeof(err)), 0);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	runs = store_read_jobs(db, "backup", 0, 10);
	assert_int_equal(json_array_size(runs), 2);
	r = json_array_get(runs, 0);			/* newest first */
	assert_int_equal(json_integer_value(json_object_get(r, "signal")), 9);
	assert_true(json_is_null(json_object_get(r, "exit_code")));
	r = json_array_get(runs, 1);
	assert_int_equal(json_integer_value(json_object_get(r, "exit_code")), 3);
	assert_int_equal(json_integer_value(json_object_get(r, "duration_ms")), 3000);
	assert_string_equal(json_string_value(json_object_get(r, "output")), "hello\nthere\n");
	json_decref(runs);
	runs = store_read_jobs(db, NULL, 5000, 10);	/* every job's, since 5 s */
	assert_int_equal(json_array_size(runs), 2);
	assert_true(json_is_true(json_object_get(json_array_get(runs, 0), "timed_out")));
	json_decref(runs);
	sqlite3_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(schema_10_is_migrated_forward_and_runs_are_kept,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
