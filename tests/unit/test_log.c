/*
 * Logging: a warning repeated (the same text but for its numbers) is
 * printed a few times per window, then counted and said once, whatever the
 * flood; different events are never taken for repeats.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/selfhealth.h"

static char path[] = "/tmp/tend-log-XXXXXX";
static int saved_stderr = -1;

/* stderr goes to a file the test reads. */
static int
setup(void **state)
{
	int fd;

	strcpy(path, "/tmp/tend-log-XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
	selfhealth_reset();
	log_setup(LOG_FORMAT_TEXT, false);
	log_setup_repeats(5, 200);
	return 0;
}

static int
teardown(void **state)
{
	log_flush_repeats(true);
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	unlink(path);
	log_setup_repeats(5, 60000);
	return 0;
}

static int
lines_with(const char *text)
{
	char line[4096];
	FILE *f;
	int n = 0;

	fflush(stderr);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, text) != NULL;
	fclose(f);
	return n;
}

static void
disk_full(const char *service, int i)
{
	log_warn(service, "cannot write logs/%s.log: No space left on device (%d)",
	    service, i);
}

static void
a_flood_prints_a_few_lines_then_one_count(void **state)
{
	int i;

	for (i = 0; i < 100; i++)
		disk_full("web", i);
	assert_int_equal(lines_with("cannot write logs/web.log"), 5);
	assert_int_equal(selfhealth_get(SELF_LOG_SUPPRESSED), 95);
	usleep(250 * 1000);
	log_flush_repeats(false);
	assert_int_equal(lines_with("(repeated 95 times in the last 1 s)"), 1);
	/* The last one is the one said: its details are the newest. */
	assert_int_equal(lines_with("No space left on device (99) (repeated"), 1);
	/* A new window prints again. */
	disk_full("web", 100);
	assert_int_equal(lines_with("No space left on device (100)"), 1);
}

static void
each_service_and_each_call_has_its_own_count(void **state)
{
	int i;

	for (i = 0; i < 20; i++) {
		disk_full("web", i);
		disk_full("db", i);
		log_error(NULL, "store: database disk image is malformed");
	}
	assert_int_equal(lines_with("logs/web.log"), 5);
	assert_int_equal(lines_with("logs/db.log"), 5);
	assert_int_equal(lines_with("malformed"), 5);
}

/* Alerts about different targets are different events, never repeats. */
static void
different_events_of_one_call_are_all_printed(void **state)
{
	char target[16];
	int i;

	for (i = 0; i < 20; i++) {
		snprintf(target, sizeof(target), "svc%c", 'a' + i);
		log_error(NULL, "ALERT critical #%d %s: down", i, target);
	}
	assert_int_equal(lines_with("ALERT critical"), 20);
	assert_int_equal(selfhealth_get(SELF_LOG_SUPPRESSED), 0);
}

static void
info_lines_are_never_held_back(void **state)
{
	int i;

	for (i = 0; i < 20; i++)
		log_info("web", "state up -> backoff");
	assert_int_equal(lines_with("state up -> backoff"), 20);
	assert_int_equal(selfhealth_get(SELF_LOG_SUPPRESSED), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_flood_prints_a_few_lines_then_one_count,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(each_service_and_each_call_has_its_own_count,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(different_events_of_one_call_are_all_printed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(info_lines_are_never_held_back, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
