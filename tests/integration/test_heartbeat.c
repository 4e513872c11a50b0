/*
 * Heartbeat checks with the real daemon: a heartbeat that stops opens an
 * incident and one that resumes closes it; `tend ping --fail` is critical
 * at once and `--start` then a ping gives a duration; POST /api/ping/NAME
 * with the check's key (200), without it (401), for an unknown check
 * (404); the key is in neither `tend status`, /api/status nor the log; a
 * touch file's mtime is a ping, and a symlink in its place is not
 * followed; a service's heartbeat heals by restarting the service.
 */
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY	"k3y-0f-the-nightly-job-7f1c2a"

static const char config[] =
    "web: { listen: '127.0.0.1:0' }\n"
    "heal: { cooldown: 0s }\n"
    "checks:\n"
    "  nightly: { type: heartbeat, period: 1s, grace: 300ms, every: 100ms,\n"
    "             key: '" KEY "' }\n"
    "  touched: { type: heartbeat, period: 1s, grace: 300ms, every: 100ms,\n"
    "             file: @DIR@/touch }\n"
    "  hourly: { type: heartbeat, period: 1h, every: 1h }\n"
    "  plain: { type: tcp, port: @PORT2@, every: 1h }\n"
    "services:\n"
    "  worker:\n"
    "    run: [@FAKESVC@, --name, worker, --record, @RECORD@]\n"
    "    checks:\n"
    "      alive: { type: heartbeat, period: 1s, grace: 300ms, every: 100ms }\n";

static char base_url[300];
static char token[128];

static void
start(void)
{
	t.web = true;
	harness_write_config(&t, config);
	harness_start(&t);
	harness_web(&t, base_url, sizeof(base_url), token, sizeof(token));
}

/* A check's object in `tend status --format json`; a new reference, NULL if none. */
static json_t *
check_status(const char *name)
{
	json_t *status = harness_status(&t), *c, *found = NULL;
	size_t i;

	json_array_foreach(json_object_get(status, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
			found = json_incref(c);
	json_decref(status);
	return found;
}

/*
 * Polls until the check's tracked state is state and its message holds
 * text (NULL: any); its message then, in msg.
 */
static bool
wait_check_saying(const char *name, const char *state, const char *text, char *msg,
    size_t len, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	const char *s, *m;
	json_t *c;
	bool ok;

	do {
		c = check_status(name);
		s = json_string_value(json_object_get(c, "state"));
		m = json_string_value(json_object_get(c, "message"));
		ok = s != NULL && strcmp(s, state) == 0 && (text == NULL ||
		    (m != NULL && strstr(m, text) != NULL));
		if (ok && msg != NULL)
			snprintf(msg, len, "%s", json_string_value(json_object_get(c,
			    "message")));
		json_decref(c);
		if (ok)
			return true;
		harness_pause_ms(20);
	} while (harness_mono_ms() < deadline);
	return false;
}

static bool
wait_check(const char *name, const char *state, char *msg, size_t len, int timeout_ms)
{
	return wait_check_saying(name, state, NULL, msg, len, timeout_ms);
}

static int
ping(const char *name, const char *flag, const char *message)
{
	char *out = NULL;
	int rc;

	if (flag == NULL)
		rc = harness_cli(&t, &out, "ping", name, "--state-dir", t.state, NULL);
	else
		rc = harness_cli(&t, &out, "ping", name, flag, "-m", message, "--state-dir",
		    t.state, NULL);
	free(out);
	return rc;
}

/* The incidents of target in the store, as tend incidents shows them; a new reference. */
static json_t *
incidents_of(const char *target)
{
	json_t *all, *mine = json_array(), *inc;
	char *out;
	size_t i;

	if (harness_cli(&t, &out, "incidents", "--state-dir", t.state, "--format", "json",
	    NULL) != 0) {
		free(out);
		return mine;
	}
	all = json_loads(out, 0, NULL);
	free(out);
	json_array_foreach(all, i, inc)
		if (strcmp(json_string_value(json_object_get(inc, "target")), target) == 0)
			json_array_append(mine, inc);
	json_decref(all);
	return mine;
}

/* Polls until target has an incident open (resolved false) or resolved. */
static bool
wait_incident(const char *target, bool resolved, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	json_t *mine, *inc;
	bool ok = false;
	size_t i;

	do {
		mine = incidents_of(target);
		json_array_foreach(mine, i, inc)
			if (json_is_null(json_object_get(inc, "resolved_at")) != resolved)
				ok = true;
		json_decref(mine);
		if (ok)
			return true;
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	return false;
}

static void
a_heartbeat_that_stops_opens_an_incident_and_one_that_resumes_closes_it(void **state)
{
	char msg[512];

	start();
	/* No false alarm at start: the first period + grace counts from it. */
	assert_true(wait_check("nightly", "healthy", msg, sizeof(msg), 3000));
	harness_contains(msg, "waiting for a first ping");
	assert_int_equal(ping("nightly", NULL, NULL), 0);
	assert_true(wait_check_saying("nightly", "healthy", "last ping at", NULL, 0, 3000));
	/* It stops: critical once period + grace have passed, with the times. */
	assert_true(wait_check("nightly", "critical", msg, sizeof(msg), 6000));
	harness_contains(msg, "no ping since");
	harness_contains(msg, "one was due by");
	assert_true(wait_incident("nightly", false, 5000));
	/* It resumes, and the incident closes. */
	assert_int_equal(ping("nightly", NULL, NULL), 0);
	assert_true(wait_check("nightly", "healthy", NULL, 0, 3000));
	assert_true(wait_incident("nightly", true, 5000));
}

static void
a_failed_ping_is_critical_at_once_and_start_gives_a_duration(void **state)
{
	char msg[512], *out;
	json_t *c, *m;
	size_t i;
	bool duration = false;

	start();
	/* hourly runs once an hour: only the ping's own run can say so. */
	assert_true(wait_check("hourly", "healthy", NULL, 0, 3000));
	assert_int_equal(ping("hourly", "--fail", "backup: disk full"), 0);
	assert_true(wait_check("hourly", "critical", msg, sizeof(msg), 3000));
	harness_contains(msg, "failed at");
	harness_contains(msg, "backup: disk full");
	assert_int_equal(ping("hourly", "--start", "begun"), 0);
	assert_int_equal(ping("hourly", NULL, NULL), 0);
	assert_true(wait_check("hourly", "healthy", NULL, 0, 3000));
	c = check_status("hourly");
	json_array_foreach(json_object_get(c, "metrics"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "label")), "duration") == 0)
			duration = true;
	json_decref(c);
	assert_true(duration);
	/* Bad input: not a heartbeat, no such check, both flags. */
	assert_int_equal(ping("plain", NULL, NULL), 1);
	assert_int_equal(ping("nope", NULL, NULL), 1);
	assert_int_equal(harness_cli(&t, &out, "ping", "nightly", "--fail", "--start",
	    "--state-dir", t.state, NULL), 2);
	free(out);
}

static void
http_pings_need_the_key_or_the_token(void **state)
{
	char *body = NULL, *status_text, *log;

	start();
	assert_int_equal(harness_http_send(base_url, "POST", "api/ping/nightly", KEY,
	    "all good\n", &body), 200);
	harness_contains(body, "\"ok\":true");
	free(body);
	assert_true(wait_check_saying("nightly", "healthy", "all good", NULL, 0, 3000));
	assert_int_equal(harness_http(base_url, "POST", "api/ping/nightly", NULL, &body), 401);
	harness_contains(body, "\"ok\":false");
	free(body);
	assert_int_equal(harness_http(base_url, "POST", "api/ping/nightly", "wrong-key-wrong-"
	    "key", &body), 401);
	free(body);
	assert_int_equal(harness_http(base_url, "POST", "api/ping/nope", KEY, &body), 404);
	harness_contains(body, "no check named 'nope'");
	free(body);
	/* The key of one check is no key of another: alive has none. */
	assert_int_equal(harness_http(base_url, "POST", "api/ping/alive", KEY, NULL), 401);
	/* The API token pings any heartbeat; other bad input is a 4xx. */
	assert_int_equal(harness_http(base_url, "POST", "api/ping/alive/start", token, NULL),
	    200);
	assert_int_equal(harness_http(base_url, "POST", "api/ping/plain", token, &body), 400);
	harness_contains(body, "not a heartbeat");
	free(body);
	assert_int_equal(harness_http(base_url, "POST", "api/ping/nightly/later", KEY, NULL),
	    404);
	assert_int_equal(harness_http(base_url, "GET", "api/ping/nightly", KEY, NULL), 405);
	assert_int_equal(harness_http_send(base_url, "POST", "api/ping/nightly/fail", KEY,
	    "exit 3", NULL), 200);
	assert_true(wait_check_saying("nightly", "critical", "exit 3", NULL, 0, 3000));

	/* The key is shown nowhere. */
	assert_int_equal(harness_cli(&t, &status_text, "status", "--state-dir", t.state,
	    "--format", "json", NULL), 0);
	assert_null(strstr(status_text, KEY));
	free(status_text);
	assert_int_equal(harness_http(base_url, "GET", "api/status", NULL, &body), 200);
	assert_null(strstr(body, KEY));
	free(body);
	assert_int_equal(harness_http(base_url, "GET", "api/checks", NULL, &body), 200);
	assert_null(strstr(body, KEY));
	free(body);
	log = harness_read_file(t.log);
	assert_non_null(log);
	assert_null(strstr(log, KEY));
	free(log);
}

static void
a_touch_file_is_a_ping_and_a_symlink_is_not_followed(void **state)
{
	char path[400], target[400];
	int fd;

	snprintf(path, sizeof(path), "%s/touch", t.dir);
	snprintf(target, sizeof(target), "%s/elsewhere", t.dir);
	start();
	assert_true(wait_check_saying("touched", "healthy", "No such file", NULL, 0, 3000));
	assert_true(wait_check_saying("touched", "critical", "no ping since tend started "
	    "watching", NULL, 0, 6000));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_true(wait_check_saying("touched", "healthy", "last ping at", NULL, 0, 3000));
	assert_true(wait_check("touched", "critical", NULL, 0, 6000));
	/* A fresh file behind a symlink is not followed: still critical. */
	fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_true(wait_check_saying("touched", "critical", "symlink", NULL, 0, 3000));
	/* And stays so: the fresh file behind the link never counts. */
	harness_pause_ms(300);
	assert_true(wait_check_saying("touched", "critical", "not followed", NULL, 0, 1000));
}

/* Polls a POST until it answers want (a reload is read once it holds still). */
static bool
wait_http_status(const char *path, const char *bearer, long want, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;

	do {
		if (harness_http(base_url, "POST", path, bearer, NULL) == want)
			return true;
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	return false;
}

static void
a_reload_brings_new_checks_and_keys_to_the_web_server(void **state)
{
	char *text, *plain;
	FILE *f;

	start();
	assert_int_equal(harness_http(base_url, "POST", "api/ping/later", KEY "2", NULL), 404);
	/* A check is added, with a key of its own, before the top-level "plain". */
	text = harness_render(&t, config);
	plain = strstr(text, "  plain:");
	assert_non_null(plain);
	f = fopen(t.config, "w");
	assert_non_null(f);
	fprintf(f, "%.*s  later: { type: heartbeat, period: 1h, key: '" KEY "2' }\n%s",
	    (int)(plain - text), text, plain);
	fclose(f);
	free(text);
	kill(t.pid, SIGHUP);
	assert_true(wait_http_status("api/ping/later", KEY "2", 200, 5000));
	assert_int_equal(harness_http(base_url, "POST", "api/ping/later", KEY, NULL), 401);
	assert_int_equal(harness_http(base_url, "POST", "api/ping/nightly", KEY, NULL), 200);
	assert_true(wait_check("later", "healthy", NULL, 0, 3000));
}

static void
a_services_heartbeat_heals_by_restarting_it(void **state)
{
	pid_t before;

	start();
	assert_true(harness_wait_state(&t, "worker", "up", 0, 5000));
	before = harness_pid(&t, "worker");
	/* No ping: an incident, healed by a restart of the service. */
	assert_true(harness_wait_state(&t, "worker", "up", before, 5000));
	/* The new process has a whole period + grace: the restart is verified. */
	assert_true(wait_incident("alive", true, 5000));
	assert_true(harness_log_contains(&t, "healed by restart"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_heartbeat_that_stops_opens_an_incident_and_one_that_resumes_closes_it),
		TEND_TEST(a_failed_ping_is_critical_at_once_and_start_gives_a_duration),
		TEND_TEST(http_pings_need_the_key_or_the_token),
		TEND_TEST(a_touch_file_is_a_ping_and_a_symlink_is_not_followed),
		TEND_TEST(a_services_heartbeat_heals_by_restarting_it),
		TEND_TEST(a_reload_brings_new_checks_and_keys_to_the_web_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
