/*
 * An operator's requests to the healer, by every way in: `tend recover`
 * (the control socket's recover) for a service, a named action and the
 * cleanups; the API's POST /api/services/NAME/heal on a healthy service and
 * POST /api/actions/NAME for restart, stop, start, adjust_timeout and exec
 * actions. Each opens an incident whose action may end before the request
 * is answered: the daemon must answer, stay up and (under the sanitizers)
 * report nothing; the CLI must come back at once with the outcome, and say
 * so when the incident is gone from the daemon's memory.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/dl_curl.h"

static const char config[] =
    "web: { listen: '127.0.0.1:0' }\n"
    "heal: { cooldown: 0s }\n"
    "actions:\n"
    "  bounce: { restart: web }\n"
    "  halt: { stop: web }\n"
    "  resume: { start: web }\n"
    "  patience: { adjust_timeout: { factor: 2, max: 5s } }\n"
    "  hello: { exec: [/bin/true] }\n"
    "  junk: { cleanup: { paths: ['@DIR@/junk/*.log'] } }\n"
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --name, web, --record, @RECORD@, --http, --listen, '@PORT1@']\n"
    "    ready: { tcp: @PORT1@ }\n"
    "    checks:\n"
    "      health: { type: http, url: 'http://127.0.0.1:@PORT1@/', every: 200ms }\n";

static char url[128], token[80];

static void
start(void)
{
	t.web = true;
	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	harness_web(&t, url, sizeof(url), token, sizeof(token));
}

/* POSTs path; expects 200 and an incident number in the answer. */
static void
post_opens_an_incident(const char *path)
{
	json_t *doc;
	char *body;
	long status;

	status = harness_http(url, "POST", path, token, &body);
	if (status != 200)
		fail_msg("POST %s: HTTP %ld: %s", path, status, body);
	doc = json_loads(body, 0, NULL);
	assert_non_null(doc);
	assert_true(json_integer_value(json_object_get(doc, "incident")) > 0);
	json_decref(doc);
	free(body);
	/* The daemon is still there, and still answers. */
	assert_int_equal(harness_http(url, "GET", "/healthz", NULL, NULL), 200);
	doc = harness_status(&t);
	assert_non_null(doc);
	json_decref(doc);
}

static void
every_api_route_that_opens_an_incident_answers_and_the_daemon_lives(void **state)
{
	json_t *status;

	start();
	post_opens_an_incident("/api/services/web/heal");
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	post_opens_an_incident("/api/actions/bounce");
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	post_opens_an_incident("/api/actions/patience");
	post_opens_an_incident("/api/actions/hello");
	post_opens_an_incident("/api/actions/halt");
	assert_true(harness_wait_state(&t, "web", "down", 0, 5000));
	post_opens_an_incident("/api/actions/resume");
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	/* A second round on the same incidents' targets, and the list of them. */
	post_opens_an_incident("/api/services/web/heal");
	post_opens_an_incident("/api/actions/bounce");
	assert_int_equal(harness_http(url, "GET", "/api/incidents", NULL, NULL), 200);
	status = harness_status(&t);
	assert_non_null(status);
	json_decref(status);
}

/* Runs `tend recover ARGS`; its exit code, its output in *out, its time in *ms. */
static int
recover(char **out, long long *ms, const char *a, const char *b)
{
	long long t0 = harness_mono_ms();
	int rc;

	rc = harness_cli(&t, out, "recover", a, b, "--state-dir", t.state, NULL);
	*ms = harness_mono_ms() - t0;
	return rc;
}

static void
recover_returns_at_once_with_the_outcome(void **state)
{
	long long ms;
	char *out;

	start();
	assert_int_equal(recover(&out, &ms, "--service", "web"), 0);
	fprintf(stderr, "tend recover --service web: %lld ms\n", ms);
	assert_non_null(strstr(out, "resolved: done"));
	assert_non_null(strstr(out, "restart -> done"));
	assert_true(ms < 3000);
	free(out);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));

	assert_int_equal(recover(&out, &ms, "--action", "hello"), 0);
	assert_non_null(strstr(out, "resolved: done"));
	assert_true(ms < 3000);
	free(out);
	assert_int_equal(recover(&out, &ms, "--action", "halt"), 0);
	assert_true(ms < 3000);
	free(out);
	assert_int_equal(recover(&out, &ms, "--action", "resume"), 0);
	free(out);
	assert_int_equal(harness_cli(&t, &out, "recover", "--cleanup", "--state-dir", t.state,
	    NULL), 0);
	free(out);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
}

/* Waits until the daemon has n open incidents. */
static bool
open_incidents(json_int_t n, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	json_t *status;
	json_int_t now;

	do {
		status = harness_status(&t);
		now = json_integer_value(json_object_get(json_object_get(status, "tend"),
		    "open_incidents"));
		json_decref(status);
		if (now == n)
			return true;
		harness_pause_ms(20);
	} while (harness_mono_ms() < deadline);
	return false;
}

/*
 * The daemon stops while the CLI follows an incident: the CLI says so and
 * what tend.db last recorded, at once, instead of asking again and again.
 */
static void
a_follow_ends_when_the_daemon_goes_away(void **state)
{
	const char *bin = getenv("TEND_BIN");
	char path[400], *out;
	long long t0;
	pid_t cli;
	int status;

	harness_write_config(&t, "actions:\n"
	    "  slow: { exec: [sleep, '30'] }\n");
	harness_start(&t);
	snprintf(path, sizeof(path), "%s/cli.out", t.dir);
	if ((cli = fork()) == 0) {
		assert_non_null(freopen(path, "w", stdout));
		assert_non_null(freopen(path, "a", stderr));
		execl(bin, bin, "recover", "--action", "slow", "--state-dir", t.state,
		    (char *)NULL);
		_exit(127);
	}
	assert_true(cli > 0);
	/* The action runs: the incident is acting, the CLI follows it. */
	assert_true(open_incidents(1, 5000));
	harness_pause_ms(300);
	kill(t.pid, SIGTERM);
	assert_true(harness_wait_exit(&t, 10000) >= 0);
	t0 = harness_mono_ms();
	while (waitpid(cli, &status, WNOHANG) == 0 && harness_mono_ms() - t0 < 5000)
		harness_pause_ms(20);
	if (waitpid(cli, &status, WNOHANG) == 0) {
		kill(cli, SIGKILL);
		waitpid(cli, &status, 0);
		fail_msg("tend recover still follows 5 s after the daemon stopped");
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	out = harness_read_file(path);
	assert_non_null(out);
	assert_non_null(strstr(out, "the daemon stopped answering"));
	assert_null(strstr(out, "no such incident"));
	free(out);
}

/* --wait bounds the following; the CLI says what it left. */
static void
the_follow_is_bounded_by_wait(void **state)
{
	long long t0;
	char *out;
	int rc;

	harness_write_config(&t, "actions:\n"
	    "  slow: { exec: [sleep, '30'] }\n");
	harness_start(&t);
	t0 = harness_mono_ms();
	rc = harness_cli(&t, &out, "recover", "--action", "slow", "--wait", "500ms",
	    "--state-dir", t.state, NULL);
	assert_int_equal(rc, 1);
	assert_true(harness_mono_ms() - t0 < 3000);
	assert_non_null(strstr(out, "acting"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(every_api_route_that_opens_an_incident_answers_and_the_daemon_lives),
		TEND_TEST(recover_returns_at_once_with_the_outcome),
		TEND_TEST(a_follow_ends_when_the_daemon_goes_away),
		TEND_TEST(the_follow_is_bounded_by_wait),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
