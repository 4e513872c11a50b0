/*
 * The run record: written whole, read back only when tend may trust it,
 * and what cannot be read is skipped, never guessed.
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

#include "core/statedir.h"
#include "supervise/runrecord.h"

static char dir[] = "/tmp/tend-runrecord-XXXXXX";
static char path[128];
static struct statedir *sd;

static int
setup(void **state)
{
	char err[256], state_dir[100];

	strcpy(dir, "/tmp/tend-runrecord-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
	snprintf(path, sizeof(path), "%s/%s", state_dir, RUN_RECORD_FILE);
	sd = statedir_open(state_dir, err, sizeof(err));
	return sd == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[100];

	statedir_close(sd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void
write_text(const char *text, mode_t mode)
{
	FILE *f;

	unlink(path);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void
what_is_written_is_read_back(void **state)
{
	struct run_record rec, back;
	struct proc_id self, parent;
	char why[256], *text;
	struct stat st;

	assert_int_equal(proc_id_of(getpid(), &self), 0);
	assert_int_equal(proc_id_of(getppid(), &parent), 0);
	run_record_init(&rec);
	assert_true(run_record_add(&rec, "web", false, &self, &parent, 1));
	assert_true(run_record_add(&rec, "legacy", true, &parent, NULL, 0));
	/* Gone already: not recorded. */
	self.start++;
	assert_false(run_record_add(&rec, "gone", false, &self, NULL, 0));
	text = run_record_text(&rec);
	assert_int_equal(run_record_write(sd, text), 0);
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	assert_int_equal(run_record_read(sd, &back, why, sizeof(why)), 0);
	assert_string_equal(back.boot_id, rec.boot_id);
	assert_int_equal(back.tend.pid, getpid());
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[0].name, "web");
	assert_false(back.v[0].external);
	assert_int_equal(back.v[0].main.id.pid, getpid());
	assert_int_equal(back.v[0].main.uid, getuid());
	assert_int_equal(back.v[0].n_orphans, 1);
	assert_int_equal(back.v[0].orphans[0].id.pid, getppid());
	assert_int_equal(back.v[0].orphans[0].id.start, parent.start);
	assert_true(back.v[1].external);
	run_record_clear(&back);
	run_record_clear(&rec);
}

static void
no_record_is_not_an_error(void **state)
{
	struct run_record rec;
	char why[256];

	assert_int_equal(run_record_read(sd, &rec, why, sizeof(why)), 1);
	assert_int_equal(rec.n, 0);
}

static void
a_record_others_could_write_is_refused(void **state)
{
	struct run_record rec;
	char why[256], target[160];

	write_text("{\"version\": 1, \"boot_id\": \"x\", \"tend\": {\"pid\": 2, \"start\": 1},"
	    " \"services\": []}", 0620);
	assert_int_equal(run_record_read(sd, &rec, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "writable by its group"));
	/* A symlink is not followed, whatever it points to. */
	unlink(path);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	write_text("", 0600);
	assert_int_equal(rename(path, target), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(run_record_read(sd, &rec, why, sizeof(why)), -1);
	unlink(path);
}

static void
what_cannot_be_read_is_skipped(void **state)
{
	struct run_record rec;
	char why[256];

	write_text("not json", 0600);
	assert_int_equal(run_record_read(sd, &rec, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "JSON"));
	write_text("{\"version\": 2, \"services\": []}", 0600);
	assert_int_equal(run_record_read(sd, &rec, why, sizeof(why)), -1);
	/* Bad entries go; the good one stays. pid 1 is never anyone's survivor. */
	write_text("{\"version\": 1, \"boot_id\": \"b\", \"tend\": {\"pid\": 2, \"start\": 1},"
	    " \"services\": [{\"name\": \"a\", \"kind\": \"supervised\", \"pid\": 1,"
	    " \"start\": 5, \"uid\": 0, \"orphans\": []},"
	    " {\"name\": 7}, 3,"
	    " {\"name\": \"b\", \"kind\": \"supervised\", \"pid\": 99, \"start\": -1,"
	    " \"uid\": 0, \"orphans\": []},"
	    " {\"name\": \"c\", \"kind\": \"external\", \"pid\": 42, \"start\": 9,"
	    " \"uid\": 0, \"orphans\": [{\"pid\": 43}, {\"pid\": 44, \"start\": 10,"
	    " \"uid\": 5}]}]}", 0600);
	assert_int_equal(run_record_read(sd, &rec, why, sizeof(why)), 0);
	assert_int_equal(rec.n, 1);
	assert_string_equal(rec.v[0].name, "c");
	assert_true(rec.v[0].external);
	assert_int_equal(rec.v[0].n_orphans, 1);
	assert_int_equal(rec.v[0].orphans[0].id.pid, 44);
	assert_int_equal(rec.v[0].orphans[0].uid, 5);
	run_record_clear(&rec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(what_is_written_is_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(no_record_is_not_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(a_record_others_could_write_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(what_cannot_be_read_is_skipped, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
