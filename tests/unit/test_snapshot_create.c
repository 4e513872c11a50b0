/*
 * Snapshots made: what a manifest records, the stat cache that spares
 * reading unchanged files (and the space they would take), objects shared
 * across sets, a file changing while read, excludes, bad sets, symlink
 * loops, an unreadable file, a full disk, the lock, pruning, and a create
 * killed half way.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "core/sha256.h"
#include "snapshot_fixture.h"

static void
a_manifest_records_files_directories_and_links(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_entry *v;
	struct snapshot_info info;
	const struct snapshot_entry *e;
	char err[256], hex[SHA256_HEX_LEN + 1];
	int64_t id, size;
	size_t n;

	fx_mkdir("conf");
	fx_write("conf/app.yaml", "port: 80\n");
	assert_int_equal(chmod(fx_path("conf/app.yaml"), 0640), 0);
	assert_int_equal(symlink("conf/app.yaml", fx_path("current")), 0);
	id = fx_create(&spec, NULL);
	assert_true(id > 0);
	assert_int_equal(snapshot_get(fx_eng, id, &info, &v, &n, err, sizeof(err)), 0);
	assert_string_equal(info.set_name, "app");
	assert_int_equal(n, 4);		/* data, conf, conf/app.yaml, current */
	assert_int_equal(info.files, 4);
	assert_int_equal(info.bytes, 9);
	e = fx_find(v, n, fx_path("conf/app.yaml"));
	assert_non_null(e);
	assert_int_equal(e->type, SNAPSHOT_FILE);
	assert_int_equal(e->mode, 0640);
	assert_int_equal(sha256_file(fx_path("conf/app.yaml"), hex, &size), 0);
	assert_string_equal(e->hash, hex);
	e = fx_find(v, n, fx_path("current"));
	assert_non_null(e);
	assert_int_equal(e->type, SNAPSHOT_SYMLINK);
	assert_string_equal(e->target, "conf/app.yaml");
	assert_int_equal(fx_find(v, n, fx_path("conf"))->type, SNAPSHOT_DIR);
	assert_int_equal(fx_objects(NULL), 1);
	snapshot_entries_free(v, n);
	snapshot_info_clear(&info);
}

static void
an_unchanged_tree_is_not_read_again_and_takes_no_space(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_stats st;
	long long bytes, bytes2;
	char name[32];
	int i;

	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		fx_write(name, name);
	}
	fx_settle();
	fx_create(&spec, &st);
	assert_int_equal(st.read_files, 20);
	assert_int_equal(st.new_objects, 20);
	assert_int_equal(fx_objects(&bytes), 20);

	fx_create(&spec, &st);
	assert_int_equal(st.files, 21);
	assert_int_equal(st.read_files, 0);
	assert_int_equal(st.read_bytes, 0);
	assert_int_equal(st.new_objects, 0);
	assert_int_equal(fx_objects(&bytes2), 20);
	assert_int_equal(bytes2, bytes);

	/* One file changed: that one alone is read. */
	fx_write("f3", "changed");
	fx_create(&spec, &st);
	assert_int_equal(st.read_files, 1);
	assert_int_equal(st.new_objects, 1);
	assert_int_equal(fx_count_snapshots(), 3);
}

/* Written in the same clock tick as it is read: not trusted to the cache. */
static void
a_file_changed_just_now_is_read_again(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_stats st;
	struct timespec before, now;
	int tries = 0;

	/* The write and the first create must fall in one tick to prove it. */
	do {
		if (++tries > 200)
			skip();
		clock_gettime(CLOCK_REALTIME_COARSE, &before);
		fx_write("hot", "1");
		fx_create(&spec, &st);
		clock_gettime(CLOCK_REALTIME_COARSE, &now);
	} while (now.tv_nsec != before.tv_nsec || now.tv_sec != before.tv_sec);
	fx_create(&spec, &st);
	assert_int_equal(st.read_files, 1);
}

static void
identical_files_in_two_sets_are_one_object(void **state)
{
	const char *a[] = { fx_path("a") }, *b[] = { fx_path("b") };
	struct snapshot_spec sa = { .name = "a", .paths = a, .n_paths = 1 };
	struct snapshot_spec sb = { .name = "b", .paths = b, .n_paths = 1 };
	struct snapshot_stats st;

	fx_write("a", "the same bytes\n");
	fx_write("b", "the same bytes\n");
	fx_create(&sa, &st);
	assert_int_equal(st.new_objects, 1);
	fx_create(&sb, &st);
	assert_int_equal(st.read_files, 1);
	assert_int_equal(st.new_objects, 0);
	assert_int_equal(fx_objects(NULL), 1);
}

static int changes_left;

static void
change_it(void *arg, const char *path)
{
	int fd;

	(void)arg;
	if (changes_left == 0 || strcmp(strrchr(path, '/'), "/log") != 0)
		return;
	changes_left--;
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "+", 1), 1);
	close(fd);
}

static void
a_file_changing_while_read_is_read_again(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_entry *v;
	struct snapshot_info info;
	struct snapshot_stats st;
	char err[256], hex[SHA256_HEX_LEN + 1];
	int64_t id, size;
	size_t n;

	fx_write("log", "a");
	changes_left = 1;
	snapshot_engine_set_read_hook(fx_eng, change_it, NULL);
	id = fx_create(&spec, &st);
	assert_int_equal(changes_left, 0);
	/* What was recorded is what the file held when read the second time. */
	assert_int_equal(snapshot_get(fx_eng, id, &info, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(sha256_file(fx_path("log"), hex, &size), 0);
	assert_string_equal(fx_find(v, n, fx_path("log"))->hash, hex);
	assert_int_equal(fx_find(v, n, fx_path("log"))->size, 2);
	snapshot_entries_free(v, n);
	snapshot_info_clear(&info);
}

static void
a_file_that_keeps_changing_fails_the_snapshot(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	char err[256];
	int64_t id;

	fx_write("a", "stable");
	fx_write("log", "a");
	changes_left = 100;
	snapshot_engine_set_read_hook(fx_eng, change_it, NULL);
	assert_int_equal(snapshot_create(fx_eng, &spec, NULL, NULL, &id, NULL, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, fx_path("log")));
	assert_non_null(strstr(err, "changed while it was read"));
	/* Nothing half done: no snapshot, no object, nothing in tmp. */
	assert_int_equal(fx_count_snapshots(), 0);
	assert_int_equal(fx_objects(NULL), 0);
	assert_int_equal(fx_tmp_files(), 0);
}

static void
excluded_names_directories_and_paths_are_left_out(void **state)
{
	const char *ex[] = { "*.log", "cache/", "sub/skip*" };
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_entry *v;
	struct snapshot_info info;
	char err[256];
	size_t n;

	spec.exclude = ex;
	spec.n_exclude = 3;
	fx_write("keep.txt", "k");
	fx_write("app.log", "l");
	fx_mkdir("cache");
	fx_write("cache/x", "c");
	fx_write("cache.txt", "not a directory: kept");
	fx_mkdir("sub");
	fx_write("sub/skip-me", "s");
	fx_write("sub/keep", "k");
	assert_int_equal(snapshot_get(fx_eng, fx_create(&spec, NULL), &info, &v, &n, err,
	    sizeof(err)), 0);
	assert_non_null(fx_find(v, n, fx_path("keep.txt")));
	assert_non_null(fx_find(v, n, fx_path("cache.txt")));
	assert_non_null(fx_find(v, n, fx_path("sub/keep")));
	assert_null(fx_find(v, n, fx_path("app.log")));
	assert_null(fx_find(v, n, fx_path("cache")));
	assert_null(fx_find(v, n, fx_path("cache/x")));
	assert_null(fx_find(v, n, fx_path("sub/skip-me")));
	snapshot_entries_free(v, n);
	snapshot_info_clear(&info);
}

static void
a_missing_path_is_a_warning_and_the_others_are_kept(void **state)
{
	const char *paths[] = { fx_path("nope"), fx_path("here") };
	struct snapshot_spec spec = { .name = "app", .paths = paths, .n_paths = 2 };
	struct snapshot_stats st;

	fx_write("here", "h");
	fx_create(&spec, &st);
	assert_int_equal(st.warnings, 1);
	assert_int_equal(fx_warnings, 1);
	assert_int_equal(st.files, 1);
}

static void
bad_sets_are_refused_with_the_path_named(void **state)
{
	const char *with_state[] = { fx_dir };
	const char *link[] = { fx_path("plain") };
	struct snapshot_spec spec = { .name = "app", .paths = with_state, .n_paths = 1 };
	char err[512];
	int64_t id;

	assert_int_equal(snapshot_create(fx_eng, &spec, NULL, NULL, &id, NULL, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "state dir"));
	fx_write("plain", "p");
	spec.paths = NULL;
	spec.n_paths = 0;
	spec.symlinks = link;
	spec.n_symlinks = 1;
	assert_int_equal(snapshot_create(fx_eng, &spec, NULL, NULL, &id, NULL, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not a symlink"));
	assert_int_equal(fx_count_snapshots(), 0);
}

/*
 * Links are recorded as links, never followed: a link to itself, two to
 * each other, one to its own directory and one to / make no loop and put
 * nothing of their targets in the set; a restore puts them back as they were.
 */
static void
symlink_loops_are_recorded_as_links_and_put_back(void **state)
{
	static const char *const links[][2] = { { "self", "self" }, { "a", "b" },
	    { "b", "a" }, { "dir/up", ".." }, { "dir/here", "." }, { "root", "/" } };
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_restore_opts opts = { 0 };
	struct snapshot_restore_result r;
	const struct snapshot_entry *e;
	struct snapshot_entry *v;
	struct snapshot_info info;
	char err[512], target[64];
	int64_t id;
	size_t n, i;
	ssize_t len;

	fx_mkdir("dir");
	fx_write("dir/file", "f");
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		assert_int_equal(symlink(links[i][1], fx_path(links[i][0])), 0);
	id = fx_create(&spec, NULL);
	assert_int_equal(snapshot_get(fx_eng, id, &info, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 9);		/* data, dir, dir/file and the six links */
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		e = fx_find(v, n, fx_path(links[i][0]));
		assert_non_null(e);
		assert_int_equal(e->type, SNAPSHOT_SYMLINK);
		assert_string_equal(e->target, links[i][1]);
	}
	snapshot_entries_free(v, n);
	snapshot_info_clear(&info);

	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		assert_int_equal(unlink(fx_path(links[i][0])), 0);
	assert_int_equal(snapshot_restore(fx_eng, id, &opts, &r, err, sizeof(err)), 0);
	snapshot_restore_result_free(&r);
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		len = readlink(fx_path(links[i][0]), target, sizeof(target) - 1);
		assert_true(len > 0);
		target[len] = '\0';
		assert_string_equal(target, links[i][1]);
	}
}

/*
 * A file that cannot be read fails the snapshot, naming it; nothing is
 * visible and no object of it stays. Root reads any file whatever its
 * mode: for root the file is /proc/PID/mem, which no one can read from 0.
 */
static void
an_unreadable_file_fails_the_snapshot_naming_it(void **state)
{
	const char *paths[2] = { fx_data, NULL };
	struct snapshot_spec spec = { .name = "app", .paths = paths, .n_paths = 2 };
	char mem[64], err[512];
	const char *bad;
	int64_t id;

	fx_write("readable", "r");
	if (geteuid() == 0) {
		snprintf(mem, sizeof(mem), "/proc/%d/mem", (int)getpid());
		bad = paths[1] = mem;
	} else {
		fx_write("secret", "s");
		assert_int_equal(chmod(fx_path("secret"), 0), 0);
		bad = fx_path("secret");
		spec.n_paths = 1;
	}
	assert_int_equal(snapshot_create(fx_eng, &spec, NULL, NULL, &id, NULL, err,
	    sizeof(err)), -1);
	if (strstr(err, bad) == NULL)
		fail_msg("%s", err);
	assert_int_equal(fx_count_snapshots(), 0);
	assert_int_equal(fx_objects(NULL), 0);
	assert_int_equal(fx_tmp_files(), 0);
}

/*
 * A disk that fills while snapshotting (RLIMIT_FSIZE stands in for it):
 * the snapshot fails naming the file, none is visible, and the objects
 * it had already written are removed.
 */
static void
a_full_disk_while_snapshotting_leaves_no_snapshot_and_no_object(void **state)
{
	static char big[2 * 1024 * 1024];
	struct snapshot_spec spec = fx_set("app");
	struct rlimit old, small = { 1024 * 1024, 1024 * 1024 };
	char err[512];
	int64_t id;
	int fd, rc;

	fx_write("a-small", "first, stored");
	memset(big, 'x', sizeof(big));
	fd = open(fx_path("b-big"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_int_equal(fd_write_all(fd, big, sizeof(big)), 0);
	close(fd);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	rc = snapshot_create(fx_eng, &spec, NULL, NULL, &id, NULL, err, sizeof(err));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(rc, -1);
	if (strstr(err, fx_path("b-big")) == NULL)
		fail_msg("%s", err);
	assert_int_equal(fx_count_snapshots(), 0);
	assert_int_equal(fx_objects(NULL), 0);
	assert_int_equal(fx_tmp_files(), 0);
	fx_create(&spec, NULL);		/* with room again, it works */
	assert_int_equal(fx_objects(NULL), 2);
}

static void
a_second_create_while_one_runs_is_refused(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	char path[PATH_MAX], err[512];
	int64_t id;
	int fd;

	fx_write("a", "a");
	fx_create(&spec, NULL);
	/* Another holder of the lock: another process's open file, as far as flock cares. */
	snprintf(path, sizeof(path), "%s/snapshots/lock", fx_state);
	assert_true((fd = open(path, O_RDWR | O_CLOEXEC)) >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(snapshot_create(fx_eng, &spec, NULL, NULL, &id, NULL, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "another snapshot, restore or prune is running"));
	close(fd);
	fx_create(&spec, NULL);
	assert_int_equal(fx_count_snapshots(), 2);
}

static void
prune_keeps_the_newest_and_every_last_known_good(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_prune_stats ps;
	struct snapshot_info *v;
	char err[256], text[16];
	int64_t ids[4];
	size_t n;
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "v%d", i);
		fx_write("conf", text);
		ids[i] = fx_create(&spec, NULL);
	}
	assert_int_equal(fx_objects(NULL), 4);
	assert_int_equal(snapshot_mark_lkg(fx_eng, ids[0], true, err, sizeof(err)), 0);
	assert_int_equal(snapshot_lkg(fx_eng, "app", err, sizeof(err)), ids[0]);
	assert_int_equal(snapshot_prune(fx_eng, "app", 2, &ps, err, sizeof(err)), 0);
	assert_int_equal(ps.snapshots, 1);
	assert_int_equal(ps.objects, 1);
	assert_int_equal(snapshot_list(fx_eng, "app", &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].id, ids[3]);
	assert_int_equal(v[1].id, ids[2]);
	assert_int_equal(v[2].id, ids[0]);
	assert_true(v[2].lkg);
	snapshot_infos_free(v, n);
	assert_int_equal(fx_objects(NULL), 3);
	assert_int_equal(snapshot_mark_bad(fx_eng, 999, true, err, sizeof(err)), 1);
}

static int kill_after;

static void
die_half_way(void *arg, const char *path)
{
	(void)arg;
	(void)path;
	if (--kill_after == 0)
		raise(SIGKILL);
}

/*
 * A create killed half way (SIGKILL, as the OOM killer or a power cut of
 * the process would): no snapshot is visible, and the next create removes
 * what it wrote.
 */
static void
a_create_killed_half_way_leaves_nothing_visible(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	char name[32];
	pid_t pid;
	int i, status;

	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		fx_write(name, name);
	}
	fx_close();
	if ((pid = fork()) == 0) {
		fx_open();
		kill_after = 100;
		snapshot_engine_set_read_hook(fx_eng, die_half_way, NULL);
		fx_create(&spec, NULL);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	fx_open();
	assert_int_equal(fx_count_snapshots(), 0);
	assert_true(fx_objects(NULL) >= 99);
	assert_true(fx_tmp_files() >= 1);	/* the journal, a half copy */
	/* The next create cleans up after it. */
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		unlink(fx_path(name));
	}
	fx_write("only", "only");
	fx_create(&spec, NULL);
	assert_int_equal(fx_objects(NULL), 1);
	assert_int_equal(fx_tmp_files(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_manifest_records_files_directories_and_links,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    an_unchanged_tree_is_not_read_again_and_takes_no_space, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(a_file_changed_just_now_is_read_again,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(identical_files_in_two_sets_are_one_object,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(a_file_changing_while_read_is_read_again,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(a_file_that_keeps_changing_fails_the_snapshot,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    excluded_names_directories_and_paths_are_left_out, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    a_missing_path_is_a_warning_and_the_others_are_kept, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(bad_sets_are_refused_with_the_path_named,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(symlink_loops_are_recorded_as_links_and_put_back,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(an_unreadable_file_fails_the_snapshot_naming_it,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    a_full_disk_while_snapshotting_leaves_no_snapshot_and_no_object, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(a_second_create_while_one_runs_is_refused,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(prune_keeps_the_newest_and_every_last_known_good,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(a_create_killed_half_way_leaves_nothing_visible,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
