/*
 * The time index beside a captured log: records at most once a step, a
 * time found by binary search, a torn or foreign index repaired, spans
 * across rotations, a missing or damaged index judged by mtime, and the
 * supervisor's logs writing and rotating their indexes.
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

#include "core/clock.h"
#include "core/logindex.h"
#include "core/selfhealth.h"
#include "core/statedir.h"
#include "supervise/output.h"

static char dir[] = "/tmp/tend-logindex-XXXXXX";
static int dirfd_;

static int
setup(void **state)
{
	strcpy(dir, "/tmp/tend-logindex-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dirfd_ < 0 ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[200];

	close(dirfd_);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int
open_rw(const char *name)
{
	return openat(dirfd_, name, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}

static void
write_file(const char *name, const char *text)
{
	int fd = openat(dirfd_, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static off_t
file_size(const char *name)
{
	struct stat st;

	return fstatat(dirfd_, name, &st, 0) == 0 ? st.st_size : -1;
}

static void
set_mtime(const char *name, int64_t ms)
{
	struct timespec ts[2] = { { ms / 1000, 0 }, { ms / 1000, 0 } };

	assert_int_equal(utimensat(dirfd_, name, ts, 0), 0);
}

/* An index of log "NAME" with a record at each (offset, ms) pair. */
static void
make_index(const char *name, const int64_t *pairs, size_t n)
{
	int64_t last;
	int fd = open_rw(name);
	size_t i;

	assert_true(fd >= 0);
	assert_int_equal(logindex_prepare(fd, 1 << 20, &last), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(logindex_note(fd, pairs[2 * i], pairs[2 * i + 1], &last), 1);
	close(fd);
}

static void
a_record_at_most_once_a_step(void **state)
{
	int fd = open_rw("a.idx");
	int64_t last;

	assert_int_equal(logindex_prepare(fd, 0, &last), 0);
	assert_true(last == INT64_MIN);
	assert_int_equal(logindex_note(fd, 0, 10000, &last), 1);
	assert_int_equal(logindex_note(fd, 5, 10500, &last), 0);
	assert_int_equal(logindex_note(fd, 9, 10999, &last), 0);
	assert_int_equal(logindex_note(fd, 12, 11000, &last), 1);
	/* A clock set back writes nothing until it catches up. */
	assert_int_equal(logindex_note(fd, 20, 3000, &last), 0);
	assert_int_equal(file_size("a.idx"), LOGINDEX_HEADER + 2 * LOGINDEX_RECORD);
	/* Opened again, the last time is known. */
	assert_int_equal(logindex_prepare(fd, 100, &last), 0);
	assert_int_equal(last, 11000);
	close(fd);
}

static void
a_time_is_found_by_search(void **state)
{
	static const int64_t recs[] = { 0, 10000, 100, 12000, 250, 20000, 400, 21000 };
	int64_t off;
	int fd;

	make_index("b.idx", recs, 4);
	fd = openat(dirfd_, "b.idx", O_RDONLY | O_CLOEXEC);
	/* Before the first record: from the start. */
	assert_int_equal(logindex_offset(fd, 5000, 500, &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(logindex_offset(fd, INT64_MIN, 500, &off), 0);
	assert_int_equal(off, 0);
	/* Within a step of a record: from that record, never late. */
	assert_int_equal(logindex_offset(fd, 12500, 500, &off), 0);
	assert_int_equal(off, 100);
	/* Between records: from the next. */
	assert_int_equal(logindex_offset(fd, 15000, 500, &off), 0);
	assert_int_equal(off, 250);
	assert_int_equal(logindex_offset(fd, 20000, 500, &off), 0);
	assert_int_equal(off, 250);
	assert_int_equal(logindex_offset(fd, 21500, 500, &off), 0);
	assert_int_equal(off, 400);
	/* After the last record's step: the end. */
	assert_int_equal(logindex_offset(fd, 30000, 500, &off), 0);
	assert_int_equal(off, 500);
	/* An offset past the log (it shrank) is the log's end. */
	assert_int_equal(logindex_offset(fd, 21500, 300, &off), 0);
	assert_int_equal(off, 300);
	close(fd);
}

static void
a_torn_or_foreign_index_is_repaired(void **state)
{
	static const int64_t recs[] = { 0, 10000, 100, 12000 };
	int64_t last, off;
	int fd;

	make_index("c.idx", recs, 2);
	fd = open_rw("c.idx");
	/* Half a record, as a crash in the middle of a write leaves. */
	assert_int_equal(write(fd, "12345678", 8), 8);
	assert_int_equal(logindex_offset(fd, 13000, 500, &off), 0);
	assert_int_equal(off, 500);
	assert_int_equal(logindex_prepare(fd, 500, &last), 0);
	assert_int_equal(last, 12000);
	assert_int_equal(file_size("c.idx"), LOGINDEX_HEADER + 2 * LOGINDEX_RECORD);
	/* A log shorter than the records say: the index was another file's. */
	assert_int_equal(logindex_prepare(fd, 50, &last), 0);
	assert_true(last == INT64_MIN);
	assert_int_equal(file_size("c.idx"), LOGINDEX_HEADER);
	close(fd);
	/* Not an index at all: refused when read, emptied when written. */
	write_file("d.idx", "this is not an index, just some text");
	fd = open_rw("d.idx");
	assert_int_equal(logindex_offset(fd, 0, 10, &off), -1);
	assert_int_equal(logindex_prepare(fd, 10, &last), 0);
	assert_int_equal(file_size("d.idx"), LOGINDEX_HEADER);
	close(fd);
}

struct collected {
	char	 text[4096];
	int	 n;
};

static void
collect(void *arg, const char *line, size_t len)
{
	struct collected *c = arg;

	snprintf(c->text + strlen(c->text), sizeof(c->text) - strlen(c->text), "%.*s|",
	    (int)len, line);
	c->n++;
}

/* Every line of the spans of since..until, "a|b|". */
static size_t
read_window(int64_t since, int64_t until, struct collected *c, bool *approx)
{
	struct logindex_span spans[LOGINDEX_FILES_MAX];
	size_t n = logindex_spans(dirfd_, "w.log", since, until, spans, LOGINDEX_FILES_MAX);
	size_t i;

	memset(c, 0, sizeof(*c));
	*approx = false;
	for (i = 0; i < n; i++) {
		assert_int_equal(logindex_read(&spans[i], 8, collect, c), 0);
		*approx |= spans[i].approx;
	}
	logindex_spans_close(spans, n);
	return n;
}

static void
spans_cross_rotations(void **state)
{
	/* w.log.1: lines at 10 s and 20 s; w.log: at 30 s and 40 s. */
	static const int64_t older[] = { 0, 10000, 4, 20000 };
	static const int64_t newer[] = { 0, 30000, 4, 40000 };
	struct collected c;
	bool approx;

	write_file("w.log.1", "one\ntwo\n");
	make_index("w.log.1.idx", older, 2);
	write_file("w.log", "six\nten\n");
	make_index("w.log.idx", newer, 2);
	read_window(INT64_MIN, INT64_MAX, &c, &approx);
	assert_string_equal(c.text, "one|two|six|ten|");
	assert_false(approx);
	read_window(15000, INT64_MAX, &c, &approx);
	assert_string_equal(c.text, "two|six|ten|");
	/* since in the newest file: the older one is not opened. */
	assert_int_equal(read_window(35000, INT64_MAX, &c, &approx), 1);
	assert_string_equal(c.text, "ten|");
	read_window(15000, 31000, &c, &approx);
	assert_string_equal(c.text, "two|six|");
	read_window(INT64_MIN, 5000, &c, &approx);
	assert_string_equal(c.text, "");
	read_window(50000, INT64_MAX, &c, &approx);
	assert_string_equal(c.text, "");
}

static void
no_index_is_judged_by_mtime(void **state)
{
	struct collected c;
	bool approx;

	write_file("w.log.1", "old\n");
	set_mtime("w.log.1", 20000);
	write_file("w.log", "new\nalso new, a long line cut\n");
	set_mtime("w.log", 40000);
	unlinkat(dirfd_, "w.log.idx", 0);
	unlinkat(dirfd_, "w.log.1.idx", 0);
	read_window(30000, INT64_MAX, &c, &approx);
	assert_string_equal(c.text, "new|also new|");
	assert_true(approx);
	read_window(10000, INT64_MAX, &c, &approx);
	assert_string_equal(c.text, "old|new|also new|");
	/* The newer file began after the older one's last write. */
	read_window(INT64_MIN, 15000, &c, &approx);
	assert_string_equal(c.text, "old|");
	/* A damaged index is no index. */
	write_file("w.log.idx", "garbage garbage garbage");
	read_window(30000, INT64_MAX, &c, &approx);
	assert_string_equal(c.text, "new|also new|");
	assert_true(approx);
}

static void
a_span_begun_mid_line_skips_that_line(void **state)
{
	static const int64_t recs[] = { 0, 10000, 6, 20000 };
	struct collected c;
	bool approx;

	unlinkat(dirfd_, "w.log.1", 0);
	unlinkat(dirfd_, "w.log.1.idx", 0);
	/* The second write went on with a line the first began. */
	write_file("w.log", "abc def\nghi\n");
	make_index("w.log.idx", recs, 2);
	read_window(19500, INT64_MAX, &c, &approx);
	assert_string_equal(c.text, "ghi|");
}

/* The supervisor's log: an index beside it, moved with it when it rotates. */
static void
service_logs_write_and_rotate_their_index(void **state)
{
	struct service_log_conf conf = { .max_size = 20, .keep = 2 };
	struct service_log *log;
	struct statedir *sd;
	char err[256];
	int64_t off;
	int fd;

	selfhealth_reset();
	assert_non_null(sd = statedir_open(dir, err, sizeof(err)));
	log = service_log_new(sd, "svc", &conf);
	service_log_write(log, "first line\n", 11);
	assert_int_equal(file_size("logs/svc.log.idx"), LOGINDEX_HEADER + LOGINDEX_RECORD);
	/* Within the step: no second record. */
	service_log_write(log, "second\n", 7);
	assert_int_equal(file_size("logs/svc.log.idx"), LOGINDEX_HEADER + LOGINDEX_RECORD);
	/* Past max_size: the index goes with its file, a new one begins. */
	service_log_write(log, "third line\n", 11);
	assert_int_equal(file_size("logs/svc.log.1"), 18);
	assert_int_equal(file_size("logs/svc.log.1.idx"), LOGINDEX_HEADER + LOGINDEX_RECORD);
	assert_int_equal(file_size("logs/svc.log.idx"), LOGINDEX_HEADER + LOGINDEX_RECORD);
	fd = openat(dirfd_, "logs/svc.log.idx", O_RDONLY | O_CLOEXEC);
	assert_int_equal(logindex_offset(fd, clock_wall_ms() - 60000, 11, &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(logindex_offset(fd, clock_wall_ms() + 60000, 11, &off), 0);
	assert_int_equal(off, 11);
	close(fd);
	service_log_unref(log);
	statedir_close(sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_record_at_most_once_a_step),
		cmocka_unit_test(a_time_is_found_by_search),
		cmocka_unit_test(a_torn_or_foreign_index_is_repaired),
		cmocka_unit_test(spans_cross_rotations),
		cmocka_unit_test(no_index_is_judged_by_mtime),
		cmocka_unit_test(a_span_begun_mid_line_skips_that_line),
		cmocka_unit_test(service_logs_write_and_rotate_their_index),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
