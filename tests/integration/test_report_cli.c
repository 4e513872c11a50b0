/*
 * tend report with the real binary, on a tend.db the store made and known
 * rows filled: each format, --compare, --output written whole, and bad
 * arguments refused with exit 2 and a message naming them.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "store/store.h"

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
db_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

/*
 * web crashed twice this week, healed by a restart each time; once the
 * week before. Its check was critical for one hour of the last week.
 */
static void
make_store(void)
{
	char path[400], err[512], sql[1024];
	long long now = wall_ms(), a = now - 2 * DAY_MS, b = now - DAY_MS, old = now - 9 * DAY_MS;
	struct store *st;
	sqlite3 *db;

	assert_int_equal(mkdir(t.state, 0700), 0);
	snprintf(path, sizeof(path), "%s/tend.db", t.state);
	if ((st = store_open(path, err, sizeof(err))) == NULL)
		fail_msg("store_open: %s", err);
	store_add_state_change(st, now - 30 * DAY_MS, "check", "web-http", "web", "unknown",
	    "healthy", "ok");
	store_add_state_change(st, a, "check", "web-http", "web", "healthy", "critical",
	    "refused");
	store_add_state_change(st, a + HOUR_MS, "check", "web-http", "web", "critical",
	    "healthy", "ok");
	assert_true(store_flush(st) > 0);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "INSERT INTO error_incidents (id, target, category, "
	    "severity, detected_at, resolved_at, mttd_ms, mttr_ms, phase, attempts, resolution) "
	    "VALUES (1, 'web', 'crash', 'critical', %lld, %lld, 120, 2000, 'resolved', 1, "
	    "'healed by restart'), (2, 'web', 'crash', 'critical', %lld, %lld, 80, 4000, "
	    "'resolved', 1, 'healed by restart'), (3, 'web', 'crash', 'critical', %lld, %lld, "
	    "100, 1000, 'resolved', 0, 'recovered by itself')", a, a + 2000, b, b + 4000, old,
	    old + 1000);
	db_exec(db, sql);
	snprintf(sql, sizeof(sql), "INSERT INTO healing_attempts (incident_id, action, "
	    "started_at, ended_at, outcome) VALUES (1, 'restart', %lld, %lld, 'healed'), "
	    "(2, 'restart', %lld, %lld, 'healed')", a + 100, a + 2000, b + 100, b + 4000);
	db_exec(db, sql);
	sqlite3_close(db);
}

static void
text_is_the_default_with_every_section(void **state)
{
	char *out;

	(void)state;
	make_store();
	assert_int_equal(harness_cli(&t, &out, "report", "--state-dir", t.state, NULL), 0);
	harness_contains(out, " UTC\n\n== Summary ==\n");
	harness_contains(out, "incidents opened");
	harness_contains(out, "== Availability ==");
	harness_contains(out, "99.40%");	/* one hour of 168 */
	harness_contains(out, "== Healing effectiveness ==");
	harness_contains(out, "== Chaos results ==");
	harness_contains(out, "== Recommendations ==");
	free(out);
}

static void
markdown_compares_with_the_week_before(void **state)
{
	char *out;

	(void)state;
	make_store();
	assert_int_equal(harness_cli(&t, &out, "report", "--compare", "--format", "markdown",
	    "--state-dir", t.state, NULL), 0);
	harness_contains(out, "# tend report, ");
	harness_contains(out, "| incidents opened | 2 | 1 | +1 |");
	harness_contains(out, "| crash | 2 | 1 | +1 |");
	harness_contains(out, "| auto-heal success rate | 100.00% | - |");
	harness_contains(out, "| MTTR p90 | 4.0s | 1.0s |");
	harness_contains(out, "| restart | 2 | 2 | 100.00% |");
	free(out);
}

static void
json_has_the_numbers_and_output_writes_a_file(void **state)
{
	char *out, *text, file[400];
	json_t *doc, *sum;

	(void)state;
	make_store();
	snprintf(file, sizeof(file), "%s/week.json", t.dir);
	assert_int_equal(harness_cli(&t, &out, "report", "--format", "json", "--since", "3d",
	    "--output", file, "--state-dir", t.state, NULL), 0);
	assert_string_equal(out, "");
	free(out);
	text = harness_read_file(file);
	assert_non_null(text);
	doc = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(doc);
	sum = json_object_get(doc, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "incidents_opened")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(sum, "mttd_ms"),
	    "p50")), 80);
	assert_true(json_real_value(json_object_get(sum, "heal_rate")) == 1.0);
	assert_int_equal(json_integer_value(json_object_get(doc, "end")) -
	    json_integer_value(json_object_get(doc, "start")), 3 * DAY_MS);
	json_decref(doc);

	snprintf(file, sizeof(file), "%s/week.html", t.dir);
	assert_int_equal(harness_cli(&t, &out, "report", "--format", "html", "--output", file,
	    "--state-dir", t.state, NULL), 0);
	free(out);
	text = harness_read_file(file);
	harness_contains(text, "<!DOCTYPE html>");
	harness_contains(text, "<svg");
	harness_contains(text, "</html>\n");
	free(text);
}

static void
bad_arguments_exit_2_and_say_why(void **state)
{
	char *out;

	(void)state;
	make_store();
	assert_int_equal(harness_cli(&t, &out, "report", "--since", "soon", "--state-dir",
	    t.state, NULL), 2);
	harness_contains(out, "--since 'soon'");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "report", "--since", "0s", "--state-dir",
	    t.state, NULL), 2);
	free(out);
	assert_int_equal(harness_cli(&t, &out, "report", "--format", "pdf", "--state-dir",
	    t.state, NULL), 2);
	harness_contains(out, "--format 'pdf': expected text, markdown, json or html");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "report", "extra", "--state-dir", t.state,
	    NULL), 2);
	harness_contains(out, "unexpected 'extra'");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "report", "--bogus", NULL), 2);
	harness_contains(out, "usage: tend report");
	free(out);
	/* A file that cannot be written: nothing half-written, exit 1. */
	assert_int_equal(harness_cli(&t, &out, "report", "--output", "/nonexistent/dir/r.md",
	    "--state-dir", t.state, NULL), 1);
	harness_contains(out, "/nonexistent/dir/r.md");
	free(out);
}

static void
no_database_is_said_plainly(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(harness_cli(&t, &out, "report", "--state-dir", t.state, NULL), 1);
	harness_contains(out, "no database at");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(text_is_the_default_with_every_section),
		TEND_TEST(markdown_compares_with_the_week_before),
		TEND_TEST(json_has_the_numbers_and_output_writes_a_file),
		TEND_TEST(bad_arguments_exit_2_and_say_why),
		TEND_TEST(no_database_is_said_plainly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
