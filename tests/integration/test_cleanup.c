/*
 * No orphans and no zombies: SIGTERM stops everything a service started,
 * including double-forked grandchildren and processes that ignore SIGTERM,
 * and tend exits 0; an orphan that comes silently while tend is idle (its
 * look for orphans slowed to every 8 s) is still adopted, and stopped with
 * its service.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

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

/* Whether run.json lists pid among the orphans of a service. */
static bool
orphan_recorded(pid_t pid)
{
	json_t *doc, *services, *svc, *orphans, *o;
	size_t i, j;
	bool found = false;
	char file[400];

	snprintf(file, sizeof(file), "%s/run.json", t.state);
	if ((doc = json_load_file(file, 0, NULL)) == NULL)
		return false;
	services = json_object_get(doc, "services");
	json_array_foreach(services, i, svc) {
		orphans = json_object_get(svc, "orphans");
		json_array_foreach(orphans, j, o)
			if (json_integer_value(json_object_get(o, "pid")) == pid)
				found = true;
	}
	json_decref(doc);
	return found;
}

static void
an_orphan_that_comes_while_idle_is_adopted(void **state)
{
	long long deadline;
	pid_t orphan[2];
	char *out;

	harness_write_config(&t,
	    "services:\n"
	    "  late:\n"
	    "    run: [@FAKESVC@, --name, late, --record, @RECORD@, --orphan-after, 12000]\n");
	harness_start(&t);
	/* 12 s without a spawn or an exit: the look for orphans is down to every 8 s. */
	assert_true(harness_wait_record(&t, "orphan late", 20000));
	assert_int_equal(harness_record_pids(&t, "orphan late", orphan, 2), 1);
	deadline = harness_mono_ms() + 10000;
	while (!orphan_recorded(orphan[0]) && harness_mono_ms() < deadline)
		harness_pause_ms(100);
	assert_true(orphan_recorded(orphan[0]));
	assert_int_equal(harness_cli(&t, &out, "stop", "late", "--state-dir", t.state, NULL), 0);
	free(out);
	assert_true(harness_wait_gone(orphan[0], 5000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(sigterm_leaves_no_process_behind),
		TEND_TEST(a_killed_service_leaves_no_zombie),
		TEND_TEST(an_orphan_that_comes_while_idle_is_adopted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
