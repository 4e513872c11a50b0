/*
 * Stopping: a service a reload removes and the next one brings back while
 * it is still stopping ends up running once; a change undone by the next
 * reload before it was applied leaves the service as it was; a hung
 * (SIGSTOPped) process stops at once, not after the whole stop timeout.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char with_slow[] =
    "services:\n"
    "  keep: { run: [@FAKESVC@, --name, keep, --record, @RECORD@] }\n"
    "  slow:\n"
    "    run: [@FAKESVC@, --name, slow, --record, @RECORD@, --ignore-term]\n"
    "    stop: { timeout: 1500ms }\n";

/* Sends SIGHUP and waits until tend has read the config for the n-th time. */
static void
reload(int n)
{
	long long deadline = harness_mono_ms() + 5000;

	kill(t.pid, SIGHUP);
	while (harness_log_count(&t, "reloading ") < n && harness_mono_ms() < deadline)
		harness_pause_ms(10);
	assert_int_equal(harness_log_count(&t, "reloading "), n);
}

static int
services_named(const char *name)
{
	json_t *status = harness_status(&t), *s;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(status, "services"), i, s)
		n += strcmp(json_string_value(json_object_get(s, "name")), name) == 0;
	json_decref(status);
	return n;
}

/* Starts tend on with_slow; returns slow's pid. */
static pid_t
start_slow(void)
{
	harness_write_config(&t, with_slow);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "slow", "up", 0, 5000));
	assert_true(harness_wait_record(&t, "start slow", 5000));
	return harness_pid(&t, "slow");
}

static void
a_service_back_before_its_removal_stopped_runs_once(void **state)
{
	pid_t old = start_slow();
	char st[32];

	harness_write_config(&t,
	    "services:\n"
	    "  keep: { run: [@FAKESVC@, --name, keep, --record, @RECORD@] }\n");
	reload(1);
	assert_true(harness_wait_state(&t, "slow", "stopping", 0, 5000));
	harness_write_config(&t, with_slow);
	reload(2);
	/* It ignores SIGTERM: killed after 1.5 s, then started again. */
	assert_true(harness_wait_count(&t, "start slow", 2, 10000));
	assert_true(harness_wait_state(&t, "slow", "up", old, 5000));
	assert_true(harness_pid_gone(old));
	assert_int_equal(services_named("slow"), 1);
	/* And it stays: no later step removes it. */
	harness_pause_ms(300);
	assert_string_equal(harness_state(&t, "slow", st, sizeof(st)), "up");
	assert_int_equal(harness_count_record(&t, "start slow"), 2);
}

/* Changed, then changed back while the first change still stops it. */
static void
a_change_undone_before_it_applied_keeps_the_old_config(void **state)
{
	pid_t old = start_slow();
	char path[400], *log;

	harness_write_config(&t,
	    "services:\n"
	    "  keep: { run: [@FAKESVC@, --name, keep, --record, @RECORD@] }\n"
	    "  slow:\n"
	    "    run: [@FAKESVC@, --name, slow, --record, @RECORD@, --ignore-term,\n"
	    "          --print, '1']\n"
	    "    stop: { timeout: 1500ms }\n");
	reload(1);
	assert_true(harness_wait_state(&t, "slow", "stopping", 0, 5000));
	harness_write_config(&t, with_slow);
	reload(2);
	assert_true(harness_wait_count(&t, "start slow", 2, 10000));
	assert_true(harness_wait_state(&t, "slow", "up", old, 5000));
	/* Started with the config in force: the one without --print. */
	snprintf(path, sizeof(path), "%s/logs/slow.log", t.state);
	log = harness_read_file(path);
	assert_null(log != NULL ? strstr(log, "stdout line 0") : NULL);
	free(log);
	assert_int_equal(services_named("slow"), 1);
}

static void
a_hung_process_stops_without_waiting_for_the_timeout(void **state)
{
	long long t0, took;
	char *out;
	pid_t pid;

	harness_write_config(&t,
	    "services:\n"
	    "  hung:\n"
	    "    run: [@FAKESVC@, --name, hung, --record, @RECORD@]\n"
	    "    stop: { timeout: 5s }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "hung", "up", 0, 5000));
	assert_true(harness_wait_record(&t, "start hung", 5000));
	pid = harness_pid(&t, "hung");
	assert_int_equal(kill(pid, SIGSTOP), 0);
	t0 = harness_mono_ms();
	assert_int_equal(harness_cli(&t, &out, "stop", "hung", "--state-dir", t.state,
	    NULL), 0);
	free(out);
	assert_true(harness_wait_state(&t, "hung", "down", 0, 8000));
	took = harness_mono_ms() - t0;
	fprintf(stderr, "a SIGSTOPped service stopped in %lld ms\n", took);
	assert_true(took < 2500);
	/* It got SIGTERM, handled it and said so: no SIGKILL was needed. */
	assert_true(harness_wait_record(&t, "stop hung", 2000));
	assert_false(harness_log_contains(&t, "sending SIGKILL"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_service_back_before_its_removal_stopped_runs_once),
		TEND_TEST(a_change_undone_before_it_applied_keeps_the_old_config),
		TEND_TEST(a_hung_process_stops_without_waiting_for_the_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
