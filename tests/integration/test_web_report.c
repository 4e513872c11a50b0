/*
 * GET /api/report with the real binary: known rows written into the
 * daemon's store while it runs (incidents, healing attempts, chaos runs)
 * come back as tend report's JSON numbers, --compare's period as
 * "previous", and bad arguments (a since that is no duration or longer
 * than 400 days, a compare that is no boolean) get a 400 JSON error. A
 * report that takes a while (a year of 100,000 incidents) holds up no
 * other request: the store's reads are the reader thread's.
 */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#define DAY_MS		86400000LL
#define SLOW_INCIDENTS	100000	/* a report of them takes 0.3 s or more */
#define SLOW_REPORTS	2	/* asked at once */
#define QUICK_MS	150	/* what /healthz may take meanwhile */

static const char config[] =
    "web: { listen: '127.0.0.1:0' }\n"
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, web]\n";

static char url[256], token[128];

static long long
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* GET path's JSON, expecting status (a new reference). */
static json_t *
get(const char *path, long status)
{
	char *body = NULL;
	long got = harness_http_send(url, "GET", path, NULL, NULL, &body);
	json_t *doc = json_loads(body != NULL ? body : "", 0, NULL);

	if (got != status || doc == NULL)
		fail_msg("GET %s: HTTP %ld, expected %ld: %s", path, got, status, body);
	free(body);
	return doc;
}

static void
refused(const char *path, const char *says)
{
	json_t *doc = get(path, 400);
	const char *err = json_string_value(json_object_get(doc, "error"));

	assert_true(json_is_false(json_object_get(doc, "ok")));
	if (err == NULL || strstr(err, says) == NULL)
		fail_msg("GET %s: error '%s', expected it to say '%s'", path, err, says);
	json_decref(doc);
}

/* sql run in the daemon's store, as another writer would. */
static void
store_exec(const char *sql)
{
	char path[400], *err = NULL;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/tend.db", t.state);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s", err);
	sqlite3_close(db);
}

/*
 * Into the daemon's store, as another writer would: two crashes of api
 * this week healed by a restart, one the week before; two chaos runs of
 * api-crash, one passed.
 */
static void
write_rows(void)
{
	long long now = wall_ms(), a = now - 2 * DAY_MS, b = now - DAY_MS / 2;
	long long old = now - 9 * DAY_MS;
	char sql[2048];

	snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE;"
	    "INSERT INTO error_incidents (id, target, category, severity, detected_at, "
	    "resolved_at, mttd_ms, mttr_ms, phase, attempts, resolution) VALUES "
	    "(901, 'api', 'crash', 'critical', %lld, %lld, 50, 3000, 'resolved', 1, "
	    "'healed by restart'), (902, 'api', 'crash', 'critical', %lld, %lld, 70, 5000, "
	    "'resolved', 1, 'healed by restart'), (903, 'api', 'crash', 'critical', %lld, "
	    "%lld, 90, 1000, 'resolved', 0, 'recovered by itself');"
	    "INSERT INTO healing_attempts (incident_id, action, started_at, ended_at, outcome) "
	    "VALUES (901, 'restart', %lld, %lld, 'healed'), (902, 'restart', %lld, %lld, "
	    "'healed');"
	    "INSERT INTO chaos_runs (id, experiment, fault, target, started_at, ended_at, ok, "
	    "failed) VALUES (1, 'api-crash', 'kill', 'api', %lld, %lld, 1, '[]'), "
	    "(2, 'api-crash', 'kill', 'api', %lld, %lld, 0, '[\"healed_within\"]');"
	    "INSERT INTO chaos_results (run_id, n, mttd_ms, mttr_ms) VALUES (1, 1, 2, 8), "
	    "(2, 1, 3, 40);"
	    "COMMIT;", a, a + 3000, b, b + 5000, old, old + 1000, a + 10, a + 3000, b + 10,
	    b + 5000, a, a + 100, b, b + 100);
	store_exec(sql);
}

/* Many incidents over the last 400 days (one a few minutes), in one statement. */
static void
write_many(int n)
{
	long long now = wall_ms();
	char sql[1024];

	snprintf(sql, sizeof(sql), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
	    "FROM n WHERE i < %d) INSERT INTO error_incidents (target, category, severity, "
	    "detected_at, resolved_at, mttd_ms, mttr_ms, phase, attempts, resolution) "
	    "SELECT 'svc' || (i %% 50), 'crash', 'critical', %lld - i * %lld, "
	    "%lld - i * %lld + 3000, 50, 3000, 'resolved', 1, 'healed by restart' FROM n",
	    n, now, 399 * DAY_MS / n, now, 399 * DAY_MS / n);
	store_exec(sql);
}

static void
start(void)
{
	t.web = true;
	harness_write_config(&t, config);
	harness_start(&t);
	/* The store is made before the web server starts. */
	harness_web(&t, url, sizeof(url), token, sizeof(token));
	write_rows();
}

static void
the_report_has_the_stores_numbers(void **state)
{
	json_t *doc, *sum, *chaos, *exp, *prev;

	(void)state;
	start();
	doc = get("/api/report?since=7d&compare=1", 200);
	sum = json_object_get(doc, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "incidents_opened")), 2);
	assert_int_equal(json_integer_value(json_object_get(sum, "incidents_healed")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(sum, "mttr_ms"),
	    "p90")), 5000);
	assert_true(json_real_value(json_object_get(sum, "heal_rate")) == 1.0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(doc,
	    "incidents"), "by_category"), "crash")), 2);
	assert_int_equal(json_integer_value(json_object_get(doc, "end")) -
	    json_integer_value(json_object_get(doc, "start")), 7 * DAY_MS);
	chaos = json_object_get(doc, "chaos");
	exp = json_array_get(json_object_get(chaos, "experiments"), 0);
	assert_string_equal(json_string_value(json_object_get(exp, "action")), "api-crash");
	assert_int_equal(json_integer_value(json_object_get(exp, "attempts")), 2);
	assert_int_equal(json_integer_value(json_object_get(exp, "healed")), 1);
	assert_int_equal(json_integer_value(json_object_get(chaos, "mttr_p90_ms")), 40);
	assert_true(json_is_array(json_object_get(doc, "recommendations")));
	prev = json_object_get(doc, "previous");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(prev, "summary"),
	    "incidents_opened")), 1);
	json_decref(doc);

	/* Without compare, no previous period; a day holds none of them. */
	doc = get("/api/report?since=1d", 200);
	assert_null(json_object_get(doc, "previous"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"),
	    "incidents_opened")), 1);
	json_decref(doc);
	doc = get("/api/report?since=400d", 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"),
	    "incidents_opened")), 3);
	json_decref(doc);
}

static void
bad_arguments_get_a_400(void **state)
{
	(void)state;
	start();
	refused("/api/report?since=soon", "'since': expected a duration");
	refused("/api/report?since=0s", "'since': expected a duration");
	refused("/api/report?since=401d", "'since': at most 400d");
	refused("/api/report?compare=maybe", "'compare': expected 1, 0, true or false");
	/* The daemon answers on. */
	json_decref(get("/api/report", 200));
}

struct slow_get {
	pthread_t	 thread;
	long		 status;
	atomic_llong	 ended_ms;
};

static void *
slow_get_run(void *arg)
{
	struct slow_get *g = arg;

	g->status = harness_http_send(url, "GET", "/api/report?since=400d", NULL, NULL, NULL);
	g->ended_ms = wall_ms();
	return NULL;
}

/*
 * Two year-long reports asked at once, and /healthz and the status while
 * they are made: each answered within QUICK_MS (a web thread that made
 * the reports itself would keep them waiting for one).
 */
static void
a_slow_report_holds_up_no_other_request(void **state)
{
	struct slow_get g[SLOW_REPORTS];
	long long began, asked, took, worst = 0, first_end = 0;
	int i, n = 0;

	(void)state;
	memset(g, 0, sizeof(g));
	start();
	write_many(SLOW_INCIDENTS);
	began = wall_ms();
	for (i = 0; i < SLOW_REPORTS; i++)
		assert_int_equal(pthread_create(&g[i].thread, NULL, slow_get_run, &g[i]), 0);
	/* Until the first report is answered (they are made one after the other). */
	for (;;) {
		for (i = 0; i < SLOW_REPORTS; i++)
			if (g[i].ended_ms != 0 && (first_end == 0 || g[i].ended_ms < first_end))
				first_end = g[i].ended_ms;
		if (first_end != 0 || wall_ms() - began > 30000)
			break;
		asked = wall_ms();
		assert_int_equal(harness_http_send(url, "GET", n % 2 ? "/healthz" :
		    "/api/status", NULL, NULL, NULL), 200);
		took = wall_ms() - asked;
		worst = took > worst ? took : worst;
		n++;
	}
	for (i = 0; i < SLOW_REPORTS; i++) {
		pthread_join(g[i].thread, NULL);
		assert_int_equal(g[i].status, 200);
	}
	if (worst > QUICK_MS)
		fail_msg("while reports were made, a request took %lld ms (of %d, in %lld ms)",
		    worst, n, first_end - began);
	if (n < 3)
		fail_msg("the reports took %lld ms: too quick to show anything (%d requests "
		    "meanwhile)", first_end - began, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(the_report_has_the_stores_numbers),
		TEND_TEST(bad_arguments_get_a_400),
		TEND_TEST(a_slow_report_holds_up_no_other_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
