/*
 * No orphans and no zombies: SIGTERM stops everything a service started,
 * including double-forked grandchildren and processes that ignore SIGTERM,
 * and tend exits 0.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>

static const char config[] =
    "services:\n"
    "  parent:\n"
    "    run: [@FAKESVC@, --name, parent, --record, @RECORD@, --spawn-child]\n"
    "  leaver:\n"
    "    run: [@FAKESVC@, --name, leaver, --record, @RECORD@, --spawn-orphan]\n"
    "  stubborn:\n"
    "    run: [@FAKESVC@, --name, stubborn, --record, @RECORD@, --ignore-term]\n"
    "    stop: { timeout: 500ms }\n";

static void
sigterm_leaves_no_process_behind(void **state)
{
	pid_t pids[32];
	long long t0;
	int i, n;

	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "stubborn", "up", 0, 5000));
	/* Recorded once SIGTERM is ignored, so the test is of tend's escalation. */
	assert_true(harness_wait_record(&t, "start stubborn", 5000));
	assert_true(harness_wait_record(&t, "child parent", 5000));
	assert_true(harness_wait_record(&t, "orphan leaver", 5000));

	t0 = harness_mono_ms();
	kill(t.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&t, 10000), 0);
	fprintf(stderr, "tend stopped everything in %lld ms\n", harness_mono_ms() - t0);
	assert_true(harness_log_contains(&t, "SIGKILL"));	/* stubborn needed it */

	n = harness_record_pids(&t, "", pids, 32);
	assert_true(n >= 5);
	for (i = 0; i < n; i++)
		if (!harness_wait_gone(pids[i], 2000))
			fail_msg("pid %d outlived tend", (int)pids[i]);
}

static void
a_killed_service_leaves_no_zombie(void **state)
{
	pid_t orphan[4], main_pid;

	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(harness_wait_record(&t, "orphan leaver", 5000));
	assert_int_equal(harness_record_pids(&t, "orphan leaver", orphan, 4), 1);
	main_pid = harness_pid(&t, "leaver");
	assert_true(main_pid > 0);

	/* The orphan was re-parented to tend, the subreaper. */
	kill(main_pid, SIGKILL);
	assert_true(harness_wait_state(&t, "leaver", "up", main_pid, 5000));
	kill(orphan[0], SIGKILL);
	assert_true(harness_wait_gone(orphan[0], 2000));
	harness_pause_ms(100);
	assert_int_equal(harness_zombie_children(t.pid), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(sigterm_leaves_no_process_behind),
		TEND_TEST(a_killed_service_leaves_no_zombie),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
