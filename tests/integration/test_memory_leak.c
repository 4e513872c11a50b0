/*
 * A leaking service with the real binary: its process check, with `leak:`,
 * fits the tree's RSS over the window, sees growth that would reach the
 * limit, and opens an incident classified resource by the memory-leak
 * rule, with the projected time in its diagnosis; the restart heals it
 * (the next process is quiet) before any limit is reached, recorded as
 * such. fakesvc --leak FILE: 20 MB/s, only while FILE did not exist.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
a_leak_is_seen_and_restarted_before_the_limit(void **state)
{
	json_t *inc;
	pid_t before;

	harness_write_config(&t, "heal: { cooldown: 0s }\n"
	    "services:\n"
	    "  app:\n"
	    "    run: [@FAKESVC@, --name, app, --record, @RECORD@, --leak, @DIR@/leaked]\n"
	    "    checks:\n"
	    "      app-tree: { type: process, every: 200ms,\n"
	    "                  leak: { window: 2s, within: 1h, limit: 4GB } }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "app", "up", 0, 5000));
	before = harness_pid(&t, "app");
	inc = harness_wait_incident(&t, "app-tree", "phase", "resolved", 30000);
	assert_non_null(inc);
	assert_string_equal(harness_str(inc, "category"), "resource");
	assert_non_null(strstr(harness_str(inc, "diagnosis"), "memory leak: rss "));
	assert_non_null(strstr(harness_str(inc, "diagnosis"), "reaches 4.0 GiB in "));
	assert_non_null(strstr(harness_str(inc, "diagnosis"), "rule: memory-leak"));
	assert_non_null(strstr(harness_str(inc, "resolution"), "healed by restart"));
	json_decref(inc);
	assert_true(harness_pid(&t, "app") != before);
	/* Ended by the restart's TERM, long before 400 MB (4 GB the limit). */
	assert_true(harness_wait_record(&t, "stop app", 5000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_leak_is_seen_and_restarted_before_the_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
