/*
 * tend rebuild with the real binary: a rebuild whose steps recreate what
 * a service's check needs, its service restarted by a running daemon and
 * verified healthy; a step that keeps failing, tried as often as the entry
 * says, and the snapshot set rolled back byte-identical; a dry run that
 * changes nothing; what a mistaken command gets.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char config[] =
    "snapshots:\n"
    "  app:\n"
    "    paths: [@DIR@/app]\n"
    "    restart: [web]\n"
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, web]\n"
    "    checks:\n"
    "      env-ready:\n"
    "        type: command\n"
    "        run: [test, -f, @DIR@/app/env/ready]\n"
    "        every: 200ms\n"
    "        heal: []\n"
    "rebuild:\n"
    "  env:\n"
    "    service: web\n"
    "    clear: [@DIR@/app/env]\n"
    "    steps:\n"
    "      - [mkdir, @DIR@/app/env]\n"
    "      - [sh, -c, 'echo built > @DIR@/app/env/ready']\n"
    "    snapshot: app\n"
    "  broken:\n"
    "    service: web\n"
    "    clear: [@DIR@/app/env]\n"
    "    steps:\n"
    "      - [sh, -c, 'echo run >> @DIR@/runs; mkdir -p @DIR@/app/env/half; exit 1']\n"
    "    retry: { attempts: 2, initial: 0s }\n"
    "    snapshot: app\n"
    "  bare:\n"
    "    service: web\n"
    "    clear: [@DIR@/app/env]\n"
    "    steps:\n"
    "      - ['true']\n";

static void
expect_file(const char *rel, const char *text)
{
	char *got = harness_read_file(harness_at(&t, rel));

	assert_non_null(got);
	assert_string_equal(got, text);
	free(got);
}

static int
rebuild(char **out, const char *name, const char *more)
{
	return harness_cli(&t, out, "rebuild", name, "-c", t.config, "--state-dir", t.state,
	    "--wait", "3s", more, NULL);
}

/* app/ with a stale environment the check does not accept. */
static void
stale_app(void)
{
	harness_write_config(&t, config);
	assert_int_equal(mkdir(harness_at(&t, "app"), 0755), 0);
	assert_int_equal(mkdir(harness_at(&t, "app/env"), 0755), 0);
	assert_int_equal(mkdir(harness_at(&t, "app/env/lib"), 0755), 0);
	harness_write_file(&t, harness_at(&t, "app/site.conf"), "port 80\n");
	harness_write_file(&t, harness_at(&t, "app/env/lib/stale.py"), "old\n");
}

static void
a_rebuild_recreates_the_env_and_the_daemon_restarts_the_service(void **state)
{
	char *out;
	pid_t web;

	stale_app();
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	web = harness_pid(&t, "web");

	/* A dry run says what it would do and does nothing. */
	assert_int_equal(rebuild(&out, "env", "--dry-run"), 0);
	harness_contains(out, "would snapshot set app");
	harness_contains(out, "would clear");
	harness_contains(out, "would run step 2");
	free(out);
	expect_file("app/env/lib/stale.py", "old\n");
	assert_int_equal(harness_pid(&t, "web"), web);

	assert_int_equal(rebuild(&out, "env", NULL), 0);
	harness_contains(out, "snapshot 1 of set app taken");
	harness_contains(out, "(1 files, 2 directories)");
	harness_contains(out, "verified healthy");
	free(out);
	expect_file("app/env/ready", "built\n");
	assert_int_equal(access(harness_at(&t, "app/env/lib"), F_OK), -1);
	/* Restarted by the daemon: a second start of web, with another pid. */
	assert_true(harness_wait_count(&t, "start web", 2, 5000));
	assert_true(harness_pid(&t, "web") != web);
}

static void
a_failing_step_is_retried_then_the_set_is_rolled_back(void **state)
{
	char *out;

	stale_app();
	/* Healthy as it is: the rollback puts this back and verifies it. */
	harness_write_file(&t, harness_at(&t, "app/env/ready"), "old\n");
	assert_int_equal(rebuild(&out, "broken", "--format=json"), 1);
	harness_contains(out, "\"result\": \"rolled back\"");
	harness_contains(out, "\"attempts\": 2");
	free(out);
	/* attempts: 2 ran the step twice. */
	expect_file("runs", "run\nrun\n");
	/* Byte-identical to before: the cleared env back, what the step made gone. */
	expect_file("app/env/lib/stale.py", "old\n");
	expect_file("app/env/ready", "old\n");
	expect_file("app/site.conf", "port 80\n");
	assert_int_equal(access(harness_at(&t, "app/env/half"), F_OK), -1);
}

static void
without_a_snapshot_a_failure_is_final(void **state)
{
	char *out;

	stale_app();
	/* bare clears the env and makes nothing: the check fails, nothing to roll back to. */
	assert_int_equal(rebuild(&out, "bare", "--wait=500ms"), 3);
	harness_contains(out, "NOT verified healthy");
	harness_contains(out, "FAILED");
	free(out);
	assert_int_equal(access(harness_at(&t, "app/env"), F_OK), -1);
}

static void
a_mistaken_command_is_a_usage_error(void **state)
{
	char *out;

	harness_write_config(&t, config);
	assert_int_equal(harness_cli(&t, &out, "rebuild", "-c", t.config, "--state-dir",
	    t.state, NULL), 2);
	free(out);
	assert_int_equal(harness_cli(&t, &out, "rebuild", "nope", "-c", t.config, "--dry-run",
	    NULL), 2);
	harness_contains(out, "no rebuild named 'nope' (the config has: env broken bare)");
	free(out);
}

/* A step's program may be made by an earlier step: missing is a warning, not an error. */
static void
validate_environment_warns_of_a_missing_step_program(void **state)
{
	char *out;

	harness_write_config(&t,
	    "rebuild:\n"
	    "  venv:\n"
	    "    steps:\n"
	    "      - [sh, -c, 'true']\n"
	    "      - [@DIR@/venv/bin/pip, install, x]\n");
	unsetenv("GITHUB_ACTIONS");
	unsetenv("CI");
	assert_int_equal(harness_cli(&t, &out, "validate", "--environment", "-c", t.config,
	    "--state-dir", t.state, NULL), 0);
	harness_contains(out, "ok       program    sh: ");
	harness_contains(out, "used by rebuild 'venv' step 1");
	harness_contains(out, "warning  program    ");
	harness_contains(out, "/venv/bin/pip: not found; used by rebuild 'venv' step 2");
	free(out);
}

/*
 * The heal action: a check that fails for a missing module is a
 * dependency failure, whose default plan is the rebuild declared for its
 * service, run by the daemon as `tend rebuild NAME`.
 */
static void
a_dependency_failure_is_healed_by_the_rebuild_of_its_service(void **state)
{
	char *out;

	harness_write_config(&t,
	    "snapshots:\n"
	    "  app:\n"
	    "    paths: [@DIR@/app]\n"
	    "    restart: [web]\n"
	    "services:\n"
	    "  web:\n"
	    "    run: [@FAKESVC@, --record, @RECORD@, --name, web]\n"
	    "    checks:\n"
	    "      env-ready:\n"
	    "        type: command\n"
	    "        run: [sh, -c, 'test -f @DIR@/app/env/ready || { echo \"ModuleNotFoundError: "
	    "No module named requests\"; exit 2; }']\n"
	    "        every: 200ms\n"
	    "rebuild:\n"
	    "  env:\n"
	    "    service: web\n"
	    "    clear: [@DIR@/app/env]\n"
	    "    steps:\n"
	    "      - [mkdir, @DIR@/app/env]\n"
	    "      - [sh, -c, 'echo built > @DIR@/app/env/ready']\n"
	    "    snapshot: app\n");
	assert_int_equal(mkdir(harness_at(&t, "app"), 0755), 0);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	for (long long deadline = harness_mono_ms() + 20000;; harness_pause_ms(200)) {
		harness_cli(&t, &out, "incidents", "--format=json", "-c", t.config,
		    "--state-dir", t.state, NULL);
		if (strstr(out, "healed by rebuild-env") != NULL || harness_mono_ms() > deadline)
			break;
		free(out);
	}
	if (strstr(out, "healed by rebuild-env") == NULL)
		fail_msg("not healed by rebuild-env:\n%s", out);
	assert_non_null(strstr(out, "classified as dependency"));
	free(out);
	assert_int_equal(access(harness_at(&t, "app/env/ready"), F_OK), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_dependency_failure_is_healed_by_the_rebuild_of_its_service),
		TEND_TEST(a_rebuild_recreates_the_env_and_the_daemon_restarts_the_service),
		TEND_TEST(a_failing_step_is_retried_then_the_set_is_rolled_back),
		TEND_TEST(without_a_snapshot_a_failure_is_final),
		TEND_TEST(a_mistaken_command_is_a_usage_error),
		TEND_TEST(validate_environment_warns_of_a_missing_step_program),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
