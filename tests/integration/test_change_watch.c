/*
 * Changes in the daemon, with the real binary: a watched set's state
 * becomes last known good once healthy; a file changed on disk is a
 * change, snapshotted, and the incident that follows is blamed on it;
 * tend rollback puts the last known good back; a deploy tool's mark and a
 * Debian package upgrade (a dpkg log of the test's) are changes too.
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
    "    guard_window: 1m\n"
    "    lkg_after: 1s\n"
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, web]\n"
    "    checks:\n"
    "      conf-good:\n"
    "        type: command\n"
    "        run: [sh, -c, 'grep -q good @DIR@/app/site.conf || exit 2']\n"
    "        every: 200ms\n"
    "        heal: []\n";

/* Runs a CLI command until its output has want, or ms passed; the output. */
static char *
wait_output(const char *want, int ms, const char *cmd, const char *arg)
{
	long long deadline = harness_mono_ms() + ms;
	char *out = NULL;

	for (;;) {
		if (arg != NULL)
			harness_cli(&t, &out, cmd, arg, "-c", t.config, "--state-dir", t.state,
			    NULL);
		else
			harness_cli(&t, &out, cmd, "-c", t.config, "--state-dir", t.state, NULL);
		if (strstr(out, want) != NULL || harness_mono_ms() > deadline)
			return out;
		free(out);
		harness_pause_ms(100);
	}
}

static void
a_change_on_disk_is_blamed_and_the_last_known_good_put_back(void **state)
{
	char dpkg[400], *out, *text;
	FILE *f;

	harness_write_config(&t, config);
	assert_int_equal(mkdir(harness_at(&t, "app"), 0755), 0);
	harness_write_file(&t, harness_at(&t, "app/site.conf"), "good\n");
	snprintf(dpkg, sizeof(dpkg), "%s/dpkg.log", t.dir);
	harness_write_file(&t, dpkg, "");
	setenv("TEND_DPKG_LOG", dpkg, 1);
	harness_start(&t);
	unsetenv("TEND_DPKG_LOG");
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));

	/* Healthy for lkg_after: the state tend found is last known good. */
	out = wait_output(" lkg ", 10000, "snapshot", "list");
	harness_contains(out, "as tend found it");
	free(out);

	/* A broken edit: a change of app, and the incident is blamed on it. */
	harness_write_file(&t, harness_at(&t, "app/site.conf"), "broken\n");
	out = wait_output("1 file changed", 10000, "changes", NULL);
	harness_contains(out, "files");
	free(out);
	out = wait_output("\"change_id\": 1", 10000, "incidents", "--format=json");
	harness_contains(out, "probable cause: change 1 of app");
	free(out);

	/* The last known good back, web restarted, the check healthy again. */
	assert_int_equal(harness_cli(&t, &out, "rollback", "app", "-c", t.config,
	    "--state-dir", t.state, NULL), 0);
	harness_contains(out, "verified healthy");
	free(out);
	text = harness_read_file(harness_at(&t, "app/site.conf"));
	assert_string_equal(text, "good\n");
	free(text);

	/* A deploy tool's mark, and a package upgrade dpkg logged. */
	assert_int_equal(harness_cli(&t, &out, "change", "mark", "--set", "app", "--label",
	    "deploy 1.4.2", "-c", t.config, "--state-dir", t.state, NULL), 0);
	free(out);
	/* A label with a URL's credentials is kept without them. */
	assert_int_equal(harness_cli(&t, &out, "change", "mark", "--label",
	    "from https://deploy:s3cret@git.example/app.git", "-c", t.config, "--state-dir",
	    t.state, NULL), 0);
	free(out);
	assert_int_equal(harness_cli(&t, &out, "change", "mark", "--set", "nope", "-c",
	    t.config, "--state-dir", t.state, NULL), 1);
	harness_contains(out, "no snapshot set named 'nope'");
	free(out);
	f = fopen(dpkg, "a");
	assert_non_null(f);
	fputs("2026-12-02 04:00:01 upgrade libssl3:amd64 3.0.11-1 3.0.13-1\n", f);
	fclose(f);
	out = wait_output("1 package changed: libssl3:amd64", 15000, "changes", NULL);
	harness_contains(out, "deploy 1.4.2");
	harness_contains(out, "packages");
	harness_contains(out, "git.example/app.git");
	free(out);
	harness_cli(&t, &out, "changes", "--format", "json", "-c", t.config, "--state-dir",
	    t.state, NULL);
	if (strstr(out, "s3cret") != NULL)
		fail_msg("a credential was stored:\n%s", out);
	free(out);
}

/*
 * auto_rollback: a broken edit is rolled back by the daemon itself, the
 * service restarted, the incident healed by the rollback, the change
 * marked rolled back.
 */
static void
a_broken_change_is_rolled_back_by_the_daemon(void **state)
{
	char *out, *text;

	harness_write_config(&t,
	    "snapshots:\n"
	    "  app:\n"
	    "    paths: [@DIR@/app]\n"
	    "    restart: [web]\n"
	    "    guard_window: 1m\n"
	    "    lkg_after: 1s\n"
	    "    auto_rollback: true\n"
	    "services:\n"
	    "  web:\n"
	    "    run: [@FAKESVC@, --record, @RECORD@, --name, web]\n"
	    "    checks:\n"
	    "      conf-good:\n"
	    "        type: command\n"
	    "        run: [sh, -c, 'grep -q good @DIR@/app/site.conf || exit 2']\n"
	    "        every: 200ms\n"
	    "        heal: []\n");
	assert_int_equal(mkdir(harness_at(&t, "app"), 0755), 0);
	harness_write_file(&t, harness_at(&t, "app/site.conf"), "good\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	out = wait_output(" lkg ", 10000, "snapshot", "list");
	free(out);

	harness_write_file(&t, harness_at(&t, "app/site.conf"), "broken\n");
	out = wait_output("rolled back", 15000, "changes", NULL);
	harness_contains(out, "rolled back");
	free(out);
	out = wait_output("healed by rollback-app", 15000, "incidents", "--format=json");
	harness_contains(out, "healed by rollback-app");
	free(out);
	text = harness_read_file(harness_at(&t, "app/site.conf"));
	assert_string_equal(text, "good\n");
	free(text);
	assert_true(harness_wait_count(&t, "start web", 2, 5000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_change_on_disk_is_blamed_and_the_last_known_good_put_back),
		TEND_TEST(a_broken_change_is_rolled_back_by_the_daemon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
