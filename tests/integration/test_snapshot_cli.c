/*
 * tend snapshot and tend rollback with the real binary and a real daemon:
 * a set's files snapshotted, broken, rolled back byte-identical, its
 * service restarted through the daemon and its check verified healthy; a
 * dry run that changes nothing; the rollback undone by the snapshot taken
 * before it, which does not verify; what a mistaken command gets; a
 * rollback refused (another holds the store, a corrupted copy) changing
 * nothing.
 */
#include "harness.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char config[] =
    "snapshots:\n"
    "  app:\n"
    "    paths: [@DIR@/app]\n"
    "    exclude: ['*.log']\n"
    "    restart: [web]\n"
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, web]\n"
    "    checks:\n"
    "      conf-good:\n"
    "        type: command\n"
    "        run: [sh, -c, 'grep -q good @DIR@/app/conf/site.conf || exit 2']\n"
    "        every: 200ms\n"
    "        heal: []\n";

static void
put(const char *rel, const char *text)
{
	harness_write_file(&t, harness_at(&t, rel), text);
}

/* The id `tend snapshot create` printed ("snapshot N of SET: ..."). */
static int64_t
create(const char *set)
{
	char *out;
	long long id = 0;

	assert_int_equal(harness_cli(&t, &out, "snapshot", "create", set, "-c", t.config,
	    "--state-dir", t.state, NULL), 0);
	assert_int_equal(sscanf(out, "snapshot %lld of", &id), 1);
	free(out);
	return (int64_t)id;
}

static void
a_broken_change_is_rolled_back_restarted_and_verified(void **state)
{
	char id_text[24], pre_text[24], *out, *text;
	int64_t good, before;
	pid_t web;
	int rc;

	harness_write_config(&t, config);
	assert_int_equal(mkdir(harness_at(&t, "app"), 0755), 0);
	assert_int_equal(mkdir(harness_at(&t, "app/conf"), 0755), 0);
	put("app/conf/site.conf", "good\n");
	put("app/out.log", "not kept\n");
	good = create("app");
	assert_true(good > 0);

	/* The change: a broken file, a new one, and the log that is not the set's. */
	put("app/conf/site.conf", "broken\n");
	put("app/conf/extra.conf", "added\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	web = harness_pid(&t, "web");

	/* A dry run says what it would do and does nothing. */
	snprintf(id_text, sizeof(id_text), "%" PRId64, good);
	rc = harness_cli(&t, &out, "rollback", "app", "--to", id_text, "--dry-run", "-c",
	    t.config, "--state-dir", t.state, NULL);
	assert_int_equal(rc, 0);
	harness_contains(out, "would restore");
	harness_contains(out, "site.conf");
	harness_contains(out, "extra.conf");
	free(out);
	text = harness_read_file(harness_at(&t, "app/conf/site.conf"));
	assert_string_equal(text, "broken\n");
	free(text);
	assert_int_equal(harness_pid(&t, "web"), web);

	/* The rollback: the file back, web restarted, the check healthy. */
	rc = harness_cli(&t, &out, "rollback", "app", "--to", id_text, "-c", t.config,
	    "--state-dir", t.state, NULL);
	harness_contains(out, "verified healthy");
	assert_int_equal(rc, 0);
	assert_int_equal(sscanf(strstr(out, "the files before it are snapshot "),
	    "the files before it are snapshot %" SCNd64, &before), 1);
	free(out);
	text = harness_read_file(harness_at(&t, "app/conf/site.conf"));
	assert_string_equal(text, "good\n");
	free(text);
	/* Added since: listed, kept without --delete; the log never was the set's. */
	assert_int_equal(access(harness_at(&t, "app/conf/extra.conf"), F_OK), 0);
	assert_int_equal(access(harness_at(&t, "app/out.log"), F_OK), 0);
	assert_true(harness_wait_count(&t, "start web", 2, 5000));
	assert_true(harness_pid(&t, "web") != web);

	/* Undone by the snapshot before it: broken again, and it says so. */
	snprintf(pre_text, sizeof(pre_text), "%" PRId64, before);
	rc = harness_cli(&t, &out, "rollback", "--to", pre_text, "--wait", "600ms", "-c",
	    t.config, "--state-dir", t.state, "--format", "json", NULL);
	assert_int_equal(rc, 1);
	harness_contains(out, "\"state\": \"critical\"");
	free(out);
	text = harness_read_file(harness_at(&t, "app/conf/site.conf"));
	assert_string_equal(text, "broken\n");
	free(text);

	/* And back again, this time removing what was added since. */
	rc = harness_cli(&t, &out, "rollback", "app", "--to", id_text, "--delete", "-c",
	    t.config, "--state-dir", t.state, NULL);
	assert_int_equal(rc, 0);
	harness_contains(out, "delete");
	free(out);
	assert_int_equal(access(harness_at(&t, "app/conf/extra.conf"), F_OK), -1);
}

static void
snapshots_are_listed_shown_and_compared(void **state)
{
	char *out;
	int64_t first;
	int rc;

	harness_write_config(&t, config);
	assert_int_equal(mkdir(harness_at(&t, "app"), 0755), 0);
	assert_int_equal(mkdir(harness_at(&t, "app/conf"), 0755), 0);
	put("app/conf/site.conf", "good\n");
	first = create("app");
	put("app/conf/site.conf", "good\nbetter\n");

	rc = harness_cli(&t, &out, "snapshot", "diff", "1", "-c", t.config, "--state-dir",
	    t.state, NULL);
	assert_int_equal(rc, 1);
	harness_contains(out, "+better");
	free(out);
	assert_int_equal(create("app"), first + 1);
	rc = harness_cli(&t, &out, "snapshot", "list", "-c", t.config, "--state-dir", t.state,
	    NULL);
	assert_int_equal(rc, 0);
	harness_contains(out, "ID  SET");
	harness_contains(out, " app ");
	free(out);
	rc = harness_cli(&t, &out, "snapshot", "show", "2", "-c", t.config, "--state-dir",
	    t.state, "--format", "json", NULL);
	assert_int_equal(rc, 0);
	harness_contains(out, "site.conf");
	free(out);
	/* The same state twice: no differences, exit 0. */
	rc = harness_cli(&t, &out, "snapshot", "diff", "2", "-c", t.config, "--state-dir",
	    t.state, NULL);
	assert_int_equal(rc, 0);
	harness_contains(out, "no differences");
	free(out);
	rc = harness_cli(&t, &out, "snapshot", "prune", "-c", t.config, "--state-dir",
	    t.state, NULL);
	assert_int_equal(rc, 0);
	free(out);
}

static void
mistaken_commands_are_told_what_to_do(void **state)
{
	char *out;

	harness_write_config(&t, config);
	assert_int_equal(mkdir(harness_at(&t, "app"), 0755), 0);
	assert_int_equal(harness_cli(&t, &out, "snapshot", "create", "nope", "-c", t.config,
	    "--state-dir", t.state, NULL), 2);
	harness_contains(out, "no snapshot set named 'nope' (the config has: app tend)");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "rollback", "app", "-c", t.config,
	    "--state-dir", t.state, NULL), 2);
	harness_contains(out, "no last known good snapshot of this set yet");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "snapshot", "show", "x", "-c", t.config,
	    "--state-dir", t.state, NULL), 2);
	harness_contains(out, "not a snapshot id");
	free(out);
	create("tend");
	assert_int_equal(harness_cli(&t, &out, "rollback", "app", "--to", "1", "-c",
	    t.config, "--state-dir", t.state, NULL), 2);
	harness_contains(out, "snapshot 1 is of tend, not app");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "snapshot", "frobnicate", NULL), 2);
	harness_contains(out, "unknown subcommand 'frobnicate'");
	free(out);
}

/* Every object of the store, one byte longer: each copy now fails its sha256. */
static void
corrupt_objects(void)
{
	char cmd[PATH_MAX + 128];

	snprintf(cmd, sizeof(cmd), "find '%s/snapshots/objects' -type f -exec chmod u+w {} + "
	    "-exec sh -c 'for f; do printf x >> \"$f\"; done' sh {} +", t.state);
	assert_int_equal(system(cmd), 0);
}

/*
 * A rollback while another holds the store (another rollback, a snapshot,
 * a prune), and one from a corrupted copy: each says why, changes nothing
 * and takes no pre-rollback snapshot; a missing path is a warning.
 */
static void
a_refused_rollback_changes_nothing_and_says_why(void **state)
{
	char lock[PATH_MAX], *out, *text;
	int fd;

	harness_write_config(&t, "snapshots:\n  app:\n    paths: [@DIR@/app, @DIR@/gone]\n");
	assert_int_equal(mkdir(harness_at(&t, "app"), 0755), 0);
	put("app/site.conf", "good\n");
	assert_int_equal(harness_cli(&t, &out, "snapshot", "create", "app", "-c", t.config,
	    "--state-dir", t.state, NULL), 0);
	harness_contains(out, "gone does not exist");
	harness_contains(out, "snapshot 1 of app: 2 entries");
	free(out);
	put("app/site.conf", "broken\n");

	/* Two at once: the second is refused while the first holds the lock. */
	snprintf(lock, sizeof(lock), "%s/snapshots/lock", t.state);
	assert_true((fd = open(lock, O_RDWR | O_CLOEXEC)) >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(harness_cli(&t, &out, "rollback", "app", "--to", "1", "-c", t.config,
	    "--state-dir", t.state, NULL), 1);
	harness_contains(out, "another snapshot, restore or prune is running");
	free(out);
	close(fd);

	/* A corrupted copy: refused before anything is written, the file named. */
	corrupt_objects();
	assert_int_equal(harness_cli(&t, &out, "rollback", "app", "--to", "1", "-c", t.config,
	    "--state-dir", t.state, NULL), 1);
	harness_contains(out, "app/site.conf");
	harness_contains(out, "corrupt");
	free(out);
	text = harness_read_file(harness_at(&t, "app/site.conf"));
	assert_string_equal(text, "broken\n");
	free(text);
	assert_int_equal(harness_cli(&t, &out, "snapshot", "list", "app", "-c", t.config,
	    "--state-dir", t.state, "--format", "json", NULL), 0);
	harness_contains(out, "\"id\": 1");
	assert_null(strstr(out, "pre-rollback"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_broken_change_is_rolled_back_restarted_and_verified),
		TEND_TEST(snapshots_are_listed_shown_and_compared),
		TEND_TEST(mistaken_commands_are_told_what_to_do),
		TEND_TEST(a_refused_rollback_changes_nothing_and_says_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
