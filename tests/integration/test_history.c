/*
 * The daemon's history in state_dir/tend.db: check results, check and
 * service state changes, metrics; and SIGKILL at any moment leaves an
 * intact database that still holds everything it had committed.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

static long long
db_count(const char *sql)
{
	sqlite3 *db = harness_db_open(&t);
	sqlite3_stmt *stmt;
	long long n = -1;

	if (db == NULL)
		return -1;
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

/* Every run kept (sample_every: 0): rows come fast enough to count. */
static const char config[] =
    "sample_every: 0\n"
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

static void
sigkill_keeps_every_committed_incident(void **state)
{
	long long incidents_before, incidents_after, attempts_before, attempts_after;
	int round;

	/* A check that fails half the time: incidents open, act and close all along. */
	harness_write_config(&t,
	    "heal: { verify_timeout: 60ms, verify_every: 20ms, cooldown: 0s }\n"
	    "checks:\n"
	    "  flap:\n"
	    "    type: command\n"
	    "    run: [sh, -c, 'exit $(( $(date +%N) / 1000 % 2 * 2 ))']\n"
	    "    every: 20ms\n"
	    "    heal: [{ exec: ['true'] }, { exec: ['true'] }]\n");
	for (round = 0; round < 4; round++) {
		harness_start(&t);
		assert_true(wait_rows("SELECT count(*) FROM healing_attempts", 2 * (round + 1),
		    10000));
		harness_pause_ms(30 + 41 * round);
		incidents_before = db_count("SELECT count(*) FROM error_incidents");
		attempts_before = db_count("SELECT count(*) FROM healing_attempts");
		kill(t.pid, SIGKILL);
		assert_true(harness_wait_exit(&t, 5000) >= 0);
		assert_true(db_integrity_ok());
		incidents_after = db_count("SELECT count(*) FROM error_incidents");
		attempts_after = db_count("SELECT count(*) FROM healing_attempts");
		fprintf(stderr, "round %d: incidents %lld -> %lld, attempts %lld -> %lld\n",
		    round, incidents_before, incidents_after, attempts_before, attempts_after);
		assert_true(incidents_after >= incidents_before);
		assert_true(attempts_after >= attempts_before);
		/* Every attempt belongs to a stored incident. */
		assert_int_equal(db_count("SELECT count(*) FROM healing_attempts WHERE "
		    "incident_id NOT IN (SELECT id FROM error_incidents)"), 0);
	}
}

static void
dependency_versions_are_recorded_as_they_change(void **state)
{
	char path[600], bin[400], env[1200];

	snprintf(bin, sizeof(bin), "%s/bin", t.dir);
	mkdir(bin, 0755);
	snprintf(path, sizeof(path), "%s/mytool", bin);
	harness_write_script(&t, path, "#!/bin/sh\ncat @DIR@/version\n");
	snprintf(path, sizeof(path), "%s/version", t.dir);
	harness_write_file(&t, path, "mytool 1.2.0\n");
	snprintf(env, sizeof(env), "%s:%s", bin, getenv("PATH"));
	setenv("PATH", env, 1);
	harness_write_config(&t,
	    "checks:\n"
	    "  tools: { type: deps, executables: { mytool: '>= 1' }, every: 50ms }\n");
	harness_start(&t);
	assert_true(wait_rows("SELECT count(*) FROM dependency_changes WHERE dependency = "
	    "'mytool' AND old_version IS NULL AND new_version = '1.2.0'", 1, 5000));
	harness_write_file(&t, path, "mytool 1.3.1\n");
	assert_true(wait_rows("SELECT count(*) FROM dependency_changes WHERE dependency = "
	    "'mytool' AND old_version = '1.2.0' AND new_version = '1.3.1'", 1, 5000));
	harness_pause_ms(200);
	/* Unchanged versions add no rows. */
	assert_int_equal(db_count("SELECT count(*) FROM dependency_changes"), 2);
}

static void
a_step_in_a_metric_is_an_anomaly(void **state)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/level", t.dir);
	harness_write_file(&t, path, "10\n");
	/* A gauge of 10 or 11 (noise), as perfdata, every 20 ms. */
	harness_write_config(&t,
	    "sample_every: 0\n"
	    "anomaly: { window: 30, k: 3 }\n"
	    "checks:\n"
	    "  gauge:\n"
	    "    type: command\n"
	    "    run: [sh, -c, 'echo \"ok | v=$(( $(cat @DIR@/level) + $(date +%N) / 1000 % 2 ))\"']\n"
	    "    every: 20ms\n");
	harness_start(&t);
	assert_true(wait_rows("SELECT count(*) FROM check_results WHERE check_name = 'gauge'",
	    40, 10000));
	assert_int_equal(db_count("SELECT count(*) FROM state_changes WHERE kind = "
	    "'anomaly' AND target = 'check.gauge.v'"), 0);
	harness_write_file(&t, path, "100\n");
	assert_true(wait_rows("SELECT count(*) FROM state_changes WHERE kind = 'anomaly' "
	    "AND target = 'check.gauge.v' AND to_state = 'anomaly' AND message LIKE "
	    "'%baseline 1_%'", 1, 5000));
	assert_true(harness_log_contains(&t, "anomaly check.gauge.v"));
}

/*
 * By default a check every 20 ms keeps a run a second (sample_every: 1s):
 * two seconds of it are a few rows, not a hundred.
 */
static void
a_fast_check_keeps_a_run_a_second(void **state)
{
	long long t0, rows;

	harness_write_config(&t, "checks:\n"
	    "  load: { type: resource, metric: load, warn: 100, crit: 100, every: 20ms }\n");
	harness_start(&t);
	assert_true(wait_rows("SELECT count(*) FROM check_results WHERE check_name = 'load'",
	    1, 5000));
	t0 = harness_mono_ms();
	assert_true(wait_rows("SELECT count(*) FROM check_results WHERE check_name = 'load'",
	    3, 5000));
	rows = db_count("SELECT count(*) FROM check_results WHERE check_name = 'load'");
	/* Two more rows took two seconds or so; every run would have been 100. */
	assert_true(harness_mono_ms() - t0 >= 1500);
	assert_true(rows <= 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_fast_check_keeps_a_run_a_second),
		TEND_TEST(results_and_changes_are_recorded),
		TEND_TEST(sigkill_keeps_every_committed_incident),
		TEND_TEST(dependency_versions_are_recorded_as_they_change),
		TEND_TEST(a_step_in_a_metric_is_an_anomaly),
		TEND_TEST(sigkill_never_loses_what_was_committed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
