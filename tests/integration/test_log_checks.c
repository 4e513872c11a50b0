/*
 * log checks with the real binary: a service whose output turns into a
 * burst of errors opens an incident classified from the line (network:
 * "connection refused"), the line in its diagnosis, and is healed by a
 * restart (the next process is quiet: the window, a minute long, counts
 * anew from it), the burst's template, never seen before, one anomaly;
 * a quiet service stays healthy.
 * fakesvc --error-burst FILE: errors only while FILE did not exist.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A check's state or message from tend status. */
static const char *
check_field(const char *name, const char *key)
{
	static char value[512];
	json_t *status = harness_status(&t), *c;
	size_t i;

	value[0] = '\0';
	json_array_foreach(json_object_get(status, "checks"), i, c)
		if (strcmp(harness_str(c, "name"), name) == 0)
			snprintf(value, sizeof(value), "%s", harness_str(c, key));
	json_decref(status);
	return value;
}

static void
an_error_burst_opens_an_incident_healed_by_restart(void **state)
{
	long long deadline;
	json_t *inc;
	pid_t before;

	harness_write_config(&t, "heal: { verify_timeout: 10s, cooldown: 0s }\n"
	    "services:\n"
	    "  app:\n"
	    "    run: [@FAKESVC@, --name, app, --record, @RECORD@, --print, '3',\n"
	    "          --error-burst, @DIR@/burst]\n"
	    "    checks:\n"
	    "      app-log: { type: log, match: ERROR, every: 300ms,\n"
	    "                 crit: { count: 5, within: 1m } }\n"
	    "  quiet:\n"
	    "    run: [/bin/sh, -c, 'while :; do echo INFO all fine; sleep 0.05; done']\n"
	    "    checks:\n"
	    "      quiet-log: { type: log, match: ['ERROR', 'refused'], every: 300ms }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "app", "up", 0, 5000));
	before = harness_pid(&t, "app");
	inc = harness_wait_incident(&t, "app-log", "phase", "resolved", 30000);
	assert_non_null(inc);
	assert_string_equal(harness_str(inc, "category"), "network");
	assert_non_null(strstr(harness_str(inc, "diagnosis"), "connection refused"));
	assert_non_null(strstr(harness_str(inc, "resolution"), "restart"));
	assert_true(harness_pid(&t, "app") != before);
	json_decref(inc);
	/* The burst is one template, never seen before: one anomaly, not one a line. */
	assert_int_equal(harness_log_count(&t, "new error pattern in app: "), 1);
	assert_true(harness_log_contains(&t, "new error pattern in app: ERROR db: connect to *: "
	    "connection refused (try *)"));
	assert_string_equal(check_field("app-log", "state"), "healthy");
	/* The critical message named the template that dominated the window. */
	assert_true(harness_log_contains(&t, " x ERROR db: connect to *: connection refused "
	    "(try *); last: "));
	/* The quiet one reads lines all along, none of them errors. */
	deadline = harness_mono_ms() + 5000;
	while (strstr(check_field("quiet-log", "message"), "of 0)") != NULL &&
	    harness_mono_ms() < deadline)
		harness_pause_ms(100);
	assert_string_equal(check_field("quiet-log", "state"), "healthy");
	assert_non_null(strstr(check_field("quiet-log", "message"), "0 matching lines in 1m"));
	assert_null(strstr(check_field("quiet-log", "message"), "of 0)"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(an_error_burst_opens_an_incident_healed_by_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
