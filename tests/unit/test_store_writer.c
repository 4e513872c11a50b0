/*
 * The daemon's writer thread (store_use_writer): the loop's flush hands
 * its rows over and returns at once, whatever holds the database; a flush
 * asked to write now waits for them; a close writes what was handed over;
 * and incidents read after a flush see the rows queued before it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <unistd.h>

#include "core/clock.h"
#include "store/store.h"
#include "store_fixture.h"

static struct store *
open_writer_store(void)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));

	assert_non_null(st);
	store_use_writer(st);
	return st;
}

static void
queue_runs(struct store *st, int64_t from, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		store_add_check_result(st, from + i, "c", "web", HEALTH_HEALTHY, 1.5, "ok");
		store_add_metric(st, from + i, "check.c.latency_ms", 1.5);
	}
}

static void
handed_rows_are_written_by_the_thread(void **state)
{
	struct store *st = open_writer_store();

	(void)state;
	queue_runs(st, 1000, 100);
	assert_int_equal(store_flush_within(st, 2), 200);
	assert_int_equal(store_pending(st), 0);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(count("SELECT count(*) FROM check_runs"), 100);
	assert_int_equal(count("SELECT count(*) FROM metric_samples"), 100);
	queue_runs(st, 5000, 10);
	store_close(st);	/* writes what it holds */
	assert_int_equal(count("SELECT count(*) FROM check_runs"), 110);
}

struct holder {
	sqlite3 *db;
	int hold_ms;
};

static void *
release_later(void *arg)
{
	struct holder *h = arg;

	usleep((useconds_t)h->hold_ms * 1000);
	assert_int_equal(sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	return NULL;
}

/*
 * Another connection holds the write lock (a tend retry, a reader's
 * truncation): the loop's flush is not held, the thread waits for it.
 */
static void
the_loop_is_not_held_by_the_database(void **state)
{
	struct holder h = { .hold_ms = 300 };
	struct store *st = open_writer_store();
	pthread_t t;
	int64_t start;

	(void)state;
	queue_runs(st, 1000, 5);
	assert_int_equal(store_flush(st), 10);	/* the thread is made, the schema there */
	assert_int_equal(sqlite3_open(path, &h.db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h.db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	queue_runs(st, 2000, 50);
	start = clock_mono_ms();
	assert_int_equal(store_flush_within(st, 2), 100);
	assert_true(clock_mono_ms() - start < 100);
	assert_int_equal(count("SELECT count(*) FROM check_runs"), 5);
	assert_int_equal(pthread_create(&t, NULL, release_later, &h), 0);
	assert_int_equal(store_flush(st), 0);
	assert_true(clock_mono_ms() - start >= 250);
	assert_int_equal(count("SELECT count(*) FROM check_runs"), 55);
	assert_int_equal(selfhealth_get(SELF_STORE_ERRORS), 0);
	pthread_join(t, NULL);
	sqlite3_close(h.db);
	store_close(st);
}

/* What reads the store on the loop flushes first: it sees what was queued. */
static void
a_read_after_a_flush_sees_the_queued_incident(void **state)
{
	struct store_incident inc = { .target = "web", .error_type = "check",
	    .category = "crash", .severity = "critical", .detected_at = 5000,
	    .updated_at = 5000, .resolved_at = -1, .mttd_ms = -1, .mttr_ms = -1,
	    .phase = "open" };
	struct store *st = open_writer_store();

	(void)state;
	queue_runs(st, 1000, 3);
	assert_true(store_flush_within(st, 2) >= 0);
	inc.id = store_incident_new_id(st);
	store_put_incident(st, &inc);
	assert_int_equal(store_count_incidents(st, "web", "crash", 0), 1);
	assert_int_equal(store_ack_incident(st, inc.id, 6000), 1);
	store_close(st);
	assert_int_equal(count("SELECT acked FROM error_incidents"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(handed_rows_are_written_by_the_thread, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(the_loop_is_not_held_by_the_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_read_after_a_flush_sees_the_queued_incident,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
