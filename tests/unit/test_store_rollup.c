/*
 * History at scale (schema 12): check runs and metric samples keyed by a
 * number for the name, the views of the old tables, check runs' retention,
 * roll-up passes done in slices, the WAL checkpointed off the writer's
 * thread, and schema 11's rows carried over.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/selfhealth.h"
#include "store/read.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "store_fixture.h"

#define MIN	60000LL
#define HOUR	(60 * MIN)
#define BASE	(100 * HOUR)	/* an hour boundary */

static const struct store_retention keep = { .raw_ms = 10 * MIN, .minute_ms = 2 * HOUR,
    .hour_ms = 100 * HOUR };

static struct store *
open_store(void)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));

	assert_non_null(st);
	return st;
}

/* N series and checks, a sample and a run every 10 s over [from, to). */
static void
fill(struct store *st, int n, int64_t from, int64_t to)
{
	char name[32];
	int64_t t;
	int i;

	for (t = from; t < to; t += 10000) {
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "check.c%d.latency_ms", i);
			store_add_metric(st, t, name, (double)(t / 10000 % 6));
			snprintf(name, sizeof(name), "c%d", i);
			store_add_check_result(st, t, name, i % 2 ? "web" : NULL, HEALTH_HEALTHY,
			    1, "ok");
		}
		assert_true(store_flush(st) >= 0);
	}
}

static void
names_are_kept_once_and_the_old_tables_are_views(void **state)
{
	struct store *st = open_store();

	(void)state;
	fill(st, 3, BASE, BASE + MIN);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM check_names"), 3);
	assert_int_equal(count("SELECT count(*) FROM metric_series"), 3);
	assert_int_equal(count("SELECT count(*) FROM check_runs"), 18);
	assert_int_equal(count("SELECT count(*) FROM check_results WHERE check_name = 'c1' "
	    "AND service = 'web' AND state = 'healthy' AND message = 'ok'"), 6);
	assert_int_equal(count("SELECT count(*) FROM check_results WHERE service IS NULL"), 12);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics WHERE "
	    "series = 'check.c2.latency_ms' AND resolution = 0"), 6);
}

static void
two_runs_in_one_millisecond_are_both_kept(void **state)
{
	struct store *st = open_store();

	(void)state;
	store_add_check_result(st, 5000, "x", NULL, HEALTH_HEALTHY, 1, "first");
	store_add_check_result(st, 5000, "x", NULL, HEALTH_CRITICAL, 1, "second");
	store_add_check_result(st, 5000, "x", NULL, HEALTH_HEALTHY, 1, "third");
	store_add_check_result(st, 5000, "y", NULL, HEALTH_HEALTHY, 1, "other check");
	assert_int_equal(store_flush(st), 4);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM check_results WHERE check_name = 'x'"), 3);
	assert_int_equal(count("SELECT ts FROM check_results WHERE message = 'third'"), 5002);
	assert_int_equal(count("SELECT ts FROM check_results WHERE message = 'other check'"),
	    5000);
}

static void
check_runs_go_with_the_raw_samples(void **state)
{
	struct store *st = open_store();

	(void)state;
	fill(st, 4, BASE, BASE + 20 * MIN);
	/* 20 minutes of runs, 10 kept: 60 runs of each of the 4 checks go. */
	assert_int_equal(store_maintain(st, BASE + 20 * MIN, &keep, 0), 4 * 60 + 4 * 60);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM check_runs"), 4 * 60);
	assert_int_equal(count("SELECT min(ts) FROM check_results"), BASE + 10 * MIN);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics WHERE "
	    "resolution = 60000"), 4 * 20);
}

/* Every row of the samples, as text, to compare two stores. */
static char *
dump(void)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	char *out;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT series, resolution, ts, value FROM "
	    "system_health_metrics ORDER BY 1, 2, 3", -1, &stmt, NULL), SQLITE_OK);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		fprintf(f, "%s %lld %lld %g\n", sqlite3_column_text(stmt, 0),
		    sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2),
		    sqlite3_column_double(stmt, 3));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	fclose(f);
	return out;
}

static void
a_pass_in_slices_does_what_a_whole_pass_does(void **state)
{
	struct store *st = open_store();
	char *whole, *sliced;
	int slices = 0, rc;

	(void)state;
	fill(st, 20, BASE, BASE + 90 * MIN);
	assert_true(store_maintain(st, BASE + 90 * MIN + 1000, &keep, 0) > 0);
	store_close(st);
	whole = dump();
	teardown(state);
	setup(state);
	st = open_store();
	fill(st, 20, BASE, BASE + 90 * MIN);
	/* Due now; a budget of 0 does one series or check a slice. */
	st->pass.due = 1;
	while ((rc = store_maintain_step(st, BASE + 90 * MIN + 1000, &keep, 0)) == 1) {
		slices++;
		/* The watermarks move when the pass ends, not before. */
		assert_int_equal(count("SELECT count(*) FROM store_meta"), 0);
	}
	assert_int_equal(rc, 0);
	/* 20 series and 20 checks, one each a slice, the last slice the 40th. */
	assert_int_equal(slices, 39);
	/* The next pass is five minutes away. */
	assert_int_equal(store_maintain_step(st, BASE + 91 * MIN, &keep, 0), 0);
	store_close(st);
	sliced = dump();
	assert_string_equal(whole, sliced);
	assert_int_equal(count("SELECT value FROM store_meta WHERE key = 'rollup.hour'"),
	    BASE + HOUR);
	free(whole);
	free(sliced);
}

static void
a_pass_cut_short_and_done_again_rolls_nothing_up_twice(void **state)
{
	struct store *st = open_store();
	char *once, *again;

	(void)state;
	fill(st, 5, BASE, BASE + 5 * MIN);
	st->pass.due = 1;
	assert_int_equal(store_maintain_step(st, BASE + 5 * MIN, &keep, 0), 1);
	assert_int_equal(store_maintain_step(st, BASE + 5 * MIN, &keep, 0), 1);
	/* tend stops here: the pass is done again, whole, by the next one. */
	store_close(st);
	st = open_store();
	assert_true(store_maintain(st, BASE + 5 * MIN, &keep, 0) >= 0);
	store_close(st);
	once = dump();
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics WHERE "
	    "resolution = 60000"), 5 * 5);
	/* Each minute the average of its samples 0..5: 2.5. */
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics WHERE "
	    "resolution = 60000 AND value = 2.5"), 5 * 5);
	st = open_store();
	assert_true(store_maintain(st, BASE + 5 * MIN, &keep, 0) >= 0);
	store_close(st);
	again = dump();
	assert_string_equal(once, again);
	free(once);
	free(again);
}

static void
metric_reads_go_by_the_series_number(void **state)
{
	struct store *st = open_store();
	json_t *points;
	char err[256];
	sqlite3 *db;

	(void)state;
	fill(st, 2, BASE, BASE + 3 * MIN);
	assert_true(store_maintain(st, BASE + 3 * MIN, &keep, 0) >= 0);
	store_close(st);
	assert_non_null(db = store_read_open(path, err, sizeof(err)));
	points = store_read_metric(db, "check.c1.latency_ms", BASE, BASE + 3 * MIN, MIN);
	assert_int_equal(json_array_size(points), 3);
	assert_int_equal(json_integer_value(json_array_get(json_array_get(points, 1), 0)),
	    BASE + MIN);
	assert_true(json_real_value(json_array_get(json_array_get(points, 1), 1)) == 2.5);
	json_decref(points);
	/* Over 2 days: the 1-minute rows. */
	points = store_read_metric(db, "check.c1.latency_ms", BASE + 3 * MIN - 48 * HOUR,
	    BASE + 3 * MIN, MIN);
	assert_int_equal(json_array_size(points), 3);
	json_decref(points);
	points = store_read_metric(db, "check.c9.latency_ms", BASE, BASE + 3 * MIN, MIN);
	assert_int_equal(json_array_size(points), 0);
	json_decref(points);
	sqlite3_close(db);
}

/* Rows of about a page each. */
static void
queue_pages(struct store *st, int64_t ts, int n)
{
	static char text[3500];
	int i;

	memset(text, 'x', sizeof(text) - 1);
	for (i = 0; i < n; i++)
		store_add_check_result(st, ts + i, "big", NULL, HEALTH_HEALTHY, 1, text);
}

static void
checkpoints_are_made_off_the_writers_thread(void **state)
{
	struct store *st = open_store();
	int64_t deadline;
	int i;

	(void)state;
	for (i = 0; i < 12; i++) {
		queue_pages(st, i * 100, 100);
		assert_int_equal(store_flush(st), 100);
	}
	deadline = clock_mono_ms() + 10000;
	while (store_checkpoints_done(st, NULL) == 0 && clock_mono_ms() < deadline)
		usleep(10000);
	assert_true(store_checkpoints_done(st, NULL) > 0);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM check_runs"), 1200);
}

static void
a_flush_with_a_budget_leaves_the_rest_queued_in_order(void **state)
{
	struct store *st = open_store();
	int i, n, total = 0, flushes = 0;

	(void)state;
	/* Under the queue's size where a burst is written at once (store.c). */
	for (i = 0; i < 2000; i++)
		store_add_check_result(st, 1000 + i, "x", NULL, HEALTH_HEALTHY, 1, "ok");
	/* No time at all: the first row is written, the clock's first look ends it. */
	assert_int_equal(store_flush_within(st, 0), 1);
	assert_int_equal(store_pending(st), 2000 - 1);
	assert_int_equal(count("SELECT max(ts) FROM check_results"), 1000);
	total = 1;
	while ((n = store_flush_within(st, 1)) > 0) {
		total += n;
		flushes++;
	}
	assert_int_equal(n, 0);
	assert_int_equal(total, 2000);
	assert_int_equal(store_pending(st), 0);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM check_results"), 2000);
	assert_int_equal(count("SELECT max(ts) FROM check_results"), 2999);
}

static sqlite3 *
open_other(void)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	return db;
}

static off_t
wal_size(void)
{
	char wal[4096];
	struct stat sb;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	return stat(wal, &sb) == 0 ? sb.st_size : -1;
}

/*
 * A reader kept the WAL from starting over: once it is gone, the thread
 * truncates the long WAL (the loop does not: it would wait for the lock).
 */
static void
a_long_wal_is_truncated_off_the_writers_thread(void **state)
{
	struct store *st = open_store();
	sqlite3 *reader = open_other();
	int64_t deadline, truncated = 0;
	int i;

	(void)state;
	queue_pages(st, 0, 10);
	assert_int_equal(store_flush(st), 10);
	assert_int_equal(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM check_runs",
	    NULL, NULL, NULL), SQLITE_OK);
	for (i = 1; i <= 22; i++) {
		queue_pages(st, i * 100, 100);
		assert_int_equal(store_flush(st), 100);
	}
	assert_true(st->wal_frames >= 2000);
	assert_int_equal(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	queue_pages(st, 5000, 1);
	assert_int_equal(store_flush(st), 1);
	deadline = clock_mono_ms() + 10000;
	while (store_checkpoints_done(st, &truncated) >= 0 && truncated == 0 &&
	    clock_mono_ms() < deadline)
		usleep(10000);
	assert_true(truncated > 0);
	assert_int_equal(wal_size(), 0);
	sqlite3_close(reader);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM check_runs"), 2211);
}

/*
 * The loop's flush does not wait for a write lock another connection
 * holds: its rows stay queued, no error is counted, and the next flush
 * writes them.
 */
static void
a_flush_does_not_wait_for_the_lock(void **state)
{
	struct store *st = open_store();
	sqlite3 *other = open_other();
	uint64_t errors = selfhealth_get(SELF_STORE_ERRORS);
	int64_t start;

	(void)state;
	queue_pages(st, 0, 5);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	start = clock_mono_ms();
	assert_int_equal(store_flush_within(st, 2), 0);
	assert_true(clock_mono_ms() - start < 1000);
	assert_int_equal(store_pending(st), 5);
	assert_int_equal(selfhealth_get(SELF_STORE_ERRORS), errors);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_flush_within(st, 1000), 5);
	assert_int_equal(store_pending(st), 0);
	sqlite3_close(other);
	store_close(st);
}

/* A pass waits for the rows queued before it began: its roll-ups must see them. */
static void
a_pass_waits_for_the_rows_queued_before_it(void **state)
{
	struct store *st = open_store();
	int i;

	(void)state;
	for (i = 0; i < 600; i++)
		store_add_metric(st, BASE + i * 100, "cpu", 1);
	st->pass.due = 1;
	assert_int_equal(store_maintain_step(st, BASE + 2 * MIN, &keep, 0), 1);
	assert_int_equal(store_maintain_step(st, BASE + 2 * MIN, &keep, 0), 1);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics WHERE "
	    "resolution = 60000"), 0);
	while (store_pending(st) > 0)
		assert_true(store_flush_within(st, 0) > 0);
	while (store_maintain_step(st, BASE + 2 * MIN, &keep, 0) == 1)
		;
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics WHERE "
	    "resolution = 60000"), 1);
}

static void
schema_11_history_is_carried_over(void **state)
{
	struct store *st;

	(void)state;
	/* A day and a half of results, and samples of two resolutions, one time twice. */
	old_database(11, "PRAGMA user_version = 11;"
	    "INSERT INTO check_results (ts, check_name, service, state, latency_ms, message)"
	    "  VALUES (0, 'old', NULL, 'healthy', 1, 'too old'),"
	    "  (129600000, 'api', 'web', 'critical', 2.5, 'HTTP 500'),"
	    "  (129600000, 'api', NULL, 'healthy', 1, 'the host''s api'),"
	    "  (129600001, 'api', 'web', 'healthy', 1, 'HTTP 200');"
	    "INSERT INTO system_health_metrics (series, ts, value, resolution)"
	    "  VALUES ('cpu', 1000, 1, 0), ('cpu', 1000, 3, 0), ('cpu', 2000, 5, 0),"
	    "  ('cpu', 60000, 7, 60000);"
	    "INSERT INTO store_meta VALUES ('rollup.minute', 60000)");
	st = open_store();
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM check_results"), 3);
	assert_int_equal(count("SELECT count(*) FROM check_names"), 3);
	assert_int_equal(count("SELECT count(*) FROM check_results WHERE check_name = 'api' "
	    "AND service = 'web'"), 2);
	assert_int_equal(count("SELECT value FROM system_health_metrics WHERE ts = 1000"), 2);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics"), 3);
	assert_int_equal(count("SELECT value FROM store_meta"), 60000);
	assert_int_equal(count("SELECT count(*) FROM sqlite_master WHERE name = "
	    "'error_incidents_by_time'"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(names_are_kept_once_and_the_old_tables_are_views,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(two_runs_in_one_millisecond_are_both_kept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(check_runs_go_with_the_raw_samples, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_pass_in_slices_does_what_a_whole_pass_does,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_pass_cut_short_and_done_again_rolls_nothing_up_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(metric_reads_go_by_the_series_number, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(checkpoints_are_made_off_the_writers_thread,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_flush_with_a_budget_leaves_the_rest_queued_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(a_long_wal_is_truncated_off_the_writers_thread,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_flush_does_not_wait_for_the_lock, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_pass_waits_for_the_rows_queued_before_it,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(schema_11_history_is_carried_over, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
