/*
 * The rebuild engine: a clear that removes a tree and never follows a
 * link (in the tree, as the path itself, on the way to it, or swapped in
 * while it works), paths it refuses, and steps run through the retry
 * machinery until one fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "heal/rebuild.h"

static char dir[64];
static const char *swap_name;	/* armed: the directory swapped for a link when opened */

static int
setup(void **state)
{
	swap_name = NULL;
	snprintf(dir, sizeof(dir), "/tmp/tend-rebuild-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
teardown(void **state)
{
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *
at(const char *rel)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, rel);
	return buf[i];
}

static void
put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
mk(const char *rel)
{
	assert_int_equal(mkdir(at(rel), 0755), 0);
}

static bool
exists(const char *rel)
{
	struct stat st;

	return lstat(at(rel), &st) == 0;
}

/*
 * The attacker of the race: just as the clear opens the directory it
 * looked at, it is moved away and a link to the victim put in its place.
 */
int
openat(int fd, const char *path, int flags, ...)
{
	int (*real)(int, const char *, int, ...) =
	    (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	char moved[300];
	va_list ap;
	mode_t mode;

	if (swap_name != NULL && (flags & O_DIRECTORY) && strcmp(path, swap_name) == 0) {
		snprintf(moved, sizeof(moved), "%s.moved", path);
		assert_int_equal(renameat(fd, path, fd, moved), 0);
		assert_int_equal(symlinkat(at("victim"), fd, path), 0);
		swap_name = NULL;
	}
	va_start(ap, flags);
	mode = (flags & O_CREAT) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	return real(fd, path, flags, mode);
}

static void
make_victim(void)
{
	mk("victim");
	put("victim/precious", "keep me\n");
}

static int
clear(const char *rel, struct rebuild_cleared *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	return rebuild_clear(at(rel), out, err, errlen);
}

static void
a_tree_is_removed_whole(void **state)
{
	struct rebuild_cleared out;
	char err[512];

	mk("venv");
	mk("venv/bin");
	mk("venv/lib");
	mk("venv/lib/site");
	put("venv/bin/python", "x");
	put("venv/lib/site/a.py", "x");
	put("venv/.hidden", "x");
	assert_int_equal(clear("venv", &out, err, sizeof(err)), 0);
	assert_false(exists("venv"));
	assert_true(out.existed);
	assert_false(out.link);
	assert_int_equal(out.files, 3);
	assert_int_equal(out.dirs, 4);
}

static void
a_symlink_inside_goes_as_a_link_its_target_stays(void **state)
{
	struct rebuild_cleared out;
	char err[512];

	make_victim();
	mk("venv");
	mk("venv/lib");
	assert_int_equal(symlink(at("victim"), at("venv/lib/escape")), 0);
	assert_int_equal(symlink(at("victim/precious"), at("venv/file-link")), 0);
	assert_int_equal(clear("venv", &out, err, sizeof(err)), 0);
	assert_false(exists("venv"));
	assert_true(exists("victim/precious"));
	assert_int_equal(out.files, 2);
}

/* Chosen: as rm -rf does, the link goes and what it points at stays. */
static void
a_path_that_is_a_symlink_loses_only_the_link(void **state)
{
	struct rebuild_cleared out;
	char err[512];

	make_victim();
	assert_int_equal(symlink(at("victim"), at("venv")), 0);
	assert_int_equal(clear("venv", &out, err, sizeof(err)), 0);
	assert_false(exists("venv"));
	assert_true(out.existed);
	assert_true(out.link);
	assert_int_equal(out.files, 1);
	assert_true(exists("victim/precious"));
}

static void
a_missing_path_is_already_clear(void **state)
{
	struct rebuild_cleared out;
	char err[512];

	assert_int_equal(clear("nothing", &out, err, sizeof(err)), 0);
	assert_false(out.existed);
	assert_int_equal(clear("no/such/parent", &out, err, sizeof(err)), 0);
	assert_false(out.existed);
	put("file", "x");
	assert_int_equal(clear("file/below", &out, err, sizeof(err)), 0);
	assert_true(exists("file"));
}

static void
a_symlink_on_the_way_is_refused(void **state)
{
	struct rebuild_cleared out;
	char err[512];

	make_victim();
	mk("victim/cache");
	put("victim/cache/data", "x");
	assert_int_equal(symlink(at("victim"), at("app")), 0);
	assert_int_equal(clear("app/cache", &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a symlink"));
	assert_non_null(strstr(err, "/app"));
	assert_true(exists("victim/cache/data"));
}

static void
a_directory_swapped_for_a_link_is_not_followed(void **state)
{
	struct rebuild_cleared out;
	char err[512];

	make_victim();
	mk("venv");
	mk("venv/lib");
	put("venv/lib/a", "x");
	swap_name = "lib";
	assert_int_equal(clear("venv", &out, err, sizeof(err)), -1);
	assert_null(swap_name);
	assert_non_null(strstr(err, "replaced while being cleared"));
	assert_non_null(strstr(err, "venv/lib"));
	assert_true(exists("victim/precious"));
	/* What it examined is what it would have removed: the moved directory is intact. */
	assert_true(exists("venv/lib.moved/a"));
}

static void
paths_that_are_not_walked_are_refused(void **state)
{
	struct rebuild_cleared out;
	char err[512];

	assert_int_equal(rebuild_clear("relative/venv", &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an absolute path"));
	assert_int_equal(rebuild_clear("/", &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the root directory"));
	assert_int_equal(rebuild_clear("///", &out, err, sizeof(err)), -1);
	mk("venv");
	assert_int_equal(rebuild_clear(at("venv/.."), &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'..'"));
	assert_int_equal(rebuild_clear(at("./venv"), &out, err, sizeof(err)), -1);
	assert_true(exists("venv"));
}

static char *step_fail[] = { "/bin/sh", "-c", "echo run >> \"$0\"; exit 1", NULL, NULL };
static char *step_ok[] = { "/bin/sh", "-c", "echo ok >> \"$0\"", NULL, NULL };

static void
conf_init(struct rebuild_conf *rb, struct rebuild_step *steps, size_t n, char **clearv)
{
	memset(rb, 0, sizeof(*rb));
	rb->name = "venv";
	rb->clear = clearv;
	rb->steps = steps;
	rb->n_steps = n;
	rb->retry.attempts = 2;
	rb->retry.backoff.initial_ms = 0;
	rb->retry.backoff.max_ms = 0;
	rb->retry.backoff.multiplier = 2;
}

static int
lines(const char *rel)
{
	FILE *f = fopen(at(rel), "r");
	int n = 0, c;

	if (f == NULL)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void
steps_run_in_order_and_stop_at_the_first_failure(void **state)
{
	struct rebuild_options opts = { .quiet = true };
	struct rebuild_step steps[3] = { { 0 } };
	struct rebuild_report r;
	struct rebuild_conf rb;
	char path[256], *clearv[] = { path, NULL };

	snprintf(path, sizeof(path), "%s", at("venv"));
	mk("venv");
	put("venv/old", "x");
	step_ok[3] = (char *)at("log");
	step_fail[3] = (char *)at("log");
	steps[0].argv = step_ok;
	steps[1].argv = step_fail;
	steps[2].argv = step_ok;
	conf_init(&rb, steps, 3, clearv);
	assert_int_equal(rebuild_run(&rb, &opts, &r), -1);
	assert_false(r.ok);
	assert_false(exists("venv"));
	assert_int_equal(r.n_cleared, 1);
	assert_int_equal(r.n_steps, 2);
	assert_int_equal(r.steps[0].exit_code, 0);
	assert_int_equal(r.steps[1].exit_code, 1);
	/* attempts: 2 tries the failing step twice; the third step never runs. */
	assert_int_equal(r.steps[1].attempts, 2);
	assert_int_equal(lines("log"), 3);
	assert_non_null(strstr(r.error, "step 2"));
	rebuild_report_free(&r);
}

static void
a_path_that_cannot_be_cleared_runs_no_step(void **state)
{
	struct rebuild_options opts = { .quiet = true };
	struct rebuild_step steps[1] = { { 0 } };
	struct rebuild_report r;
	struct rebuild_conf rb;
	char path[256], *clearv[] = { path, NULL };

	snprintf(path, sizeof(path), "%s", at("app/cache"));
	make_victim();
	assert_int_equal(symlink(at("victim"), at("app")), 0);
	step_ok[3] = (char *)at("log");
	steps[0].argv = step_ok;
	conf_init(&rb, steps, 1, clearv);
	assert_int_equal(rebuild_run(&rb, &opts, &r), -1);
	assert_int_equal(r.n_steps, 0);
	assert_int_equal(lines("log"), 0);
	assert_non_null(strstr(r.error, "a symlink"));
	rebuild_report_free(&r);
}

static void
a_rebuild_that_works_says_ok(void **state)
{
	struct rebuild_options opts = { .quiet = true };
	struct rebuild_step steps[1] = { { 0 } };
	struct rebuild_report r;
	struct rebuild_conf rb;

	step_ok[3] = (char *)at("log");
	steps[0].argv = step_ok;
	conf_init(&rb, steps, 1, NULL);
	assert_int_equal(rebuild_run(&rb, &opts, &r), 0);
	assert_true(r.ok);
	assert_int_equal(r.n_cleared, 0);
	assert_int_equal(r.n_steps, 1);
	assert_int_equal(r.steps[0].attempts, 1);
	rebuild_report_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_tree_is_removed_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(a_symlink_inside_goes_as_a_link_its_target_stays,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_path_that_is_a_symlink_loses_only_the_link,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_missing_path_is_already_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(a_symlink_on_the_way_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(a_directory_swapped_for_a_link_is_not_followed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(paths_that_are_not_walked_are_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(steps_run_in_order_and_stop_at_the_first_failure,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_path_that_cannot_be_cleared_runs_no_step, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_rebuild_that_works_says_ok, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
