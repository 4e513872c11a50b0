/*
 * Snapshots put back and compared: a restore byte-identical with modes,
 * owners and mtimes, a symlink swapped, a dry run that changes nothing,
 * added files listed or deleted, a corrupted object refused, a restore
 * failing half way (a full disk: RLIMIT_FSIZE) leaving nothing staged, a
 * directory where a file was; diffs against a snapshot and the live files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "snapshot_fixture.h"

static int
restore(int64_t id, bool dry_run, bool delete_added, struct snapshot_restore_result *r,
    char *err, size_t errlen)
{
	struct snapshot_restore_opts o = { .dry_run = dry_run, .delete_added = delete_added };

	return snapshot_restore(fx_eng, id, &o, r, err, errlen);
}

static const struct snapshot_step *
step(const struct snapshot_restore_result *r, const char *rel)
{
	const char *path = fx_path(rel);
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->steps[i].path, path) == 0)
			return &r->steps[i];
	return NULL;
}

static void
a_restore_puts_back_bytes_modes_owners_mtimes_and_links(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_restore_result r;
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1000000000, 123456789 } };
	struct stat sb;
	char err[512], target[64];
	ssize_t len;
	int64_t id;

	fx_mkdir("conf");
	fx_write("conf/app.yaml", "port: 80\n");
	assert_int_equal(chown(fx_path("conf/app.yaml"), 1234, 5678), 0);
	assert_int_equal(chmod(fx_path("conf/app.yaml"), 0640), 0);
	assert_int_equal(utimensat(AT_FDCWD, fx_path("conf/app.yaml"), ts, 0), 0);
	fx_write("gone", "will be deleted");
	fx_mkdir("releases");
	fx_mkdir("releases/1");
	fx_mkdir("releases/2");
	assert_int_equal(symlink("releases/1", fx_path("current")), 0);
	id = fx_create(&spec, NULL);

	/* A bad deploy. */
	fx_write("conf/app.yaml", "port: oops\n");
	assert_int_equal(chmod(fx_path("conf/app.yaml"), 0666), 0);
	assert_int_equal(unlink(fx_path("gone")), 0);
	assert_int_equal(unlink(fx_path("current")), 0);
	assert_int_equal(symlink("releases/2", fx_path("current")), 0);

	assert_int_equal(restore(id, false, false, &r, err, sizeof(err)), 0);
	assert_true(r.pre_id > id);
	assert_int_equal(step(&r, "conf/app.yaml")->kind, SNAPSHOT_STEP_WRITE);
	assert_true(step(&r, "conf/app.yaml")->done);
	assert_int_equal(step(&r, "gone")->kind, SNAPSHOT_STEP_WRITE);
	assert_int_equal(step(&r, "current")->kind, SNAPSHOT_STEP_WRITE);
	assert_null(step(&r, "releases/1"));	/* unchanged: no step */
	snapshot_restore_result_free(&r);

	assert_string_equal(fx_read("conf/app.yaml"), "port: 80\n");
	assert_int_equal(stat(fx_path("conf/app.yaml"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0640);
	assert_int_equal(sb.st_uid, 1234);
	assert_int_equal(sb.st_gid, 5678);
	assert_int_equal(sb.st_mtim.tv_sec, 1000000000);
	assert_int_equal(sb.st_mtim.tv_nsec, 123456789);
	assert_string_equal(fx_read("gone"), "will be deleted");
	len = readlink(fx_path("current"), target, sizeof(target) - 1);
	assert_true(len > 0);
	target[len] = '\0';
	assert_string_equal(target, "releases/1");
	/* Nothing staged is left beside the targets. */
	assert_int_equal(fx_count_files(fx_data, NULL), 3);
}

static void
a_restore_is_undone_by_its_pre_rollback_snapshot(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_restore_result r;
	struct snapshot_info info;
	char err[512];
	int64_t id, pre;

	fx_write("conf", "old");
	id = fx_create(&spec, NULL);
	fx_write("conf", "new");
	assert_int_equal(restore(id, false, false, &r, err, sizeof(err)), 0);
	pre = r.pre_id;
	snapshot_restore_result_free(&r);
	assert_string_equal(fx_read("conf"), "old");
	assert_int_equal(snapshot_get(fx_eng, pre, &info, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(info.reason, "pre-rollback");
	snapshot_info_clear(&info);
	assert_int_equal(restore(pre, false, false, &r, err, sizeof(err)), 0);
	snapshot_restore_result_free(&r);
	assert_string_equal(fx_read("conf"), "new");
}

/* Everything about the tree that a write could change, as text. */
static void
fingerprint(const char *dir, char *out, size_t len)
{
	char cmd[512];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "cd %s && find . -printf '%%p %%y %%m %%U %%s %%T@ %%C@ "
	    "%%i %%l\\n' | sort && cat $(find . -type f | sort) 2>/dev/null", dir);
	assert_non_null(p = popen(cmd, "r"));
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	pclose(p);
}

static void
a_dry_run_changes_nothing(void **state)
{
	static char before[65536], after[65536];
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_restore_result r;
	char err[512];
	int64_t id;

	fx_mkdir("d");
	fx_write("d/a", "a");
	fx_write("b", "b");
	id = fx_create(&spec, NULL);
	fx_write("d/a", "changed");
	assert_int_equal(unlink(fx_path("b")), 0);
	fx_write("added", "new");
	fingerprint(fx_data, before, sizeof(before));

	assert_int_equal(restore(id, true, true, &r, err, sizeof(err)), 0);
	assert_int_equal(r.pre_id, 0);
	assert_int_equal(step(&r, "d/a")->kind, SNAPSHOT_STEP_WRITE);
	assert_int_equal(step(&r, "b")->kind, SNAPSHOT_STEP_WRITE);
	assert_int_equal(step(&r, "added")->kind, SNAPSHOT_STEP_DELETE);
	assert_false(step(&r, "d/a")->done);
	snapshot_restore_result_free(&r);

	fingerprint(fx_data, after, sizeof(after));
	assert_string_equal(before, after);
	assert_int_equal(fx_count_snapshots(), 1);
	assert_string_equal(fx_read("d/a"), "changed");
}

static void
added_files_are_listed_and_removed_only_when_asked(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_restore_result r;
	char err[512];
	int64_t id;

	fx_write("a", "a");
	id = fx_create(&spec, NULL);
	fx_write("new.conf", "n");
	fx_mkdir("newdir");
	fx_write("newdir/x", "x");
	assert_int_equal(restore(id, false, false, &r, err, sizeof(err)), 0);
	assert_int_equal(step(&r, "new.conf")->kind, SNAPSHOT_STEP_ADDED);
	assert_int_equal(step(&r, "newdir/x")->kind, SNAPSHOT_STEP_ADDED);
	snapshot_restore_result_free(&r);
	assert_string_equal(fx_read("new.conf"), "n");

	assert_int_equal(restore(id, false, true, &r, err, sizeof(err)), 0);
	assert_int_equal(step(&r, "new.conf")->kind, SNAPSHOT_STEP_DELETE);
	assert_true(step(&r, "newdir")->done);
	snapshot_restore_result_free(&r);
	assert_int_equal(access(fx_path("new.conf"), F_OK), -1);
	assert_int_equal(access(fx_path("newdir"), F_OK), -1);
	assert_string_equal(fx_read("a"), "a");
}

static void
a_corrupted_object_refuses_the_restore_and_names_the_file(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_restore_result r;
	struct snapshot_entry *v;
	struct snapshot_info info;
	char err[512], obj[512];
	const char *hash;
	int64_t id;
	size_t n;

	fx_write("conf", "good");
	id = fx_create(&spec, NULL);
	assert_int_equal(snapshot_get(fx_eng, id, &info, &v, &n, err, sizeof(err)), 0);
	hash = fx_find(v, n, fx_path("conf"))->hash;
	snprintf(obj, sizeof(obj), "%s/snapshots/objects/%.2s/%s", fx_state, hash, hash);
	assert_int_equal(chmod(obj, 0600), 0);
	assert_int_equal(truncate(obj, 0), 0);
	assert_int_equal(truncate(obj, 4), 0);		/* four NULs: same size, wrong bytes */
	snapshot_entries_free(v, n);
	snapshot_info_clear(&info);

	fx_write("conf", "bad!");
	assert_int_equal(restore(id, false, false, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, fx_path("conf")));
	assert_non_null(strstr(err, "corrupt"));
	snapshot_restore_result_free(&r);
	assert_string_equal(fx_read("conf"), "bad!");
	/* Refused before anything was written: no pre-rollback snapshot either. */
	assert_int_equal(fx_count_snapshots(), 1);
}

/*
 * A full disk while staging (RLIMIT_FSIZE stands in for it): what was
 * staged is removed, nothing is replaced, and the error names the file.
 */
static void
a_restore_failing_while_staging_leaves_nothing_behind(void **state)
{
	static char big[4 * 1024 * 1024];
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_restore_result r;
	struct rlimit old, small = { 1024 * 1024, 1024 * 1024 };
	int fd, rc;
	char err[512];
	int64_t id;

	memset(big, 'x', sizeof(big));
	fx_write("a", "a1");
	fd = open(fx_path("big"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_int_equal(fd_write_all(fd, big, sizeof(big)), 0);
	close(fd);
	fx_write("z", "z1");
	id = fx_create(&spec, NULL);
	fx_write("a", "a2");
	fx_write("z", "z2");
	assert_int_equal(unlink(fx_path("big")), 0);

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	rc = restore(id, false, false, &r, err, sizeof(err));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);

	assert_int_equal(rc, -1);
	if (strstr(err, fx_path("big")) == NULL)
		fail_msg("%s", err);
	assert_false(step(&r, "a")->done);
	snapshot_restore_result_free(&r);
	assert_string_equal(fx_read("a"), "a2");
	assert_string_equal(fx_read("z"), "z2");
	assert_int_equal(access(fx_path("big"), F_OK), -1);
	assert_int_equal(fx_count_files(fx_data, NULL), 2);	/* a, z: nothing staged left */
}

/*
 * A disk too full for the pre-rollback snapshot (its objects or its row):
 * the restore is refused and nothing is changed, nothing left in tmp.
 */
static void
a_full_disk_before_the_restore_changes_nothing(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_restore_result r;
	struct rlimit old, none = { 0, 0 };
	char err[512];
	int64_t id;
	int rc;

	fx_write("a", "a1");
	id = fx_create(&spec, NULL);
	fx_write("a", "a2");
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	none.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &none), 0);
	rc = restore(id, false, false, &r, err, sizeof(err));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(rc, -1);
	snapshot_restore_result_free(&r);
	assert_string_equal(fx_read("a"), "a2");
	assert_int_equal(fx_count_snapshots(), 1);
	assert_int_equal(fx_tmp_files(), 0);
}

static void
a_directory_where_a_file_was_is_refused(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_restore_result r;
	char err[512];
	int64_t id;

	fx_write("conf", "c");
	fx_write("other", "o1");
	id = fx_create(&spec, NULL);
	fx_write("other", "o2");
	assert_int_equal(unlink(fx_path("conf")), 0);
	fx_mkdir("conf");
	assert_int_equal(restore(id, false, false, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, fx_path("conf")));
	assert_non_null(strstr(err, "nothing was restored"));
	snapshot_restore_result_free(&r);
	assert_string_equal(fx_read("other"), "o2");
}

static void
a_diff_shows_added_removed_and_a_unified_diff(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_diff d;
	char err[512];
	int64_t a, b;
	size_t i;
	int seen = 0, fd;

	fx_write("conf", "one\ntwo\nthree\n");
	fd = open(fx_path("bin"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_int_equal(fd_write_all(fd, "\x01\x00\x02", 3), 0);
	close(fd);
	fx_write("gone", "g");
	a = fx_create(&spec, NULL);
	fx_write("conf", "one\n2\nthree\n");
	assert_int_equal(truncate(fx_path("bin"), 10), 0);
	assert_int_equal(unlink(fx_path("gone")), 0);
	fx_write("new", "n");

	assert_int_equal(snapshot_diff(fx_eng, a, 0, true, &d, err, sizeof(err)), 0);
	for (i = 0; i < d.n; i++) {
		if (strcmp(d.v[i].path, fx_path("conf")) == 0) {
			seen++;
			assert_int_equal(d.v[i].kind, SNAPSHOT_CHANGED);
			assert_true(d.v[i].content);
			assert_non_null(d.v[i].unified);
			assert_non_null(strstr(d.v[i].unified, "-two\n+2\n"));
			assert_non_null(strstr(d.v[i].unified, "@live"));
		} else if (strcmp(d.v[i].path, fx_path("bin")) == 0) {
			seen++;
			assert_true(d.v[i].binary);
			assert_null(d.v[i].unified);
			assert_int_equal(d.v[i].to.size, 10);
		} else if (strcmp(d.v[i].path, fx_path("gone")) == 0) {
			seen++;
			assert_int_equal(d.v[i].kind, SNAPSHOT_REMOVED);
		} else if (strcmp(d.v[i].path, fx_path("new")) == 0) {
			seen++;
			assert_int_equal(d.v[i].kind, SNAPSHOT_ADDED);
		}
	}
	assert_int_equal(seen, 4);
	snapshot_diff_free(&d);

	/* Snapshot against snapshot, the same changes. */
	b = fx_create(&spec, NULL);
	assert_int_equal(snapshot_diff(fx_eng, a, b, true, &d, err, sizeof(err)), 0);
	for (i = 0; i < d.n; i++)
		if (strcmp(d.v[i].path, fx_path("conf")) == 0)
			assert_non_null(strstr(d.v[i].unified, "-two\n+2\n"));
	snapshot_diff_free(&d);
	assert_int_equal(snapshot_diff(fx_eng, b, 0, false, &d, err, sizeof(err)), 0);
	assert_int_equal(d.n, 0);
	snapshot_diff_free(&d);
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

/* Files named .tend-restore-* in the data dir. */
static int
staged_left(void)
{
	struct dirent *de;
	DIR *d = opendir(fx_data);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, ".tend-restore-", 14) == 0;
	closedir(d);
	return n;
}

/*
 * A restore killed half way through staging (SIGKILL): every target is
 * still the file it was — nothing was renamed into place — and the next
 * snapshot, restore or prune removes what was staged; a restore then
 * works.
 */
static void
a_restore_killed_half_way_leaves_whole_files_and_is_cleaned_up(void **state)
{
	struct snapshot_spec spec = fx_set("app");
	struct snapshot_restore_result r;
	char name[32], text[32], err[512];
	int64_t id;
	pid_t pid;
	int i, status;

	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "f%02d", i);
		snprintf(text, sizeof(text), "old %d\n", i);
		fx_write(name, text);
	}
	id = fx_create(&spec, NULL);
	fx_settle();
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "f%02d", i);
		snprintf(text, sizeof(text), "new %d\n", i);
		fx_write(name, text);
	}
	fx_settle();
	fx_close();
	if ((pid = fork()) == 0) {
		fx_open();
		/* 20 reads by the pre-rollback snapshot, then 10 files staged. */
		kill_after = 30;
		snapshot_engine_set_read_hook(fx_eng, die_half_way, NULL);
		restore(id, false, false, &r, err, sizeof(err));
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(staged_left(), 10);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "f%02d", i);
		snprintf(text, sizeof(text), "new %d\n", i);
		assert_string_equal(fx_read(name), text);
	}
	fx_open();
	assert_int_equal(restore(id, false, false, &r, err, sizeof(err)), 0);
	snapshot_restore_result_free(&r);
	assert_int_equal(staged_left(), 0);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "f%02d", i);
		snprintf(text, sizeof(text), "old %d\n", i);
		assert_string_equal(fx_read(name), text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    a_restore_killed_half_way_leaves_whole_files_and_is_cleaned_up, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    a_restore_puts_back_bytes_modes_owners_mtimes_and_links, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(a_restore_is_undone_by_its_pre_rollback_snapshot,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(a_dry_run_changes_nothing, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(added_files_are_listed_and_removed_only_when_asked,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    a_corrupted_object_refuses_the_restore_and_names_the_file, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    a_restore_failing_while_staging_leaves_nothing_behind, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(a_full_disk_before_the_restore_changes_nothing,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(a_directory_where_a_file_was_is_refused, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(a_diff_shows_added_removed_and_a_unified_diff,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
