/*
 * tend's runtime directory (runtimedir_open): BASE/ID, made 0711 so
 * that services' users pass through without listing it, one per state dir,
 * verified like the state dir, emptied of what a killed tend left, removed
 * at the end. BASE comes from TEND_RUNTIME_DIR here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/runtimedir.h"
#include "core/statedir.h"

#define OTHER_UID	65534	/* nobody */

static char dir[] = "/tmp/tend-runtime-XXXXXX";
static char base[128];
static struct statedir *state;

static int
setup(void **st)
{
	char path[160], err[512];

	strcpy(dir, "/tmp/tend-runtime-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(base, sizeof(base), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/state", dir);
	state = statedir_open(path, err, sizeof(err));
	if (state == NULL)
		fail_msg("%s", err);
	setenv("TEND_RUNTIME_DIR", base, 1);
	return 0;
}

static int
teardown(void **st)
{
	char cmd[200];

	unsetenv("TEND_RUNTIME_DIR");
	statedir_close(state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static mode_t
mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(lstat(path, &sb), 0);
	return sb.st_mode & 07777;
}

static struct statedir *
runtime_ok(void)
{
	struct statedir *rt;
	char err[512] = "";

	rt = runtimedir_open(state, err, sizeof(err));
	if (rt == NULL)
		fail_msg("runtimedir_open: %s", err);
	return rt;
}

static void
it_is_made_0711_with_an_id_of_the_state_dir(void **st)
{
	mode_t old = umask(0077);
	struct statedir *rt = runtime_ok(), *again;
	const char *id;
	char path[300];

	umask(old);
	assert_int_equal(mode_of(base), 0711);
	assert_int_equal(strncmp(statedir_path(rt), base, strlen(base)), 0);
	id = statedir_path(rt) + strlen(base);
	assert_int_equal(id[0], '/');
	assert_int_equal(strspn(id + 1, "0123456789abcdef"), 16);
	assert_int_equal(strlen(id + 1), 16);
	assert_int_equal(mode_of(statedir_path(rt)), 0711);
	snprintf(path, sizeof(path), "%s", statedir_path(rt));
	statedir_close(rt);

	/* The same state dir: the same directory. */
	again = runtime_ok();
	assert_string_equal(statedir_path(again), path);
	runtimedir_remove(again);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(base, F_OK), 0);
}

static void
another_state_dir_gets_another(void **st)
{
	struct statedir *rt = runtime_ok(), *other_state, *other;
	char path[160], err[512];

	snprintf(path, sizeof(path), "%s/state2", dir);
	other_state = statedir_open(path, err, sizeof(err));
	assert_non_null(other_state);
	other = runtimedir_open(other_state, err, sizeof(err));
	assert_non_null(other);
	assert_string_not_equal(statedir_path(rt), statedir_path(other));
	runtimedir_remove(other);
	statedir_close(other_state);
	runtimedir_remove(rt);
}

/* A killed tend's sockets are gone when the next one of the state dir opens it. */
static void
what_a_killed_tend_left_is_removed(void **st)
{
	struct statedir *rt = runtime_ok();
	char path[300];
	int fd;

	fd = statedir_openat(rt, "old.notify", O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/old.notify", statedir_path(rt));
	assert_int_equal(access(path, F_OK), 0);
	statedir_close(rt);
	rt = runtime_ok();
	assert_int_equal(access(path, F_OK), -1);
	runtimedir_remove(rt);
}

/* An existing base of tend's own that others cannot pass through is set 0711. */
static void
an_existing_base_is_set_0711(void **st)
{
	struct statedir *rt;

	assert_int_equal(mkdir(base, 0700), 0);
	rt = runtime_ok();
	assert_int_equal(mode_of(base), 0711);
	runtimedir_remove(rt);
}

static void
refused(const char *words)
{
	char err[512] = "";

	assert_null(runtimedir_open(state, err, sizeof(err)));
	if (strstr(err, words) == NULL)
		fail_msg("expected \"%s\" in: %s", words, err);
}

static void
a_base_others_can_write_or_own_is_refused(void **st)
{
	struct statedir *rt = runtime_ok();
	char id[300];

	snprintf(id, sizeof(id), "%s", statedir_path(rt));
	runtimedir_remove(rt);
	assert_int_equal(chmod(base, 0777), 0);
	refused("writable by others");
	if (geteuid() != 0)
		skip();
	assert_int_equal(chmod(base, 0711), 0);
	assert_int_equal(chown(base, OTHER_UID, OTHER_UID), 0);
	refused("is owned by");
	assert_int_equal(chown(base, 0, 0), 0);
	/*
	 * Its ID directory made by another user; a link in its place is
	 * judged by where it leads, as the state dir's path is.
	 */
	assert_int_equal(mkdir(id, 0711), 0);
	assert_int_equal(chown(id, OTHER_UID, OTHER_UID), 0);
	refused("is owned by");
	assert_int_equal(rmdir(id), 0);
	assert_int_equal(symlink("/tmp", id), 0);
	refused("/tmp is writable by others");
}

/* As root without TEND_RUNTIME_DIR: /run/tend. */
static void
roots_base_is_run_tend(void **st)
{
	struct statedir *rt;

	if (geteuid() != 0)
		skip();
	unsetenv("TEND_RUNTIME_DIR");
	rt = runtime_ok();
	assert_int_equal(strncmp(statedir_path(rt), "/run/tend/", 10), 0);
	assert_int_equal(mode_of("/run/tend") & 0111, 0111);
	runtimedir_remove(rt);
}

static void
chown_never_follows_a_link(void **st)
{
	struct statedir *rt;
	char link[300], target[300];
	struct stat sb;
	int fd;

	if (geteuid() != 0)
		skip();
	rt = runtime_ok();
	snprintf(target, sizeof(target), "%s/target", dir);
	fd = open(target, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(link, sizeof(link), "%s/l", statedir_path(rt));
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(statedir_chown(rt, "l", OTHER_UID, OTHER_UID), 0);
	assert_int_equal(lstat(target, &sb), 0);
	assert_int_equal(sb.st_uid, 0);
	assert_int_equal(lstat(link, &sb), 0);
	assert_int_equal(sb.st_uid, OTHER_UID);
	runtimedir_remove(rt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(it_is_made_0711_with_an_id_of_the_state_dir,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(another_state_dir_gets_another, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(what_a_killed_tend_left_is_removed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(an_existing_base_is_set_0711, setup, teardown),
		cmocka_unit_test_setup_teardown(a_base_others_can_write_or_own_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(roots_base_is_run_tend, setup, teardown),
		cmocka_unit_test_setup_teardown(chown_never_follows_a_link, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
