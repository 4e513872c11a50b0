/*
 * A local user must gain nothing through the cleanup action: root tend
 * never walks through a link the user planted (the tmpwatch bug), never
 * enters a directory the user owns, and so deletes neither root's files
 * elsewhere nor the user's own. The attacker is a throw-away user.
 *
 *   DIR/area            root's, the patterns' base
 *   DIR/area/srv        root's: its old logs are cleaned up as before
 *   DIR/area/user       the attacker's, with evil -> DIR/vault and own logs
 *   DIR/area/drop       root's, sticky and writable by all (a /tmp), where the
 *                       attacker put evil -> DIR/vault too
 *   DIR/vault           root's only (0700), old logs the attacker wants gone
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char config[] =
    "actions:\n"
    "  sweep:\n"
    "    cleanup:\n"
    "      paths: ['@DIR@/area/*/evil/*.log', '@DIR@/area/*/*.log',\n"
    "              '@DIR@/area/*/cache/*.log']\n"
    "      older_than: 1h\n";

static void
path_of(const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", t.dir, rel);
}

static void
root_dir(const char *rel, mode_t mode)
{
	char path[400];

	path_of(rel, path, sizeof(path));
	assert_int_equal(mkdir(path, mode), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* A day-old file of root's. */
static void
root_log(const char *rel)
{
	char path[400], cmd[1000];

	path_of(rel, path, sizeof(path));
	snprintf(cmd, sizeof(cmd), "echo old > '%s' && touch -d '1 day ago' '%s'", path, path);
	assert_int_equal(system(cmd), 0);
}

static bool
exists(const char *rel)
{
	char path[400];
	struct stat st;

	path_of(rel, path, sizeof(path));
	return lstat(path, &st) == 0;
}

/* The tree above; the attacker's part made by the attacker. */
static void
plant(uid_t uid, gid_t gid)
{
	char path[400], cmd[1200];

	assert_int_equal(chmod(t.dir, 0711), 0);
	root_dir("area", 0755);
	root_dir("area/srv", 0755);
	root_log("area/srv/old.log");
	root_dir("area/srv/evil", 0755);
	root_log("area/srv/evil/old.log");
	root_dir("vault", 0700);
	root_log("vault/passwd.log");
	root_log("vault/shadow.log");
	root_dir("area/drop", 01777);
	root_dir("area/user", 0755);
	path_of("area/user", path, sizeof(path));
	assert_int_equal(chown(path, uid, gid), 0);
	snprintf(cmd, sizeof(cmd),
	    "cd '%s' && ln -s '%s/vault' evil && mkdir cache && "
	    "echo mine > own.log && echo mine > cache/own.log && "
	    "touch -d '2 days ago' own.log cache/own.log", path, t.dir);
	assert_int_equal(harness_as_user(uid, gid, cmd), 0);
	snprintf(cmd, sizeof(cmd), "ln -s '%s/vault' '%s/area/drop/evil'", t.dir, t.dir);
	assert_int_equal(harness_as_user(uid, gid, cmd), 0);
}

/* The outcome (its first skip) or the log says expect. */
static void
says(const char *out, const char *expect)
{
	if (strstr(out, expect) == NULL && !harness_log_contains(&t, expect))
		fail_msg("neither the outcome nor the log says \"%s\"", expect);
}

static void
a_users_link_and_directory_are_not_walked_by_roots_cleanup(void **state)
{
	char *out, expect[400];
	uid_t uid;
	gid_t gid;

	harness_user_create(&t, &uid, &gid);
	plant(uid, gid);
	harness_write_config(&t, config);
	harness_start(&t);
	assert_int_equal(harness_cli(&t, &out, "recover", "--cleanup", "--state-dir",
	    t.state, NULL), 0);
	fprintf(stderr, "recover: %s", out);

	/* Nothing of root's outside the patterns, nothing of the user's. */
	assert_true(exists("vault/passwd.log"));
	assert_true(exists("vault/shadow.log"));
	assert_true(exists("area/user/own.log"));
	assert_true(exists("area/user/cache/own.log"));
	assert_true(exists("area/user/evil"));
	/* Root's own old logs under the patterns go as before. */
	assert_false(exists("area/srv/old.log"));
	assert_false(exists("area/srv/evil/old.log"));
	assert_non_null(strstr(out, "2 files"));
	assert_true(exists("area/drop/evil"));
	/* And it says why it left the user's directory and link alone. */
	snprintf(expect, sizeof(expect), "not entering %s/area/user: owned by %s", t.dir,
	    t.user);
	says(out, expect);
	snprintf(expect, sizeof(expect), "skipped %s/area/drop/evil: a symlink", t.dir);
	says(out, expect);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_users_link_and_directory_are_not_walked_by_roots_cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
