/*
 * What the daemon maps, read from /proc/PID/maps: libcurl (and its TLS
 * stack) only when the config has HTTP in it — a check, a readiness
 * probe, a webhook — from start or from the reload that brings it;
 * libmicrohttpd only with the web server on; libpcre2 only with a regex
 * to match (a log check); libcrypto never by tend itself (its sha256 and
 * its constant-time compare are its own).
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether a library whose file name starts with name is mapped by pid. */
static bool
mapped(pid_t pid, const char *name)
{
	char path[64], line[1024], *file;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = (file = strrchr(line, '/')) != NULL && strncmp(file + 1, name,
		    strlen(name)) == 0;
	fclose(f);
	return found;
}

/* Waits until check name is in state. */
static bool
wait_check(struct tend_run *run, const char *name, const char *want, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	json_t *status, *c;
	bool found;
	size_t i;

	do {
		found = false;
		status = harness_status(run);
		json_array_foreach(json_object_get(status, "checks"), i, c)
			found |= strcmp(harness_str(c, "name"), name) == 0 &&
			    strcmp(harness_str(c, "state"), want) == 0;
		json_decref(status);
		if (found)
			return true;
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	return false;
}

#define SLEEPER \
    "services:\n" \
    "  app:\n" \
    "    run: [@FAKESVC@, --name, app, --record, @RECORD@, --listen, '@PORT1@', --http]\n" \
    "    ready: { tcp: @PORT1@ }\n" \
    "    checks:\n" \
    "      port: { type: tcp, port: @PORT1@, every: 200ms }\n"

static void
without_http_libcurl_is_never_mapped(void **state)
{
	harness_write_config(&t, SLEEPER);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "app", "up", 0, 5000));
	assert_true(harness_wait_record(&t, "start app", 5000));
	harness_pause_ms(500);	/* a few check runs */
	assert_false(mapped(t.pid, "libcurl"));
	assert_false(mapped(t.pid, "libmicrohttpd"));
	assert_false(mapped(t.pid, "libcrypto"));
	assert_false(mapped(t.pid, "libpcre2"));
	/* A reload that brings an HTTP check brings libcurl, and the check works. */
	harness_write_config(&t, SLEEPER
	    "      http: { type: http, url: 'http://127.0.0.1:@PORT1@/', every: 200ms }\n");
	kill(t.pid, SIGHUP);
	assert_true(wait_check(&t, "http", "healthy", 10000));
	assert_true(mapped(t.pid, "libcurl"));
}

static void
with_an_http_check_libcurl_is_mapped_from_start(void **state)
{
	harness_write_config(&t, SLEEPER
	    "      http: { type: http, url: 'http://127.0.0.1:@PORT1@/', every: 200ms }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "app", "up", 0, 5000));
	assert_true(mapped(t.pid, "libcurl"));
	assert_false(mapped(t.pid, "libmicrohttpd"));
}

static void
a_log_check_maps_libpcre2(void **state)
{
	harness_write_config(&t, SLEEPER
	    "      errors: { type: log, match: ['ERROR', '(?i)panic'], every: 200ms }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "app", "up", 0, 5000));
	assert_true(wait_check(&t, "errors", "healthy", 5000));
	assert_true(mapped(t.pid, "libpcre2"));
	assert_false(mapped(t.pid, "libcurl"));
}

static void
the_web_server_maps_libmicrohttpd(void **state)
{
	char url[256], token[128];

	harness_write_config(&t, SLEEPER);
	t.web = true;
	harness_start(&t);
	harness_web(&t, url, sizeof(url), token, sizeof(token));
	assert_true(mapped(t.pid, "libmicrohttpd"));
	assert_false(mapped(t.pid, "libcurl"));
	assert_false(mapped(t.pid, "libcrypto"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(without_http_libcurl_is_never_mapped),
		TEND_TEST(with_an_http_check_libcurl_is_mapped_from_start),
		TEND_TEST(a_log_check_maps_libpcre2),
		TEND_TEST(the_web_server_maps_libmicrohttpd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
