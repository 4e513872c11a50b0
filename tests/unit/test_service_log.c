/*
 * Service logs: rotation at line boundaries, whatever pieces the pipe
 * hands over; a deleted logs/ made again; the file opened through the
 * verified state dir.
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

#include "core/clock.h"
#include "core/selfhealth.h"
#include "core/statedir.h"
#include "supervise/output.h"

static char dir[] = "/tmp/tend-svclog-XXXXXX";
static struct statedir *sd;

static int
setup(void **state)
{
	char err[256];

	strcpy(dir, "/tmp/tend-svclog-XXXXXX");
	if (mkdtemp(dir) == NULL || (sd = statedir_open(dir, err, sizeof(err))) == NULL)
		return -1;
	selfhealth_reset();
	return 0;
}

static int
teardown(void **state)
{
	char cmd[200];

	statedir_close(sd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* The whole text of logs/NAME, "" when it is not there; free it. */
static char *
slurp(const char *name)
{
	char path[300], *text = calloc(1, 1 << 16);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/logs/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return text;
	n = fread(text, 1, (1 << 16) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* Each file holds whole lines: it ends with a newline (or is empty). */
static void
whole_lines(const char *text)
{
	size_t n = strlen(text);

	assert_true(n == 0 || text[n - 1] == '\n');
}

static void
rotation_never_splits_a_line(void **state)
{
	struct service_log_conf conf = { .max_size = 100, .keep = 3 };
	struct service_log *log = service_log_new(sd, "svc", &conf);
	char line[64], all[8192] = "", *files[4], joined[8192] = "";
	size_t i, off, n;

	/* 40 lines of 23 bytes, handed over in pieces of 7: pieces end mid-line. */
	for (i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "line %02zu of the service\n", i);
		strcat(all, line);
	}
	for (off = 0; off < strlen(all); off += n) {
		n = strlen(all) - off < 7 ? strlen(all) - off : 7;
		service_log_write(log, all + off, n);
	}
	service_log_unref(log);
	files[0] = slurp("svc.log.3");
	files[1] = slurp("svc.log.2");
	files[2] = slurp("svc.log.1");
	files[3] = slurp("svc.log");
	for (i = 0; i < 4; i++) {
		whole_lines(files[i]);
		/* A line begun in a file ends there: at most one line past the limit. */
		assert_true(strlen(files[i]) <= 100 + 23);
		strcat(joined, files[i]);
		free(files[i]);
	}
	/* The newest lines, in order, none cut: the tail of what was written. */
	assert_true(strlen(joined) > 0);
	assert_string_equal(joined, all + strlen(all) - strlen(joined));
	assert_int_equal(strlen(joined) % 23, 0);
}

static void
a_line_longer_than_the_limit_stays_whole(void **state)
{
	struct service_log_conf conf = { .max_size = 10, .keep = 2 };
	struct service_log *log = service_log_new(sd, "long", &conf);
	char *text;

	service_log_write(log, "short\n", 6);
	service_log_write(log, "a line much longer than ten bytes", 33);
	service_log_write(log, ", still going\nnext\n", 19);
	service_log_unref(log);
	text = slurp("long.log.2");
	assert_string_equal(text, "short\n");
	free(text);
	text = slurp("long.log.1");
	assert_string_equal(text, "a line much longer than ten bytes, still going\n");
	free(text);
	text = slurp("long.log");
	assert_string_equal(text, "next\n");
	free(text);
}

static void
a_deleted_logs_dir_comes_back(void **state)
{
	struct service_log_conf conf = { .max_size = 0, .keep = 2 };
	struct service_log *log = service_log_new(sd, "svc", &conf);
	char cmd[300], path[300], *text;
	struct stat sb;
	long long deadline;

	service_log_write(log, "before\n", 7);
	snprintf(cmd, sizeof(cmd), "rm -rf %s/logs", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/logs/svc.log", dir);
	/* Within a second or so, the file is there again, 0640 in a 0750 logs/. */
	deadline = clock_mono_ms() + 5000;
	do {
		service_log_write(log, "after\n", 6);
		usleep(20000);
	} while (stat(path, &sb) != 0 && clock_mono_ms() < deadline);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0640);
	service_log_write(log, "again\n", 6);
	service_log_unref(log);
	text = slurp("svc.log");
	assert_non_null(strstr(text, "again\n"));
	assert_null(strstr(text, "before"));
	free(text);
	snprintf(path, sizeof(path), "%s/logs", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0750);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(rotation_never_splits_a_line, setup, teardown),
		cmocka_unit_test_setup_teardown(a_line_longer_than_the_limit_stays_whole, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_deleted_logs_dir_comes_back, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
