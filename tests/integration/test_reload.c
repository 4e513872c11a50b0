/*
 * SIGHUP: added services start, removed ones stop, changed ones restart,
 * unchanged ones keep running untouched; a broken config changes nothing.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char before[] =
    "services:\n"
    "  a: { run: [@FAKESVC@, --name, a, --record, @RECORD@] }\n"
    "  b: { run: [@FAKESVC@, --name, b, --record, @RECORD@] }\n"
    "  c: { run: [@FAKESVC@, --name, c, --record, @RECORD@] }\n";

/* fakesvc records its start once its SIGTERM handler is in place. */
static void
wait_all_started(void)
{
	assert_true(harness_wait_record(&t, "start a", 5000));
	assert_true(harness_wait_record(&t, "start b", 5000));
	assert_true(harness_wait_record(&t, "start c", 5000));
}

static void
sighup_applies_only_what_changed(void **state)
{
	pid_t a, b, c;

	harness_write_config(&t, before);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "c", "up", 0, 5000));
	wait_all_started();
	a = harness_pid(&t, "a");
	b = harness_pid(&t, "b");
	c = harness_pid(&t, "c");

	harness_write_config(&t,
	    "services:\n"
	    "  a: { run: [@FAKESVC@, --name, a, --record, @RECORD@] }\n"
	    "  b: { run: [@FAKESVC@, --name, b, --record, @RECORD@, --print, '1'] }\n"
	    "  d: { run: [@FAKESVC@, --name, d, --record, @RECORD@] }\n");
	kill(t.pid, SIGHUP);
	assert_true(harness_wait_state(&t, "d", "up", 0, 5000));
	assert_true(harness_wait_state(&t, "b", "up", b, 5000));
	assert_true(harness_wait_gone(c, 5000));
	assert_true(harness_wait_record(&t, "stop c", 2000));
	/* c leaves the status once it is down. */
	for (int i = 0; i < 100 && harness_pid(&t, "c") != 0; i++)
		harness_pause_ms(10);
	json_t *status = harness_status(&t);
	assert_null(harness_service(status, "c"));
	json_decref(status);
	assert_int_equal(harness_pid(&t, "a"), a);
	assert_true(harness_wait_count(&t, "start b", 2, 2000));
	assert_int_equal(harness_count_record(&t, "start a"), 1);
}

static void
a_broken_config_is_reported_and_nothing_changes(void **state)
{
	char want[400];
	pid_t a;

	harness_write_config(&t, before);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "c", "up", 0, 5000));
	wait_all_started();
	a = harness_pid(&t, "a");

	harness_write_config(&t, "services:\n  a: { run: [@FAKESVC@], bogus: 1 }\n");
	kill(t.pid, SIGHUP);
	/* "  a: { run: [" + the program + "], " puts bogus at this column. */
	snprintf(want, sizeof(want), "%s:2:%zu: unknown key 'bogus'", t.config,
	    strlen("  a: { run: [") + strlen(getenv("FAKESVC_BIN")) + strlen("], ") + 1);
	for (int i = 0; i < 500 && !harness_log_contains(&t, want); i++)
		harness_pause_ms(10);
	assert_true(harness_log_contains(&t, want));
	assert_true(harness_log_contains(&t, "keeping the running config"));
	assert_int_equal(harness_pid(&t, "a"), a);
	assert_true(harness_wait_state(&t, "c", "up", 0, 1000));
	assert_int_equal(harness_count_record(&t, "start"), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(sighup_applies_only_what_changed),
		TEND_TEST(a_broken_config_is_reported_and_nothing_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
