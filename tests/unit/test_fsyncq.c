/* Files fsync'd together: every descriptor closed, a full queue synced, a failure told. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/fsyncq.h"

static bool
is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Descriptors open in this process (fd numbers are reused: counted, not named). */
static int
open_fds(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static int
temp_file(void)
{
	char path[] = "/tmp/tend-fsyncq-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, "x", 1), 1);
	return fd;
}

static void
every_descriptor_is_synced_and_closed(void **state)
{
	struct fsyncq q;
	int before = open_fds();
	size_t i;

	(void)state;
	fsyncq_init(&q);
	for (i = 0; i < FSYNCQ_MAX + 3; i++)
		assert_int_equal(fsyncq_add(&q, temp_file()), 0);
	/* Full at FSYNCQ_MAX: those were synced and closed to make room. */
	assert_int_equal(q.n, 3);
	assert_int_equal(open_fds(), before + 3);
	assert_int_equal(fsyncq_flush(&q), 0);
	assert_int_equal(q.n, 0);
	assert_int_equal(open_fds(), before);
}

/* A pipe cannot be fsync'd (EINVAL): the flush says so, and still closes everything. */
static void
a_failed_sync_is_told_and_nothing_is_left_open(void **state)
{
	struct fsyncq q;
	int p[2], f;

	(void)state;
	fsyncq_init(&q);
	assert_int_equal(pipe(p), 0);
	f = temp_file();
	assert_int_equal(fsyncq_add(&q, p[0]), 0);
	assert_int_equal(fsyncq_add(&q, f), 0);
	errno = 0;
	assert_int_equal(fsyncq_flush(&q), -1);
	assert_int_equal(errno, EINVAL);
	assert_false(is_open(p[0]));
	assert_false(is_open(f));
	close(p[1]);
}

static void
a_dropped_queue_closes_without_syncing(void **state)
{
	struct fsyncq q;
	int f = temp_file();

	(void)state;
	fsyncq_init(&q);
	assert_int_equal(fsyncq_add(&q, f), 0);
	fsyncq_drop(&q);
	assert_int_equal(q.n, 0);
	assert_false(is_open(f));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_descriptor_is_synced_and_closed),
		cmocka_unit_test(a_failed_sync_is_told_and_nothing_is_left_open),
		cmocka_unit_test(a_dropped_queue_closes_without_syncing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
