/*
 * The daemon's history in state_dir/tend.db: check results, check and
 * service state changes, metrics; and SIGKILL at any moment leaves an
 * intact database that still holds everything it had committed.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

static long long
db_count(const char *sql)
{
	char path[400];
	sqlite3 *db;
	sqlite3_stmt *stmt;
	long long n = -1;

	snprintf(path, sizeof(path), "%s/tend.db", t.state);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return n;
}

static bool
db_integrity_ok(void)
{
	char path[400];
	sqlite3 *db;
	sqlite3_stmt *stmt;
	bool ok = false;

	snprintf(path, sizeof(path), "%s/tend.db", t.state);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(stmt, 0), "ok") == 0;
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return ok;
}

static bool
wait_rows(const char *sql, long long at_least, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;

	do {
		if (db_count(sql) >= at_least)
			return true;
		harness_pause_ms(20);
	} while (harness_mono_ms() < deadline);
	return false;
}

static const char config[] =
    "services:\n"
    "  app:\n"
    "    run: [@FAKESVC@, --name, app, --record, @RECORD@, --listen, '@PORT1@']\n"
    "    ready: { tcp: @PORT1@ }\n"
    "    checks:\n"
    "      port: { type: tcp, port: @PORT1@, every: 20ms }\n"
    "checks:\n"
    "  load: { type: resource, metric: load, warn: 100, crit: 100, every: 50ms }\n";

static void
results_and_changes_are_recorded(void **state)
{
	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(wait_rows("SELECT count(*) FROM check_results WHERE check_name = 'port'",
	    10, 5000));
	assert_true(wait_rows("SELECT count(*) FROM state_changes WHERE kind = 'service' "
	    "AND target = 'app' AND to_state = 'up'", 1, 5000));
	assert_true(wait_rows("SELECT count(*) FROM state_changes WHERE kind = 'check' "
	    "AND target = 'port' AND to_state = 'healthy'", 1, 5000));
	assert_true(wait_rows("SELECT count(*) FROM system_health_metrics WHERE "
	    "series = 'check.load.load'", 1, 5000));
	assert_true(wait_rows("SELECT count(*) FROM check_results WHERE service = 'app'",
	    1, 5000));
}

static void
sigkill_never_loses_what_was_committed(void **state)
{
	long long before, after;
	int round;

	harness_write_config(&t, config);
	for (round = 0; round < 5; round++) {
		harness_start(&t);
		assert_true(wait_rows("SELECT count(*) FROM check_results", 1, 5000));
		/* Killed at a different point of its write cycle every round. */
		harness_pause_ms(50 + 37 * round);
		before = db_count("SELECT count(*) FROM check_results");
		kill(t.pid, SIGKILL);
		assert_true(harness_wait_exit(&t, 5000) >= 0);
		assert_true(db_integrity_ok());
		after = db_count("SELECT count(*) FROM check_results");
		fprintf(stderr, "round %d: %lld rows seen before SIGKILL, %lld after\n", round,
		    before, after);
		assert_true(after >= before);
		/* The orphaned service would hold the port: end it before the next round. */
		pid_t pids[64];
		int n = harness_record_pids(&t, "start app", pids, 64);
		for (int i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		for (int i = 0; i < n; i++)
			harness_wait_gone(pids[i], 2000);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(results_and_changes_are_recorded),
		TEND_TEST(sigkill_never_loses_what_was_committed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
