/*
 * The web server's pure parts: metrics families from a status, their
 * Prometheus text (label escaping, special values, metrics.labels on every
 * series), the snapshot's bodies
 * and its table of checks, and the API token's comparison.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "web/prometheus.h"
#include "web/snapshot.h"
#include "web/token.h"

static const char status_json[] =
    "{\"ok\": true, \"state\": \"warning\", \"generated_at\": 1764500000000,"
    " \"tend\": {\"version\": \"0.1.0\", \"uptime_ms\": 1500, \"check_runs\": 42,"
    "  \"open_incidents\": 2, \"escalated_incidents\": 1, \"incidents_total\": 3,"
    "  \"loop_lag_ms\": 0.25,"
    "  \"rss_bytes\": 8388608},"
    " \"host\": {\"cpu_pct\": 50, \"load1\": 0.5},"
    " \"heal_actions\": [{\"action\": \"restart\", \"outcome\": \"healed\", \"count\": 2}],"
    " \"services\": [{\"name\": \"web\", \"state\": \"up\", \"restarts\": 2,"
    "   \"restarts_by_reason\": {\"crash\": 2, \"healer\": 0}},"
    "  {\"name\": \"db\", \"state\": \"backoff\", \"restarts\": 7,"
    "   \"restarts_by_reason\": {\"crash\": 4, \"operator\": 1, \"reload\": 2}}],"
    " \"checks\": [{\"name\": \"health\", \"service\": \"web\", \"state\": \"warning\","
    "  \"latency_ms\": 12.5},"
    "  {\"name\": \"odd \\\"name\\\"\\\\x\\nz\", \"service\": null, \"state\": \"healthy\","
    "   \"latency_ms\": null}]}";

static json_t *
status(void)
{
	json_error_t err;
	json_t *doc = json_loads(status_json, 0, &err);

	if (doc == NULL)
		fail_msg("fixture: %s", err.text);
	return doc;
}

static void
contains(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected '%s' in:\n%s", want, text);
}

static void
test_prometheus_text(void **state)
{
	json_t *doc = status(), *families = metrics_families(doc);
	char *text = prometheus_text(families);

	contains(text, "# HELP tend_up 1: tend is running.\n# TYPE tend_up gauge\ntend_up 1\n");
	contains(text, "tend_check_state{check=\"health\",service=\"web\",state=\"warning\"} 1\n");
	contains(text, "tend_check_state{check=\"health\",service=\"web\",state=\"healthy\"} 0\n");
	contains(text, "tend_check_latency_seconds{check=\"health\",service=\"web\"} 0.0125\n");
	/* A check without latency has no latency sample; its odd name is escaped. */
	contains(text, "tend_check_state{check=\"odd \\\"name\\\"\\\\x\\nz\",service=\"\","
	    "state=\"healthy\"} 1\n");
	assert_null(strstr(text, "tend_check_latency_seconds{check=\"odd"));
	contains(text, "tend_service_up{service=\"db\"} 0\n");
	contains(text, "tend_service_parked{service=\"db\"} 0\n");
	contains(text, "# TYPE tend_service_restarts_total counter\n");
	/* One sample per reason, zeros included: a rate() needs its series from the start. */
	contains(text, "tend_service_restarts_total{service=\"db\",reason=\"crash\"} 4\n");
	contains(text, "tend_service_restarts_total{service=\"db\",reason=\"operator\"} 1\n");
	contains(text, "tend_service_restarts_total{service=\"db\",reason=\"reload\"} 2\n");
	contains(text, "tend_service_restarts_total{service=\"web\",reason=\"healer\"} 0\n");
	contains(text, "tend_heal_actions_total{action=\"restart\",outcome=\"healed\"} 2\n");
	contains(text, "tend_incidents_total 3\n");
	contains(text, "tend_incidents_open 2\n");
	contains(text, "tend_incidents_escalated 1\n");
	contains(text, "tend_host_cpu_ratio 0.5\n");
	contains(text, "tend_loop_lag_seconds 0.00025\n");
	/* Absent host figures are left out rather than made up. */
	assert_null(strstr(text, "tend_host_memory_ratio"));
	free(text);
	json_decref(families);
	json_decref(doc);
}

/* /metrics written from a table of checks is the text of the status's families. */
static void
test_metrics_text_of_table(void **state)
{
	json_t *doc = status(), *families = metrics_families(doc);
	struct web_snapshot *snap = web_snapshot_build(doc, NULL);
	char *want = prometheus_text(families), *got = metrics_text(doc, snap->checks);

	assert_string_equal(got, want);
	free(want);
	free(got);
	web_snapshot_unref(snap);
	json_decref(families);
	json_decref(doc);
}

/* metrics.labels on every sample, after its own, the same on both paths. */
static void
test_static_labels(void **state)
{
	json_t *doc = status(), *families;
	struct web_snapshot *snap;
	char *want, *got, *line, *save = NULL;
	int samples = 0;

	json_object_set_new(json_object_get(doc, "tend"), "labels",
	    json_pack("{s:s, s:s}", "env", "prod", "team", "a\"b"));
	families = metrics_families(doc);
	snap = web_snapshot_build(doc, NULL);
	want = prometheus_text(families);
	got = metrics_text(doc, snap->checks);
	assert_string_equal(got, want);
	for (line = strtok_r(got, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		samples++;
		if (strstr(line, "env=\"prod\",team=\"a\\\"b\"") == NULL)
			fail_msg("a sample without the labels: %s", line);
	}
	assert_true(samples > 20);
	assert_non_null(strstr(want, "tend_check_state{check=\"health\",service=\"web\","
	    "state=\"warning\",env=\"prod\",team=\"a\\\"b\"} 1\n"));
	free(want);
	free(got);
	web_snapshot_unref(snap);
	json_decref(families);
	json_decref(doc);
}

static void
test_snapshot(void **state)
{
	json_t *doc = status();
	struct web_snapshot *snap = web_snapshot_build(doc, NULL), *next;
	const struct web_body *b;

	assert_int_equal(snap->st->generated_at, 1764500000000LL);
	assert_non_null(web_snapshot_service(snap, "web"));
	assert_null(web_snapshot_service(snap, "nope"));
	/* Without a table of its own, the status's checks are the table. */
	assert_int_equal(snap->checks->n, 2);
	assert_string_equal(snap->checks->v[0]->name, "health");
	assert_string_equal(snap->checks->v[0]->state, "warning");
	assert_null(snap->checks->v[1]->service);
	assert_true(isnan(snap->checks->v[1]->latency_ms));
	/* One data line of an event: the JSON has no newline of its own. */
	b = web_status_text(snap->st);
	assert_null(memchr(b->data, '\n', b->len));
	contains(b->data, "{\"ok\":true,");
	contains(web_snapshot_lazy(snap, WEB_LAZY_SERIES)->data, "\"check.health.latency_ms\"");
	b = web_snapshot_lazy(snap, WEB_LAZY_METRICS);
	contains(b->data, "tend_up 1\n");
	/* Made once, then kept. */
	assert_ptr_equal(web_snapshot_lazy(snap, WEB_LAZY_METRICS), b);
	contains(web_snapshot_lazy(snap, WEB_LAZY_SERVICES)->data,
	    "{\"services\":[{\"name\":\"web\"");
	web_snapshot_ref(snap);
	web_snapshot_unref(snap);
	next = web_snapshot_with_checks(snap, web_checks_new(NULL, 0));
	/* A new table, the same status: shared, not made again. */
	assert_ptr_equal(next->st, snap->st);
	assert_int_equal(next->checks->n, 0);
	web_snapshot_unref(snap);
	assert_string_equal(json_string_value(json_object_get(next->st->doc, "state")), "warning");
	web_snapshot_unref(next);
	json_decref(doc);
}

/*
 * A status that lists only the checks that are not healthy (past
 * WEB_STATUS_ALL_CHECKS): /metrics and /api/metrics still have every check
 * of the table, with its metrics' labels.
 */
static void
test_snapshot_table(void **state)
{
	json_t *doc = status(), *one;
	struct web_check *v[2];
	struct web_snapshot *snap;
	const char *metrics;

	one = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:[{s:s, s:f}, {s:s, s:n}]}", "name",
	    "disk", "service", "web", "type", "resource", "state", "healthy", "message",
	    "disk 40%", "latency_ms", 0.5, "metrics", "label", "used_pct", "value", 40.0,
	    "label", "free", "value");
	v[0] = web_check_new(one);
	v[1] = web_check_new(json_array_get(json_object_get(doc, "checks"), 0));
	json_decref(one);
	snap = web_snapshot_build(doc, web_checks_new(v, 2));
	web_check_unref(v[0]);
	web_check_unref(v[1]);
	assert_string_equal(snap->checks->v[0]->type, "resource");
	assert_string_equal(snap->checks->v[0]->words, "disk\nweb\ndisk 40%");
	/* What ?q= looks in, in lower case. */
	assert_string_equal(snap->checks->v[1]->words, "health\nweb\n");
	contains(snap->checks->v[0]->json.data, "\"name\":\"disk\"");
	metrics = web_snapshot_lazy(snap, WEB_LAZY_METRICS)->data;
	contains(metrics, "tend_check_state{check=\"disk\",service=\"web\",state=\"healthy\"} 1\n");
	contains(metrics, "tend_check_latency_seconds{check=\"disk\",service=\"web\"} 0.0005\n");
	/* What the status listed and the table does not have is not made up. */
	assert_null(strstr(metrics, "check=\"odd"));
	contains(web_snapshot_lazy(snap, WEB_LAZY_SERIES)->data,
	    "\"check.disk.latency_ms\",\"check.disk.used_pct\",\"check.disk.free\"");
	assert_true(web_snapshot_has_series(snap, "check.disk.used_pct"));
	assert_true(web_snapshot_has_series(snap, "check.health.latency_ms"));
	assert_true(web_snapshot_has_series(snap, "host.load1"));
	assert_false(web_snapshot_has_series(snap, "check.disk.nope"));
	assert_false(web_snapshot_has_series(snap, "check.dis.latency_ms"));
	web_snapshot_unref(snap);
	json_decref(doc);
}

static void
test_token_equal(void **state)
{
	const char *given = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct web_token token = { 0 };

	/* No token yet: nothing matches, not even an empty string. */
	assert_false(web_token_equal(&token, "", 0));
	assert_false(web_token_equal(&token, given, 64));
	memcpy(token.value, given, 65);
	atomic_store(&token.ready, true);
	assert_true(web_token_equal(&token, given, 64));
	assert_false(web_token_equal(&token, given, 63));
	assert_false(web_token_equal(&token, "1123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef", 64));
	assert_false(web_token_equal(&token, "", 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prometheus_text),
		cmocka_unit_test(test_metrics_text_of_table),
		cmocka_unit_test(test_static_labels),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_snapshot_table),
		cmocka_unit_test(test_token_equal),
	};

	return cmocka_run_group_tests_name("web_metrics", tests, NULL, NULL);
}
