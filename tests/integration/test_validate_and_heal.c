/*
 * tend validate-and-heal with the real binary: a check that fails until a
 * heal action fixes it ends healthy (exit 0) and the summary says what was
 * done; a failure nothing heals ends critical; a broken config runs
 * nothing and names file:line:col; with a daemon running, a sick service
 * is restarted by the daemon, not started a second time by the command.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
a_check_healed_by_its_action_ends_healthy(void **state)
{
	char marker[400], *out;
	int rc;

	harness_write_config(&t,
	    "checks:\n"
	    "  marker:\n"
	    "    type: file\n"
	    "    path: @DIR@/marker\n"
	    "    heal: [{ exec: [touch, @DIR@/marker] }]\n"
	    "  config-there: { type: file, path: @DIR@/tend.yaml }\n");
	snprintf(marker, sizeof(marker), "%s/marker", t.dir);
	rc = harness_cli(&t, &out, "validate-and-heal", "-c", t.config, "--state-dir",
	    t.state, NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "checks: 2 run, 1 failing"));
	assert_non_null(strstr(out, "healed by exec-touch"));
	assert_non_null(strstr(out, "1 of 1 healthy now"));
	assert_non_null(strstr(out, "overall: healthy"));
	free(out);
	assert_int_equal(access(marker, F_OK), 0);

	/* Healthy from the start: nothing to heal, and JSON says so. */
	rc = harness_cli(&t, &out, "validate-and-heal", "-c", t.config, "--state-dir",
	    t.state, "--format", "json", NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "\"state\": \"healthy\""));
	assert_non_null(strstr(out, "\"failed\": []"));
	assert_non_null(strstr(out, "\"healed\": null"));
	free(out);
}

static void
a_failure_nothing_heals_ends_critical(void **state)
{
	json_t *doc;
	json_error_t jerr;
	char *out, *brace;
	int rc;

	harness_write_config(&t,
	    "checks:\n"
	    "  missing:\n"
	    "    type: file\n"
	    "    path: @DIR@/never\n"
	    "    heal: [{ exec: ['false'] }, escalate]\n");
	rc = harness_cli(&t, &out, "validate-and-heal", "-c", t.config, "--state-dir",
	    t.state, "--format", "json", NULL);
	assert_int_equal(rc, 2);
	/* The healer's log (stderr) comes first, the document (stdout) last. */
	brace = strstr(out, "{\n  \"state\"");
	assert_non_null(brace);
	doc = json_loads(brace, 0, &jerr);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "state")), "critical");
	assert_int_equal(json_array_size(json_object_get(doc, "failed")), 1);
	assert_int_equal(json_array_size(json_object_get(doc, "healed")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(doc, "verified"), 0), "state")), "critical");
	json_decref(doc);
	free(out);
}

static void
a_broken_config_runs_nothing(void **state)
{
	char ran[400], *out;
	int rc;

	harness_write_config(&t,
	    "checks:\n"
	    "  would-run: { type: command, run: [touch, @DIR@/ran] }\n"
	    "  broken: { type: tcp }\n");
	snprintf(ran, sizeof(ran), "%s/ran", t.dir);
	rc = harness_cli(&t, &out, "validate-and-heal", "-c", t.config, "--state-dir",
	    t.state, NULL);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "tend.yaml:3:3: check 'broken': 'port' is required"));
	assert_non_null(strstr(out, "nothing was checked or healed"));
	free(out);
	assert_int_equal(access(ran, F_OK), -1);

	rc = harness_cli(&t, &out, "validate-and-heal", "-c", t.config, "--format", "json",
	    NULL);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "\"state\": \"invalid\""));
	assert_non_null(strstr(out, "tend.yaml:3:3:"));
	free(out);
	assert_int_equal(access(ran, F_OK), -1);
}

static void
with_a_daemon_its_services_are_healed_through_it(void **state)
{
	pid_t before, pids[16];
	char *out;
	int rc;

	t.run_flag = "--monitor-only";	/* the daemon records; the command heals */
	harness_write_config(&t, "heal: { verify_timeout: 5s }\nservices:\n" HARNESS_SICK_WEB);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	before = harness_pid(&t, "web");
	harness_make_sick(&t, false);
	rc = harness_cli(&t, &out, "validate-and-heal", "-c", t.config, "--state-dir",
	    t.state, NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "healed by restart"));
	assert_non_null(strstr(out, "1 of 1 healthy now"));
	free(out);
	assert_true(harness_pid(&t, "web") != before);
	/* Two processes in all: the first, and the daemon's restart of it. */
	assert_int_equal(harness_record_pids(&t, "start web", pids, 16), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_check_healed_by_its_action_ends_healthy),
		TEND_TEST(a_failure_nothing_heals_ends_critical),
		TEND_TEST(a_broken_config_runs_nothing),
		TEND_TEST(with_a_daemon_its_services_are_healed_through_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
