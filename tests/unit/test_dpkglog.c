/*
 * diagnose/dpkglog: dpkg's lines, and following the log as dpkg appends,
 * logrotate rotates and someone truncates it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diagnose/dpkglog.h"

static void
parse(const char *line, bool want, struct dpkg_event *ev)
{
	assert_int_equal(dpkglog_parse_line(line, strlen(line), ev), want);
}

static void
changes_are_read_and_the_rest_skipped(void **state)
{
	struct dpkg_event ev;
	struct tm tm = { .tm_year = 126, .tm_mon = 11, .tm_mday = 2, .tm_hour = 4,
	    .tm_min = 0, .tm_sec = 1, .tm_isdst = -1 };

	parse("2026-12-02 04:00:01 upgrade libssl3:amd64 3.0.11-1~deb12u1 3.0.11-1~deb12u2\n",
	    true, &ev);
	assert_string_equal(ev.action, "upgrade");
	assert_string_equal(ev.package, "libssl3:amd64");
	assert_string_equal(ev.from, "3.0.11-1~deb12u1");
	assert_string_equal(ev.to, "3.0.11-1~deb12u2");
	assert_int_equal(ev.at_ms, (int64_t)mktime(&tm) * 1000);
	parse("2026-12-02 04:00:02 install nginx:amd64 <none> 1.22.1-9", true, &ev);
	assert_string_equal(ev.from, "");
	assert_string_equal(ev.to, "1.22.1-9");
	parse("2026-12-02 04:00:03 remove redis:amd64 5:7.0.15-1 <none>", true, &ev);
	assert_string_equal(ev.to, "");
	parse("2026-12-02 04:00:03 purge redis:amd64 5:7.0.15-1 <none>", true, &ev);

	/* Not changes, or not dpkg's. */
	parse("2026-12-02 04:00:01 status installed libssl3:amd64 3.0.11-1~deb12u2", false, &ev);
	parse("2026-12-02 04:00:01 configure libssl3:amd64 3.0.11-1~deb12u2 <none>", false, &ev);
	parse("2026-12-02 04:00:01 startup archives unpack", false, &ev);
	parse("2026-12-02 04:00:01 upgrade libssl3:amd64 1", false, &ev);
	parse("2026-12-02 04:00:01 upgrade a 1 2 extra", false, &ev);
	parse("2026-13-45 04:00:01 upgrade a 1 2", false, &ev);
	parse("2026-12-02 04:00:01 upgrade a\x1b[31m 1 2", false, &ev);
	parse("", false, &ev);
	parse("2026-12-02", false, &ev);
}

static int events;
static char last[DPKGLOG_NAME_MAX];

static void
heard(void *arg, const struct dpkg_event *ev)
{
	events++;
	snprintf(last, sizeof(last), "%s", ev->package);
}

static void
append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
the_log_is_followed_through_rotation_and_truncation(void **state)
{
	char dir[] = "/tmp/tend-dpkglog-XXXXXX", path[128], old[140], cmd[160];
	struct dpkglog dl;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dpkg.log", dir);
	append(path, "2026-12-01 10:00:00 install old:amd64 <none> 1\n");
	/* What was there before is not a change tend saw. */
	assert_int_equal(dpkglog_open(&dl, path), 0);
	assert_int_equal(dpkglog_poll(&dl, heard, NULL), 0);
	assert_int_equal(events, 0);

	/* A line written in two pieces counts once whole. */
	append(path, "2026-12-02 04:00:01 upgrade a:amd64 1 ");
	assert_int_equal(dpkglog_poll(&dl, heard, NULL), 0);
	append(path, "2\n2026-12-02 04:00:01 status installed a:amd64 2\n");
	assert_int_equal(dpkglog_poll(&dl, heard, NULL), 2);
	assert_int_equal(events, 1);
	assert_string_equal(last, "a:amd64");

	/* Rotated: the new file from its start. */
	snprintf(old, sizeof(old), "%s.1", path);
	assert_int_equal(rename(path, old), 0);
	append(path, "2026-12-02 05:00:00 install b:amd64 <none> 1\n");
	assert_int_equal(dpkglog_poll(&dl, heard, NULL), 1);
	assert_int_equal(events, 2);
	assert_string_equal(last, "b:amd64");

	/* Truncated and written again. */
	assert_int_equal(truncate(path, 0), 0);
	append(path, "2026-12-02 06:00:00 remove c:amd64 1 <none>\n");
	assert_int_equal(dpkglog_poll(&dl, heard, NULL), 1);
	assert_string_equal(last, "c:amd64");

	/* A link in its place is not read. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink(old, path), 0);
	assert_int_equal(dpkglog_poll(&dl, heard, NULL), -1);
	assert_int_equal(events, 3);
	dpkglog_close(&dl);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
a_log_made_later_is_read_from_its_start(void **state)
{
	char dir[] = "/tmp/tend-dpkglog-XXXXXX", path[128], cmd[160];
	struct dpkglog dl;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dpkg.log", dir);
	events = 0;
	assert_int_equal(dpkglog_open(&dl, path), 0);
	assert_int_equal(dpkglog_poll(&dl, heard, NULL), 0);
	append(path, "2026-12-02 05:00:00 install d:amd64 <none> 1\n");
	assert_int_equal(dpkglog_poll(&dl, heard, NULL), 1);
	assert_int_equal(events, 1);
	dpkglog_close(&dl);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(changes_are_read_and_the_rest_skipped),
		cmocka_unit_test(the_log_is_followed_through_rotation_and_truncation),
		cmocka_unit_test(a_log_made_later_is_read_from_its_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
