/*
 * The state dir against a local attacker (a throw-away user): a state dir
 * the user made, with a token planted in it; one under a parent the user
 * owns; links to a root-owned file planted where others could write. tend
 * refuses to start and says why, and writes nothing through the links.
 */
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLANTED_TOKEN "0000000000000000000000000000000000000000000000000000000000000000"

/* A service that prints: were tend to run, its output would go to logs/. */
static const char config[] =
    "services:\n"
    "  chatty:\n"
    "    run: [@FAKESVC@, --name, chatty, --record, @RECORD@, --print, '50']\n";

/* `tend run` on t.state, as harness_start runs it, but expected to exit. */
static int
run_expecting_exit(void)
{
	const char *bin = getenv("TEND_BIN");
	pid_t pid;
	int fd;

	harness_write_config(&t, config);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(t.log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(bin, bin, "run", "-c", t.config, "--state-dir", t.state, "--no-web",
		    (char *)NULL);
		_exit(127);
	}
	t.pid = pid;
	/* Were it to run, teardown stops it; -1 fails the test that expected an exit. */
	return harness_wait_exit(&t, 5000);
}

static void
user_cmd(uid_t uid, gid_t gid, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
user_cmd(uid_t uid, gid_t gid, const char *fmt, ...)
{
	char cmd[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(harness_as_user(uid, gid, cmd), 0);
}

/* The test dir (root's, 0700) opened for the user to reach what is theirs. */
static void
let_user_in(void)
{
	assert_int_equal(chmod(t.dir, 0711), 0);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
}

static void
a_state_dir_made_by_another_user_is_refused_with_its_token(void **state)
{
	char token[400];
	uid_t uid;
	gid_t gid;

	harness_user_create(&t, &uid, &gid);
	let_user_in();
	assert_int_equal(mkdir(t.state, 0700), 0);
	assert_int_equal(chown(t.state, uid, gid), 0);
	snprintf(token, sizeof(token), "%s/token", t.state);
	user_cmd(uid, gid, "umask 077 && echo %s > %s", PLANTED_TOKEN, token);
	assert_int_equal(run_expecting_exit(), 1);
	assert_true(harness_log_contains(&t, "refusing the state dir"));
	assert_true(harness_log_contains(&t, "is owned by tendt"));
	/* It never listened: the user's token opens nothing. */
	snprintf(token, sizeof(token), "%s/tend.sock", t.state);
	assert_int_equal(access(token, F_OK), -1);
}

static void
a_state_dir_under_a_users_parent_is_refused(void **state)
{
	char parent[300], *out;
	uid_t uid;
	gid_t gid;

	harness_user_create(&t, &uid, &gid);
	snprintf(parent, sizeof(parent), "%s/x", t.dir);
	assert_int_equal(mkdir(parent, 0755), 0);
	assert_int_equal(chown(parent, uid, gid), 0);
	snprintf(t.state, sizeof(t.state), "%s/x/state", t.dir);
	assert_int_equal(run_expecting_exit(), 1);
	assert_true(harness_log_contains(&t, "is a parent of the state dir and belongs to "
	    "tendt"));
	assert_int_equal(access(t.state, F_OK), -1);
	/* validate --environment says the same, and makes nothing either. */
	assert_int_equal(harness_cli(&t, &out, "validate", "--environment", "-c",
	    t.config, "--state-dir", t.state, NULL), 1);
	assert_non_null(strstr(out, "is a parent of the state dir and belongs to tendt"));
	free(out);
	assert_int_equal(access(t.state, F_OK), -1);
}

/*
 * Where another user could write (a logs/ left 0777, a state dir left
 * 0777), they plant links to a file only root may write: tend refuses the
 * state dir and the file keeps what it had.
 */
static void
links_planted_where_others_can_write_lead_nowhere(void **state)
{
	char precious[300], logs[400], link[500], text[64] = "";
	int fd;
	uid_t uid;
	gid_t gid;

	harness_user_create(&t, &uid, &gid);
	let_user_in();
	snprintf(precious, sizeof(precious), "%s/precious", t.dir);
	write_file(precious, "root's\n", 0644);
	assert_int_equal(mkdir(t.state, 0755), 0);
	snprintf(logs, sizeof(logs), "%s/logs", t.state);
	assert_int_equal(mkdir(logs, 0777), 0);
	assert_int_equal(chmod(logs, 0777), 0);
	snprintf(link, sizeof(link), "%s/chatty.log", logs);
	user_cmd(uid, gid, "ln -s %s %s", precious, link);
	assert_int_equal(run_expecting_exit(), 1);
	assert_true(harness_log_contains(&t, "logs is writable by others"));

	/* The same with the state dir itself open to all, and logs/ a link. */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(rmdir(logs), 0);
	assert_int_equal(chmod(t.state, 0777), 0);
	user_cmd(uid, gid, "ln -s %s %s", t.dir, logs);
	snprintf(link, sizeof(link), "%s/chatty.log", t.dir);
	assert_int_equal(symlink(precious, link), 0);
	assert_int_equal(run_expecting_exit(), 1);
	assert_true(harness_log_contains(&t, "state is writable by others"));

	fd = open(precious, O_RDONLY);
	assert_true(fd >= 0);
	assert_true(read(fd, text, sizeof(text) - 1) > 0);
	close(fd);
	assert_string_equal(text, "root's\n");
}

/*
 * The one-shot commands that write in the state dir as root refuse one
 * another user owns: tend retry runs its command unrecorded, tend fetch
 * does not use a cache there.
 */
static void
one_shot_commands_refuse_a_state_dir_of_another_user(void **state)
{
	char *out, path[400];
	uid_t uid;
	gid_t gid;

	harness_user_create(&t, &uid, &gid);
	assert_int_equal(mkdir(t.state, 0700), 0);
	assert_int_equal(chown(t.state, uid, gid), 0);
	assert_int_equal(harness_cli(&t, &out, "retry", "--state-dir", t.state, "--", "true",
	    NULL), 0);
	assert_non_null(strstr(out, "not recording this run"));
	assert_non_null(strstr(out, "is owned by tendt"));
	free(out);
	snprintf(path, sizeof(path), "%s/tend.db", t.state);
	assert_int_equal(access(path, F_OK), -1);
	harness_write_config(&t,
	    "assets:\n"
	    "  a:\n"
	    "    sha256: 0000000000000000000000000000000000000000000000000000000000000000\n"
	    "    mirrors: ['file:///nonexistent/a.bin']\n"
	    "    dest: @DIR@/a.bin\n");
	assert_int_equal(harness_cli(&t, &out, "fetch", "-c", t.config, "--state-dir",
	    t.state, NULL), 1);
	assert_non_null(strstr(out, "refusing the cache in the state dir"));
	free(out);
	snprintf(path, sizeof(path), "%s/cache", t.state);
	assert_int_equal(access(path, F_OK), -1);
}

/* A sound state dir still works, and what tend makes there is its own. */
static void
what_tend_makes_in_the_state_dir_has_safe_modes(void **state)
{
	char path[400];
	struct stat sb;
	mode_t old = umask(0);

	harness_write_config(&t, config);
	harness_start(&t);
	umask(old);
	assert_int_equal(stat(t.state, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0750);
	snprintf(path, sizeof(path), "%s/tend.db", t.state);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	snprintf(path, sizeof(path), "%s/logs", t.state);
	for (int i = 0; i < 300 && stat(path, &sb) != 0; i++)
		harness_pause_ms(10);
	assert_int_equal(sb.st_mode & 07777, 0750);
}

/*
 * A tend.pid that cannot be written at start (a full disk; here a
 * directory in its place) is written once it can be, whole.
 */
static void
a_pidfile_that_could_not_be_written_is_written_later(void **state)
{
	char path[400], want[32], *text = NULL;
	long long deadline;

	harness_write_config(&t, config);
	assert_int_equal(mkdir(t.state, 0750), 0);
	snprintf(path, sizeof(path), "%s/tend.pid", t.state);
	assert_int_equal(mkdir(path, 0700), 0);
	harness_start(&t);
	assert_true(harness_log_contains(&t, "tend.pid: Is a directory; tend tries again"));
	assert_int_equal(rmdir(path), 0);
	snprintf(want, sizeof(want), "%d\n", (int)t.pid);
	deadline = harness_mono_ms() + 15000;
	while ((text = harness_read_file(path)) == NULL || strcmp(text, want) != 0) {
		free(text);
		text = NULL;
		if (harness_mono_ms() > deadline)
			break;
		harness_pause_ms(50);
	}
	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
	assert_true(harness_log_contains(&t, "wrote "));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_state_dir_made_by_another_user_is_refused_with_its_token),
		TEND_TEST(a_state_dir_under_a_users_parent_is_refused),
		TEND_TEST(links_planted_where_others_can_write_lead_nowhere),
		TEND_TEST(one_shot_commands_refuse_a_state_dir_of_another_user),
		TEND_TEST(what_tend_makes_in_the_state_dir_has_safe_modes),
		TEND_TEST(a_pidfile_that_could_not_be_written_is_written_later),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
