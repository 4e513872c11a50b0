/*
 * The API past WEB_STATUS_ALL_CHECKS (200 checks) with the real binary:
 * 24 services of 10 file checks each and one check of no service, three of
 * them failing. /api/status lists only those three (checks_trimmed), with
 * check_counts for the whole and for each service, and at most 200 when
 * 239 fail (checks_more the rest); GET /api/checks pages through all 241
 * from the published table, filtered by service, state, type and words,
 * each entry the same object the scheduler gives; /metrics and
 * /api/metrics still have every check; bad arguments get a 4xx JSON error.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVICES	24
#define CHECKS		10	/* per service */
#define ALL		(SERVICES * CHECKS + 1)

static char url[256], token[128];

/*
 * s0..s23, each with c<i>_0..c<i>_9 on @DIR@/ok (there); c1_3, c1_7 and
 * c5_0 on @DIR@/gone (not there), or, sick, every one but c0_0; and the
 * disk check of no service, lonely. Every 60 s: after the first round the results hold
 * still while the test reads them.
 */
static char *
config(bool sick)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i, k;

	fprintf(f, "web: { listen: '127.0.0.1:0' }\nchecks:\n"
	    "  lonely: { type: resource, metric: disk, path: /, warn: 100%%, crit: 100%%, "
	    "every: 60s }\nservices:\n");
	for (i = 0; i < SERVICES; i++) {
		fprintf(f, "  s%d:\n    run: [sleep, '1000']\n    checks:\n", i);
		for (k = 0; k < CHECKS; k++)
			fprintf(f, "      c%d_%d: { type: file, path: '@DIR@/%s', every: 60s }\n",
			    i, k, (i == 1 && (k == 3 || k == 7)) || (i == 5 && k == 0) ||
			    (sick && (i > 0 || k > 0)) ? "gone" : "ok");
	}
	fclose(f);
	return text;
}

/* GET path's JSON, expecting status (a new reference). */
static json_t *
get(const char *path, long status)
{
	char *body = NULL;
	long got = harness_http(url, "GET", path, NULL, &body);
	json_t *doc = json_loads(body != NULL ? body : "", 0, NULL);

	if (got != status || doc == NULL)
		fail_msg("GET %s: HTTP %ld, expected %ld: %s", path, got, status,
		    body != NULL ? body : "");
	free(body);
	return doc;
}

static json_int_t
count(const json_t *counts, const char *state)
{
	return json_integer_value(json_object_get(counts, state));
}

/* Starts tend and waits until every check has its first result in the status. */
static void
start_with(bool sick)
{
	long long deadline;
	char path[400], *text = config(sick);
	json_int_t failing = sick ? ALL - 2 : 3;
	json_t *doc;

	snprintf(path, sizeof(path), "%s/ok", t.dir);
	harness_write_file(&t, path, "here\n");
	t.web = true;
	harness_write_config(&t, text);
	free(text);
	harness_start(&t);
	harness_web(&t, url, sizeof(url), token, sizeof(token));
	deadline = harness_mono_ms() + 15000;
	for (;;) {
		doc = get("/api/status", 200);
		if (count(json_object_get(doc, "check_counts"), "unknown") == 0 &&
		    count(json_object_get(doc, "check_counts"), "critical") == failing) {
			json_decref(doc);
			break;
		}
		json_decref(doc);
		if (harness_mono_ms() > deadline)
			fail_msg("the checks did not all run within 15 s");
		harness_pause_ms(50);
	}
}

static void
start(void)
{
	start_with(false);
}

static const json_t *
service(const json_t *status, const char *name)
{
	const json_t *svc;
	size_t i;

	json_array_foreach(json_object_get(status, "services"), i, svc)
		if (strcmp(json_string_value(json_object_get(svc, "name")), name) == 0)
			return svc;
	fail_msg("no service %s in the status", name);
	return NULL;
}

/* The names of a page's checks, joined by spaces. */
static void
names(const json_t *page, char *buf, size_t len)
{
	const json_t *c;
	size_t i, at = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(page, "checks"), i, c)
		at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%s%s", i ? " " : "",
		    json_string_value(json_object_get(c, "name")));
}

static void
the_status_lists_what_is_not_healthy(void **state)
{
	json_t *doc, *page;
	const json_t *s1;
	char buf[512];

	(void)state;
	start();
	doc = get("/api/status", 200);
	assert_true(json_is_true(json_object_get(doc, "checks_trimmed")));
	assert_int_equal(json_array_size(json_object_get(doc, "checks")), 3);
	assert_int_equal(count(json_object_get(doc, "check_counts"), "healthy"), ALL - 3);
	s1 = service(doc, "s1");
	assert_int_equal(count(json_object_get(s1, "check_counts"), "healthy"), 8);
	assert_int_equal(count(json_object_get(s1, "check_counts"), "critical"), 2);
	/* Their names are /api/checks?service=s1's to list. */
	assert_null(json_object_get(s1, "checks"));
	assert_int_equal(count(json_object_get(service(doc, "s2"), "check_counts"), "healthy"),
	    CHECKS);
	page = get("/api/services/s1", 200);
	names(page, buf, sizeof(buf));
	assert_string_equal(buf, "c1_0 c1_1 c1_2 c1_3 c1_4 c1_5 c1_6 c1_7 c1_8 c1_9");
	assert_string_equal(json_string_value(json_object_get(json_object_get(page, "service"),
	    "name")), "s1");
	json_decref(page);
	json_decref(doc);
}

/* How many checks match, of GET path's answer. */
static json_int_t
total(const char *path)
{
	json_t *page = get(path, 200);
	json_int_t n = json_integer_value(json_object_get(page, "total"));

	json_decref(page);
	return n;
}

/*
 * An entry of /api/checks, made from each result by the web's table, is
 * the object the scheduler itself gives for the check (`tend status
 * --format json`, every check).
 */
static void
entries_are_the_schedulers_objects(void **state)
{
	json_t *doc, *page, *a, *b;
	char *text;
	size_t i;

	(void)state;
	start();
	doc = harness_status(&t);
	assert_non_null(doc);
	page = get("/api/checks", 200);
	assert_int_equal(json_array_size(json_object_get(doc, "checks")), ALL);
	for (i = 0; i < ALL; i++) {
		/* The web writes reals to 10 digits (WEB_JSON_FLAGS); the control socket, all. */
		text = json_dumps(json_array_get(json_object_get(doc, "checks"), i),
		    JSON_COMPACT | JSON_REAL_PRECISION(10));
		a = json_loads(text, 0, NULL);
		free(text);
		b = json_deep_copy(json_array_get(json_object_get(page, "checks"), i));
		/* Stamped as the result came, by the scheduler and by the table. */
		assert_true(llabs(json_integer_value(json_object_get(a, "checked_at")) -
		    json_integer_value(json_object_get(b, "checked_at"))) <= 5);
		json_object_del(a, "checked_at");
		json_object_del(b, "checked_at");
		if (!json_equal(a, b))
			fail_msg("scheduler: %s\n/api/checks: %s", json_dumps(a, JSON_COMPACT),
			    json_dumps(b, JSON_COMPACT));
		json_decref(a);
		json_decref(b);
	}
	json_decref(page);
	json_decref(doc);
}

/*
 * With 239 checks failing, the status lists 200 of them and says how many
 * more there are; the counts are every check's.
 */
static void
the_status_lists_at_most_200(void **state)
{
	json_t *doc;

	(void)state;
	start_with(true);
	doc = get("/api/status", 200);
	assert_int_equal(json_array_size(json_object_get(doc, "checks")), 200);
	assert_int_equal(json_integer_value(json_object_get(doc, "checks_more")), ALL - 2 - 200);
	assert_int_equal(count(json_object_get(doc, "check_counts"), "critical"), ALL - 2);
	assert_int_equal(count(json_object_get(service(doc, "s0"), "check_counts"), "healthy"), 1);
	assert_int_equal(count(json_object_get(service(doc, "s0"), "check_counts"), "critical"),
	    CHECKS - 1);
	json_decref(doc);
	assert_int_equal(total("/api/checks?state=critical"), ALL - 2);
}

static void
checks_page_and_filter(void **state)
{
	json_t *page;
	char buf[512];

	(void)state;
	start();
	page = get("/api/checks", 200);
	assert_int_equal(json_integer_value(json_object_get(page, "total")), ALL);
	assert_int_equal(json_array_size(json_object_get(page, "checks")), ALL);
	assert_int_equal(json_integer_value(json_object_get(page, "limit")), 1000);
	assert_true(json_integer_value(json_object_get(page, "generated_at")) > 0);
	json_decref(page);

	page = get("/api/checks?offset=235&limit=3", 200);
	names(page, buf, sizeof(buf));
	assert_string_equal(buf, "c23_4 c23_5 c23_6");
	assert_int_equal(json_integer_value(json_object_get(page, "offset")), 235);
	json_decref(page);
	page = get("/api/checks?offset=500", 200);
	assert_int_equal(json_array_size(json_object_get(page, "checks")), 0);
	assert_int_equal(json_integer_value(json_object_get(page, "total")), ALL);
	json_decref(page);

	page = get("/api/checks?state=unhealthy", 200);
	names(page, buf, sizeof(buf));
	assert_string_equal(buf, "c1_3 c1_7 c5_0");
	json_decref(page);
	page = get("/api/checks?service=s1&state=healthy,critical&limit=2&offset=2", 200);
	names(page, buf, sizeof(buf));
	assert_string_equal(buf, "c1_2 c1_3");
	assert_int_equal(json_integer_value(json_object_get(page, "total")), CHECKS);
	json_decref(page);
	/* Words in any case, in the name, the service or the message. */
	assert_int_equal(total("/api/checks?q=C5_"), CHECKS);
	assert_int_equal(total("/api/checks?q=gone&type=file"), 3);
	assert_int_equal(total("/api/checks?type=http"), 0);
	/* service= (empty): the checks of no service. */
	page = get("/api/checks?service=", 200);
	names(page, buf, sizeof(buf));
	assert_string_equal(buf, "lonely");
	json_decref(page);
}

/* /metrics and /api/metrics have every check, listed in the status or not. */
static void
metrics_have_every_check(void **state)
{
	char *body = NULL, *p;
	json_t *series;
	int n = 0;

	(void)state;
	start();
	assert_int_equal(harness_http(url, "GET", "/metrics", NULL, &body), 200);
	for (p = body; (p = strstr(p, "\ntend_check_state{")) != NULL; p++)
		n++;
	assert_int_equal(n, ALL * 4);
	harness_contains(body, "tend_check_state{check=\"c7_7\",service=\"s7\",state=\"healthy\"} 1\n");
	free(body);
	series = get("/api/metrics", 200);
	body = json_dumps(series, JSON_COMPACT);
	harness_contains(body, "\"check.c23_9.latency_ms\"");
	free(body);
	json_decref(series);
	json_decref(get("/api/metrics/check.c23_9.latency_ms?since=1h", 200));
	json_decref(get("/api/metrics/check.c99_9.latency_ms?since=1h", 404));
}

static void
refused(const char *path, long status, const char *says)
{
	json_t *doc = get(path, status);
	const char *err = json_string_value(json_object_get(doc, "error"));

	assert_true(json_is_false(json_object_get(doc, "ok")));
	assert_int_equal(json_integer_value(json_object_get(doc, "status")), status);
	if (err == NULL || strstr(err, says) == NULL)
		fail_msg("GET %s: error '%s', expected it to say '%s'", path, err, says);
	json_decref(doc);
}

static void
bad_arguments_get_a_json_error(void **state)
{
	char *body = NULL;

	(void)state;
	start();
	refused("/api/checks?state=sick", 400, "'state': expected states");
	refused("/api/checks?state=", 400, "'state': expected states");
	refused("/api/checks?state=healthy,,critical", 400, "'state': expected states");
	refused("/api/checks?limit=0", 400, "'limit': expected a number from 1 to 1000");
	refused("/api/checks?limit=1001", 400, "'limit': expected a number from 1 to 1000");
	refused("/api/checks?limit=ten", 400, "'limit': expected a number");
	refused("/api/checks?offset=-1", 400, "'offset': expected a number from 0");
	refused("/api/checks?offset=1e3", 400, "'offset': expected a number from 0");
	refused("/api/checks?service=nope", 404, "no service named 'nope'");
	refused("/api/services/nope", 404, "no service named 'nope'");
	assert_int_equal(harness_http(url, "POST", "/api/checks", token, &body), 405);
	harness_contains(body, "\"status\":405");
	free(body);
	/* The daemon answers on. */
	json_decref(get("/api/checks?limit=1", 200));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(the_status_lists_what_is_not_healthy),
		TEND_TEST(entries_are_the_schedulers_objects),
		TEND_TEST(the_status_lists_at_most_200),
		TEND_TEST(checks_page_and_filter),
		TEND_TEST(metrics_have_every_check),
		TEND_TEST(bad_arguments_get_a_json_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
