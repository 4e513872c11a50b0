/*
 * tend job and tend jobs with the real binary and a running daemon: a job
 * that fails makes its heartbeat check critical at once with what happened
 * and its last line, one that succeeds makes it healthy again; a job past
 * its timeout is ended (124); every run is recorded and listed, newest
 * first; what the job printed still reaches tend job's output.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char config[] =
    "checks:\n"
    "  backup: { type: heartbeat, period: 1h, heal: [] }\n";

/* backup's state and message, once its state is want (within 5 s). */
static bool
backup_is(const char *want, char *message, size_t len)
{
	long long deadline = harness_mono_ms() + 5000;
	const char *state = "";
	json_t *status, *c;
	size_t i;

	do {
		status = harness_status(&t);
		json_array_foreach(json_object_get(status, "checks"), i, c)
			if (strcmp(json_string_value(json_object_get(c, "name")), "backup") == 0) {
				state = json_string_value(json_object_get(c, "state"));
				snprintf(message, len, "%s",
				    json_string_value(json_object_get(c, "message")));
			}
		if (state != NULL && strcmp(state, want) == 0) {
			json_decref(status);
			return true;
		}
		json_decref(status);
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	return false;
}

static void
runs_ping_their_heartbeat_and_are_recorded(void **state)
{
	char message[512], *out;
	json_t *runs;

	harness_write_config(&t, config);
	harness_start(&t);
	assert_int_equal(harness_cli(&t, &out, "job", "backup", "-c", t.config,
	    "--state-dir", t.state, "--", "sh", "-c", "echo hello; echo there; exit 3", NULL),
	    3);
	harness_contains(out, "hello\nthere\n");
	free(out);
	assert_true(backup_is("critical", message, sizeof(message)));
	harness_contains(message, "exit 3: there");

	assert_int_equal(harness_cli(&t, &out, "job", "--timeout", "300ms", "backup", "-c",
	    t.config, "--state-dir", t.state, "--", "sleep", "5", NULL), 124);
	free(out);
	assert_int_equal(harness_cli(&t, &out, "job", "backup", "-c", t.config,
	    "--state-dir", t.state, "--", "sh", "-c", "echo done", NULL), 0);
	free(out);
	assert_true(backup_is("healthy", message, sizeof(message)));

	assert_int_equal(harness_cli(&t, &out, "jobs", "-c", t.config, "--state-dir",
	    t.state, NULL), 0);
	harness_contains(out, "JOB");
	harness_contains(out, "exit 0");
	harness_contains(out, "timed out");
	harness_contains(out, "exit 3");
	harness_contains(out, "there");
	assert_true(strstr(out, "exit 0") < strstr(out, "timed out"));	/* newest first */
	free(out);
	assert_int_equal(harness_cli(&t, &out, "jobs", "backup", "--format", "json", "-c",
	    t.config, "--state-dir", t.state, NULL), 0);
	runs = json_loads(out, 0, NULL);
	free(out);
	assert_int_equal(json_array_size(runs), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(runs, 2),
	    "exit_code")), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(runs, 2),
	    "output")), "hello\nthere\n");
	assert_true(json_is_true(json_object_get(json_array_get(runs, 1), "timed_out")));
	json_decref(runs);
	/* Without "--", the command's options would be taken for tend's. */
	assert_int_equal(harness_cli(&t, &out, "job", "backup", "true", NULL), 2);
	harness_contains(out, "expected -- and the command after it");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(runs_ping_their_heartbeat_and_are_recorded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
