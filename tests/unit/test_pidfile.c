/*
 * Pidfile trust: who could have written the pid decides what is believed.
 * The cases that need another owner run as root (as the suite does here
 * and in CI) and are skipped otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervise/pidfile.h"

/* nobody's uid on Debian; any uid that is not ours does. */
#define OTHER_UID	65534

static char dir[] = "/tmp/tend-pidfile-XXXXXX";

static int
setup(void **state)
{
	strcpy(dir, "/tmp/tend-pidfile-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[100];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static enum pidfile_result
read_at(const char *name, struct proc_info *pi, char *why, size_t len)
{
	char path[200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return pidfile_read(path, pi, why, len);
}

static void
a_pidfile_only_tend_can_write_is_believed(void **state)
{
	char path[200], text[32], why[1024];
	struct proc_info pi;

	/* The parent of this test: a live process that is not the reader itself. */
	snprintf(path, sizeof(path), "%s/ok.pid", dir);
	snprintf(text, sizeof(text), "%d\n", (int)getppid());
	write_file(path, text, 0644);
	assert_int_equal(read_at("ok.pid", &pi, why, sizeof(why)), PIDFILE_PID);
	assert_int_equal(pi.id.pid, getppid());
	assert_true(pi.id.start > 0);
}

static void
what_is_not_a_live_pid_is_none(void **state)
{
	char path[200], why[1024];
	struct proc_info pi;

	assert_int_equal(read_at("absent.pid", &pi, why, sizeof(why)), PIDFILE_NONE);
	snprintf(path, sizeof(path), "%s/junk.pid", dir);
	write_file(path, "12abc\n", 0644);
	assert_int_equal(read_at("junk.pid", &pi, why, sizeof(why)), PIDFILE_NONE);
	assert_non_null(strstr(why, "holds no pid"));
	write_file(path, "", 0644);
	assert_int_equal(read_at("junk.pid", &pi, why, sizeof(why)), PIDFILE_NONE);
	/* pid_max is at most 2^22: this one cannot run. */
	write_file(path, "99999999\n", 0644);
	assert_int_equal(read_at("junk.pid", &pi, why, sizeof(why)), PIDFILE_NONE);
	assert_non_null(strstr(why, "not running"));
}

static void
init_and_tend_itself_are_refused(void **state)
{
	char path[200], text[32], why[1024];
	struct proc_info pi;

	snprintf(path, sizeof(path), "%s/init.pid", dir);
	write_file(path, "1\n", 0644);
	assert_int_equal(read_at("init.pid", &pi, why, sizeof(why)), PIDFILE_REFUSED);
	assert_non_null(strstr(why, "init"));
	snprintf(text, sizeof(text), "%d\n", (int)getpid());
	write_file(path, text, 0644);
	assert_int_equal(read_at("init.pid", &pi, why, sizeof(why)), PIDFILE_REFUSED);
	assert_non_null(strstr(why, "tend itself"));
}

static void
a_world_writable_file_or_directory_is_refused(void **state)
{
	char path[200], sub[200], text[32], why[1024];
	struct proc_info pi;

	snprintf(text, sizeof(text), "%d\n", (int)getppid());
	snprintf(path, sizeof(path), "%s/open.pid", dir);
	write_file(path, text, 0666);
	assert_int_equal(read_at("open.pid", &pi, why, sizeof(why)), PIDFILE_REFUSED);
	assert_non_null(strstr(why, "writable by everyone"));
	assert_non_null(strstr(why, "open.pid"));

	snprintf(sub, sizeof(sub), "%s/open", dir);
	assert_int_equal(mkdir(sub, 0777), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	snprintf(path, sizeof(path), "%s/open/x.pid", dir);
	write_file(path, text, 0644);
	assert_int_equal(read_at("open/x.pid", &pi, why, sizeof(why)), PIDFILE_REFUSED);
	/* Sticky, like /tmp: others may not replace what they do not own. */
	assert_int_equal(chmod(sub, 01777), 0);
	assert_int_equal(read_at("open/x.pid", &pi, why, sizeof(why)), PIDFILE_PID);
}

static void
a_symlink_is_followed_only_where_no_one_else_writes(void **state)
{
	char path[200], link[200], text[32], why[1024];
	struct proc_info pi;

	snprintf(text, sizeof(text), "%d\n", (int)getppid());
	snprintf(path, sizeof(path), "%s/real.pid", dir);
	write_file(path, text, 0644);
	snprintf(link, sizeof(link), "%s/link.pid", dir);
	assert_int_equal(symlink("real.pid", link), 0);
	assert_int_equal(read_at("link.pid", &pi, why, sizeof(why)), PIDFILE_PID);
	assert_int_equal(pi.id.pid, getppid());
	/* . and .. are walked as the kernel would. */
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(read_at("./sub/../link.pid", &pi, why, sizeof(why)), PIDFILE_PID);
	/* An absolute target restarts the walk at /. */
	snprintf(path, sizeof(path), "%s/real.pid", dir);
	snprintf(link, sizeof(link), "%s/sub/abs.pid", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(read_at("sub/abs.pid", &pi, why, sizeof(why)), PIDFILE_PID);
	assert_int_equal(pi.id.pid, getppid());
	/* A loop ends. */
	snprintf(link, sizeof(link), "%s/loop.pid", dir);
	assert_int_equal(symlink("loop.pid", link), 0);
	assert_int_equal(read_at("loop.pid", &pi, why, sizeof(why)), PIDFILE_REFUSED);
	assert_non_null(strstr(why, "too many symlinks"));
}

static void
another_users_file_names_only_that_users_process(void **state)
{
	char path[200], sub[200], text[32], why[1024];
	struct proc_info pi;

	if (geteuid() != 0)
		skip();
	snprintf(text, sizeof(text), "%d\n", (int)getppid());
	snprintf(path, sizeof(path), "%s/theirs.pid", dir);
	write_file(path, text, 0644);
	assert_int_equal(chown(path, OTHER_UID, OTHER_UID), 0);
	assert_int_equal(read_at("theirs.pid", &pi, why, sizeof(why)), PIDFILE_REFUSED);
	assert_non_null(strstr(why, "theirs.pid is owned by"));
	assert_non_null(strstr(why, "not as"));

	/* A directory of theirs on the way is the same. */
	snprintf(sub, sizeof(sub), "%s/theirs", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(chown(sub, OTHER_UID, OTHER_UID), 0);
	snprintf(path, sizeof(path), "%s/theirs/root.pid", dir);
	write_file(path, text, 0644);
	assert_int_equal(read_at("theirs/root.pid", &pi, why, sizeof(why)), PIDFILE_REFUSED);
	/* And a symlink in it is not even followed. */
	snprintf(path, sizeof(path), "%s/theirs/link.pid", dir);
	assert_int_equal(symlink("root.pid", path), 0);
	assert_int_equal(read_at("theirs/link.pid", &pi, why, sizeof(why)), PIDFILE_REFUSED);
	assert_non_null(strstr(why, "symlink"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_pidfile_only_tend_can_write_is_believed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(what_is_not_a_live_pid_is_none, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(init_and_tend_itself_are_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_world_writable_file_or_directory_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_symlink_is_followed_only_where_no_one_else_writes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(another_users_file_names_only_that_users_process,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
