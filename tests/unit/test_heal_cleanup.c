/*
 * The cleanup action: which files go (age, keep_newest, file type,
 * overlapping patterns), dry runs, errors and the one-line summary.
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
#include <time.h>
#include <unistd.h>

#include "heal/cleanup.h"

#define MINUTE_MS	(60 * 1000LL)
#define HOUR_MS		(60 * MINUTE_MS)
#define DAY_MS		(24 * HOUR_MS)

/* A fixed "now", so that ages do not depend on when the test runs. */
static const int64_t now_ms = 1700000000000LL;
static char dir[64];

static const char *swap_dir;	/* armed: the directory to swap at the next removal */
static bool swap_other;		/* armed: app/a or app/b, whichever is not being removed from */
static char swapped[16];	/* which one was */

static int
setup(void **state)
{
	swap_dir = NULL;
	swap_other = false;
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
	struct cleanup_spec spec = { 0 };	/* no limit, no timeout: the defaults */
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
make_dir(const char *name, mode_t mode)
{
	char path[256];

	path_in_dir(name, path, sizeof(path));
	assert_int_equal(mkdir(path, mode), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* name becomes a symlink to the test directory's entry target. */
static void
make_link(const char *target, const char *name)
{
	char tpath[256], lpath[256];

	path_in_dir(target, tpath, sizeof(tpath));
	path_in_dir(name, lpath, sizeof(lpath));
	assert_int_equal(symlink(tpath, lpath), 0);
}

/* note is "<head>DIR/<tail>...": a skip message about an entry of the test dir. */
static void
expect_note(const char *note, const char *head, const char *tail)
{
	char want[512];

	snprintf(want, sizeof(want), "%s%s/%s", head, dir, tail);
	if (strncmp(note, want, strlen(want)) != 0)
		fail_msg("expected \"%s...\", got \"%s\"", want, note);
}

/*
 * The tmpwatch bug: app/x is a user's link to a directory of root's; a
 * wildcard that matches it must not walk through it.
 */
static void
a_symlinked_directory_in_a_wildcard_is_not_followed(void **state)
{
	const char *pats[] = { "app/*/cache/*.log", NULL };
	struct cleanup_report r;

	make_dir("app", 0755);
	make_dir("app/real", 0755);
	make_dir("app/real/cache", 0755);
	make_file("app/real/cache/old.log", 10, DAY_MS);
	make_dir("victim", 0755);
	make_dir("victim/cache", 0755);
	make_file("victim/cache/old.log", 10, DAY_MS);
	make_link("victim", "app/x");
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_true(exists("victim/cache/old.log"));
	assert_false(exists("app/real/cache/old.log"));
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.skipped, 1);
	expect_note(r.skips[0], "skipped ", "app/x: a symlink");
}

/* A named (not wildcard) component after a wildcard is no door either. */
static void
a_symlinked_directory_named_after_a_wildcard_is_not_followed(void **state)
{
	const char *pats[] = { "app/*/cache/*.log", NULL };
	struct cleanup_report r;

	make_dir("app", 0755);
	make_dir("app/u", 0755);
	make_dir("victim", 0755);
	make_file("victim/old.log", 10, DAY_MS);
	make_link("victim", "app/u/cache");
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_true(exists("victim/old.log"));
	assert_int_equal(r.removed, 0);
}

/* A link named by the last component is judged as itself, never its target. */
static void
a_symlink_as_the_last_component_is_not_deleted_nor_its_target(void **state)
{
	const char *pats[] = { "logs/*", NULL };
	struct cleanup_report r;

	make_dir("logs", 0755);
	make_file("secret", 10, DAY_MS);
	make_link("secret", "logs/a.log");
	set_age("logs/a.log", DAY_MS, AT_SYMLINK_NOFOLLOW);
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_true(exists("logs/a.log"));
	assert_true(exists("secret"));
	assert_int_equal(r.removed, 0);
	assert_int_equal(r.skipped, 1);
	expect_note(r.skips[0], "skipped ", "logs/a.log: a symlink");
}

/*
 * The race: between the look at app/sub/old.log and its removal, its
 * directory is renamed away and app/sub becomes a link to victim/. The
 * removal below swaps the tree at the last moment, inside the very call
 * that removes (unlink or unlinkat, whichever cleanup uses): a removal by
 * path then reaches victim/old.log, one relative to the directory that
 * was examined cannot.
 */
/* in_a: the removal at hand is from app/a. */
static void
swap_dir_for_link(bool in_a)
{
	char from[256], to[300];
	const char *name = swap_dir;

	if (swap_other)
		name = in_a ? "app/b" : "app/a";
	if (name == NULL)
		return;
	swap_dir = NULL;
	swap_other = false;
	snprintf(swapped, sizeof(swapped), "%s", name);
	path_in_dir(name, from, sizeof(from));
	snprintf(to, sizeof(to), "%s.moved", from);
	assert_int_equal(rename(from, to), 0);
	make_link("victim", name);
}

/* Whether the directory fd is app/a. */
static bool
fd_is_a(int fd)
{
	struct stat fst, ast;
	char a[256];

	path_in_dir("app/a", a, sizeof(a));
	return fstat(fd, &fst) == 0 && stat(a, &ast) == 0 && fst.st_dev == ast.st_dev &&
	    fst.st_ino == ast.st_ino;
}

int
unlink(const char *path)
{
	int (*real)(const char *) = (int (*)(const char *))dlsym(RTLD_NEXT, "unlink");

	swap_dir_for_link(strstr(path, "/app/a/") != NULL);
	return real(path);
}

int
unlinkat(int fd, const char *path, int flags)
{
	int (*real)(int, const char *, int) =
	    (int (*)(int, const char *, int))dlsym(RTLD_NEXT, "unlinkat");

	swap_dir_for_link((swap_dir != NULL || swap_other) && fd_is_a(fd));
	return real(fd, path, flags);
}

static void
a_directory_swapped_for_a_symlink_before_the_unlink_is_not_followed(void **state)
{
	const char *pats[] = { "app/*/old.log", NULL };
	struct cleanup_report r;

	make_dir("app", 0755);
	make_dir("app/sub", 0755);
	make_file("app/sub/old.log", 10, DAY_MS);
	make_dir("victim", 0755);
	make_file("victim/old.log", 10, DAY_MS);
	swap_dir = "app/sub";
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	swap_dir = NULL;
	assert_true(exists("victim/old.log"));
	/* What was examined is what went: the file in the moved directory. */
	assert_false(exists("app/sub.moved/old.log"));
}

/*
 * The same swap, of app/a or app/b while the other one's file is removed,
 * before its own turn: it is reopened through its parent and found to be
 * something else, so its file is left (and said); the victim stays.
 */
static void
a_directory_swapped_before_its_turn_is_not_reentered(void **state)
{
	const char *pats[] = { "app/*/old.log", NULL };
	struct cleanup_report r;
	char moved[64], gone[64], note[64];

	make_dir("app", 0755);
	make_dir("app/a", 0755);
	make_file("app/a/old.log", 10, DAY_MS);
	make_dir("app/b", 0755);
	make_file("app/b/old.log", 10, DAY_MS);
	make_dir("victim", 0755);
	make_file("victim/old.log", 10, DAY_MS);
	swap_other = true;
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	swap_other = false;
	assert_true(exists("victim/old.log"));
	snprintf(moved, sizeof(moved), "%s.moved/old.log", swapped);
	snprintf(gone, sizeof(gone), "app/%s/old.log", strcmp(swapped, "app/a") == 0 ?
	    "b" : "a");
	assert_true(exists(moved));
	assert_false(exists(gone));
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.skipped, 1);
	snprintf(note, sizeof(note), "%s: changed while cleanup ran", swapped);
	expect_note(r.skips[0], "skipped ", note);
}

/* Root's own link in a directory only root writes (/var/run -> /run) is followed. */
static void
a_symlink_in_the_fixed_prefix_that_no_other_user_could_write_is_followed(void **state)
{
	const char *pats[] = { "run/app/*.pid", NULL };
	struct cleanup_report r;

	make_dir("real", 0755);
	make_dir("real/app", 0755);
	make_file("real/app/old.pid", 10, DAY_MS);
	make_link("real", "run");
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_int_equal(r.removed, 1);
	assert_false(exists("real/app/old.pid"));
}

/* Someone who is neither root nor the test's user: nobody, by number. */
#define OTHER_UID	65534
#define OTHER_GID	65534

static void
give(const char *name, uid_t uid, gid_t gid)
{
	char path[256];

	path_in_dir(name, path, sizeof(path));
	assert_int_equal(lchown(path, uid, gid), 0);
}

/*
 * The other user can rearrange their own directory at any moment: root
 * leaves it, and the files in it, alone.
 */
static void
a_directory_owned_by_another_user_is_not_entered(void **state)
{
	const char *pats[] = { "home/*/*.log", NULL };
	struct cleanup_report r;

	if (geteuid() != 0)
		skip();
	make_dir("home", 0755);
	make_dir("home/alice", 0755);
	make_file("home/alice/own.log", 10, DAY_MS);
	give("home/alice/own.log", OTHER_UID, OTHER_GID);
	give("home/alice", OTHER_UID, OTHER_GID);
	make_dir("home/root", 0755);
	make_file("home/root/old.log", 10, DAY_MS);
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_true(exists("home/alice/own.log"));
	assert_false(exists("home/root/old.log"));
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.skipped, 1);
	expect_note(r.skips[0], "not entering ", "home/alice: owned by ");
}

/* Anyone could have put anything there: a misconfiguration root keeps out of. */
static void
a_world_writable_directory_without_the_sticky_bit_is_not_entered(void **state)
{
	const char *pats[] = { "pub/*.log", NULL };
	struct cleanup_report r;

	if (geteuid() != 0)
		skip();
	make_dir("pub", 0777);
	make_file("pub/old.log", 10, DAY_MS);
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_true(exists("pub/old.log"));
	assert_int_equal(r.removed, 0);
	expect_note(r.skips[0], "not entering ",
	    "pub: writable by everyone, without the sticky bit");
}

/*
 * /tmp: what others leave directly in a sticky directory is cleaned up
 * (they cannot replace what they do not own), their subdirectories are not
 * entered.
 */
static void
a_sticky_directory_is_cleaned_but_its_users_directories_are_not_entered(void **state)
{
	const char *pats[] = { "tmp/*.log", "tmp/*/*.log", NULL };
	struct cleanup_report r;

	if (geteuid() != 0)
		skip();
	make_dir("tmp", 01777);
	make_file("tmp/theirs.log", 10, DAY_MS);
	give("tmp/theirs.log", OTHER_UID, OTHER_GID);
	make_dir("tmp/theirs", 0755);
	make_file("tmp/theirs/inner.log", 10, DAY_MS);
	give("tmp/theirs/inner.log", OTHER_UID, OTHER_GID);
	give("tmp/theirs", OTHER_UID, OTHER_GID);
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_false(exists("tmp/theirs.log"));
	assert_true(exists("tmp/theirs/inner.log"));
	assert_int_equal(r.removed, 1);
}

/*
 * A link in the fixed part of a pattern is followed only where no other
 * user could have put it: not in a directory a group of users can write.
 */
static void
a_symlink_in_the_fixed_prefix_that_a_group_could_write_is_not_followed(void **state)
{
	const char *pats[] = { "shared/run/*.pid", NULL };
	struct cleanup_report r;

	if (geteuid() != 0)
		skip();
	make_dir("victim", 0755);
	make_file("victim/old.pid", 10, DAY_MS);
	make_dir("shared", 0775);
	give("shared", 0, OTHER_GID);
	make_link("victim", "shared/run");
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_true(exists("victim/old.pid"));
	assert_int_equal(r.removed, 0);
	expect_note(r.skips[0], "skipped ", "shared/run: a symlink where others can write");
}

/* glob's ".*" matches . and ..: a pattern could climb out of its directory. */
static void
a_wildcard_never_matches_dot_or_dot_dot(void **state)
{
	const char *pats[] = { "sub/.*/x.log", NULL };
	struct cleanup_report r;

	make_dir("sub", 0755);
	make_dir("sub/.hidden", 0755);
	make_file("sub/.hidden/x.log", 10, DAY_MS);
	make_file("sub/x.log", 10, DAY_MS);
	make_file("x.log", 10, DAY_MS);
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_false(exists("sub/.hidden/x.log"));
	assert_true(exists("sub/x.log"));
	assert_true(exists("x.log"));
	assert_int_equal(r.removed, 1);
}

/* As with glob: * leaves hidden names alone, brackets and quoting work. */
static void
matching_is_globs(void **state)
{
	const char *pats[] = { "*.log", "[ab].txt", "\\*.dat", NULL };
	struct cleanup_report r;

	make_file(".hidden.log", 1, DAY_MS);
	make_file("seen.log", 1, DAY_MS);
	make_file("a.txt", 1, DAY_MS);
	make_file("c.txt", 1, DAY_MS);
	make_file("*.dat", 1, DAY_MS);
	make_file("x.dat", 1, DAY_MS);
	assert_int_equal(clean(pats, HOUR_MS, 0, false, &r), 0);
	assert_true(exists(".hidden.log"));
	assert_false(exists("seen.log"));
	assert_false(exists("a.txt"));
	assert_true(exists("c.txt"));
	assert_false(exists("*.dat"));
	assert_true(exists("x.dat"));
	assert_int_equal(r.removed, 3);
}

static void
expect_refused(const char *pattern, const char *why)
{
	char *paths[2], path[256], want[512];
	struct cleanup_spec spec = { .older_than_ms = 0 };
	struct cleanup_report r;

	make_file("a.log", 1, DAY_MS);
	if (pattern[0] == '/')
		path_in_dir(pattern + 1, path, sizeof(path));
	else
		snprintf(path, sizeof(path), "%s", pattern);
	paths[0] = path;
	paths[1] = NULL;
	spec.paths = paths;
	assert_int_equal(cleanup_run(&spec, now_ms, false, &r), -1);
	snprintf(want, sizeof(want), "%s: %s", path, why);
	assert_string_equal(r.first_error, want);
	assert_int_equal(r.removed, 0);
	assert_true(exists("a.log"));
}

/* Checked before anything is deleted. */
static void
patterns_that_could_reach_elsewhere_are_refused(void **state)
{
	expect_refused("*.log", "not an absolute path");
	expect_refused("/sub/../*.log", "'..' is not allowed");
	expect_refused("/*.log/", "ends in '/', so it names only directories, which "
	    "cleanup never deletes");
}

/*
 * A file is one file however it is spelled: what the first pattern kept
 * through real/ the second cannot delete through the link run/.
 */
static void
a_file_kept_under_one_spelling_is_not_deleted_under_another(void **state)
{
	const char *pats[] = { "real/a*.log", "run/*.log", NULL };
	struct cleanup_report r;

	make_dir("real", 0755);
	make_file("real/a1.log", 1, 1 * DAY_MS);
	make_file("real/a2.log", 1, 2 * DAY_MS);
	make_file("real/b1.log", 1, 12 * HOUR_MS);
	make_link("real", "run");
	assert_int_equal(clean(pats, HOUR_MS, 1, false, &r), 0);
	assert_true(exists("real/a1.log"));
	assert_false(exists("real/a2.log"));
	assert_true(exists("real/b1.log"));
	assert_int_equal(r.matched, 3);
	assert_int_equal(r.removed, 1);
}

/* A huge tree cannot hold the thread: the walk stops, says so, and acts on what it saw. */
static void
the_walk_stops_at_its_limit_and_says_so(void **state)
{
	char path[256], *paths[2], name[32], want[512];
	struct cleanup_spec spec = { .older_than_ms = HOUR_MS, .max_names = 5 };
	struct cleanup_report r;
	int i, left = 0;

	make_dir("many", 0755);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "many/%02d.log", i);
		make_file(name, 1, DAY_MS);
	}
	path_in_dir("many/*.log", path, sizeof(path));
	paths[0] = path;
	paths[1] = NULL;
	spec.paths = paths;
	assert_int_equal(cleanup_run(&spec, now_ms, false, &r), 0);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "many/%02d.log", i);
		left += exists(name);
	}
	assert_true(r.removed <= 5);
	assert_int_equal(left, 20 - (int)r.removed);
	assert_int_equal(r.errors, 1);
	snprintf(want, sizeof(want), "stopped after looking at 5 names (cleanup's limit), "
	    "in %s", path);
	assert_string_equal(r.first_error, want);
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
summary_names_the_first_skip(void **state)
{
	struct cleanup_report r = { .removed = 1, .bytes_freed = 10, .skipped = 2 };
	char buf[256];

	snprintf(r.skips[0], sizeof(r.skips[0]), "skipped /var/tmp/app/x: a symlink");
	cleanup_report_format(&r, false, buf, sizeof(buf));
	assert_string_equal(buf,
	    "1 file, 10 B freed; 2 skipped, first: skipped /var/tmp/app/x: a symlink");
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
		cmocka_unit_test_setup_teardown(a_symlinked_directory_in_a_wildcard_is_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_symlinked_directory_named_after_a_wildcard_is_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_symlink_as_the_last_component_is_not_deleted_nor_its_target, setup, teardown),
		cmocka_unit_test_setup_teardown(a_directory_swapped_for_a_symlink_before_the_unlink_is_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_symlink_in_the_fixed_prefix_that_no_other_user_could_write_is_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_directory_owned_by_another_user_is_not_entered, setup, teardown),
		cmocka_unit_test_setup_teardown(a_world_writable_directory_without_the_sticky_bit_is_not_entered, setup, teardown),
		cmocka_unit_test_setup_teardown(a_sticky_directory_is_cleaned_but_its_users_directories_are_not_entered, setup, teardown),
		cmocka_unit_test_setup_teardown(a_symlink_in_the_fixed_prefix_that_a_group_could_write_is_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_directory_swapped_before_its_turn_is_not_reentered, setup, teardown),
		cmocka_unit_test_setup_teardown(a_wildcard_never_matches_dot_or_dot_dot, setup, teardown),
		cmocka_unit_test_setup_teardown(matching_is_globs, setup, teardown),
		cmocka_unit_test_setup_teardown(patterns_that_could_reach_elsewhere_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_kept_under_one_spelling_is_not_deleted_under_another, setup, teardown),
		cmocka_unit_test_setup_teardown(the_walk_stops_at_its_limit_and_says_so, setup, teardown),
		cmocka_unit_test(summary_counts_files_and_size),
		cmocka_unit_test(summary_of_a_dry_run_says_would_be_freed),
		cmocka_unit_test(summary_names_the_first_error),
		cmocka_unit_test(summary_names_the_first_skip),
		cmocka_unit_test(summary_is_cut_to_the_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
