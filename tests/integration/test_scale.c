/*
 * A large config at a size CI affords (bench/bigconfig runs the full one:
 * 1,000 services, 10,000 checks): every service started and up, every
 * check run and healthy, status trimmed to what is wrong, the run record
 * holding every service, and a killed one replaced among them all.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVICES	200
#define CHECKS		10	/* per service */

/* The config: SERVICES fakesvcs, each with CHECKS process checks. */
static void
write_big_config(void)
{
	size_t cap = (size_t)SERVICES * (CHECKS + 2) * 96 + 256, len = 0;
	char *text = malloc(cap);
	int i, j;

	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "services:\n");
	for (i = 0; i < SERVICES; i++) {
		len += (size_t)snprintf(text + len, cap - len, "  s%d:\n    run: [@FAKESVC@, "
		    "--name, s%d, --record, @RECORD@]\n    checks:\n", i, i);
		for (j = 0; j < CHECKS; j++)
			len += (size_t)snprintf(text + len, cap - len, "      c%d_%d: { type: "
			    "process, every: 2s }\n", i, j);
	}
	assert_true(len < cap);
	harness_write_config(&t, text);
	free(text);
}

/* How many checks the status counts in state; -1 without counts. */
static long long
count_checks(json_t *status, const char *state)
{
	json_t *counts = json_object_get(status, "check_counts");

	if (!json_is_object(counts))
		return -1;
	return json_integer_value(json_object_get(counts, state));
}

static bool
wait_all_healthy(int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms, n;
	json_t *status;

	do {
		status = harness_status(&t);
		n = count_checks(status, "healthy");
		json_decref(status);
		if (n == SERVICES * CHECKS)
			return true;
		harness_pause_ms(200);
	} while (harness_mono_ms() < deadline);
	return false;
}

static void
a_large_config_runs_whole(void **state)
{
	char *out = NULL, want[400], *record;
	pid_t before, after;
	json_t *status;

	write_big_config();
	harness_start(&t);
	assert_true(harness_wait_count(&t, "start s", SERVICES, 60000));
	assert_true(harness_wait_state(&t, "s199", "up", 0, 30000));
	assert_true(wait_all_healthy(90000));

	/* The table lists what is wrong: nothing; the first line counts them all. */
	assert_int_equal(harness_cli(&t, &out, "status", "--state-dir", t.state, NULL), 0);
	snprintf(want, sizeof(want), "%d services up, %d checks healthy", SERVICES,
	    SERVICES * CHECKS);
	harness_contains(out, want);
	snprintf(want, sizeof(want), "%d healthy or paused checks not listed",
	    SERVICES * CHECKS);
	harness_contains(out, want);
	assert_null(strstr(out, "c0_0 "));
	free(out);
	/* --all lists every one; JSON always has them all. */
	assert_int_equal(harness_cli(&t, &out, "status", "--all", "--state-dir", t.state,
	    NULL), 0);
	harness_contains(out, "c199_9 ");
	free(out);
	status = harness_status(&t);
	assert_int_equal(json_array_size(json_object_get(status, "checks")),
	    SERVICES * CHECKS);
	json_decref(status);

	/* The run record holds every service's process. */
	snprintf(want, sizeof(want), "%s/run.json", t.state);
	record = harness_read_file(want);
	assert_non_null(record);
	harness_contains(record, "\"s0\"");
	harness_contains(record, "\"s199\"");
	free(record);

	/* One killed among them all is replaced. */
	before = harness_pid(&t, "s123");
	assert_true(before > 0);
	kill(before, SIGKILL);
	assert_true(harness_wait_count(&t, "start s123", 2, 20000));
	assert_true(harness_wait_state(&t, "s123", "up", 0, 20000));
	after = harness_pid(&t, "s123");
	assert_true(after > 0 && after != before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_large_config_runs_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
