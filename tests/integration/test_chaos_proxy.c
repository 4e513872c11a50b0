/*
 * proxies: and the proxy fault, with the real binary: a loopback proxy the
 * daemon runs in front of a service's port passes requests both ways; a
 * chaos experiment makes it answer HTTP 503, reset every connection or
 * answer late, the HTTP check through it sees each, and the proxy passes
 * again by itself at the end of the fault — also when the run is killed.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char config[] =
    "proxies:\n"
    "  front: { listen: '127.0.0.1:@PORT2@', upstream: '127.0.0.1:@PORT1@' }\n"
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, web, --http, --listen, '@PORT1@']\n"
    "    ready: { tcp: @PORT1@ }\n"
    "    checks:\n"
    "      front: { type: http, url: 'http://127.0.0.1:@PORT2@/health', every: 100ms,\n"
    "               timeout: 300ms, heal: [] }\n"
    "chaos:\n"
    "  experiments:\n"
    "    err: { fault: proxy, proxy: front, mode: error, duration: 800ms,\n"
    "           expect: { detected_within: 1s } }\n"
    "    rst: { fault: proxy, proxy: front, mode: reset, duration: 800ms,\n"
    "           expect: { detected_within: 1s } }\n"
    "    slow: { fault: proxy, proxy: front, mode: latency, delay: 1s, duration: 1500ms,\n"
    "            expect: { detected_within: 1s } }\n"
    "    long: { fault: proxy, proxy: front, mode: error, duration: 1500ms }\n";

static char front[64];

/* The check through the proxy healthy again, within timeout_ms. */
static bool
front_healthy(int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	char *out = NULL;
	bool ok = false;

	while (!ok && harness_mono_ms() < deadline) {
		free(out);
		harness_cli(&t, &out, "status", "-c", t.config, "--state-dir", t.state, NULL);
		ok = strstr(out, "tend: healthy") != NULL;
		if (!ok)
			harness_pause_ms(50);
	}
	free(out);
	return ok;
}

static void
start(void)
{
	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	assert_true(front_healthy(5000));
	snprintf(front, sizeof(front), "http://127.0.0.1:%d/", t.ports[1]);
}

static void
each_fault_is_seen_through_the_proxy_and_passes_after(void **state)
{
	char *out, *body = NULL;

	start();
	/* Passing: a request through it gets the service's answer. */
	assert_int_equal(harness_http(front, "GET", "/health", NULL, &body), 200);
	free(body);
	assert_int_equal(harness_cli(&t, &out, "chaos", "run", "err", "rst", "slow", "-c",
	    t.config, "--state-dir", t.state, NULL), 0);
	harness_contains(out, "err #1: proxy of front: detected in ");
	harness_contains(out, "rst #1: proxy of front: detected in ");
	harness_contains(out, "slow #1: proxy of front: detected in ");
	free(out);
	assert_true(front_healthy(5000));
	assert_int_equal(harness_http(front, "GET", "/health", NULL, &body), 200);
	free(body);
	assert_true(harness_log_contains(&t, "proxy front: answering HTTP 503 for 800 ms"));
	assert_true(harness_log_contains(&t, "proxy front: the fault is over; passing again"));
}

/* A run killed mid-fault: the daemon ends the fault by itself. */
static void
the_daemon_ends_a_fault_whose_run_died(void **state)
{
	long long deadline;
	char *body = NULL;
	pid_t run;
	int status;
	long code = 0;

	start();
	run = harness_cli_async(&t, "chaos", "run", "long", "-c", t.config, "--state-dir",
	    t.state, NULL);
	deadline = harness_mono_ms() + 5000;
	while ((code = harness_http(front, "GET", "/health", NULL, &body)) != 503 &&
	    harness_mono_ms() < deadline) {
		free(body);
		body = NULL;
		harness_pause_ms(10);
	}
	free(body);
	assert_int_equal(code, 503);
	kill(run, SIGKILL);
	assert_int_equal(waitpid(run, &status, 0), run);
	/* No run to undo it: the fault's own end (1.5 s) puts the proxy back. */
	deadline = harness_mono_ms() + 5000;
	while ((code = harness_http(front, "GET", "/health", NULL, &body)) != 200 &&
	    harness_mono_ms() < deadline) {
		free(body);
		body = NULL;
		harness_pause_ms(20);
	}
	free(body);
	assert_int_equal(code, 200);
	assert_true(harness_log_contains(&t, "proxy front: the fault is over; passing again"));
}

static void
proxies_stay_on_loopback(void **state)
{
	char *out;

	harness_write_config(&t,
	    "proxies:\n"
	    "  out: { listen: '0.0.0.0:18080', upstream: '10.0.0.1:80' }\n"
	    "  half: { listen: '127.0.0.1:18081' }\n"
	    "chaos:\n"
	    "  experiments:\n"
	    "    x: { fault: proxy, proxy: nope }\n"
	    "    y: { fault: proxy }\n");
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.config, NULL), 2);
	harness_contains(out, "proxy 'out': 'listen' must be a loopback address");
	harness_contains(out, "proxy 'out': 'upstream' must be a loopback address");
	harness_contains(out, "proxy 'half': 'listen' and 'upstream' are required");
	harness_contains(out, "no proxy named 'nope' under proxies:");
	harness_contains(out, "'proxy' is required");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(each_fault_is_seen_through_the_proxy_and_passes_after),
		TEND_TEST(the_daemon_ends_a_fault_whose_run_died),
		TEND_TEST(proxies_stay_on_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
