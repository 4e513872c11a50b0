/*
 * tend guard with the real binary: a deploy that breaks the check is
 * rolled back (files byte-identical, web restarted through the daemon,
 * the check verified, the state it left marked bad); one that keeps
 * things healthy holds for the window; one that exits non-zero is rolled
 * back; without a daemon it works and says so; a release link swapped to
 * a broken release is swapped back; a GitHub step summary; what a
 * mistaken command line gets.
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
    "    guard_window: 1s\n"
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, web]\n"
    "    checks:\n"
    "      conf-good:\n"
    "        type: command\n"
    "        run: [sh, -c, 'grep -q good @DIR@/app/conf/site.conf || exit 2']\n"
    "        every: 200ms\n"
    "        heal: []\n";

/* The same, with a daemon that rolls app back by itself. */
static const char auto_config[] =
    "snapshots:\n"
    "  app:\n"
    "    paths: [@DIR@/app]\n"
    "    restart: [web]\n"
    "    guard_window: 1s\n"
    "    auto_rollback: true\n"
    "    lkg_after: 200ms\n"
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, web]\n"
    "    checks:\n"
    "      conf-good:\n"
    "        type: command\n"
    "        run: [sh, -c, 'grep -q good @DIR@/app/conf/site.conf || exit 2']\n"
    "        every: 200ms\n"
    "        heal: []\n";

/* Breaks the check: a bad config, and a binary file changed. */
static const char breaks[] =
    "#!/bin/sh\n"
    "echo deploying 1.4.2\n"
    "printf 'broken\\n' > @DIR@/app/conf/site.conf\n"
    "printf '\\001\\002new' > @DIR@/app/bin.dat\n";

static const char keeps[] =
    "#!/bin/sh\n"
    "printf 'good\\nbetter\\n' > @DIR@/app/conf/site.conf\n";

static const char fails[] =
    "#!/bin/sh\n"
    "printf 'half good\\n' > @DIR@/app/conf/site.conf\n"
    "echo 'migration failed' >&2\n"
    "exit 3\n";

static void
file_is(const char *rel, const char *want)
{
	char *text = harness_read_file(harness_at(&t, rel));

	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
}

/* The app's files and the deploy script. */
static const char *
setup(const char *script)
{
	harness_write_config(&t, config);
	assert_int_equal(mkdir(harness_at(&t, "app"), 0755), 0);
	assert_int_equal(mkdir(harness_at(&t, "app/conf"), 0755), 0);
	harness_write_file(&t, harness_at(&t, "app/conf/site.conf"), "good\n");
	harness_write_file(&t, harness_at(&t, "app/bin.dat"), "\x01\x02old");
	harness_write_script(&t, harness_at(&t, "deploy.sh"), script);
	return harness_at(&t, "deploy.sh");
}

static int
guard(char **out, const char *window, const char *deploy)
{
	return harness_cli(&t, out, "guard", "app", "--window", window, "--wait", "5s", "-c",
	    t.config, "--state-dir", t.state, "--", deploy, NULL);
}

static void
a_deploy_that_breaks_the_check_is_rolled_back_and_verified(void **state)
{
	const char *deploy = setup(breaks);
	pid_t web;
	char *out;
	int rc;

	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	web = harness_pid(&t, "web");
	rc = guard(&out, "30s", deploy);
	harness_contains(out, "deploying 1.4.2");
	harness_contains(out, "check conf-good turned critical");
	harness_contains(out, "restore   ");
	harness_contains(out, "verified healthy");
	harness_contains(out, "marked bad");
	assert_int_equal(rc, 1);
	free(out);
	file_is("app/conf/site.conf", "good\n");
	file_is("app/bin.dat", "\x01\x02old");
	assert_true(harness_wait_count(&t, "start web", 2, 5000));
	assert_true(harness_pid(&t, "web") != web);

	/* The state the change left is a snapshot of its own, marked bad. */
	rc = harness_cli(&t, &out, "snapshot", "list", "app", "-c", t.config, "--state-dir",
	    t.state, NULL);
	assert_int_equal(rc, 0);
	harness_contains(out, "bad   pre-rollback");
	harness_contains(out, "pre-guard     guard: ");
	free(out);
	/* And the change is recorded, rolled back. */
	rc = harness_cli(&t, &out, "changes", "-c", t.config, "--state-dir", t.state, NULL);
	assert_int_equal(rc, 0);
	harness_contains(out, "guard  app");
	harness_contains(out, "rolled back");
	harness_contains(out, "deploy.sh");
	free(out);
}

/*
 * A daemon whose set rolls back by itself stands down while guard
 * changes it: guard's own change is the one judged and rolled back, once;
 * the daemon records no change of its own for the files guard wrote.
 */
static void
a_daemon_with_auto_rollback_leaves_the_guarded_change_to_guard(void **state)
{
	const char *deploy = setup(breaks);
	char *out;
	int rc;

	harness_write_config(&t, auto_config);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	rc = guard(&out, "30s", deploy);
	harness_contains(out, "verified healthy");
	assert_int_equal(rc, 1);
	free(out);
	file_is("app/conf/site.conf", "good\n");
	/* What did not happen has no condition to wait for: three quiet periods. */
	harness_pause_ms(1500);
	assert_false(harness_log_contains(&t, "(files of app)"));
	assert_false(harness_log_contains(&t, "rollback-app"));
	assert_true(harness_log_contains(&t, "tend guard (pid "));
	assert_true(harness_log_contains(&t, "is done with it"));
}

static void
a_deploy_that_stays_healthy_holds_for_the_window(void **state)
{
	const char *deploy = setup(keeps);
	long long start = harness_mono_ms();
	char *out;
	int rc;

	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	/* No --window: the set's guard_window, 1s. */
	rc = harness_cli(&t, &out, "guard", "-c", t.config, "--state-dir", t.state, "--",
	    deploy, NULL);
	harness_contains(out, "watching 1 check for 1000 ms: conf-good");
	harness_contains(out, "the change held for 1000 ms");
	assert_int_equal(rc, 0);
	free(out);
	assert_true(harness_mono_ms() - start >= 1000);
	file_is("app/conf/site.conf", "good\nbetter\n");
	assert_int_equal(harness_count_record(&t, "start web"), 1);
}

static void
a_deploy_that_fails_is_rolled_back(void **state)
{
	const char *deploy = setup(fails);
	char *out;
	int rc;

	rc = harness_cli(&t, &out, "guard", "app", "--format", "json", "-c", t.config,
	    "--state-dir", t.state, "--", deploy, NULL);
	harness_contains(out, "migration failed");
	harness_contains(out, "\"exit\": 3");
	harness_contains(out, "\"result\": \"rolled back\"");
	harness_contains(out, "\"reason\": \"the change exited with status 3\"");
	assert_int_equal(rc, 1);
	free(out);
	file_is("app/conf/site.conf", "good\n");
}

static void
without_a_daemon_it_rolls_back_and_restarts_nothing(void **state)
{
	const char *deploy = setup(breaks);
	char *out;
	int rc;

	rc = guard(&out, "1s", deploy);
	harness_contains(out, "check conf-good turned critical");
	harness_contains(out, "no tend runs on this state dir: no service restarted");
	harness_contains(out, "verified healthy");
	assert_int_equal(rc, 1);
	free(out);
	file_is("app/conf/site.conf", "good\n");
	file_is("app/bin.dat", "\x01\x02old");
}

static void
a_rollback_that_does_not_verify_exits_3(void **state)
{
	const char *deploy = setup(breaks);
	char *out;
	int rc;

	/* The check reads a file outside the set: the rollback cannot fix it. */
	harness_write_file(&t, harness_at(&t, "app/conf/site.conf"),
	    "bad from the start\n");
	rc = harness_cli(&t, &out, "guard", "app", "--window", "1s", "--wait", "300ms", "-c",
	    t.config, "--state-dir", t.state, "--", deploy, NULL);
	harness_contains(out, "NOT verified healthy");
	assert_int_equal(rc, 3);
	free(out);
}

/*
 * A release pointer: the deploy unpacks release 2 beside release 1 and
 * swaps `current` to it (ln -sfn, mv -T, as deploy tools do); release 2
 * is broken, and the rollback swaps the link back, atomically, leaving the
 * releases themselves (not the set's) alone.
 */
static void
a_release_link_swapped_to_a_broken_release_is_swapped_back(void **state)
{
	static const char cfg[] =
	    "snapshots:\n"
	    "  app:\n"
	    "    paths: [@DIR@/shared]\n"
	    "    symlinks: [@DIR@/current]\n"
	    "    guard_window: 1s\n"
	    "checks:\n"
	    "  release-good:\n"
	    "    type: command\n"
	    "    run: [sh, -c, 'grep -q good @DIR@/current/site.conf || exit 2']\n"
	    "    every: 200ms\n"
	    "    heal: []\n";
	static const char swap[] =
	    "#!/bin/sh\n"
	    "set -e\n"
	    "mkdir -p @DIR@/releases/2\n"
	    "printf 'broken\\n' > @DIR@/releases/2/site.conf\n"
	    "ln -sfn releases/2 @DIR@/current.new\n"
	    "mv -T @DIR@/current.new @DIR@/current\n";
	char target[64], *out;
	ssize_t len;
	int rc;

	harness_write_config(&t, cfg);
	assert_int_equal(mkdir(harness_at(&t, "shared"), 0755), 0);
	assert_int_equal(mkdir(harness_at(&t, "releases"), 0755), 0);
	assert_int_equal(mkdir(harness_at(&t, "releases/1"), 0755), 0);
	harness_write_file(&t, harness_at(&t, "releases/1/site.conf"), "good\n");
	assert_int_equal(symlink("releases/1", harness_at(&t, "current")), 0);
	harness_write_script(&t, harness_at(&t, "swap.sh"), swap);
	rc = harness_cli(&t, &out, "guard", "app", "--window", "1s", "--wait", "5s", "-c",
	    t.config, "--state-dir", t.state, "--", harness_at(&t, "swap.sh"), NULL);
	harness_contains(out, "check release-good turned critical");
	harness_contains(out, "current");
	harness_contains(out, "verified healthy");
	assert_int_equal(rc, 1);
	free(out);
	len = readlink(harness_at(&t, "current"), target, sizeof(target) - 1);
	assert_true(len > 0);
	target[len] = '\0';
	assert_string_equal(target, "releases/1");
	file_is("releases/2/site.conf", "broken\n");
}

static void
github_actions_gets_an_error_and_a_step_summary(void **state)
{
	const char *deploy = setup(breaks);
	char summary[400], *out, *text;
	int rc;

	snprintf(summary, sizeof(summary), "%s/summary.md", t.dir);
	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_STEP_SUMMARY", summary, 1);
	rc = guard(&out, "1s", deploy);
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITHUB_STEP_SUMMARY");
	assert_int_equal(rc, 1);
	harness_contains(out, "::error::tend guard: rolled back: check conf-good turned critical");
	free(out);
	text = harness_read_file(summary);
	assert_non_null(text);
	harness_contains(text, "### tend guard app: `");
	harness_contains(text, "deploy.sh`");
	harness_contains(text, "❌ **rolled back**: check conf-good turned critical");
	harness_contains(text, "| path | step |");
	harness_contains(text, "/app/conf/site.conf | restore |");
	harness_contains(text, "| conf-good | healthy |");
	free(text);
}

static void
mistaken_commands_are_told_what_to_do(void **state)
{
	static const char two_sets[] =
	    "snapshots:\n"
	    "  app: { paths: [@DIR@/app] }\n"
	    "  db: { paths: [@DIR@/app] }\n";
	const char *deploy = setup(keeps);
	char *out;

	assert_int_equal(harness_cli(&t, &out, "guard", "app", "-c", t.config, "--state-dir",
	    t.state, NULL), 2);
	harness_contains(out, "no command to guard");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "guard", "app", "-c", t.config, "--state-dir",
	    t.state, "--", NULL), 2);
	harness_contains(out, "no command to guard");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "guard", "nope", "-c", t.config, "--state-dir",
	    t.state, "--", deploy, NULL), 2);
	harness_contains(out, "no snapshot set named 'nope' (the config has: app tend)");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "guard", "app", "--window", "soon", "-c",
	    t.config, "--state-dir", t.state, "--", deploy, NULL), 2);
	harness_contains(out, "--window 'soon': expected a duration");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "guard", "app", "--dry-run", "-c", t.config,
	    "--state-dir", t.state, "--", deploy, NULL), 2);
	harness_contains(out, "--dry-run, --to and --lkg are tend rollback's");
	free(out);
	harness_write_config(&t, two_sets);
	assert_int_equal(harness_cli(&t, &out, "guard", "-c", t.config, "--state-dir",
	    t.state, "--", deploy, NULL), 2);
	harness_contains(out, "name the set to guard (the config has: app db tend)");
	free(out);
	/* Nothing ran. */
	file_is("app/conf/site.conf", "good\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_deploy_that_breaks_the_check_is_rolled_back_and_verified),
		TEND_TEST(a_daemon_with_auto_rollback_leaves_the_guarded_change_to_guard),
		TEND_TEST(a_deploy_that_stays_healthy_holds_for_the_window),
		TEND_TEST(a_deploy_that_fails_is_rolled_back),
		TEND_TEST(without_a_daemon_it_rolls_back_and_restarts_nothing),
		TEND_TEST(a_rollback_that_does_not_verify_exits_3),
		TEND_TEST(a_release_link_swapped_to_a_broken_release_is_swapped_back),
		TEND_TEST(github_actions_gets_an_error_and_a_step_summary),
		TEND_TEST(mistaken_commands_are_told_what_to_do),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
