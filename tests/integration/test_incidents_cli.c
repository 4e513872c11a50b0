/*
 * tend incidents and tend history read the daemon's store without the
 * daemon: a tend.db made by the store itself, filled with known rows, read
 * back as tables and as JSON; and no database at all is not an error.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"

#define MIN_MS		60000LL
#define HOUR_MS		3600000LL
#define DAY_MS		86400000LL

static long long
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
db_exec(sqlite3 *db, const char *fmt, ...)
{
	char sql[2048], *err = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

/*
 * Check "port": ten runs a minute apart in the last ten minutes, latency
 * 1..10 ms, two of them critical, and one run two days ago; its state
 * changes, one of them old; a service state change of the same name that
 * history must not count.
 */
static void
fill_history(struct store *st, long long now)
{
	int i;

	for (i = 0; i < 10; i++)
		store_add_check_result(st, now - i * MIN_MS, "port", "app",
		    i == 3 || i == 4 ? HEALTH_CRITICAL : HEALTH_HEALTHY, i + 1.0,
		    i == 3 || i == 4 ? "connection refused" : "connected");
	store_add_check_result(st, now - 2 * DAY_MS, "port", "app", HEALTH_HEALTHY,
	    99.0, "connected long ago");
	store_add_state_change(st, now - 6 * MIN_MS, "check", "port", "app", "healthy",
	    "critical", "connection refused");
	store_add_state_change(st, now - 2 * MIN_MS, "check", "port", "app", "critical",
	    "healthy", "connected");
	store_add_state_change(st, now - 2 * DAY_MS, "check", "port", "app", "unknown",
	    "healthy", "first run");
	store_add_state_change(st, now - 5 * MIN_MS, "service", "port", NULL, "up",
	    "backoff", "not a check");
	assert_true(store_flush(st) > 0);
}

/*
 * Incident 1: web crashed two hours ago, healed at the second restart.
 * Incident 2: db-port is failing now, a restart under way. Incident 3:
 * three days old, outside any short window.
 */
static void
fill_incidents(sqlite3 *db, long long now)
{
	long long t1 = now - 2 * HOUR_MS, t2 = now - 10 * MIN_MS, t3 = now - 3 * DAY_MS;

	db_exec(db, "INSERT INTO error_incidents (id, target, error_type, category, "
	    "severity, detected_at, resolved_at, root_cause, mttd_ms, mttr_ms, service, "
	    "phase, symptoms, attempts, resolution, updated_at) VALUES (1, 'web', "
	    "'exit', 'crash', 'critical', %lld, %lld, 'segfault in worker', 500, 95000, "
	    "'web', 'resolved', '[\"web\",\"web-http\"]', 2, 'healed', %lld)",
	    t1, t1 + 95000, t1 + 95000);
	/* Stored out of order: they are listed in the order they started. */
	db_exec(db, "INSERT INTO healing_attempts (incident_id, action, started_at, "
	    "ended_at, outcome, detail) VALUES (1, 'restart', %lld, %lld, 'success', "
	    "NULL), (1, 'restart', %lld, %lld, 'failed', 'exited with code 1')",
	    t1 + 30000, t1 + 32500, t1 + 1000, t1 + 3000);
	db_exec(db, "INSERT INTO error_incidents (id, target, category, severity, "
	    "detected_at, service, phase, symptoms, attempts, updated_at) VALUES (2, "
	    "'db-port', 'network', 'warning', %lld, 'db', 'healing', 'not json', 1, %lld)",
	    t2, t2);
	db_exec(db, "INSERT INTO healing_attempts (incident_id, action, started_at) "
	    "VALUES (2, 'restart', %lld)", t2 + 2000);
	db_exec(db, "INSERT INTO error_incidents (id, target, category, severity, "
	    "detected_at, resolved_at, phase, attempts) VALUES (3, 'old', 'resource', "
	    "'warning', %lld, %lld, 'resolved', 0)", t3, t3 + 1000);
}

/* A state dir whose tend.db has the store's own schema and the rows above. */
static void
make_store(void)
{
	char path[400], err[512];
	struct store *st;
	sqlite3 *db;
	long long now = wall_ms();

	assert_int_equal(mkdir(t.state, 0700), 0);
	snprintf(path, sizeof(path), "%s/tend.db", t.state);
	st = store_open(path, err, sizeof(err));
	if (st == NULL)
		fail_msg("store_open: %s", err);
	fill_history(st, now);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	fill_incidents(db, now);
	sqlite3_close(db);
}

static json_t *
run_json(int want_rc, ...)
{
	char *out, *argv[10] = { NULL };
	json_error_t jerr;
	json_t *doc;
	va_list ap;
	int i = 0, rc;

	va_start(ap, want_rc);
	while (i < 9 && (argv[i] = va_arg(ap, char *)) != NULL)
		i++;
	va_end(ap);
	argv[i] = NULL;
	rc = harness_cli(&t, &out, argv[0], argv[1], argv[2], argv[3], argv[4],
	    argv[5], argv[6], argv[7], argv[8], (char *)NULL);
	if (rc != want_rc)
		fail_msg("tend %s: exit %d, not %d: %s", argv[0], rc, want_rc, out);
	doc = json_loads(out, 0, &jerr);
	if (doc == NULL)
		fail_msg("not JSON (%s): %s", jerr.text, out);
	free(out);
	return doc;
}

static void
incidents_lists_newest_first_with_attempts(void **state)
{
	char *out, *web, *db, *old, *first, *second;

	make_store();
	assert_int_equal(harness_cli(&t, &out, "incidents", "--state-dir", t.state,
	    NULL), 0);
	assert_non_null(strstr(out, "ID    DETECTED"));
	assert_non_null(strstr(out, "ROOT CAUSE"));
	db = strstr(out, "db-port");
	web = strstr(out, "web ");
	old = strstr(out, "old ");
	assert_true(db != NULL && web != NULL && old != NULL);
	assert_true(db < web && web < old);
	assert_non_null(strstr(out, "segfault in worker"));
	assert_non_null(strstr(out, "1m35s"));		/* web's MTTR */
	/* Attempts in the order they started, under their incident. */
	first = strstr(out, " restart -> failed (2.0s) exited with code 1\n");
	second = strstr(out, " restart -> success (2.5s)\n");
	assert_true(first != NULL && second != NULL && web < first && first < second);
	assert_true(second < old);
	assert_non_null(strstr(out, " restart -> pending (-)\n"));
	free(out);
}

static void
incidents_open_shows_only_the_unresolved(void **state)
{
	char *out;

	make_store();
	assert_int_equal(harness_cli(&t, &out, "incidents", "--open", "--state-dir",
	    t.state, NULL), 0);
	assert_non_null(strstr(out, "db-port"));
	assert_non_null(strstr(out, "healing"));
	assert_null(strstr(out, "web"));
	assert_null(strstr(out, "old"));
	free(out);
}

static void
incidents_since_limits_the_window(void **state)
{
	char *out;

	make_store();
	assert_int_equal(harness_cli(&t, &out, "incidents", "--since", "1h",
	    "--state-dir", t.state, NULL), 0);
	assert_non_null(strstr(out, "db-port"));
	assert_null(strstr(out, "web"));
	free(out);
	assert_int_equal(harness_cli(&t, &out, "incidents", "--since", "1m",
	    "--state-dir", t.state, NULL), 0);
	assert_string_equal(out, "no incidents in the last 1m\n");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "incidents", "--since", "soon",
	    "--state-dir", t.state, NULL), 2);
	assert_non_null(strstr(out, "--since 'soon'"));
	free(out);
}

static void
incidents_json_has_every_column_and_the_attempts(void **state)
{
	json_t *doc, *web, *dbp, *a;

	make_store();
	doc = run_json(0, "incidents", "--state-dir", t.state, "--format", "json", NULL);
	assert_true(json_is_array(doc));
	assert_int_equal(json_array_size(doc), 3);
	dbp = json_array_get(doc, 0);
	web = json_array_get(doc, 1);
	assert_int_equal(json_integer_value(json_object_get(dbp, "id")), 2);
	assert_int_equal(json_integer_value(json_object_get(web, "id")), 1);

	assert_string_equal(json_string_value(json_object_get(web, "target")), "web");
	assert_string_equal(json_string_value(json_object_get(web, "error_type")), "exit");
	assert_string_equal(json_string_value(json_object_get(web, "resolution")), "healed");
	assert_string_equal(json_string_value(json_object_get(web, "phase")), "resolved");
	assert_int_equal(json_integer_value(json_object_get(web, "mttr_ms")), 95000);
	assert_int_equal(json_integer_value(json_object_get(web, "attempt_count")), 2);
	assert_true(json_is_integer(json_object_get(web, "resolved_at")));
	assert_true(json_is_integer(json_object_get(web, "recurring")));
	assert_true(json_is_integer(json_object_get(web, "updated_at")));
	assert_true(json_is_array(json_object_get(web, "symptoms")));
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(web, "symptoms"), 1)), "web-http");

	/* The attempts, every column, in the order they started. */
	assert_int_equal(json_array_size(json_object_get(web, "attempts")), 2);
	a = json_array_get(json_object_get(web, "attempts"), 0);
	assert_string_equal(json_string_value(json_object_get(a, "outcome")), "failed");
	assert_string_equal(json_string_value(json_object_get(a, "detail")),
	    "exited with code 1");
	assert_int_equal(json_integer_value(json_object_get(a, "incident_id")), 1);
	assert_true(json_is_integer(json_object_get(a, "id")));
	a = json_array_get(json_object_get(web, "attempts"), 1);
	assert_string_equal(json_string_value(json_object_get(a, "outcome")), "success");
	assert_true(json_is_null(json_object_get(a, "detail")));

	/* Open: no resolution yet; symptoms that are not JSON stay text. */
	assert_true(json_is_null(json_object_get(dbp, "resolved_at")));
	assert_true(json_is_null(json_object_get(dbp, "mttr_ms")));
	assert_string_equal(json_string_value(json_object_get(dbp, "symptoms")), "not json");
	a = json_array_get(json_object_get(dbp, "attempts"), 0);
	assert_true(json_is_null(json_object_get(a, "ended_at")));
	json_decref(doc);

	doc = run_json(0, "incidents", "--open", "--state-dir", t.state, "--format",
	    "json", NULL);
	assert_int_equal(json_array_size(doc), 1);
	json_decref(doc);
}

static void
history_json_summarises_the_window(void **state)
{
	json_t *doc, *results, *changes, *summary;
	long long prev, ts;
	size_t i;

	make_store();
	doc = run_json(0, "history", "port", "--state-dir", t.state, "--format", "json",
	    NULL);
	assert_string_equal(json_string_value(json_object_get(doc, "check")), "port");
	results = json_object_get(doc, "results");
	assert_int_equal(json_array_size(results), 10);
	prev = json_integer_value(json_object_get(json_array_get(results, 0), "ts"));
	for (i = 1; i < json_array_size(results); i++) {
		ts = json_integer_value(json_object_get(json_array_get(results, i), "ts"));
		assert_true(ts < prev);
		prev = ts;
	}
	assert_string_equal(json_string_value(json_object_get(json_array_get(results, 0),
	    "state")), "healthy");
	assert_string_equal(json_string_value(json_object_get(json_array_get(results, 3),
	    "message")), "connection refused");
	assert_true(json_real_value(json_object_get(json_array_get(results, 0),
	    "latency_ms")) == 1.0);

	changes = json_object_get(doc, "changes");
	assert_int_equal(json_array_size(changes), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(changes, 0),
	    "from")), "critical");
	assert_string_equal(json_string_value(json_object_get(json_array_get(changes, 0),
	    "to")), "healthy");

	summary = json_object_get(doc, "summary");
	assert_int_equal(json_integer_value(json_object_get(summary, "runs")), 10);
	assert_true(json_real_value(json_object_get(summary, "healthy_pct")) == 80.0);
	assert_true(json_real_value(json_object_get(summary, "p50_ms")) == 5.0);
	assert_true(json_real_value(json_object_get(summary, "p95_ms")) == 10.0);
	json_decref(doc);

	/* A longer window takes in the old run. */
	doc = run_json(0, "history", "port", "--since", "7d", "--state-dir", t.state,
	    "--format", "json", NULL);
	assert_int_equal(json_array_size(json_object_get(doc, "results")), 11);
	assert_int_equal(json_array_size(json_object_get(doc, "changes")), 3);
	json_decref(doc);
}

static void
history_text_has_a_table_and_a_summary(void **state)
{
	char *out;

	make_store();
	assert_int_equal(harness_cli(&t, &out, "history", "port", "--state-dir", t.state,
	    NULL), 0);
	assert_non_null(strstr(out, "TIME                 STATE       LATENCY  MESSAGE\n"));
	assert_non_null(strstr(out, "  healthy       1.0ms  connected\n"));
	assert_non_null(strstr(out, "  critical      4.0ms  connection refused\n"));
	assert_null(strstr(out, "long ago"));
	assert_non_null(strstr(out, "port: 10 runs in the last 24h, 80.0% healthy, "
	    "2 state changes, latency p50 5.0ms p95 10.0ms\n"));
	free(out);
}

static void
history_of_an_unknown_check_is_empty(void **state)
{
	json_t *doc;
	char *out;

	make_store();
	assert_int_equal(harness_cli(&t, &out, "history", "ghost", "--state-dir", t.state,
	    NULL), 0);
	assert_string_equal(out, "no history for check 'ghost' in the last 24h\n");
	free(out);
	doc = run_json(0, "history", "ghost", "--state-dir", t.state, "--format", "json",
	    NULL);
	assert_int_equal(json_array_size(json_object_get(doc, "results")), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "changes")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc,
	    "summary"), "runs")), 0);
	json_decref(doc);
}

static void
history_needs_a_check(void **state)
{
	char *out;

	assert_int_equal(harness_cli(&t, &out, "history", "--state-dir", t.state, NULL), 2);
	assert_non_null(strstr(out, "usage: tend history CHECK"));
	free(out);
}

static void
no_database_is_not_an_error(void **state)
{
	json_t *doc;
	char *out, want[400];

	snprintf(want, sizeof(want), "no incidents recorded (no database at %s/tend.db)\n",
	    t.state);
	assert_int_equal(harness_cli(&t, &out, "incidents", "--state-dir", t.state, NULL), 0);
	assert_string_equal(out, want);
	free(out);
	doc = run_json(0, "incidents", "--state-dir", t.state, "--format", "json", NULL);
	assert_true(json_is_array(doc));
	assert_int_equal(json_array_size(doc), 0);
	json_decref(doc);
	assert_int_equal(harness_cli(&t, &out, "history", "port", "--state-dir", t.state,
	    NULL), 0);
	assert_non_null(strstr(out, "no history for check 'port'"));
	free(out);
	/* Looking must not create it. */
	snprintf(want, sizeof(want), "%s/tend.db", t.state);
	assert_int_equal(access(want, F_OK), -1);
}

/* --service and --services are both whole names; a prefix of both is refused. */
static void
service_and_services_both_parse(void **state)
{
	char *out;

	harness_write_config(&t, "services:\n  a:\n    run: [@FAKESVC@]\n");
	assert_int_equal(harness_cli(&t, &out, "check", "--services", "-c", t.config,
	    NULL), 0);
	assert_non_null(strstr(out, "overall: healthy (0 checks)"));
	free(out);
	assert_int_equal(harness_cli(&t, &out, "incidents", "--service", "a",
	    "--state-dir", t.state, NULL), 0);
	free(out);
	assert_int_equal(harness_cli(&t, &out, "check", "--serv", "-c", t.config, NULL), 2);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(incidents_lists_newest_first_with_attempts),
		TEND_TEST(incidents_open_shows_only_the_unresolved),
		TEND_TEST(incidents_since_limits_the_window),
		TEND_TEST(incidents_json_has_every_column_and_the_attempts),
		TEND_TEST(history_json_summarises_the_window),
		TEND_TEST(history_text_has_a_table_and_a_summary),
		TEND_TEST(history_of_an_unknown_check_is_empty),
		TEND_TEST(history_needs_a_check),
		TEND_TEST(no_database_is_not_an_error),
		TEND_TEST(service_and_services_both_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
