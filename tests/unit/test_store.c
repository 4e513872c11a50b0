/*
 * The store: migrations, batched writes, reopening, refusing a newer
 * schema; and when things go wrong: a bad row among good ones, values that
 * are not numbers, a WAL that grew while a reader held it, a database that
 * cannot be made at start (a full filesystem: RLIMIT_FSIZE stands in for
 * it, which works anywhere, root or not) and one that is corrupt.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "core/clock.h"
#include "core/selfhealth.h"
#include "core/statedir.h"
#include "store/changes.h"
#include "store/query.h"
#include "store/read.h"
#include "store/schema.h"
#include "store/snapshots.h"
#include "store/store.h"

#include "store_fixture.h"

static void
an_empty_database_is_migrated_to_the_current_schema(void **state)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));

	assert_non_null(st);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	/* Since schema 12 check_results and system_health_metrics are views. */
	assert_int_equal(count("SELECT count(*) FROM sqlite_master WHERE type IN ('table', "
	    "'view') AND name IN ('check_results', 'state_changes', 'error_incidents', "
	    "'healing_attempts', 'recovery_procedures', 'system_health_metrics', "
	    "'dependency_changes')"), 7);
}

static void
writes_are_queued_then_committed_together(void **state)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));
	int i;

	assert_non_null(st);
	for (i = 0; i < 100; i++)
		store_add_check_result(st, 1000 + i, "api", i % 2 ? "web" : NULL,
		    HEALTH_HEALTHY, 1.5, "HTTP 200");
	store_add_state_change(st, 2000, "check", "api", "web", "healthy", "critical",
	    "HTTP 500");
	store_add_metric(st, 3000, "host.cpu", 12.5);
	assert_int_equal(store_pending(st), 102);
	assert_int_equal(count("SELECT count(*) FROM check_results"), 0);
	assert_int_equal(store_flush(st), 102);
	assert_int_equal(store_pending(st), 0);
	assert_int_equal(count("SELECT count(*) FROM check_results"), 100);
	assert_int_equal(count("SELECT count(*) FROM check_results WHERE service IS NULL"), 50);
	assert_int_equal(count("SELECT count(*) FROM state_changes WHERE to_state = 'critical'"), 1);
	assert_int_equal(count("SELECT value * 10 FROM system_health_metrics"), 125);
	/* What is queued at close is flushed. */
	store_add_metric(st, 4000, "host.cpu", 1);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics"), 2);
}

static void
reopening_keeps_the_data_and_the_schema(void **state)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));

	store_add_metric(st, 1, "s", 1);
	store_close(st);
	st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics"), 1);
}

static void
a_newer_schema_is_refused(void **state)
{
	char err[256] = "";
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "newer"));
}

static void
the_journal_is_wal(void **state)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));
	sqlite3 *db;
	sqlite3_stmt *stmt;

	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}


static void
the_previous_schema_is_migrated_forward(void **state)
{
	char err[256];
	struct store *st;

	/* A database as schema 1 left it, with a row in it. */
	old_database(1, "PRAGMA user_version = 1; INSERT INTO "
	    "state_changes (ts, kind, target, to_state) VALUES (1, 'check', 'x', 'healthy')");
	st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM state_changes"), 1);
	assert_int_equal(count("SELECT count(*) FROM store_meta"), 0);
}

#define MIN 60000LL

static void
metrics_roll_up_and_expire(void **state)
{
	struct store_retention keep = { .raw_ms = 2 * MIN, .minute_ms = 60 * MIN,
	    .hour_ms = 1000 * MIN };
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));
	long long base = 100 * 60 * MIN;	/* an hour boundary */

	store_add_metric(st, base + 1000, "cpu", 1);
	store_add_metric(st, base + 2000, "cpu", 3);
	store_add_metric(st, base + MIN + 1000, "cpu", 5);
	store_add_metric(st, base + 2 * MIN + 1000, "cpu", 7);	/* minute still filling */
	/* Now: 2 minutes 30 s past the base. */
	assert_true(store_maintain(st, base + 2 * MIN + 30000, &keep, 1000) >= 0);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics "
	    "WHERE resolution = 60000"), 2);
	assert_int_equal(count("SELECT value FROM system_health_metrics "
	    "WHERE resolution = 60000 ORDER BY ts LIMIT 1"), 2);	/* avg(1, 3) */
	/* Raw older than 2 minutes went: the two samples of the first minute. */
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics "
	    "WHERE resolution = 0"), 2);
	/* Run again at the same time: nothing is rolled up twice. */
	assert_true(store_maintain(st, base + 2 * MIN + 30000, &keep, 1000) >= 0);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics "
	    "WHERE resolution = 60000"), 2);
	/* An hour later: the hour is averaged from its minutes (2, 5, 7). */
	assert_true(store_maintain(st, base + 61 * MIN, &keep, 1000) >= 0);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics "
	    "WHERE resolution = 3600000"), 1);
	assert_int_equal(count("SELECT round(value * 3) FROM system_health_metrics "
	    "WHERE resolution = 3600000"), 14);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics "
	    "WHERE resolution = 0"), 0);
	store_close(st);
}

static void
expiry_goes_in_chunks(void **state)
{
	struct store_retention keep = { .raw_ms = 1, .minute_ms = 100 * MIN,
	    .hour_ms = 100 * MIN };
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));
	int i;

	for (i = 0; i < 250; i++)
		store_add_metric(st, 1000 + i, "s", i);
	/* Rolled up in a block, but deleted at most 100 rows a call. */
	assert_int_equal(store_maintain(st, 10 * MIN, &keep, 100), 100);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics "
	    "WHERE resolution = 0"), 150);
	store_close(st);
}

static void
schema_2_with_incidents_is_migrated_forward(void **state)
{
	char err[256];
	struct store *st;

	/* A database as schema 2 left it, an incident in it. */
	old_database(2, "PRAGMA user_version = 2; INSERT INTO "
	    "error_incidents (id, target, detected_at) VALUES (7, 'web', 1)");
	st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	/* Ids go on from the highest one there. */
	assert_int_equal(store_incident_new_id(st), 8);
	store_close(st);
	assert_int_equal(count("SELECT attempts FROM error_incidents WHERE id = 7"), 0);
}

static void
incidents_attempts_and_procedures_are_written(void **state)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));
	struct store_incident inc = { .target = "health", .service = "web",
	    .error_type = "check", .category = "network", .severity = "critical",
	    .detected_at = 1000, .resolved_at = -1, .effectiveness = NAN, .mttd_ms = 200,
	    .mttr_ms = -1, .phase = "acting", .symptoms = "[]", .attempts = 1,
	    .updated_at = 1000 };
	int64_t attempt;

	assert_non_null(st);
	inc.id = store_incident_new_id(st);
	assert_int_equal(inc.id, 1);
	store_put_incident(st, &inc);
	attempt = store_attempt_begin(st, inc.id, "restart", 1100, "attempt 1");
	store_attempt_end(st, attempt, 1200, "healed", "verified");
	store_record_procedure(st, "network", "restart", true, 1200);
	store_record_procedure(st, "network", "restart", false, 1300);
	inc.phase = "resolved";
	inc.resolved_at = 1200;
	inc.mttr_ms = 200;
	inc.effectiveness = 1;
	inc.resolution = "healed by restart";
	store_put_incident(st, &inc);
	assert_int_equal(store_count_incidents(st, "health", "network", 0), 1);
	assert_int_equal(store_count_incidents(st, "health", "network", 5000), 0);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM error_incidents"), 1);
	assert_int_equal(count("SELECT mttr_ms FROM error_incidents WHERE phase = 'resolved' "
	    "AND resolution = 'healed by restart' AND effectiveness_score = 1"), 200);
	assert_int_equal(count("SELECT ended_at FROM healing_attempts WHERE outcome = "
	    "'healed'"), 1200);
	assert_int_equal(count("SELECT attempts * 10 + successes FROM recovery_procedures "
	    "WHERE category = 'network' AND action = 'restart'"), 21);
	assert_int_equal(count("SELECT count(*) FROM error_incidents WHERE resolved_at IS "
	    "NOT NULL AND mttd_ms = 200"), 1);
}

static void
procedure_counts(void *arg, const char *category, const char *action, int attempts,
    int successes)
{
	int *sum = arg;

	*sum += attempts * 10 + successes;
}

static void
ack_and_resolve_work_on_stored_incidents(void **state)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));
	struct store_incident inc = { .target = "disk", .error_type = "check",
	    .category = "resource", .severity = "critical", .detected_at = 1000,
	    .resolved_at = -1, .effectiveness = NAN, .mttd_ms = -1, .mttr_ms = -1,
	    .phase = "escalated" };
	int sum = 0;

	inc.id = store_incident_new_id(st);
	store_put_incident(st, &inc);
	store_record_procedure(st, "resource", "tmp", true, 1);
	assert_int_equal(store_ack_incident(st, inc.id, 2000), 1);
	assert_int_equal(store_resolve_incident(st, inc.id, 3000), 1);
	assert_int_equal(store_resolve_incident(st, 99, 3000), 0);
	assert_int_equal(store_each_procedure(st, procedure_counts, &sum), 1);
	assert_int_equal(sum, 11);
	store_close(st);
	assert_int_equal(count("SELECT mttr_ms FROM error_incidents WHERE acked = 1 AND "
	    "phase = 'resolved' AND resolution = 'resolved by hand'"), 2000);
}

static void
schema_3_is_migrated_forward_with_alert_deliveries(void **state)
{
	char err[256];
	struct store *st;

	/* A database as schema 3 left it, an incident in it. */
	old_database(3, "PRAGMA user_version = 3; INSERT INTO "
	    "error_incidents (id, target, detected_at, phase) VALUES (3, 'web', 1, "
	    "'escalated')");
	st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_alert_new_id(st), 1);
	assert_int_equal(store_incident_new_id(st), 4);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM alert_deliveries"), 0);
	assert_int_equal(count("SELECT count(*) FROM error_incidents WHERE phase = "
	    "'escalated'"), 1);
}

static void
alert_deliveries_are_written_and_read_newest_first(void **state)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));
	struct store_alert a = { .at = 1000, .event = "critical", .target = "health",
	    .state = "critical", .message = "HTTP 500", .incident = 3, .channel = "ops",
	    .outcome = "retrying", .tries = 1, .detail = "HTTP 500", .updated_at = 1000 };
	json_t *all, *one;
	sqlite3 *db;

	assert_non_null(st);
	a.id = store_alert_new_id(st);
	store_put_alert(st, &a);
	/* The next try's outcome rewrites the row. */
	a.outcome = "delivered";
	a.tries = 2;
	a.detail = "HTTP 200";
	a.updated_at = 3000;
	store_put_alert(st, &a);
	a = (struct store_alert){ .id = store_alert_new_id(st), .at = 2000,
	    .event = "anomaly", .target = "host.cpu_pct", .state = "warning",
	    .message = "anomaly", .incident = 0, .channel = "am", .outcome = "failed",
	    .tries = 5, .detail = "refused by \xff\xfe", .updated_at = 9000 };
	store_put_alert(st, &a);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM alert_deliveries"), 2);

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	all = store_query_alerts(db, 10);
	assert_non_null(all);
	assert_int_equal(json_array_size(all), 2);
	one = json_array_get(all, 0);
	assert_string_equal(json_string_value(json_object_get(one, "event")), "anomaly");
	assert_true(json_is_null(json_object_get(one, "incident")));
	assert_string_equal(json_string_value(json_object_get(one, "outcome")), "failed");
	/* A receiver's answer is any bytes: kept, with U+FFFD where it is not UTF-8. */
	assert_string_equal(json_string_value(json_object_get(one, "detail")),
	    "refused by \xef\xbf\xbd\xef\xbf\xbd");
	one = json_array_get(all, 1);
	assert_int_equal(json_integer_value(json_object_get(one, "id")), 1);
	assert_int_equal(json_integer_value(json_object_get(one, "at")), 1000);
	assert_int_equal(json_integer_value(json_object_get(one, "incident")), 3);
	assert_string_equal(json_string_value(json_object_get(one, "channel")), "ops");
	assert_string_equal(json_string_value(json_object_get(one, "outcome")), "delivered");
	assert_int_equal(json_integer_value(json_object_get(one, "tries")), 2);
	assert_string_equal(json_string_value(json_object_get(one, "detail")), "HTTP 200");
	json_decref(all);
	all = store_query_alerts(db, 1);
	assert_int_equal(json_array_size(all), 1);
	json_decref(all);
	sqlite3_close(db);
}

static void
schema_4_is_migrated_forward_with_retry_runs(void **state)
{
	char err[256];
	struct store *st;

	/* A database as schema 4 left it, an alert delivery in it. */
	old_database(4, "PRAGMA user_version = 4; INSERT INTO "
	    "alert_deliveries (id, at, event, target, channel, outcome) VALUES (7, 1, "
	    "'critical', 'web', 'ops', 'delivered')");
	st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_alert_new_id(st), 8);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM retry_runs"), 0);
	assert_int_equal(count("SELECT count(*) FROM retry_attempts"), 0);
	assert_int_equal(count("SELECT count(*) FROM alert_deliveries WHERE id = 7"), 1);
}

static void
schema_5_is_migrated_forward_with_snapshots(void **state)
{
	char err[256];
	struct store *st;

	/* A database as schema 5 left it, a retry run in it. */
	old_database(5, "PRAGMA user_version = 5; INSERT INTO retry_runs (id, origin, "
	    "started_at, argv, outcome) VALUES (3, 'tend retry', 1, '[]', 'succeeded')");
	st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM retry_runs WHERE id = 3"), 1);
	assert_int_equal(count("SELECT count(*) FROM snapshots"), 0);
	assert_int_equal(count("SELECT count(*) FROM manifest_entries"), 0);
}

/*
 * 6 -> 7: changes, and the change an incident is blamed on; an incident
 * of schema 6 keeps its row and is blamed on nothing.
 */
static void
schema_6_is_migrated_forward_with_changes(void **state)
{
	struct store_change c = { .at = 5000, .kind = CHANGE_KIND_FILES, .set = "app",
	    .detail = "{\"paths\": [\"/srv/app/a.conf\"], \"more\": 0}" };
	struct store_incident inc = { .target = "health", .error_type = "check",
	    .severity = "critical", .detected_at = 6000, .resolved_at = -1,
	    .effectiveness = NAN, .mttd_ms = -1, .mttr_ms = -1, .phase = "acting",
	    .symptoms = "[]", .updated_at = 6000 };
	char err[256];
	struct store *st;
	json_t *changes;
	sqlite3 *db;
	int64_t id = 0;

	old_database(6, "PRAGMA user_version = 6; INSERT INTO error_incidents (id, target, "
	    "detected_at) VALUES (4, 'web', 1)");
	st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_change_insert(st, &c, &id, err, sizeof(err)), 0);
	assert_int_equal(id, 1);
	assert_int_equal(store_change_set_snapshot(st, id, 9, err, sizeof(err)), 0);
	inc.id = store_incident_new_id(st);
	inc.change_id = id;
	store_put_incident(st, &inc);
	assert_int_equal(store_flush(st), 1);
	assert_int_equal(store_change_rolled_back(st, id, 7000, err, sizeof(err)), 0);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM error_incidents WHERE id = 4 AND "
	    "change_id IS NULL"), 1);

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	changes = store_read_changes(db, 0, 10);
	sqlite3_close(db);
	assert_non_null(changes);
	assert_int_equal(json_array_size(changes), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(changes, 0),
	    "set_name")), "app");
	assert_true(json_is_true(json_object_get(json_array_get(changes, 0), "bad")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(changes, 0),
	    "snapshot_id")), 9);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(changes, 0),
	    "rolled_back_at")), 7000);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(
	    json_array_get(changes, 0), "detail"), "paths"), 0)), "/srv/app/a.conf");
	assert_int_equal(json_integer_value(json_array_get(json_object_get(
	    json_array_get(changes, 0), "incidents"), 0)), 5);
	json_decref(changes);
}

/* What /api/snapshots serves: newest first, per set, with lkg and bad as booleans. */
static void
snapshots_are_read_newest_first_with_their_marks(void **state)
{
	struct snapshot_info info = { .set_name = "app", .created_at = 1000, .files = 2,
	    .bytes = 10, .spec = "{}" };
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));
	int64_t ids[3];
	json_t *list;
	sqlite3 *db;

	assert_non_null(st);
	for (int i = 0; i < 3; i++) {
		info.set_name = i == 1 ? "db" : "app";
		info.label = i == 2 ? "deploy 1.4.2" : NULL;
		assert_int_equal(store_snapshot_insert(st, &info, NULL, 0, NULL, 0, &ids[i],
		    err, sizeof(err)), 0);
	}
	assert_int_equal(store_snapshot_mark(st, ids[0], true, true, err, sizeof(err)), 0);
	assert_int_equal(store_snapshot_mark(st, ids[2], false, true, err, sizeof(err)), 0);
	store_close(st);

	assert_non_null(db = store_read_open(path, err, sizeof(err)));
	list = store_read_snapshots(db, "app", 10);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")),
	    ids[2]);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0),
	    "set")), "app");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0),
	    "label")), "deploy 1.4.2");
	assert_true(json_is_true(json_object_get(json_array_get(list, 0), "bad")));
	assert_true(json_is_false(json_object_get(json_array_get(list, 0), "lkg")));
	assert_true(json_is_true(json_object_get(json_array_get(list, 1), "lkg")));
	assert_true(json_is_null(json_object_get(json_array_get(list, 1), "label")));
	json_decref(list);
	list = store_read_snapshots(db, NULL, 2);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1),
	    "set")), "db");
	json_decref(list);
	list = store_read_snapshots(db, "none", 10);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	sqlite3_close(db);
}

static void
retry_runs_and_attempts_are_written(void **state)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));
	struct store_retry_run run = { .origin = "tend retry", .started_at = 1000,
	    .argv = "[\"curl\", \"-f\"]", .ci = true };
	struct store_retry_attempt a = { .n = 1, .argv = "[\"curl\", \"-f\"]",
	    .started_at = 1000, .ended_at = 1500, .exit_code = 6, .category = "network",
	    .detail = "matched /could not resolve/", .tail = "Could not resolve host" };
	int64_t first, second;

	assert_non_null(st);
	first = store_retry_run_begin(st, &run);
	second = store_retry_run_begin(st, &run);
	/* Ids come from SQLite at once: two runs never share one. */
	assert_true(first > 0);
	assert_true(second > first);
	a.run_id = first;
	store_add_retry_attempt(st, &a);
	a = (struct store_retry_attempt){ .run_id = first, .n = 2, .argv = "[\"curl\"]",
	    .fallback = 1, .started_at = 2500, .ended_at = 2600, .exit_code = -1,
	    .signal = 9, .timed_out = true, .category = "timeout" };
	store_add_retry_attempt(st, &a);
	run.id = first;
	run.ended_at = 2600;
	run.exit_code = 124;
	run.attempts = 2;
	run.outcome = "failed";
	run.summary = "gave up";
	store_retry_run_end(st, &run);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM retry_runs WHERE outcome = 'running' "
	    "AND ended_at IS NULL"), 1);
	assert_int_equal(count("SELECT exit_code FROM retry_runs WHERE id = 1"), 124);
	assert_int_equal(count("SELECT ci FROM retry_runs WHERE id = 1"), 1);
	assert_int_equal(count("SELECT count(*) FROM retry_attempts WHERE run_id = 1"), 2);
	assert_int_equal(count("SELECT count(*) FROM retry_attempts WHERE n = 2 AND "
	    "exit_code IS NULL AND signal = 9 AND timed_out = 1 AND fallback = 1"), 1);
	assert_int_equal(count("SELECT count(*) FROM retry_attempts WHERE n = 1 AND "
	    "signal IS NULL AND exit_code = 6 AND category = 'network'"), 1);
}

/* A first-time success: the run, ended, and its attempt in one write. */
static void
a_run_that_worked_at_once_is_written_whole(void **state)
{
	char err[256];
	struct store *st = store_open_brief(path, err, sizeof(err));
	struct store_retry_run run = { .origin = "tend retry", .started_at = 1000,
	    .argv = "[\"true\"]", .ended_at = 1003, .exit_code = 0, .attempts = 1,
	    .outcome = "succeeded", .summary = "succeeded at once" };
	struct store_retry_attempt a = { .run_id = 999, .n = 1, .argv = "[\"true\"]",
	    .started_at = 1000, .ended_at = 1003, .exit_code = 0 };
	int64_t id;

	assert_non_null(st);
	id = store_retry_run_once(st, &run, &a);
	assert_true(id > 0);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM retry_runs WHERE outcome = 'succeeded' "
	    "AND ended_at = 1003 AND exit_code = 0 AND attempts = 1"), 1);
	/* The attempt belongs to the run SQLite numbered, whatever run_id said. */
	assert_int_equal(count("SELECT run_id FROM retry_attempts"), id);
	assert_int_equal(count("SELECT count(*) FROM retry_attempts WHERE exit_code = 0 "
	    "AND category IS NULL"), 1);
}

/*
 * Brief writers leave their writes in the WAL, but the WAL must not grow
 * for ever: past BRIEF_WAL_MAX frames the last one to close checkpoints.
 */
static void
brief_writers_keep_the_wal_short(void **state)
{
	char err[256], wal[160], tail[8192];
	struct store_retry_run run = { .origin = "tend retry", .argv = "[\"true\"]",
	    .attempts = 1, .outcome = "succeeded" };
	struct store_retry_attempt a = { .n = 1, .argv = "[\"true\"]", .tail = tail };
	struct stat sb;
	int i;

	memset(tail, 'x', sizeof(tail) - 1);
	tail[sizeof(tail) - 1] = '\0';
	snprintf(wal, sizeof(wal), "%s-wal", path);
	for (i = 0; i < 200; i++) {
		struct store *st = store_open_brief(path, err, sizeof(err));

		assert_non_null(st);
		run.started_at = run.ended_at = i;
		assert_true(store_retry_run_once(st, &run, &a) > 0);
		store_close(st);
	}
	/* 200 runs of three pages or more each: 600 frames if never checkpointed. */
	if (stat(wal, &sb) == 0)
		assert_true(sb.st_size < 200 * 4120);
	assert_int_equal(count("SELECT count(*) FROM retry_runs"), 200);
	assert_int_equal(count("SELECT count(*) FROM retry_attempts"), 200);
}

static void
one_bad_row_does_not_block_the_others(void **state)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));

	assert_non_null(st);
	store_add_check_result(st, 1000, "api", NULL, HEALTH_HEALTHY, 1.5, "ok");
	/* check_name is NOT NULL: whatever made it, this row cannot be stored. */
	store_add_check_result(st, 1001, NULL, NULL, HEALTH_HEALTHY, 1.5, "bad");
	store_add_metric(st, 1002, "check.api.latency_ms", 1.5);
	store_add_check_result(st, 1003, "db", NULL, HEALTH_CRITICAL, 2.5, "down");
	assert_int_equal(store_flush(st), 3);
	assert_int_equal(store_pending(st), 0);
	assert_int_equal(count("SELECT count(*) FROM check_results"), 2);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics"), 1);
	assert_int_equal(selfhealth_get(SELF_STORE_DROPPED), 1);
	/* And the next batch goes in as usual. */
	store_add_check_result(st, 2000, "api", NULL, HEALTH_HEALTHY, 1.5, "ok");
	assert_int_equal(store_flush(st), 1);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM check_results"), 3);
}

static void
values_that_are_not_numbers_are_never_stored_as_numbers(void **state)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));

	assert_non_null(st);
	store_add_metric(st, 1000, "check.x.a", NAN);
	store_add_metric(st, 1000, "check.x.b", INFINITY);
	store_add_metric(st, 1000, "check.x.c", -INFINITY);
	store_add_metric(st, 1000, "check.x.d", 4);
	store_add_check_result(st, 1000, "x", NULL, HEALTH_HEALTHY, INFINITY, "odd");
	assert_true(store_flush(st) >= 2);
	assert_int_equal(store_pending(st), 0);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM system_health_metrics"), 1);
	assert_int_equal(count("SELECT count(*) FROM check_results WHERE latency_ms IS NULL"),
	    1);
}

static off_t
file_size(const char *name)
{
	char p[200];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &sb) == 0 ? sb.st_size : 0;
}

/* Rows of about a page each. */
static void
queue_pages(struct store *st, int n)
{
	static char text[3500];
	int i;

	memset(text, 'x', sizeof(text) - 1);
	for (i = 0; i < n; i++)
		store_add_check_result(st, i, "big", NULL, HEALTH_HEALTHY, 1, text);
}

/*
 * A reader that stays (the web threads, one after another) keeps the WAL
 * from starting over; once it lets go, the WAL goes back to a few MB
 * instead of keeping the space the burst took.
 */
static void
a_wal_that_grew_under_a_reader_shrinks_when_it_leaves(void **state)
{
	char err[256];
	struct store *st = store_open(path, err, sizeof(err));
	sqlite3 *reader;
	sqlite3_stmt *stmt;
	long long deadline;
	int i;

	assert_non_null(st);
	assert_int_equal(sqlite3_open(path, &reader), SQLITE_OK);
	assert_int_equal(sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(reader, "SELECT count(*) FROM check_results",
	    -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	for (i = 0; i < 30; i++) {
		queue_pages(st, 100);
		assert_int_equal(store_flush(st), 100);
	}
	assert_true(file_size("tend.db-wal") > 8 * 1024 * 1024);
	sqlite3_finalize(stmt);
	assert_int_equal(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(reader);
	deadline = clock_mono_ms() + 15000;
	do {
		queue_pages(st, 10);
		assert_int_equal(store_flush(st), 10);
		usleep(20000);
	} while (file_size("tend.db-wal") > 4 * 1024 * 1024 + 64 * 1024 &&
	    clock_mono_ms() < deadline);
	assert_true(file_size("tend.db-wal") <= 4 * 1024 * 1024 + 64 * 1024);
	store_close(st);
}

static json_t *
store_problem(void)
{
	json_t *health = selfhealth_json(), *p;
	size_t i;

	json_array_foreach(json_object_get(health, "problems"), i, p)
		if (strcmp(json_string_value(json_object_get(p, "part")), "store") == 0) {
			json_incref(p);
			json_decref(health);
			return p;
		}
	json_decref(health);
	return NULL;
}

/*
 * A database that cannot be made at start (the file size limit stands in
 * for a full disk) is made once it can be, with what was queued meanwhile.
 */
static void
a_store_that_could_not_open_opens_when_space_returns(void **state)
{
	struct rlimit small = { 1024, RLIM_INFINITY }, old;
	struct statedir *sd;
	struct store *st;
	char err[256];
	json_t *problem;
	long long deadline;
	int n = -1;

	assert_non_null(sd = statedir_open(dir, err, sizeof(err)));
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	st = store_open_state(sd);
	store_add_check_result(st, 1000, "api", NULL, HEALTH_HEALTHY, 1, "queued");
	n = store_flush(st);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(n, -1);
	assert_non_null(problem = store_problem());
	assert_non_null(strstr(json_string_value(json_object_get(problem, "hint")),
	    "free space"));
	json_decref(problem);
	deadline = clock_mono_ms() + 10000;
	while ((n = store_flush(st)) < 0 && clock_mono_ms() < deadline)
		usleep(50000);
	assert_int_equal(n, 1);
	assert_null(store_problem());
	store_close(st);
	statedir_close(sd);
	assert_int_equal(count("SELECT count(*) FROM check_results"), 1);
}

/*
 * Incidents opened while the database could not open (a full disk at
 * start) get ids above the stored ones, so that their rows, written when
 * it opens, never replace older incidents.
 */
static void
ids_handed_out_before_the_store_opens_go_on_from_the_stored_ones(void **state)
{
	struct rlimit none = { 0, RLIM_INFINITY }, old;
	struct store_incident inc = { .target = "web", .error_type = "check",
	    .severity = "critical", .detected_at = 1000, .resolved_at = -1,
	    .effectiveness = NAN, .mttd_ms = -1, .mttr_ms = -1, .phase = "acting",
	    .symptoms = "[]", .updated_at = 1000 };
	struct statedir *sd;
	struct store *st;
	char err[256];
	long long deadline;
	int i;

	/* Five incidents from an earlier run. */
	assert_non_null(st = store_open(path, err, sizeof(err)));
	for (i = 0; i < 5; i++) {
		inc.id = store_incident_new_id(st);
		store_put_incident(st, &inc);
	}
	store_close(st);

	/* Not one byte can be written: the database does not open. */
	assert_non_null(sd = statedir_open(dir, err, sizeof(err)));
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	none.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &none), 0);
	st = store_open_state(sd);
	inc.id = store_incident_new_id(st);
	inc.target = "db";
	store_put_incident(st, &inc);
	assert_int_equal(store_flush(st), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(inc.id, 6);

	deadline = clock_mono_ms() + 10000;
	while (store_flush(st) < 0 && clock_mono_ms() < deadline)
		usleep(50000);
	assert_int_equal(store_incident_new_id(st), 7);
	store_close(st);
	statedir_close(sd);
	assert_int_equal(count("SELECT count(*) FROM error_incidents WHERE target = 'web'"), 5);
	assert_int_equal(count("SELECT id FROM error_incidents WHERE target = 'db'"), 6);
}

static void
a_corrupt_database_says_what_to_do(void **state)
{
	struct statedir *sd;
	struct store *st;
	char err[256], junk[8192];
	json_t *problem;
	int fd;

	memset(junk, 'j', sizeof(junk));
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk)), (int)sizeof(junk));
	close(fd);
	assert_non_null(sd = statedir_open(dir, err, sizeof(err)));
	st = store_open_state(sd);
	store_add_metric(st, 1, "s", 1);
	assert_int_equal(store_flush(st), -1);
	assert_non_null(problem = store_problem());
	assert_non_null(strstr(json_string_value(json_object_get(problem, "hint")),
	    "away and restart"));
	json_decref(problem);
	assert_true(selfhealth_get(SELF_STORE_ERRORS) >= 1);
	store_close(st);
	statedir_close(sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(an_empty_database_is_migrated_to_the_current_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(writes_are_queued_then_committed_together, setup, teardown),
		cmocka_unit_test_setup_teardown(reopening_keeps_the_data_and_the_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    ids_handed_out_before_the_store_opens_go_on_from_the_stored_ones, setup, teardown),
		cmocka_unit_test_setup_teardown(a_newer_schema_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(the_journal_is_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(the_previous_schema_is_migrated_forward, setup, teardown),
		cmocka_unit_test_setup_teardown(metrics_roll_up_and_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(expiry_goes_in_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(schema_2_with_incidents_is_migrated_forward, setup, teardown),
		cmocka_unit_test_setup_teardown(incidents_attempts_and_procedures_are_written, setup, teardown),
		cmocka_unit_test_setup_teardown(ack_and_resolve_work_on_stored_incidents, setup, teardown),
		cmocka_unit_test_setup_teardown(schema_3_is_migrated_forward_with_alert_deliveries, setup, teardown),
		cmocka_unit_test_setup_teardown(alert_deliveries_are_written_and_read_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(schema_4_is_migrated_forward_with_retry_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(retry_runs_and_attempts_are_written, setup, teardown),
		cmocka_unit_test_setup_teardown(schema_5_is_migrated_forward_with_snapshots, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(schema_6_is_migrated_forward_with_changes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(snapshots_are_read_newest_first_with_their_marks,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_run_that_worked_at_once_is_written_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(brief_writers_keep_the_wal_short, setup, teardown),
		cmocka_unit_test_setup_teardown(one_bad_row_does_not_block_the_others, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    values_that_are_not_numbers_are_never_stored_as_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_wal_that_grew_under_a_reader_shrinks_when_it_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_store_that_could_not_open_opens_when_space_returns, setup, teardown),
		cmocka_unit_test_setup_teardown(a_corrupt_database_says_what_to_do, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
