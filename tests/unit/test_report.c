/*
 * The report's numbers on a store filled with known rows, checked exactly:
 * availability from state changes (the state at the period's start, time
 * unknown left out), nearest-rank percentiles, heal and action success
 * rates, trends against the period before, the recommendations that fire,
 * and the formats that render them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "report/report.h"
#include "store/read.h"
#include "store/store.h"

#define MIN_MS		60000LL
#define HOUR_MS		3600000LL
#define DAY_MS		86400000LL
#define T0		1000000000000LL		/* the period's start */
#define T1		(T0 + 7 * DAY_MS)	/* and end */

static char dir[] = "/tmp/tend-report-XXXXXX";
static char path[128];
static sqlite3 *db;

static void
db_exec(const char *fmt, ...)
{
	char sql[2048], *err = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

static void
sc(long long ts, const char *kind, const char *target, const char *from, const char *to)
{
	db_exec("INSERT INTO state_changes (ts, kind, target, from_state, to_state) "
	    "VALUES (%lld, '%s', '%s', '%s', '%s')", ts, kind, target, from, to);
}

/*
 * web-http: healthy since before the period, critical for one hour.
 * flappy: first seen two days in, then critical 30 minutes, five times.
 * web: up, then three crashes (backoff 1 s, starting 1 s each).
 * cpu.load: two anomalies.
 */
static void
fill_state_changes(void)
{
	int i;

	sc(T0 - HOUR_MS, "check", "web-http", "unknown", "healthy");
	sc(T0 + DAY_MS, "check", "web-http", "healthy", "critical");
	sc(T0 + DAY_MS + HOUR_MS, "check", "web-http", "critical", "healthy");
	sc(T0 + 2 * DAY_MS, "check", "flappy", "unknown", "healthy");
	for (i = 0; i < 5; i++) {
		sc(T0 + 3 * DAY_MS + i * HOUR_MS, "check", "flappy", "healthy", "critical");
		sc(T0 + 3 * DAY_MS + i * HOUR_MS + 30 * MIN_MS, "check", "flappy", "critical",
		    "healthy");
	}
	sc(T0 - DAY_MS, "service", "web", "starting", "up");
	for (i = 0; i < 3; i++) {
		sc(T0 + 4 * DAY_MS + i * HOUR_MS, "service", "web", "up", "backoff");
		sc(T0 + 4 * DAY_MS + i * HOUR_MS + 1000, "service", "web", "backoff", "starting");
		sc(T0 + 4 * DAY_MS + i * HOUR_MS + 2000, "service", "web", "starting", "up");
	}
	sc(T0 + 5 * DAY_MS, "anomaly", "cpu.load", "normal", "anomaly");
	sc(T0 + 5 * DAY_MS + MIN_MS, "anomaly", "cpu.load", "anomaly", "normal");
	sc(T0 + 6 * DAY_MS, "anomaly", "cpu.load", "normal", "anomaly");
}

static void
incident(int id, long long at, const char *target, const char *cat, const char *sev,
    int mttd, const char *mttr, const char *resolved, const char *phase, int attempts,
    const char *resolution, int recurring)
{
	db_exec("INSERT INTO error_incidents (id, target, category, severity, detected_at, "
	    "resolved_at, root_cause, mttd_ms, mttr_ms, phase, attempts, resolution, "
	    "recurring) VALUES (%d, '%s', '%s', '%s', %lld, %s, %s, %d, %s, '%s', %d, %s, %d)",
	    id, target, cat, sev, at, resolved, strcmp(target, "web") == 0 ? "'oom'" : "NULL",
	    mttd, mttr, phase, attempts, resolution, recurring);
}

static void
attempt(int inc, long long at, const char *action, const char *outcome)
{
	db_exec("INSERT INTO healing_attempts (incident_id, action, started_at, ended_at, "
	    "outcome) VALUES (%d, '%s', %lld, %lld, '%s')", inc, action, at, at + 100, outcome);
}

static void
fill_incidents(void)
{
	char r[64];

#define RES(t)	(snprintf(r, sizeof(r), "%lld", (long long)(t)), r)
	incident(1, T0 + HOUR_MS, "web", "crash", "critical", 100, "1000", RES(T0 + 2 * HOUR_MS),
	    "resolved", 1, "'healed by restart'", 0);
	incident(2, T0 + DAY_MS + HOUR_MS, "web", "crash", "critical", 200, "2000",
	    RES(T0 + DAY_MS + 2 * HOUR_MS), "resolved", 1, "'healed by restart'", 1);
	incident(3, T0 + DAY_MS + 2 * HOUR_MS, "web", "crash", "critical", 300, "3000",
	    RES(T0 + DAY_MS + 3 * HOUR_MS), "resolved", 2, "'healed by restart'", 1);
	incident(4, T0 + 2 * DAY_MS, "db", "network", "warning", 400, "4000",
	    RES(T0 + 2 * DAY_MS + HOUR_MS), "resolved", 4, "'recovered by itself'", 0);
	incident(5, T0 + 3 * DAY_MS + 10 * MIN_MS, "flappy", "timeout", "warning", 500, "NULL",
	    "NULL", "acting", 0, "NULL", 0);
	incident(6, T0 + 3 * DAY_MS + 11 * MIN_MS, "db-port", "network", "critical", 600,
	    "NULL", RES(T0 + 3 * DAY_MS + HOUR_MS), "merged", 0, "'merged'", 0);
	incident(7, T0 - 2 * DAY_MS, "db", "network", "warning", 50, "1000",
	    RES(T0 - 2 * DAY_MS + 1000), "resolved", 0, "'recovered by itself'", 0);
#undef RES
	attempt(1, T0 + HOUR_MS + 10, "restart", "healed");
	attempt(2, T0 + DAY_MS + HOUR_MS + 10, "restart", "healed");
	attempt(3, T0 + DAY_MS + 2 * HOUR_MS + 10, "restart", "failed");
	attempt(3, T0 + DAY_MS + 2 * HOUR_MS + 20, "restart", "healed");
	attempt(4, T0 + 2 * DAY_MS + 10, "restart", "not verified");
	attempt(4, T0 + 2 * DAY_MS + 20, "exec", "failed");
	attempt(4, T0 + 2 * DAY_MS + 30, "exec", "failed");
	attempt(4, T0 + 2 * DAY_MS + 40, "exec", "failed");
	attempt(5, T0 + 3 * DAY_MS + 20 * MIN_MS, "cleanup", "skipped");
	db_exec("INSERT INTO recovery_procedures (category, action, attempts, successes) "
	    "VALUES ('crash', 'restart', 10, 8)");
}

static void
fill_the_rest(void)
{
	db_exec("INSERT INTO alert_deliveries (at, event, target, channel, outcome) VALUES "
	    "(%lld, 'critical', 'web', 'slack', 'delivered'), (%lld, 'resolved', 'web', "
	    "'slack', 'delivered'), (%lld, 'critical', 'db', 'pager', 'failed'), "
	    "(%lld, 'critical', 'db', 'pager', 'failed')", T0 + HOUR_MS, T0 + 2 * HOUR_MS,
	    T0 + 2 * DAY_MS, T0 - DAY_MS);
	db_exec("INSERT INTO changes (at, kind, set_name, detail, bad, rolled_back_at) VALUES "
	    "(%lld, 'files', 'app', '{}', 1, %lld), (%lld, 'reload', NULL, '{}', 0, NULL)",
	    T0 + DAY_MS, T0 + DAY_MS + MIN_MS, T0 + 2 * DAY_MS);
	db_exec("INSERT INTO snapshots (set_name, reason, created_at, files, bytes, spec) "
	    "VALUES ('app', 'change', %lld, 1, 1, '{}'), ('app', 'pre-rollback', %lld, 1, 1, "
	    "'{}'), ('app', 'manual', %lld, 1, 1, '{}')", T0 + DAY_MS, T0 + DAY_MS + MIN_MS,
	    T0 - DAY_MS);
	db_exec("INSERT INTO dependency_changes (ts, check_name, dependency, old_version, "
	    "new_version) VALUES (%lld, 'deps', 'libssl3', '3.0.1', '3.0.2')", T0 + DAY_MS);
	/* Chaos: two runs of crash (one failed), one of hang; one before the period. */
	db_exec("INSERT INTO chaos_runs (id, experiment, fault, target, started_at, ended_at, "
	    "ok, failed) VALUES (1, 'crash', 'kill', 'web', %lld, %lld, 1, '[]'), "
	    "(2, 'crash', 'kill', 'web', %lld, %lld, 0, '[\"healed_within 2 ms\"]'), "
	    "(3, 'hang', 'hang', 'web', %lld, %lld, 1, '[]'), "
	    "(4, 'crash', 'kill', 'web', %lld, %lld, 1, '[]')", T0 + HOUR_MS, T0 + HOUR_MS,
	    T0 + DAY_MS, T0 + DAY_MS, T0 + 2 * DAY_MS, T0 + 2 * DAY_MS, T0 - DAY_MS,
	    T0 - DAY_MS);
	db_exec("INSERT INTO chaos_results (run_id, n, mttd_ms, mttr_ms, incident) VALUES "
	    "(1, 1, 1.0, 5.0, NULL), (1, 2, 1.0, 7.0, NULL), (2, 1, 2.0, 9.0, NULL), "
	    "(3, 1, 1800.0, 1803.0, 4), (4, 1, 1.0, 999.0, NULL)");
}

static int
setup(void **state)
{
	char err[256];
	struct store *st;

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/tend.db", dir);
	if ((st = store_open(path, err, sizeof(err))) == NULL)
		return -1;
	store_close(st);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	fill_state_changes();
	fill_incidents();
	fill_the_rest();
	sqlite3_close(db);
	db = store_read_open(path, err, sizeof(err));
	return db != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[200];

	(void)state;
	sqlite3_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static struct report *
collect(bool compare)
{
	char err[256];
	struct report *r = report_collect(db, T0, T1, compare, err, sizeof(err));

	if (r == NULL)
		fail_msg("report_collect: %s", err);
	return r;
}

static const struct report_target *
target(const struct report *r, const char *kind, const char *name)
{
	size_t i;

	for (i = 0; i < r->cur.n_targets; i++)
		if (strcmp(r->cur.targets[i].kind, kind) == 0 &&
		    strcmp(r->cur.targets[i].name, name) == 0)
			return &r->cur.targets[i];
	fail_msg("no %s %s", kind, name);
	return NULL;
}

static void
availability_counts_the_state_at_the_start_and_only_known_time(void **state)
{
	struct report *r = collect(false);
	const struct report_target *t;

	(void)state;
	assert_int_equal(r->cur.n_targets, 3);
	/* Services first, then checks, by name. */
	assert_string_equal(r->cur.targets[0].name, "web");
	assert_string_equal(r->cur.targets[1].name, "flappy");
	t = target(r, "check", "web-http");
	assert_int_equal(t->observed_ms, 7 * DAY_MS);
	assert_int_equal(t->up_ms, 7 * DAY_MS - HOUR_MS);
	assert_true(t->availability == (double)(7 * DAY_MS - HOUR_MS) / (double)(7 * DAY_MS));
	assert_int_equal(t->changes, 2);
	assert_int_equal(t->failures, 1);
	t = target(r, "check", "flappy");
	assert_int_equal(t->observed_ms, 5 * DAY_MS);
	assert_int_equal(t->up_ms, 5 * DAY_MS - 150 * MIN_MS);
	assert_int_equal(t->failures, 5);
	t = target(r, "service", "web");
	assert_int_equal(t->observed_ms, 7 * DAY_MS);
	assert_int_equal(t->up_ms, 7 * DAY_MS - 6000);
	assert_int_equal(t->starts, 3);
	assert_int_equal(t->backoffs, 3);
	assert_int_equal(t->gave_up, 0);
	assert_int_equal(r->cur.anomalies.n, 1);
	assert_int_equal(report_count_of(&r->cur.anomalies, "cpu.load"), 2);
	report_free(r);
}

static void
incidents_percentiles_and_heal_rate_are_exact(void **state)
{
	struct report *r = collect(false);
	const struct report_period *p = &r->cur;
	static const int64_t per_day[] = { 1, 2, 1, 1, 0, 0, 0 };

	(void)state;
	assert_int_equal(p->opened, 5);		/* the merged one counts with its root */
	assert_int_equal(p->resolved, 4);
	assert_int_equal(p->still_open, 1);
	assert_int_equal(p->mttd_p50, 300);
	assert_int_equal(p->mttd_p90, 500);
	assert_int_equal(p->mttr_p50, 2000);
	assert_int_equal(p->mttr_p90, 4000);
	assert_int_equal(p->acted, 4);
	assert_int_equal(p->healed, 3);
	assert_true(p->heal_rate == 0.75);
	assert_int_equal(p->n_buckets, 7);
	assert_memory_equal(p->opened_per_bucket, per_day, sizeof(per_day));
	assert_int_equal(report_count_of(&p->by_category, "crash"), 3);
	assert_int_equal(report_count_of(&p->by_category, "network"), 1);
	assert_int_equal(report_count_of(&p->by_severity, "critical"), 3);
	assert_int_equal(p->n_patterns, 3);
	assert_string_equal(p->patterns[0].target, "web");
	assert_string_equal(p->patterns[0].root_cause, "oom");
	assert_int_equal(p->patterns[0].n, 3);
	assert_int_equal(p->patterns[0].recurring, 2);
	report_free(r);
}

static void
healing_counts_attempts_that_ended_and_learning_estimates(void **state)
{
	struct report *r = collect(false);
	const struct report_period *p = &r->cur;

	(void)state;
	/* restart 5 tries 3 healed; exec 3 tries none; the skipped cleanup is no try. */
	assert_int_equal(p->per_action.n, 2);
	assert_string_equal(p->per_action.v[0].action, "restart");
	assert_int_equal(p->per_action.v[0].attempts, 5);
	assert_int_equal(p->per_action.v[0].healed, 3);
	assert_true(p->per_action.v[0].rate == 0.6);
	assert_string_equal(p->per_action.v[1].action, "exec");
	assert_true(p->per_action.v[1].rate == 0);
	assert_int_equal(p->per_category.n, 3);
	assert_string_equal(p->per_target.v[0].target, "web");
	assert_int_equal(p->per_target.v[0].healed, 3);
	assert_int_equal(p->procedures.n, 1);
	assert_true(p->procedures.v[0].estimate == 9.0 / 12.0);
	assert_true(p->procedures.v[0].rate == 0.8);
	assert_int_equal(report_count_of(&p->alerts, "delivered"), 2);
	assert_int_equal(report_count_of(&p->alert_failures, "pager"), 1);
	assert_int_equal(report_count_of(&p->changes, "files"), 1);
	assert_int_equal(p->changes_rolled_back, 1);
	assert_int_equal(report_count_of(&p->snapshots, "pre-rollback"), 1);
	assert_int_equal(report_count_of(&p->snapshots, "manual"), 0);
	assert_int_equal(p->dep_changes_total, 1);
	assert_string_equal(p->dep_changes[0].new_version, "3.0.2");
	report_free(r);
}

static void
compare_reads_the_period_before_and_the_rules_fire(void **state)
{
	static const char *const fired[] = { "repeat_heal", "flapping", "crash_loop",
	    "weak_action", "availability", "rising", "alert_failed" };
	struct report *r = collect(true);
	size_t i;

	(void)state;
	assert_non_null(r->prev);
	assert_int_equal(r->prev->start_ms, T0 - 7 * DAY_MS);
	assert_int_equal(r->prev->opened, 1);
	assert_int_equal(report_count_of(&r->prev->by_category, "network"), 1);
	assert_int_equal(report_count_of(&r->prev->alert_failures, "pager"), 1);
	/* web-http's first state came an hour before T0: one hour known, all up. */
	assert_int_equal(r->prev->n_targets, 2);
	assert_int_equal(r->n_advice, sizeof(fired) / sizeof(fired[0]));
	for (i = 0; i < r->n_advice; i++)
		assert_string_equal(r->advice[i].rule, fired[i]);
	assert_string_equal(r->advice[0].text, "restart fixed web 3 times: the same failure "
	    "keeps coming back; find its cause (a leak? raise its memory) rather than healing "
	    "it again");
	assert_non_null(strstr(r->advice[1].text, "check flappy flapped 5 times"));
	assert_non_null(strstr(r->advice[3].text, "exec healed 0 of 3 attempts (0%)"));
	assert_non_null(strstr(r->advice[4].text, "check flappy was available 97.92%"));
	assert_string_equal(r->advice[5].text, "crash incidents rose from 0 to 3");
	report_free(r);
}

static void
an_empty_period_says_nothing_was_recorded(void **state)
{
	char err[256];
	struct report *r = report_collect(db, T1 + 30 * DAY_MS, T1 + 37 * DAY_MS, false, err,
	    sizeof(err));

	(void)state;
	assert_non_null(r);
	/* web-http and web keep their last state: a quiet week is 100%. */
	assert_int_equal(r->cur.n_targets, 3);
	assert_true(r->cur.targets[0].availability == 1.0);
	assert_int_equal(r->cur.opened, 0);
	assert_true(r->cur.heal_rate == -1);
	assert_int_equal(r->cur.mttr_p50, -1);
	report_free(r);
}

static char *
render(const struct report *r, bool html)
{
	struct report_doc *d = report_doc(r);
	char *buf = NULL;
	size_t len;
	FILE *out = open_memstream(&buf, &len);

	if (html)
		report_html(d, out);
	else
		report_markdown(d, out);
	fclose(out);
	report_doc_free(d);
	return buf;
}

static void
markdown_html_and_json_carry_the_numbers(void **state)
{
	struct report *r = collect(true);
	char *md = render(r, false), *html = render(r, true), *text;
	json_t *j = report_json(r);

	(void)state;
	assert_non_null(strstr(md, "| crash | 3 | 0 | +3 |"));
	assert_non_null(strstr(md, "| incidents opened | 5 | 1 | +4 |"));
	assert_non_null(strstr(md, "| auto-heal success rate | 75.00% | - |"));
	assert_non_null(strstr(md, "| check | web-http | 99.40% | 1h00m | 2 | 1 |"));
	assert_non_null(strstr(md, "incidents per day: `▂█▂▂▁▁▁`"));
	assert_non_null(strstr(md, "## Chaos results"));
	assert_non_null(strstr(md, "raise its fail\\_after"));
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "<svg"));
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_non_null(strstr(html, "<td class=\"n\">75.00%</td>"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"),
	    "incidents_opened")), 5);
	/* Chaos: crash twice (one passed), hang once; faults' MTTR 5, 7, 9, 1803 ms. */
	assert_non_null(strstr(md, "| crash | kill | web | 2 | 1 | 50.00% |"));
	assert_non_null(strstr(md, "| hang | hang | web | 1 | 1 | 100.00% |"));
	assert_non_null(strstr(md, "MTTR of the injected faults: p50 7 ms, p90 1803 ms."));
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "chaos"),
	    "experiments")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "chaos"),
	    "mttr_p50_ms")), 7);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(j,
	    "summary"), "mttr_ms"), "p90")), 4000);
	assert_int_equal(json_array_size(json_object_get(j, "recommendations")), 7);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(j,
	    "previous"), "summary"), "incidents_opened")), 1);
	text = json_dumps(json_object_get(j, "availability"), JSON_COMPACT);
	assert_non_null(strstr(text, "\"name\":\"web-http\",\"up_ms\":601200000,"
	    "\"observed_ms\":604800000"));
	free(text);
	json_decref(j);
	free(md);
	free(html);
	report_free(r);
}

/* What a posted report says (report: to:): a few lines, and their numbers. */
static void
the_summary_says_the_period_in_a_few_lines(void **state)
{
	struct report *r = collect(true), *empty;
	const struct report_target *low;
	char *text = report_summary_text(r), title[128], err[256];
	json_t *j = report_summary_json(r);

	(void)state;
	/* 19 days observed over three targets, 3h30m06s of them down. */
	assert_true(report_availability(&r->cur, &low) == (double)(19 * DAY_MS -
	    HOUR_MS - 150 * MIN_MS - 6000) / (double)(19 * DAY_MS));
	assert_string_equal(low->name, "flappy");
	report_title(r, title, sizeof(title));
	assert_string_equal(title, "tend report, 2001-09-09 01:46 to 2001-09-16 01:46 UTC");
	assert_string_equal(text,
	    "availability 99.23% (lowest: check flappy, 97.92%)\n"
	    "incidents: 5 opened, 4 resolved, 1 open at the end\n"
	    "MTTD p50 300ms, MTTR p50 2.0s\n"
	    "auto-heal: 3 of the 4 incidents tend acted on healed (75.00%)\n"
	    "top recommendation: restart fixed web 3 times: the same failure keeps coming "
	    "back; find its cause (a leak? raise its memory) rather than healing it again");
	assert_string_equal(json_string_value(json_object_get(j, "title")), title);
	assert_int_equal(json_integer_value(json_object_get(j, "start")), T0);
	assert_int_equal(json_integer_value(json_object_get(j, "incidents_opened")), 5);
	assert_int_equal(json_integer_value(json_object_get(j, "mttr_p50_ms")), 2000);
	assert_true(json_real_value(json_object_get(j, "heal_rate")) == 0.75);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "lowest"),
	    "name")), "flappy");
	assert_non_null(strstr(json_string_value(json_object_get(j, "recommendation")),
	    "restart fixed web 3 times"));
	free(text);
	json_decref(j);
	report_free(r);
	/* Nothing at all: said so, with nulls for what was not measured. */
	empty = report_collect(db, 0, 1000, false, err, sizeof(err));
	assert_non_null(empty);
	text = report_summary_text(empty);
	j = report_summary_json(empty);
	assert_non_null(strstr(text, "availability: nothing observed in the period\n"));
	assert_non_null(strstr(text, "MTTD p50 -, MTTR p50 -\n"));
	assert_non_null(strstr(text, "auto-heal: tend acted on no incident\n"));
	assert_true(json_is_null(json_object_get(j, "availability")));
	assert_true(json_is_null(json_object_get(j, "lowest")));
	assert_true(json_is_null(json_object_get(j, "heal_rate")));
	free(text);
	json_decref(j);
	report_free(empty);
}

static void
sparklines_scale_to_the_largest_count(void **state)
{
	static const int64_t v[] = { 0, 1, 4, 7 };
	static const int64_t one[] = { 0, 1 };
	char buf[64];

	(void)state;
	report_sparkline(v, 4, buf, sizeof(buf));
	assert_string_equal(buf, "▁▂▅█");
	report_sparkline(one, 2, buf, sizeof(buf));
	assert_string_equal(buf, "▁█");
	report_sparkline(v, 4, buf, 7);		/* room for two: cut, still valid UTF-8 */
	assert_string_equal(buf, "▁▂");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(availability_counts_the_state_at_the_start_and_only_known_time),
		cmocka_unit_test(incidents_percentiles_and_heal_rate_are_exact),
		cmocka_unit_test(healing_counts_attempts_that_ended_and_learning_estimates),
		cmocka_unit_test(compare_reads_the_period_before_and_the_rules_fire),
		cmocka_unit_test(an_empty_period_says_nothing_was_recorded),
		cmocka_unit_test(markdown_html_and_json_carry_the_numbers),
		cmocka_unit_test(the_summary_says_the_period_in_a_few_lines),
		cmocka_unit_test(sparklines_scale_to_the_largest_count),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
