/*
 * The cleanup action: which files go (age, keep_newest, file type,
 * overlapping patterns), dry runs, errors and the one-line summary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "heal/cleanup.h"

#define MINUTE_MS	(60 * 1000LL)
#define HOUR_MS		(60 * MINUTE_MS)
#define DAY_MS		(24 * HOUR_MS)

/* A fixed "now", so that ages do not depend on when the test runs. */
static const int64_t now_ms = 1700000000000LL;
static char dir[64];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/tend-cleanup-XXXXXX");
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

static void
path_in_dir(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void
set_age(const char *name, int64_t age_ms, int flags)
{
	struct timespec ts[2];
	int64_t t = now_ms - age_ms;
	char path[256];

	path_in_dir(name, path, sizeof(path));
	ts[0].tv_sec = t / 1000;
	ts[0].tv_nsec = (t % 1000) * 1000000;
	ts[1] = ts[0];
	assert_int_equal(utimensat(AT_FDCWD, path, ts, flags), 0);
}

static void
make_file(const char *name, size_t size, int64_t age_ms)
{
	char path[256], chunk[4096];
	size_t n;
	int fd;

	path_in_dir(name, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	memset(chunk, 'x', sizeof(chunk));
	for (; size > 0; size -= n) {
		n = size < sizeof(chunk) ? size : sizeof(chunk);
		assert_int_equal(write(fd, chunk, n), (ssize_t)n);
	}
	close(fd);
	set_age(name, age_ms, 0);
}

static bool
exists(const char *name)
{
	char path[256];
	struct stat st;

	path_in_dir(name, path, sizeof(path));
	return lstat(path, &st) == 0;
}

/* Runs cleanup on patterns relative to the test directory. */
static int
clean(const char *const *patterns, int64_t older_than_ms, int keep_newest,
    bool dry_run, struct cleanup_report *r)
{
	char buf[4][256], *paths[5];
	struct cleanup_spec spec;
	size_t i;

	for (i = 0; patterns[i] != NULL; i++) {
		assert_true(i < 4);
		path_in_dir(patterns[i], buf[i], sizeof(buf[i]));
		paths[i] = buf[i];
	}
	paths[i] = NULL;
	spec.paths = paths;
	spec.older_than_ms = older_than_ms;
	spec.keep_newest = keep_newest;
	return cleanup_run(&spec, now_ms, dry_run, r);
}

static void
old_files_are_deleted_and_bytes_counted(void **state)
{
	const char *pats[] = { "*.log", NULL };
	struct cleanup_report r;

	make_file("a.log", 100, 2 * HOUR_MS);
	make_file("b.log", 300, 3 * HOUR_MS);
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_int_equal(r.matched, 2);
	assert_int_equal(r.removed, 2);
	assert_int_equal(r.bytes_freed, 400);
	assert_int_equal(r.errors, 0);
	assert_string_equal(r.first_error, "");
	assert_false(exists("a.log"));
	assert_false(exists("b.log"));
}

static void
newer_files_are_kept(void **state)
{
	const char *pats[] = { "*.log", NULL };
	struct cleanup_report r;

	make_file("new.log", 10, 10 * MINUTE_MS);
	make_file("old.log", 20, 2 * HOUR_MS);
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_int_equal(r.matched, 2);
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.bytes_freed, 20);
	assert_true(exists("new.log"));
	assert_false(exists("old.log"));
}

static void
file_exactly_as_old_as_the_limit_is_deleted(void **state)
{
	const char *pats[] = { "*.log", NULL };
	struct cleanup_report r;

	make_file("edge.log", 10, HOUR_MS);
	make_file("young.log", 10, HOUR_MS - 1);
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_int_equal(r.removed, 1);
	assert_false(exists("edge.log"));
	assert_true(exists("young.log"));
}

static void
zero_age_limit_deletes_files_of_any_age(void **state)
{
	const char *pats[] = { "*.log", NULL };
	struct cleanup_report r;

	make_file("now.log", 10, 0);
	make_file("future.log", 10, -DAY_MS);
	assert_int_equal(clean(pats, 0, 0, false, &r), 0);
	assert_int_equal(r.removed, 2);
	assert_false(exists("now.log"));
	assert_false(exists("future.log"));
}

static void
keep_newest_keeps_the_newest_even_when_old(void **state)
{
	const char *pats[] = { "*.log", NULL };
	struct cleanup_report r;

	make_file("d1.log", 1, 1 * DAY_MS);
	make_file("d2.log", 1, 2 * DAY_MS);
	make_file("d3.log", 1, 3 * DAY_MS);
	make_file("d4.log", 1, 4 * DAY_MS);
	make_file("d5.log", 1, 5 * DAY_MS);
	assert_int_equal(clean(pats, HOUR_MS, 2, false, &r), 0);
	assert_int_equal(r.matched, 5);
	assert_int_equal(r.removed, 3);
	assert_true(exists("d1.log"));
	assert_true(exists("d2.log"));
	assert_false(exists("d3.log"));
	assert_false(exists("d4.log"));
	assert_false(exists("d5.log"));
}

static void
keep_newest_counts_per_pattern(void **state)
{
	const char *pats[] = { "*.log", "*.gz", NULL };
	struct cleanup_report r;

	make_file("a1.log", 1, 1 * DAY_MS);
	make_file("a2.log", 1, 2 * DAY_MS);
	make_file("b1.gz", 1, 3 * DAY_MS);
	make_file("b2.gz", 1, 4 * DAY_MS);
	assert_int_equal(clean(pats, HOUR_MS, 1, false, &r), 0);
	assert_int_equal(r.removed, 2);
	assert_true(exists("a1.log"));
	assert_false(exists("a2.log"));
	assert_true(exists("b1.gz"));
	assert_false(exists("b2.gz"));
}

static void
dry_run_deletes_nothing_but_reports(void **state)
{
	const char *pats[] = { "*.log", NULL };
	struct cleanup_report r;

	make_file("a.log", 1000, 2 * DAY_MS);
	make_file("b.log", 24, 3 * DAY_MS);
	make_file("c.log", 5, MINUTE_MS);
	assert_int_equal(clean(pats, HOUR_MS, 0, true, &r), 0);
	assert_int_equal(r.matched, 3);
	assert_int_equal(r.removed, 2);
	assert_int_equal(r.bytes_freed, 1024);
	assert_true(exists("a.log"));
	assert_true(exists("b.log"));
	assert_true(exists("c.log"));
}

static void
directories_and_symlinks_are_left_alone(void **state)
{
	const char *pats[] = { "*.log", NULL };
	struct cleanup_report r;
	char target[256], link[256], sub[256];

	path_in_dir("dir.log", sub, sizeof(sub));
	assert_int_equal(mkdir(sub, 0755), 0);
	set_age("dir.log", DAY_MS, 0);
	make_file("target.dat", 10, DAY_MS);
	path_in_dir("target.dat", target, sizeof(target));
	path_in_dir("link.log", link, sizeof(link));
	assert_int_equal(symlink(target, link), 0);
	set_age("link.log", DAY_MS, AT_SYMLINK_NOFOLLOW);
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_int_equal(r.matched, 0);
	assert_int_equal(r.removed, 0);
	assert_int_equal(r.errors, 0);
	assert_true(exists("dir.log"));
	assert_true(exists("link.log"));
	assert_true(exists("target.dat"));
}

static void
no_match_is_not_an_error(void **state)
{
	const char *pats[] = { "*.nothing", "missing/*.log", NULL };
	struct cleanup_report r;

	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_int_equal(r.matched, 0);
	assert_int_equal(r.removed, 0);
	assert_int_equal(r.errors, 0);
	assert_string_equal(r.first_error, "");
}

/*
 * A dry run, because a real one would hide a double count: the second
 * pattern would no longer find the file the first one deleted.
 */
static void
overlapping_patterns_count_a_file_once(void **state)
{
	const char *pats[] = { "*.log", "a.*", NULL };
	struct cleanup_report r;

	make_file("a.log", 100, DAY_MS);
	assert_int_equal(clean(pats, HOUR_MS, 0, true, &r), 0);
	assert_int_equal(r.matched, 1);
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.bytes_freed, 100);
}

static void
a_file_kept_by_one_pattern_is_not_deleted_by_another(void **state)
{
	const char *pats[] = { "*.log", "*", NULL };
	struct cleanup_report r;

	make_file("a.log", 1, 1 * DAY_MS);
	make_file("b.log", 1, 2 * DAY_MS);
	make_file("c.txt", 1, 12 * HOUR_MS);
	assert_int_equal(clean(pats, HOUR_MS, 1, false, &r), 0);
	assert_int_equal(r.matched, 3);
	assert_int_equal(r.removed, 1);
	assert_true(exists("a.log"));
	assert_false(exists("b.log"));
	assert_true(exists("c.txt"));
}

static void
empty_pattern_is_refused_and_nothing_deleted(void **state)
{
	char *paths[3], good[256], empty[] = "";
	struct cleanup_spec spec = { .older_than_ms = 0, .keep_newest = 0 };
	struct cleanup_report r;

	make_file("a.log", 1, DAY_MS);
	path_in_dir("*.log", good, sizeof(good));
	paths[0] = good;
	paths[1] = empty;
	paths[2] = NULL;
	spec.paths = paths;
	assert_int_equal(cleanup_run(&spec, now_ms, false, &r), -1);
	assert_string_equal(r.first_error, "empty pattern");
	assert_int_equal(r.removed, 0);
	assert_true(exists("a.log"));
}

/* Root may unlink anywhere, so only another user can see this failure. */
static void
unlink_failure_is_reported_and_others_go_on(void **state)
{
	const char *pats[] = { "locked/*.log", "open/*.log", NULL };
	struct cleanup_report r;
	char locked[256], open_dir[256], expect[512];
	int rc;

	if (geteuid() == 0)
		skip();
	path_in_dir("locked", locked, sizeof(locked));
	assert_int_equal(mkdir(locked, 0755), 0);
	path_in_dir("open", open_dir, sizeof(open_dir));
	assert_int_equal(mkdir(open_dir, 0755), 0);
	make_file("locked/a.log", 10, DAY_MS);
	make_file("open/b.log", 20, DAY_MS);
	assert_int_equal(chmod(locked, 0555), 0);
	rc = clean(pats, HOUR_MS, 0, false, &r);
	/* Writable again first, so that teardown can remove it. */
	assert_int_equal(chmod(locked, 0755), 0);
	assert_int_equal(rc, 0);
	assert_int_equal(r.matched, 2);
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.bytes_freed, 20);
	assert_int_equal(r.errors, 1);
	snprintf(expect, sizeof(expect), "%s/a.log: Permission denied", locked);
	assert_string_equal(r.first_error, expect);
	assert_true(exists("locked/a.log"));
	assert_false(exists("open/b.log"));
}

static void
summary_counts_files_and_size(void **state)
{
	struct cleanup_report r = { .removed = 3, .bytes_freed = 13002342 };
	char buf[128];

	cleanup_report_format(&r, false, buf, sizeof(buf));
	assert_string_equal(buf, "3 files, 12.4 MiB freed");
}

static void
summary_of_a_dry_run_says_would_be_freed(void **state)
{
	struct cleanup_report r = { .removed = 1, .bytes_freed = 512 };
	char buf[128];

	cleanup_report_format(&r, true, buf, sizeof(buf));
	assert_string_equal(buf, "1 file, 512 B would be freed");
}

static void
summary_names_the_first_error(void **state)
{
	struct cleanup_report r = { .removed = 0, .errors = 2 };
	char buf[128];

	snprintf(r.first_error, sizeof(r.first_error),
	    "/var/log/x.log: Permission denied");
	cleanup_report_format(&r, false, buf, sizeof(buf));
	assert_string_equal(buf,
	    "0 files, 0 B freed; 2 errors, first: /var/log/x.log: Permission denied");
}

static void
summary_is_cut_to_the_buffer(void **state)
{
	struct cleanup_report r = { .removed = 3, .bytes_freed = 2048 };
	char buf[8];

	cleanup_report_format(&r, false, buf, sizeof(buf));
	assert_string_equal(buf, "3 files");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(old_files_are_deleted_and_bytes_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(newer_files_are_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(file_exactly_as_old_as_the_limit_is_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(zero_age_limit_deletes_files_of_any_age, setup, teardown),
		cmocka_unit_test_setup_teardown(keep_newest_keeps_the_newest_even_when_old, setup, teardown),
		cmocka_unit_test_setup_teardown(keep_newest_counts_per_pattern, setup, teardown),
		cmocka_unit_test_setup_teardown(dry_run_deletes_nothing_but_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(directories_and_symlinks_are_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(no_match_is_not_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(overlapping_patterns_count_a_file_once, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_kept_by_one_pattern_is_not_deleted_by_another, setup, teardown),
		cmocka_unit_test_setup_teardown(empty_pattern_is_refused_and_nothing_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(unlink_failure_is_reported_and_others_go_on, setup, teardown),
		cmocka_unit_test(summary_counts_files_and_size),
		cmocka_unit_test(summary_of_a_dry_run_says_would_be_freed),
		cmocka_unit_test(summary_names_the_first_error),
		cmocka_unit_test(summary_is_cut_to_the_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
