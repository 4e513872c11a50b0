/*
 * Every replacement of a service's process is counted, with its reason: a
 * crash, an operator's `tend restart`, the healer's restart, a reload that
 * changed the service. The status JSON has the total and the reasons;
 * `tend export-metrics` (the /metrics families) the same, by label.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static const char config[] =
    "heal: { verify_timeout: 5s, cooldown: 0s }\n"
    "services:\n" HARNESS_SICK_WEB;

/* web's restarts for reason, from the status JSON (-1 when absent). */
static int
restarts_for(const char *reason)
{
	json_t *status = harness_status(&t), *n;
	int v;

	n = json_object_get(json_object_get(harness_service(status, "web"),
	    "restarts_by_reason"), reason);
	v = json_is_integer(n) ? (int)json_integer_value(n) : -1;
	json_decref(status);
	return v;
}

static bool
wait_restarts(const char *reason, int n, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;

	while (restarts_for(reason) != n && harness_mono_ms() < deadline)
		harness_pause_ms(50);
	return restarts_for(reason) == n;
}

/* The value of tend_service_restarts_total{service="web",reason=...}, or -1. */
static double
exported(json_t *doc, const char *reason)
{
	json_t *family, *sample, *labels;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "metrics"), i, family) {
		if (strcmp(json_string_value(json_object_get(family, "name")),
		    "tend_service_restarts_total") != 0)
			continue;
		json_array_foreach(json_object_get(family, "samples"), j, sample) {
			labels = json_object_get(sample, "labels");
			if (strcmp(json_string_value(json_object_get(labels, "service")),
			    "web") == 0 && strcmp(json_string_value(json_object_get(labels,
			    "reason")), reason) == 0)
				return json_number_value(json_object_get(sample, "value"));
		}
	}
	return -1;
}

static void
a_crash_a_restart_a_heal_and_a_reload_each_count(void **state)
{
	char *out, *changed;
	json_t *doc, *status;
	pid_t pid;

	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	assert_int_equal(restarts_for("crash"), 0);

	pid = harness_pid(&t, "web");
	kill(pid, SIGKILL);
	assert_true(wait_restarts("crash", 1, 5000));
	assert_true(harness_wait_state(&t, "web", "up", pid, 5000));

	pid = harness_pid(&t, "web");
	assert_int_equal(harness_cli(&t, &out, "restart", "web", "--state-dir", t.state,
	    NULL), 0);
	free(out);
	assert_true(wait_restarts("operator", 1, 5000));
	assert_true(harness_wait_state(&t, "web", "up", pid, 5000));

	/* Healthy first, then sick: the healer restarts it. */
	harness_pause_ms(300);
	harness_make_sick(&t, false);
	assert_true(wait_restarts("healer", 1, 10000));
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));

	changed = xasprintf("%s    env: { CHANGED: '1' }\n", config);
	harness_write_config(&t, changed);
	free(changed);
	kill(t.pid, SIGHUP);
	assert_true(wait_restarts("reload", 1, 5000));
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));

	status = harness_status(&t);
	assert_int_equal(json_integer_value(json_object_get(harness_service(status, "web"),
	    "restarts")), 4);
	json_decref(status);
	assert_int_equal(restarts_for("crash"), 1);
	assert_int_equal(restarts_for("operator"), 1);
	assert_int_equal(restarts_for("healer"), 1);

	assert_int_equal(harness_cli(&t, &out, "export-metrics", "--state-dir", t.state,
	    NULL), 0);
	doc = json_loads(out, 0, NULL);
	free(out);
	assert_non_null(doc);
	assert_true(exported(doc, "crash") == 1);
	assert_true(exported(doc, "operator") == 1);
	assert_true(exported(doc, "healer") == 1);
	assert_true(exported(doc, "reload") == 1);
	assert_true(exported(doc, "watchdog") == 0);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_crash_a_restart_a_heal_and_a_reload_each_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
