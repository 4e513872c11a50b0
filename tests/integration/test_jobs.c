/*
 * tend job and tend jobs with the real binary and a running daemon: a job
 * that fails makes its heartbeat check critical at once with what happened
 * and its last line, one that succeeds makes it healthy again; a job past
 * its timeout is ended (124); every run is recorded and listed, newest
 * first; what the job printed still reaches tend job's output. Jobs of
 * `jobs:` run on their schedule, watched by a heartbeat of their name,
 * never two of one job at once.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char config[] =
    "checks:\n"
    "  backup: { type: heartbeat, period: 1h, heal: [] }\n";

/* Check name's message, once its state is want (within 5 s). */
static bool
backup_is_named(const char *name, const char *want, char *message, size_t len)
{
	long long deadline = harness_mono_ms() + 5000;
	const char *state = "";
	json_t *status, *c;
	size_t i;

	do {
		status = harness_status(&t);
		json_array_foreach(json_object_get(status, "checks"), i, c)
			if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0) {
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

static bool
backup_is(const char *want, char *message, size_t len)
{
	return backup_is_named("backup", want, message, len);
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

static void
scheduled_jobs_run_by_themselves_never_two_at_once(void **state)
{
	long long deadline;
	char message[512], *out, *ticks = NULL;
	json_t *runs;

	harness_write_config(&t, "jobs:\n"
	    "  tick: { run: [sh, -c, 'echo ran >> @DIR@/ticks'], schedule: every 1s }\n"
	    "  slow: { run: [sleep, '3'], schedule: every 1s, timeout: 10s }\n");
	harness_start(&t);
	deadline = harness_mono_ms() + 10000;
	do {
		free(ticks);
		harness_pause_ms(100);
		ticks = harness_read_file(harness_at(&t, "ticks"));
	} while ((ticks == NULL || strlen(ticks) < strlen("ran\nran\n")) &&
	    harness_mono_ms() < deadline);
	assert_non_null(ticks);
	assert_true(strlen(ticks) >= strlen("ran\nran\n"));
	free(ticks);
	/* Recorded by tend job, and its heartbeat (made for it) pinged. */
	assert_int_equal(harness_cli(&t, &out, "jobs", "tick", "--format", "json", "-c",
	    t.config, "--state-dir", t.state, NULL), 0);
	runs = json_loads(out, 0, NULL);
	free(out);
	assert_true(json_array_size(runs) >= 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(runs, 0),
	    "exit_code")), 0);
	json_decref(runs);
	assert_true(backup_is_named("tick", "healthy", message, sizeof(message)));
	harness_contains(message, "last ping at");
	deadline = harness_mono_ms() + 10000;
	while (!harness_log_contains(&t, "scheduled job slow: the last run is still going; "
	    "this one skipped") && harness_mono_ms() < deadline)
		harness_pause_ms(100);
	assert_true(harness_log_contains(&t, "scheduled job slow: the last run is still "
	    "going; this one skipped"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(runs_ping_their_heartbeat_and_are_recorded),
		TEND_TEST(scheduled_jobs_run_by_themselves_never_two_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
