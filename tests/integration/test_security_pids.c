/*
 * A local user must gain nothing through an external service's pidfile:
 * tend (root here) refuses a pid another user could have planted, unless
 * the pid runs as that same user, and never signals a process it has not
 * verified. The attacker is a throw-away user; the victim is a `sleep`
 * this test started as root.
 */
#include "harness.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* DIR/attacker, owned by the attacker; the test dir made traversable. */
static void
attacker_dir(uid_t uid, gid_t gid, char *path, size_t len)
{
	assert_int_equal(chmod(t.dir, 0711), 0);
	snprintf(path, len, "%s/attacker", t.dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chown(path, uid, gid), 0);
}

static void
write_pid(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
}

/*
 * A process of the user's own, its pid written to path by the user: killed
 * at teardown, before userdel.
 */
static pid_t
start_own(uid_t uid, gid_t gid, const char *path)
{
	char cmd[700], *text, line[64];
	pid_t pid;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "sleep 120 >/dev/null 2>&1 & echo $! > %s", path);
	assert_int_equal(harness_as_user(uid, gid, cmd), 0);
	text = harness_read_file(path);
	pid = text != NULL ? (pid_t)atoi(text) : 0;
	free(text);
	assert_true(pid > 0);
	snprintf(line, sizeof(line), "own own %d 0\n", (int)pid);
	assert_non_null(f = fopen(t.record, "a"));
	fputs(line, f);
	fclose(f);
	return pid;
}

#define LEGACY(extra) \
	"services:\n" \
	"  legacy:\n" \
	"    pidfile: @DIR@/" extra "\n" \
	"    start: [/bin/true]\n" \
	"    backoff: { initial: 10ms, max: 20ms }\n" \
	"    limit: { restarts: 1, within: 1m }\n" \
	"    check_every: 100ms\n"

static void
stop_legacy(void)
{
	char *out;

	assert_int_equal(harness_cli(&t, &out, "stop", "legacy", "--state-dir", t.state,
	    NULL), 0);
	free(out);
	assert_true(harness_wait_state(&t, "legacy", "down", 0, 5000));
}

/*
 * legacy gives up with the refusal (saying why) and never runs as the
 * victim; stopping it then signals nothing.
 */
static void
expect_refused(pid_t victim, const char *why)
{
	char buf[32];

	assert_true(harness_wait_state(&t, "legacy", "failed", 0, 10000));
	assert_true(harness_pid(&t, "legacy") != victim);
	assert_true(harness_log_contains(&t, "legacy.pid"));
	assert_true(harness_log_contains(&t, "refused"));
	assert_true(harness_log_contains(&t, why));
	assert_string_equal(harness_state(&t, "legacy", buf, sizeof(buf)), "failed");
	stop_legacy();
	harness_pause_ms(100);
	assert_true(harness_victim_alive(victim));
}

static void
a_users_pidfile_cannot_name_a_root_process(void **state)
{
	char dir[300], cmd[700];
	uid_t uid;
	gid_t gid;
	pid_t victim;

	harness_user_create(&t, &uid, &gid);
	attacker_dir(uid, gid, dir, sizeof(dir));
	victim = harness_start_victim(&t);
	snprintf(cmd, sizeof(cmd), "echo %d > %s/legacy.pid", (int)victim, dir);
	assert_int_equal(harness_as_user(uid, gid, cmd), 0);
	harness_write_config(&t, LEGACY("attacker/legacy.pid"));
	harness_start(&t);
	expect_refused(victim, t.user);
	assert_false(harness_log_contains(&t, "starting -> up"));
	assert_false(harness_log_contains(&t, "waiting -> up"));
}

/* The rule that keeps ordinary setups working: a user's pidfile, the user's pid. */
static void
a_users_pidfile_may_name_that_users_process(void **state)
{
	char dir[300], path[400];
	uid_t uid;
	gid_t gid;
	pid_t pid;

	harness_user_create(&t, &uid, &gid);
	attacker_dir(uid, gid, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/legacy.pid", dir);
	pid = start_own(uid, gid, path);
	harness_write_config(&t, LEGACY("attacker/legacy.pid"));
	harness_start(&t);
	assert_true(harness_wait_state(&t, "legacy", "up", 0, 5000));
	assert_int_equal(harness_pid(&t, "legacy"), pid);
	stop_legacy();
	assert_true(harness_wait_gone(pid, 2000));
}

/*
 * The pid follower: once the user's own process is gone, a root pid the
 * user writes into the file is not taken on, and a later stop signals
 * nothing.
 */
static void
a_planted_pid_is_not_followed(void **state)
{
	char dir[300], cmd[700], path[400];
	uid_t uid;
	gid_t gid;
	pid_t own, victim;

	harness_user_create(&t, &uid, &gid);
	attacker_dir(uid, gid, dir, sizeof(dir));
	victim = harness_start_victim(&t);
	snprintf(path, sizeof(path), "%s/legacy.pid", dir);
	own = start_own(uid, gid, path);
	harness_write_config(&t, LEGACY("attacker/legacy.pid"));
	harness_start(&t);
	assert_true(harness_wait_state(&t, "legacy", "up", 0, 5000));

	snprintf(cmd, sizeof(cmd), "echo %d > %s && kill -9 %d", (int)victim, path,
	    (int)own);
	assert_int_equal(harness_as_user(uid, gid, cmd), 0);
	expect_refused(victim, "runs as root");
}

/* A directory a group can write is no one user's: nothing in it is trusted. */
static void
a_group_writable_directory_is_refused(void **state)
{
	char dir[300], path[400];
	uid_t uid;
	gid_t gid;
	pid_t victim;

	harness_user_create(&t, &uid, &gid);
	assert_int_equal(chmod(t.dir, 0711), 0);
	snprintf(dir, sizeof(dir), "%s/shared", t.dir);
	assert_int_equal(mkdir(dir, 0775), 0);
	assert_int_equal(chown(dir, 0, gid), 0);
	assert_int_equal(chmod(dir, 0775), 0);
	victim = harness_start_victim(&t);
	snprintf(path, sizeof(path), "%s/legacy.pid", dir);
	write_pid(path, victim);
	harness_write_config(&t, LEGACY("shared/legacy.pid"));
	harness_start(&t);
	expect_refused(victim, "writable by group");
}

/* A symlink where the attacker can write is not followed, even to a root file. */
static void
a_symlink_in_a_users_directory_is_not_followed(void **state)
{
	char dir[300], path[400], target[400];
	uid_t uid;
	gid_t gid;
	pid_t victim;

	harness_user_create(&t, &uid, &gid);
	attacker_dir(uid, gid, dir, sizeof(dir));
	victim = harness_start_victim(&t);
	snprintf(target, sizeof(target), "%s/root.pid", t.dir);
	write_pid(target, victim);
	snprintf(path, sizeof(path), "%s/legacy.pid", dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(lchown(path, uid, gid), 0);
	harness_write_config(&t, LEGACY("attacker/legacy.pid"));
	harness_start(&t);
	expect_refused(victim, "symlink");
}

/* The same file, where only root can write, is trusted: any pid it names. */
static void
a_root_pidfile_is_trusted(void **state)
{
	char path[400];
	pid_t victim;

	victim = harness_start_victim(&t);
	snprintf(path, sizeof(path), "%s/root.pid", t.dir);
	write_pid(path, victim);
	harness_write_config(&t, LEGACY("root.pid"));
	harness_start(&t);
	assert_true(harness_wait_state(&t, "legacy", "up", 0, 5000));
	assert_int_equal(harness_pid(&t, "legacy"), victim);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_users_pidfile_cannot_name_a_root_process),
		TEND_TEST(a_users_pidfile_may_name_that_users_process),
		TEND_TEST(a_planted_pid_is_not_followed),
		TEND_TEST(a_group_writable_directory_is_refused),
		TEND_TEST(a_symlink_in_a_users_directory_is_not_followed),
		TEND_TEST(a_root_pidfile_is_trusted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
