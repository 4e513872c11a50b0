/*
 * tend's own health: a corrupt tend.db is said once in a while, not four
 * times a second, and shows in tend status (text and JSON), /healthz and
 * /metrics with what to do; a deleted logs/ comes back.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"

/* A check every 100 ms: the recorder has rows to flush at every tick. */
static const char config[] =
    "web: { listen: '127.0.0.1:0' }\n"
    "checks:\n"
    "  fast: { type: command, run: ['true'], every: 100ms }\n";

/*
 * STATE/tend.db with tend's schema, then its pages past the first overwritten:
 * it opens (the header is sound) and every write finds it malformed.
 */
static void
plant_a_malformed_database(void)
{
	char path[400], err[256], junk[4096];
	struct store *st;
	struct stat sb;
	int fd;
	off_t off;

	assert_int_equal(mkdir(t.state, 0750), 0);
	snprintf(path, sizeof(path), "%s/tend.db", t.state);
	assert_non_null(st = store_open(path, err, sizeof(err)));
	store_close(st);
	assert_int_equal(stat(path, &sb), 0);
	memset(junk, 0xa5, sizeof(junk));
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	for (off = 4096; off < sb.st_size; off += 4096)
		assert_int_equal(pwrite(fd, junk, sizeof(junk), off), (ssize_t)sizeof(junk));
	close(fd);
}

/* GET path from the daemon's web server: the body. */
static char *
http_get(const char *path)
{
	char url[300], token[100], *body;

	harness_web(&t, url, sizeof(url), token, sizeof(token));
	assert_int_equal(harness_http(url, "GET", path, NULL, &body), 200);
	return body;
}

static void
a_malformed_database_is_tends_health_said_with_a_hint_not_a_flood(void **state)
{
	json_t *status = NULL, *problem;
	char *out;
	long long deadline;

	plant_a_malformed_database();
	harness_write_config(&t, config);
	t.web = true;
	harness_start(&t);
	deadline = harness_mono_ms() + 5000;
	do {
		json_decref(status);
		harness_pause_ms(50);
		status = harness_status(&t);
		problem = json_array_get(json_object_get(json_object_get(status, "tend"),
		    "problems"), 0);
	} while (problem == NULL && harness_mono_ms() < deadline);
	assert_non_null(problem);
	assert_string_equal(json_string_value(json_object_get(problem, "part")), "store");
	assert_non_null(strstr(json_string_value(json_object_get(problem, "hint")),
	    "away and restart"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(status,
	    "tend"), "health")), "warning");
	assert_string_equal(json_string_value(json_object_get(status, "state")), "warning");
	json_decref(status);

	/* Four flushes a second fail for three seconds: five lines, not twelve. */
	harness_pause_ms(3000);
	assert_true(harness_log_count(&t, "malformed") >= 1);
	assert_true(harness_log_count(&t, "malformed") <= 6);

	assert_int_equal(harness_cli(&t, &out, "status", "--state-dir", t.state, NULL), 0);
	assert_non_null(strstr(out, "tend: store: database disk image is malformed"));
	assert_non_null(strstr(out, "away and restart"));
	free(out);
	out = http_get("/healthz");
	assert_non_null(strstr(out, "\"health\":\"warning\""));
	assert_non_null(strstr(out, "malformed"));
	free(out);
	out = http_get("/metrics");
	assert_non_null(strstr(out, "\ntend_self_problems 1\n"));
	assert_null(strstr(out, "\ntend_store_errors_total 0\n"));
	assert_non_null(strstr(out, "\ntend_log_write_errors_total 0\n"));
	free(out);
}

static void
a_deleted_logs_dir_comes_back_while_the_service_prints(void **state)
{
	char logs[400], file[420], cmd[500];
	struct stat sb;
	long long deadline;

	harness_write_config(&t,
	    "services:\n"
	    "  chatty:\n"
	    "    run: [sh, -c, 'while :; do echo line; sleep 0.05; done']\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "chatty", "up", 0, 5000));
	snprintf(logs, sizeof(logs), "%s/logs", t.state);
	snprintf(file, sizeof(file), "%s/chatty.log", logs);
	deadline = harness_mono_ms() + 3000;
	while (stat(file, &sb) != 0 && harness_mono_ms() < deadline)
		harness_pause_ms(20);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", logs);
	assert_int_equal(system(cmd), 0);
	deadline = harness_mono_ms() + 5000;
	while ((stat(file, &sb) != 0 || sb.st_size == 0) && harness_mono_ms() < deadline)
		harness_pause_ms(20);
	assert_int_equal(stat(file, &sb), 0);
	assert_true(sb.st_size > 0);
	assert_int_equal(stat(logs, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0750);
	assert_true(harness_log_contains(&t, "was deleted; making it again"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_malformed_database_is_tends_health_said_with_a_hint_not_a_flood),
		TEND_TEST(a_deleted_logs_dir_comes_back_while_the_service_prints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
