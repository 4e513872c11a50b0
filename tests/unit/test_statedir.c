/*
 * The state dir: created with its modes, refused when another user could
 * change it or what is in it, and files in it opened without following
 * links. The ownership cases chown to a uid that is not ours: they need root.
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

#include "core/statedir.h"

#define OTHER_UID	65534	/* nobody */

static char dir[] = "/tmp/tend-statedir-XXXXXX";
static char state[128];

static int
setup(void **st)
{
	strcpy(dir, "/tmp/tend-statedir-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(state, sizeof(state), "%s/state", dir);
	return 0;
}

static int
teardown(void **st)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void
need_root(void)
{
	if (geteuid() != 0)
		skip();
}

static mode_t
mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(lstat(path, &sb), 0);
	return sb.st_mode & 07777;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *
read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct statedir *
open_ok(const char *path)
{
	struct statedir *sd;
	char err[512] = "";

	sd = statedir_open(path, err, sizeof(err));
	if (sd == NULL)
		fail_msg("statedir_open(%s): %s", path, err);
	return sd;
}

/* statedir_open's error, which must say why with these words. */
static void
refused(const char *path, const char *words)
{
	char err[512] = "";

	assert_null(statedir_open(path, err, sizeof(err)));
	if (strstr(err, words) == NULL)
		fail_msg("expected \"%s\" in: %s", words, err);
}

static void
missing_dirs_are_made_with_their_modes_whatever_the_umask(void **st)
{
	mode_t old = umask(0077);
	char deep[200];
	struct statedir *sd;

	snprintf(deep, sizeof(deep), "%s/a/b/state", dir);
	sd = open_ok(deep);
	umask(old);
	assert_int_equal(mode_of(deep), 0750);
	snprintf(deep, sizeof(deep), "%s/a/b", dir);
	assert_int_equal(mode_of(deep), 0755);
	assert_string_equal(statedir_path(sd) + strlen(dir), "/a/b/state");
	statedir_close(sd);
}

static void
a_dir_of_another_user_is_refused(void **st)
{
	need_root();
	assert_int_equal(mkdir(state, 0750), 0);
	assert_int_equal(chown(state, OTHER_UID, OTHER_UID), 0);
	refused(state, "is owned by");
}

static void
a_dir_others_can_write_is_refused(void **st)
{
	assert_int_equal(mkdir(state, 0700), 0);
	assert_int_equal(chmod(state, 0770), 0);
	refused(state, "writable by its group");
	assert_int_equal(chmod(state, 0757), 0);
	refused(state, "writable by others");
}

static void
a_parent_of_another_user_is_refused(void **st)
{
	char parent[160], path[200];

	need_root();
	snprintf(parent, sizeof(parent), "%s/x", dir);
	snprintf(path, sizeof(path), "%s/x/state", dir);
	assert_int_equal(mkdir(parent, 0755), 0);
	assert_int_equal(chown(parent, OTHER_UID, OTHER_UID), 0);
	refused(path, "is a parent of the state dir and belongs to");
	/* Nothing was made in it. */
	assert_int_equal(access(path, F_OK), -1);
}

static void
a_sticky_parent_is_fine_a_writable_one_is_not(void **st)
{
	char parent[160], path[200];
	struct statedir *sd;

	snprintf(parent, sizeof(parent), "%s/tmp", dir);
	snprintf(path, sizeof(path), "%s/tmp/state", dir);
	assert_int_equal(mkdir(parent, 0700), 0);
	assert_int_equal(chmod(parent, 01777), 0);
	sd = open_ok(path);
	statedir_close(sd);
	assert_int_equal(chmod(parent, 0777), 0);
	refused(path, "without the sticky bit");
}

static void
links_and_foreign_entries_in_it_are_refused(void **st)
{
	char path[200];

	assert_int_equal(mkdir(state, 0750), 0);
	snprintf(path, sizeof(path), "%s/logs", state);
	assert_int_equal(symlink("/etc", path), 0);
	refused(state, "logs is a symbolic link");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0750), 0);
	snprintf(path, sizeof(path), "%s/logs/web.log", state);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	refused(state, "web.log is a symbolic link");
	assert_int_equal(unlink(path), 0);
	if (geteuid() != 0)
		return;
	snprintf(path, sizeof(path), "%s/token", state);
	write_file(path, "planted\n");
	assert_int_equal(chown(path, OTHER_UID, OTHER_UID), 0);
	refused(state, "token is owned by");
}

/* A link made after the checks (by root, say) is still not followed. */
static void
files_are_opened_without_following_links(void **st)
{
	char target[160], link[200], buf[64];
	struct statedir *sd = open_ok(state);
	int fd;

	snprintf(target, sizeof(target), "%s/precious", dir);
	write_file(target, "keep\n");
	snprintf(link, sizeof(link), "%s/tend.pid", state);
	assert_int_equal(symlink(target, link), 0);
	fd = statedir_openat(sd, "tend.pid", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(fd, -1);
	assert_int_equal(errno, ELOOP);
	assert_string_equal(read_file(target, buf, sizeof(buf)), "keep\n");
	statedir_close(sd);
}

static void
an_existing_file_is_written_only_when_it_is_ours_alone(void **st)
{
	char target[160], path[200], buf[64];
	struct statedir *sd = open_ok(state);
	int fd;

	snprintf(target, sizeof(target), "%s/precious", dir);
	write_file(target, "keep\n");
	snprintf(path, sizeof(path), "%s/tend.pid", state);
	assert_int_equal(link(target, path), 0);
	fd = statedir_openat(sd, "tend.pid", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(fd, -1);
	assert_int_equal(errno, EPERM);
	assert_string_equal(read_file(target, buf, sizeof(buf)), "keep\n");
	assert_int_equal(unlink(path), 0);
	if (geteuid() == 0) {
		write_file(path, "theirs\n");
		assert_int_equal(chown(path, OTHER_UID, OTHER_UID), 0);
		fd = statedir_openat(sd, "tend.pid", O_WRONLY | O_TRUNC, 0);
		assert_int_equal(fd, -1);
		assert_string_equal(read_file(path, buf, sizeof(buf)), "theirs\n");
	}
	statedir_close(sd);
}

static void
a_new_file_has_exactly_its_mode(void **st)
{
	mode_t old = umask(0);
	struct statedir *sd = open_ok(state);
	char path[200];
	int fd;

	fd = statedir_openat(sd, "tend.db", O_RDWR | O_CREAT, 0600);
	umask(old);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/tend.db", state);
	assert_int_equal(mode_of(path), 0600);
	/* Opened again, existing: the same file. */
	fd = statedir_openat(sd, "tend.db", O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	statedir_close(sd);
}

static void
a_deleted_subdir_comes_back_on_the_next_open(void **st)
{
	struct statedir *sd = open_ok(state);
	char path[200], cmd[600];
	int fd;

	fd = statedir_openat(sd, "logs/web.log", O_WRONLY | O_CREAT | O_APPEND, 0640);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/logs", state);
	assert_int_equal(mode_of(path), 0750);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", path);
	assert_int_equal(system(cmd), 0);
	fd = statedir_openat(sd, "logs/web.log", O_WRONLY | O_CREAT | O_APPEND, 0640);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mode_of(path), 0750);
	snprintf(path, sizeof(path), "%s/logs/web.log", state);
	assert_int_equal(mode_of(path), 0640);
	/* A subdir that became a link is not entered. */
	snprintf(path, sizeof(path), "%s/logs", state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && ln -s %s %s", path, dir, path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(statedir_openat(sd, "logs/x.log", O_WRONLY | O_CREAT, 0640), -1);
	snprintf(path, sizeof(path), "%s/x.log", dir);
	assert_int_equal(access(path, F_OK), -1);
	statedir_close(sd);
}

static void
names_that_leave_the_dir_are_refused(void **st)
{
	struct statedir *sd = open_ok(state);

	assert_int_equal(statedir_openat(sd, "../escape", O_WRONLY | O_CREAT, 0600), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(statedir_openat(sd, "logs/../../escape", O_WRONLY | O_CREAT,
	    0600), -1);
	assert_int_equal(statedir_openat(sd, "", O_RDONLY, 0), -1);
	statedir_close(sd);
}

static void
replace_and_rename_stay_inside(void **st)
{
	struct statedir *sd = open_ok(state);
	char path[200], buf[64];

	assert_int_equal(statedir_replace(sd, "web.url", "http://a/\n", 10, 0644), 0);
	assert_int_equal(statedir_replace(sd, "web.url", "http://b/\n", 10, 0644), 0);
	snprintf(path, sizeof(path), "%s/web.url", state);
	assert_string_equal(read_file(path, buf, sizeof(buf)), "http://b/\n");
	assert_int_equal(mode_of(path), 0644);
	assert_int_equal(statedir_rename(sd, "web.url", "logs/web.url.1"), 0);
	snprintf(path, sizeof(path), "%s/logs/web.url.1", state);
	assert_string_equal(read_file(path, buf, sizeof(buf)), "http://b/\n");
	assert_int_equal(statedir_unlink(sd, "logs/web.url.1"), 0);
	assert_int_equal(access(path, F_OK), -1);
	statedir_close(sd);
}

struct heard {
	int	 problems;
	int	 creations;
	int	 fine;
	char	 last[512];
};

static void
hear(void *arg, const char *path, bool ok, const char *what)
{
	struct heard *h = arg;

	if (!ok)
		h->problems++;
	else if (strstr(what, "would create") != NULL)
		h->creations++;
	else
		h->fine++;
	snprintf(h->last, sizeof(h->last), "%s %s", path, what);
}

static void
inspect_says_what_it_would_make_and_makes_nothing(void **st)
{
	struct heard h = { 0 };
	char deep[200];

	snprintf(deep, sizeof(deep), "%s/a/b", dir);
	assert_int_equal(statedir_inspect(deep, hear, &h), 0);
	assert_int_equal(h.problems, 0);
	assert_int_equal(h.creations, 2);
	snprintf(deep, sizeof(deep), "%s/a", dir);
	assert_int_equal(access(deep, F_OK), -1);
	memset(&h, 0, sizeof(h));
	assert_int_equal(mkdir(state, 0777), 0);
	assert_int_equal(chmod(state, 0777), 0);
	assert_int_equal(statedir_inspect(state, hear, &h), -1);
	assert_int_equal(h.problems, 1);
	assert_non_null(strstr(h.last, "writable by others"));
	memset(&h, 0, sizeof(h));
	assert_int_equal(chmod(state, 0750), 0);
	assert_int_equal(statedir_inspect(state, hear, &h), 0);
	assert_int_equal(h.fine, 1);
}

static void
a_relative_path_is_made_absolute(void **st)
{
	char cwd[256];
	struct statedir *sd;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	sd = open_ok("rel/state");
	assert_int_equal(chdir(cwd), 0);
	assert_true(strncmp(statedir_path(sd), dir, strlen(dir)) == 0);
	assert_string_equal(statedir_path(sd) + strlen(dir), "/rel/state");
	statedir_close(sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    missing_dirs_are_made_with_their_modes_whatever_the_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(a_dir_of_another_user_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_dir_others_can_write_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_parent_of_another_user_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_sticky_parent_is_fine_a_writable_one_is_not,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(links_and_foreign_entries_in_it_are_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(files_are_opened_without_following_links,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    an_existing_file_is_written_only_when_it_is_ours_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(a_new_file_has_exactly_its_mode, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_deleted_subdir_comes_back_on_the_next_open,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(names_that_leave_the_dir_are_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(replace_and_rename_stay_inside, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    inspect_says_what_it_would_make_and_makes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(a_relative_path_is_made_absolute, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
