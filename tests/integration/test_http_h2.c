/*
 * HTTP checks of an https target that offers h2 by ALPN: nghttpd, which
 * speaks nothing else, supervised by tend. Two checks of it, run after
 * run, are healthy, and every request of both rode one connection: kept
 * between runs and multiplexed. Skipped without nghttpd (Debian's
 * nghttp2-server, which `scripts/install-deps.sh --test` installs) or
 * openssl (the test's certificate).
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NGHTTPD	"/usr/sbin/nghttpd"

static int
count(const char *text, const char *needle)
{
	int n = 0;

	while (text != NULL && (text = strstr(text, needle)) != NULL) {
		n++;
		text += strlen(needle);
	}
	return n;
}

/* What nghttpd said (its -v trace, captured by tend), once it served n requests. */
static char *
served(int n, int timeout_ms)
{
	char *log = NULL;
	int waited;

	for (waited = 0; waited < timeout_ms; waited += 100) {
		free(log);
		log = harness_read_file(harness_at(&t, "state/logs/h2.log"));
		if (count(log, ":path: /") >= n)
			return log;
		harness_pause_ms(100);
	}
	fail_msg("nghttpd served %d requests, not %d", count(log, ":path: /"), n);
	return NULL;
}

static const char *
check_state(json_t *status, const char *name)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(status, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
			return json_string_value(json_object_get(c, "state"));
	return "none";
}

static void
h2_checks_of_one_host_share_one_kept_connection(void **state)
{
	char key[400], cert[400], www[400];
	char *req[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
	    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
	    "-subj", "/CN=localhost", NULL };
	char *log, *line;
	int id, first = 0;
	json_t *status;

	if (access(NGHTTPD, X_OK) != 0) {
		fprintf(stderr, "SKIP: %s is not installed (nghttp2-server)\n", NGHTTPD);
		skip();
	}
	snprintf(key, sizeof(key), "%s/key.pem", t.dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", t.dir);
	if (harness_run_tool(req) != 0) {
		fprintf(stderr, "SKIP: openssl cannot make a certificate\n");
		skip();
	}
	snprintf(www, sizeof(www), "%s/www", t.dir);
	assert_int_equal(mkdir(www, 0755), 0);
	harness_write_file(&t, harness_at(&t, "www/a.html"), "alpha\n");
	harness_write_file(&t, harness_at(&t, "www/b.html"), "beta\n");
	harness_write_config(&t,
	    "services:\n"
	    "  h2:\n"
	    "    run: [" NGHTTPD ", -v, -d, @DIR@/www, '@PORT1@', @DIR@/key.pem, @DIR@/cert.pem]\n"
	    "    ready: { tcp: @PORT1@ }\n"
	    "    checks:\n"
	    "      a: { type: http, url: 'https://127.0.0.1:@PORT1@/a.html', insecure: true,\n"
	    "           every: 100ms, contains: alpha }\n"
	    "      b: { type: http, url: 'https://127.0.0.1:@PORT1@/b.html', insecure: true,\n"
	    "           every: 100ms, contains: beta }\n");
	harness_start(&t);
	log = served(30, 15000);
	status = harness_status(&t);
	assert_string_equal(check_state(status, "a"), "healthy");
	assert_string_equal(check_state(status, "b"), "healthy");
	json_decref(status);
	/* Once healthy (a first run may come before nghttpd listens), never critical again. */
	assert_false(harness_log_contains(&t, "healthy -> critical"));
	/*
	 * nghttpd numbers its connections (the readiness probe's, which says
	 * nothing, too): every request, of both checks, came on the same one.
	 */
	for (line = strtok(log, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		if (strstr(line, ":path: /") == NULL || sscanf(line, "[id=%d]", &id) != 1)
			continue;
		if (first == 0)
			first = id;
		else if (id != first)
			fail_msg("requests on connections %d and %d", first, id);
	}
	assert_true(first > 0);
	free(log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(h2_checks_of_one_host_share_one_kept_connection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
