/*
 * daemon/pathwatch: real files in a temp dir, a real loop. A tree, a file
 * replaced by rename, a release link swapped, a root made later, excludes,
 * quiet periods and what tend discards as its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "core/clock.h"
#include "core/strv.h"
#include "daemon/pathwatch.h"

static char dir[] = "/tmp/tend-pathwatch-XXXXXX";
static uv_loop_t loop;
static struct pathwatch *pw;

/* What the last reports said. */
static int reports;
static size_t last_group, last_more;
static char **last_paths;

static int64_t last_first;

static void
heard(void *arg, size_t group, const char *const *paths, size_t n, size_t more,
    int64_t first_ms)
{
	size_t i;

	(void)arg;
	last_first = first_ms;
	reports++;
	last_group = group;
	last_more = more;
	strv_free(last_paths);
	last_paths = NULL;
	for (i = 0; i < n; i++)
		last_paths = strv_push(last_paths, paths[i]);
}

static int
setup(void **state)
{
	char err[256];

	strcpy(dir, "/tmp/tend-pathwatch-XXXXXX");
	assert_non_null(mkdtemp(dir));
	uv_loop_init(&loop);
	pw = pathwatch_new(&loop, 300, 1000, heard, NULL, err, sizeof(err));
	assert_non_null(pw);
	reports = 0;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[200];

	pathwatch_free(pw);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	strv_free(last_paths);
	last_paths = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Runs the loop until a report more than had came, or ms passed. */
static bool
wait_report(int had, int ms)
{
	int64_t deadline = clock_mono_ms() + ms;

	while (reports == had && clock_mono_ms() < deadline) {
		uv_run(&loop, UV_RUN_NOWAIT);
		usleep(5000);
	}
	return reports > had;
}

static char *
at(const char *rel)
{
	static char buf[4][300];
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
add(size_t group, const char *rel)
{
	char err[256];

	assert_int_equal(pathwatch_add(pw, group, at(rel), err, sizeof(err)), 0);
}

static void
a_change_deep_in_a_tree_is_reported_once_quiet(void **state)
{
	int64_t start;

	assert_int_equal(mkdir(at("app"), 0755), 0);
	assert_int_equal(mkdir(at("app/conf"), 0755), 0);
	add(3, "app");
	assert_int_equal(pathwatch_count(pw), 2);
	start = clock_mono_ms();
	put("app/conf/a.yaml", "a: 1\n");
	put("app/conf/b.yaml", "b: 1\n");
	assert_true(wait_report(0, 3000));
	/* When it began, not when it was reported (quiet 300 ms later). */
	assert_true(last_first >= start && last_first < clock_mono_ms() - 290);
	assert_int_equal(last_group, 3);
	assert_int_equal(strv_len(last_paths), 2);
	assert_string_equal(last_paths[0], at("app/conf/a.yaml"));
	assert_string_equal(last_paths[1], at("app/conf/b.yaml"));
	/* Quiet: nothing more. */
	assert_false(wait_report(1, 300));

	/* A directory made later is watched too. */
	assert_int_equal(mkdir(at("app/new"), 0755), 0);
	assert_true(wait_report(1, 3000));
	assert_string_equal(last_paths[0], at("app/new"));
	put("app/new/c.txt", "c\n");
	assert_true(wait_report(2, 3000));
	assert_string_equal(last_paths[0], at("app/new/c.txt"));
}

static void
a_file_replaced_by_rename_is_seen_and_its_neighbours_are_not(void **state)
{
	put("site.conf", "old\n");
	add(0, "site.conf");
	put("other.conf", "not watched\n");
	assert_false(wait_report(0, 300));
	put("site.conf.tmp", "new\n");
	assert_int_equal(rename(at("site.conf.tmp"), at("site.conf")), 0);
	assert_true(wait_report(0, 3000));
	assert_int_equal(strv_len(last_paths), 1);
	assert_string_equal(last_paths[0], at("site.conf"));
	/* And again: the watch is on the directory, not the old inode. */
	put("site.conf", "newer\n");
	assert_true(wait_report(1, 3000));
}

static void
a_release_link_swapped_and_a_root_made_later_are_seen(void **state)
{
	assert_int_equal(symlink("releases/1", at("current")), 0);
	add(1, "current");
	add(2, "later.conf");
	assert_int_equal(symlink("releases/2", at("current.tmp")), 0);
	assert_int_equal(rename(at("current.tmp"), at("current")), 0);
	assert_true(wait_report(0, 3000));
	assert_int_equal(last_group, 1);
	assert_string_equal(last_paths[0], at("current"));
	put("later.conf", "x\n");
	assert_true(wait_report(1, 3000));
	assert_int_equal(last_group, 2);
	assert_string_equal(last_paths[0], at("later.conf"));
}

static void
excluded_names_and_directories_are_not_reported(void **state)
{
	assert_int_equal(mkdir(at("app"), 0755), 0);
	assert_int_equal(mkdir(at("app/cache"), 0755), 0);
	pathwatch_exclude(pw, 0, "*.log");
	pathwatch_exclude(pw, 0, "cache/");
	add(0, "app");
	/* cache/ is not even watched. */
	assert_int_equal(pathwatch_count(pw), 1);
	put("app/out.log", "x\n");
	put("app/cache/blob", "x\n");
	/* tend's own staging names, as a restore writes them. */
	put("app/.tend-restore-1-0", "x\n");
	assert_false(wait_report(0, 400));
	put("app/real.conf", "x\n");
	assert_true(wait_report(0, 3000));
	assert_int_equal(strv_len(last_paths), 1);
	assert_string_equal(last_paths[0], at("app/real.conf"));
}

static void
steady_churn_is_reported_by_max_and_discard_forgets(void **state)
{
	char name[32];
	int64_t start;
	int i;

	assert_int_equal(mkdir(at("app"), 0755), 0);
	add(0, "app");
	/* A write every 50 ms never leaves 300 ms quiet: max (1 s) reports. */
	start = clock_mono_ms();
	for (i = 0; reports == 0 && clock_mono_ms() - start < 3000; i++) {
		snprintf(name, sizeof(name), "app/f%d", i % 80);
		put(name, "x\n");
		wait_report(0, 50);
	}
	assert_int_equal(reports, 1);
	/* The writes read before the report are in it (a loaded machine may read late). */
	assert_true(strv_len(last_paths) + last_more >= 1);
	assert_true(strv_len(last_paths) + last_more <= (size_t)(i < 80 ? i : 80));

	/* What tend wrote itself is forgotten. */
	wait_report(1, 300);
	i = reports;
	put("app/restored", "x\n");
	pathwatch_discard(pw, 0);
	assert_false(wait_report(i, 400));
}

/*
 * A hostile user who can write where the set lives swaps a watched
 * directory for a link, with a directory made in it still to be read: tend
 * watches nothing through the link, and reports no name of what it points
 * to.
 */
static void
nothing_is_watched_through_a_link_put_in_place_of_a_directory(void **state)
{
	assert_int_equal(mkdir(at("srv"), 0755), 0);
	assert_int_equal(mkdir(at("srv/app"), 0755), 0);
	assert_int_equal(mkdir(at("secret"), 0700), 0);
	assert_int_equal(mkdir(at("secret/x"), 0700), 0);
	add(0, "srv/app");
	/* Queued, not read yet: app/x made, then app swapped for a link. */
	assert_int_equal(mkdir(at("srv/app/x"), 0755), 0);
	assert_int_equal(rename(at("srv/app"), at("srv/app.old")), 0);
	assert_int_equal(symlink(at("secret"), at("srv/app")), 0);
	wait_report(0, 1000);
	reports = 0;
	put("secret/x/passwords.txt", "x\n");
	assert_false(wait_report(0, 800));
	/* And a root that is a link to a directory is watched as a name, not followed. */
	add(1, "srv/app");
	put("secret/x/more.txt", "x\n");
	assert_false(wait_report(0, 800));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_change_deep_in_a_tree_is_reported_once_quiet,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_file_replaced_by_rename_is_seen_and_its_neighbours_are_not, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_release_link_swapped_and_a_root_made_later_are_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    excluded_names_and_directories_are_not_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    steady_churn_is_reported_by_max_and_discard_forgets, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    nothing_is_watched_through_a_link_put_in_place_of_a_directory, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
