/*
 * Changes and snapshots through the web API, with the real binary: the
 * snapshots of a set with its last known good marked, a broken edit
 * listed as a change, its diff against the last known good read (the
 * token's; a URL's password hidden) and rolled back by POST
 * /api/snapshots/SET/rollback,
 * a deploy tool's change POSTed to /api/changes, and every bad request
 * answered with a 4xx JSON error.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char config[] =
    "web: { listen: '127.0.0.1:0' }\n"
    "snapshots:\n"
    "  app:\n"
    "    paths: [@DIR@/app]\n"
    "    restart: [web]\n"
    "    guard_window: 1m\n"
    "    lkg_after: 1s\n"
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, web]\n"
    "    checks:\n"
    "      conf-good:\n"
    "        type: command\n"
    "        run: [sh, -c, 'grep -q good @DIR@/app/site.conf || exit 2']\n"
    "        every: 200ms\n"
    "        heal: []\n";

static char url[256], token[128];

/* An answer's JSON, expecting status (a new reference). */
static json_t *
call(const char *method, const char *path, const char *bearer, const char *data,
    long status)
{
	char *body = NULL;
	long got = harness_http_send(url, method, path, bearer, data, &body);
	json_t *doc = json_loads(body, 0, NULL);

	if (got != status || doc == NULL)
		fail_msg("%s %s: HTTP %ld, expected %ld: %s", method, path, got, status, body);
	free(body);
	return doc;
}

/* An error as docs/api.md says: {"ok": false, "status", "error"}. */
static void
refused(const char *method, const char *path, const char *bearer, const char *data,
    long status)
{
	json_t *doc = call(method, path, bearer, data, status);

	assert_true(json_is_false(json_object_get(doc, "ok")));
	assert_int_equal(json_integer_value(json_object_get(doc, "status")), status);
	assert_non_null(json_string_value(json_object_get(doc, "error")));
	json_decref(doc);
}

/* The first element of GET path's list key whose field is value (a new reference), waiting ms. */
static json_t *
wait_row(const char *path, const char *key, const char *field, const char *value, int ms)
{
	long long deadline = harness_mono_ms() + ms;
	json_t *doc, *row, *found = NULL, *v;
	size_t i;

	for (;;) {
		doc = call("GET", path, NULL, NULL, 200);
		json_array_foreach(json_object_get(doc, key), i, row) {
			v = json_object_get(row, field);
			if (found == NULL && (json_is_true(v) ? strcmp(value, "true") == 0 :
			    json_is_string(v) && strcmp(json_string_value(v), value) == 0))
				found = json_incref(row);
		}
		json_decref(doc);
		if (found != NULL)
			return found;
		if (harness_mono_ms() > deadline)
			fail_msg("no %s with %s = %s in %s after %d ms", key, field, value, path, ms);
		harness_pause_ms(100);
	}
}

static void
start(void)
{
	t.web = true;
	harness_write_config(&t, config);
	assert_int_equal(mkdir(harness_at(&t, "app"), 0755), 0);
	harness_write_file(&t, harness_at(&t, "app/site.conf"), "good\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	harness_web(&t, url, sizeof(url), token, sizeof(token));
}

/*
 * GET /api/snapshots/ID/diff, the token's: the last known good against the
 * live files, site.conf's unified diff in it without the URL's password.
 */
static void
the_diff_against_the_live_files(int64_t lkg)
{
	char path[64];
	json_t *doc, *change;
	const char *text;
	size_t i;

	snprintf(path, sizeof(path), "/api/snapshots/%lld/diff", (long long)lkg);
	refused("GET", path, NULL, NULL, 401);
	doc = call("GET", path, token, NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(doc, "from")), lkg);
	assert_true(json_is_null(json_object_get(doc, "to")));
	assert_string_equal(json_string_value(json_object_get(doc, "set")), "app");
	text = NULL;
	json_array_foreach(json_object_get(doc, "changes"), i, change)
		if (strstr(json_string_value(json_object_get(change, "path")), "site.conf"))
			text = json_string_value(json_object_get(change, "diff"));
	if (text == NULL || strstr(text, "-good") == NULL || strstr(text, "+broken") == NULL ||
	    strstr(text, "hunter2") != NULL || strstr(text, "deploy:") == NULL)
		fail_msg("site.conf's diff: %s", text != NULL ? text : "(none)");
	json_decref(doc);
}

static void
a_broken_edit_is_listed_and_rolled_back_over_the_api(void **state)
{
	json_t *row, *doc;
	int64_t lkg;
	char *text;

	start();
	/* Healthy for lkg_after: the set's state is last known good. */
	row = wait_row("/api/snapshots?set=app", "snapshots", "lkg", "true", 10000);
	assert_string_equal(json_string_value(json_object_get(row, "set")), "app");
	assert_true(json_is_false(json_object_get(row, "bad")));
	lkg = json_integer_value(json_object_get(row, "id"));
	json_decref(row);

	harness_write_file(&t, harness_at(&t, "app/site.conf"),
	    "broken\nrepo: https://deploy:hunter2@git.example/app\n");
	row = wait_row("/api/changes?since=1h&limit=10", "changes", "kind", "files", 10000);
	assert_string_equal(json_string_value(json_object_get(row, "set_name")), "app");
	assert_true(json_is_null(json_object_get(row, "rolled_back_at")));
	json_decref(row);
	the_diff_against_the_live_files(lkg);

	/* Answered at once; the rollback runs on and marks the change. */
	refused("POST", "/api/snapshots/app/rollback", NULL, NULL, 401);
	doc = call("POST", "/api/snapshots/app/rollback", token, NULL, 202);
	assert_true(json_is_true(json_object_get(doc, "ok")));
	json_decref(doc);
	row = wait_row("/api/changes", "changes", "bad", "true", 15000);
	assert_true(json_is_integer(json_object_get(row, "rolled_back_at")));
	json_decref(row);
	text = harness_read_file(harness_at(&t, "app/site.conf"));
	assert_string_equal(text, "good\n");
	free(text);
	assert_true(harness_log_contains(&t, "rollback of app to its last known good "
	    "requested over the web API"));
}

static void
a_deploy_tool_posts_its_change(void **state)
{
	json_t *doc, *row;
	int64_t id;

	start();
	refused("POST", "/api/changes", NULL, "{\"set\": \"app\"}", 401);
	refused("POST", "/api/changes", "0000", "{\"set\": \"app\"}", 401);
	doc = call("POST", "/api/changes", token,
	    "{\"set\": \"app\", \"label\": \"deploy 1.4.2\"}", 200);
	assert_true(json_is_true(json_object_get(doc, "ok")));
	id = json_integer_value(json_object_get(doc, "id"));
	assert_true(id > 0);
	json_decref(doc);

	row = wait_row("/api/changes", "changes", "label", "deploy 1.4.2", 5000);
	assert_int_equal(json_integer_value(json_object_get(row, "id")), id);
	assert_string_equal(json_string_value(json_object_get(row, "kind")), "mark");
	assert_string_equal(json_string_value(json_object_get(row, "set_name")), "app");
	json_decref(row);

	/* No set is a change of no set; no label is "marked". */
	doc = call("POST", "/api/changes", token, "{}", 200);
	json_decref(doc);
	row = wait_row("/api/changes?limit=1", "changes", "label", "marked", 5000);
	assert_true(json_is_null(json_object_get(row, "set_name")));
	json_decref(row);

	refused("POST", "/api/changes", token, "{\"set\": \"nope\"}", 404);
	refused("POST", "/api/changes", token, "deploy", 400);
	refused("POST", "/api/changes", token, NULL, 400);
	refused("POST", "/api/changes", token, "[\"app\"]", 400);
	refused("POST", "/api/changes", token, "{\"set\": 3}", 400);
	refused("POST", "/api/changes", token, "{\"set\": \"\"}", 400);
	refused("POST", "/api/changes", token, "{\"label\": \"a\\u0000b\"}", 400);
	refused("POST", "/api/changes", token, "{\"label\": [1]}", 400);
}

static void
bad_requests_are_json_errors(void **state)
{
	json_t *doc;

	start();
	doc = call("GET", "/api/snapshots?set=nope", NULL, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(doc, "snapshots")), 0);
	json_decref(doc);
	refused("GET", "/api/changes?since=soon", NULL, NULL, 400);
	refused("GET", "/api/changes?since=0s", NULL, NULL, 400);
	refused("GET", "/api/changes?limit=0", NULL, NULL, 400);
	refused("GET", "/api/changes?limit=1001", NULL, NULL, 400);
	refused("GET", "/api/snapshots?limit=x", NULL, NULL, 400);
	refused("GET", "/api/snapshots?set=", NULL, NULL, 400);
	refused("PUT", "/api/changes", token, NULL, 405);
	refused("POST", "/api/snapshots", token, NULL, 405);
	refused("GET", "/api/snapshots/app/rollback", NULL, NULL, 405);
	refused("POST", "/api/snapshots/nope/rollback", token, NULL, 404);
	refused("POST", "/api/snapshots/app/restore", token, NULL, 404);
	refused("POST", "/api/snapshots//rollback", token, NULL, 404);
	refused("GET", "/api/snapshots/x/diff", token, NULL, 404);
	refused("GET", "/api/snapshots/999/diff", token, NULL, 404);
	refused("GET", "/api/snapshots/1/diff?to=soon", token, NULL, 400);
	refused("GET", "/api/snapshots/1/diff", "0000", NULL, 401);
	refused("POST", "/api/snapshots/1/diff", token, NULL, 405);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_broken_edit_is_listed_and_rolled_back_over_the_api),
		TEND_TEST(a_deploy_tool_posts_its_change),
		TEND_TEST(bad_requests_are_json_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
