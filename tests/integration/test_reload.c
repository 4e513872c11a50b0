/*
 * SIGHUP: added services start, removed ones stop, changed ones restart,
 * unchanged ones keep running untouched; a broken config changes nothing,
 * nor does an empty or half-written one; what needs a restart is said.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char before[] =
    "services:\n"
    "  a: { run: [@FAKESVC@, --name, a, --record, @RECORD@] }\n"
    "  b: { run: [@FAKESVC@, --name, b, --record, @RECORD@] }\n"
    "  c: { run: [@FAKESVC@, --name, c, --record, @RECORD@] }\n";

/* fakesvc records its start once its SIGTERM handler is in place. */
static void
wait_all_started(void)
{
	assert_true(harness_wait_record(&t, "start a", 5000));
	assert_true(harness_wait_record(&t, "start b", 5000));
	assert_true(harness_wait_record(&t, "start c", 5000));
}

static void
sighup_applies_only_what_changed(void **state)
{
	pid_t a, b, c;

	harness_write_config(&t, before);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "c", "up", 0, 5000));
	wait_all_started();
	a = harness_pid(&t, "a");
	b = harness_pid(&t, "b");
	c = harness_pid(&t, "c");

	harness_write_config(&t,
	    "services:\n"
	    "  a: { run: [@FAKESVC@, --name, a, --record, @RECORD@] }\n"
	    "  b: { run: [@FAKESVC@, --name, b, --record, @RECORD@, --print, '1'] }\n"
	    "  d: { run: [@FAKESVC@, --name, d, --record, @RECORD@] }\n");
	kill(t.pid, SIGHUP);
	assert_true(harness_wait_state(&t, "d", "up", 0, 5000));
	assert_true(harness_wait_state(&t, "b", "up", b, 5000));
	assert_true(harness_wait_gone(c, 5000));
	assert_true(harness_wait_record(&t, "stop c", 2000));
	/* c leaves the status once it is down. */
	for (int i = 0; i < 100 && harness_pid(&t, "c") != 0; i++)
		harness_pause_ms(10);
	json_t *status = harness_status(&t);
	assert_null(harness_service(status, "c"));
	json_decref(status);
	assert_int_equal(harness_pid(&t, "a"), a);
	assert_true(harness_wait_count(&t, "start b", 2, 2000));
	assert_int_equal(harness_count_record(&t, "start a"), 1);
}

static void
a_broken_config_is_reported_and_nothing_changes(void **state)
{
	char want[400];
	pid_t a;

	harness_write_config(&t, before);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "c", "up", 0, 5000));
	wait_all_started();
	a = harness_pid(&t, "a");

	harness_write_config(&t, "services:\n  a: { run: [@FAKESVC@], bogus: 1 }\n");
	kill(t.pid, SIGHUP);
	/* "  a: { run: [" + the program + "], " puts bogus at this column. */
	snprintf(want, sizeof(want), "%s:2:%zu: unknown key 'bogus'", t.config,
	    strlen("  a: { run: [") + strlen(getenv("FAKESVC_BIN")) + strlen("], ") + 1);
	for (int i = 0; i < 500 && !harness_log_contains(&t, want); i++)
		harness_pause_ms(10);
	assert_true(harness_log_contains(&t, want));
	assert_true(harness_log_contains(&t, "keeping the running config"));
	assert_int_equal(harness_pid(&t, "a"), a);
	assert_true(harness_wait_state(&t, "c", "up", 0, 1000));
	assert_int_equal(harness_count_record(&t, "start"), 3);
}

/* Waits until the log has text (a reload's outcome is logged once it settled). */
static bool
wait_log(const char *text, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;

	while (!harness_log_contains(&t, text) && harness_mono_ms() < deadline)
		harness_pause_ms(10);
	return harness_log_contains(&t, text);
}

/* a, b, c up, their first start recorded; their pids in pids. */
static void
start_three(pid_t pids[3])
{
	harness_write_config(&t, before);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "c", "up", 0, 5000));
	wait_all_started();
	pids[0] = harness_pid(&t, "a");
	pids[1] = harness_pid(&t, "b");
	pids[2] = harness_pid(&t, "c");
}

static void
assert_three_untouched(const pid_t pids[3])
{
	assert_int_equal(harness_pid(&t, "a"), pids[0]);
	assert_int_equal(harness_pid(&t, "b"), pids[1]);
	assert_int_equal(harness_pid(&t, "c"), pids[2]);
	assert_int_equal(harness_count_record(&t, "start"), 3);
	assert_int_equal(harness_count_record(&t, "stop"), 0);
}

/*
 * Snapshot sets and rebuilds name services (restart:, service:), but they
 * are no part of one: a reload that adds them restarts nothing. d, added
 * in the same reload, says when it was applied. The check that names them
 * passes: one that failed would rightly roll back and rebuild.
 */
static void
snapshots_and_rebuilds_added_restart_nothing(void **state)
{
	char config[2048];
	pid_t pids[3];

	start_three(pids);
	snprintf(config, sizeof(config), "%s%s", before,
	    "  d: { run: [@FAKESVC@, --name, d, --record, @RECORD@] }\n"
	    "snapshots:\n"
	    "  app: { paths: [@DIR@/app], restart: [a, b], auto_rollback: true }\n"
	    "rebuild:\n"
	    "  env: { service: c, clear: [@DIR@/app/env], snapshot: app, steps: [[true]] }\n"
	    "checks:\n"
	    "  up: { type: command, run: [/bin/true], heal: [{ rollback: app }, "
	    "{ rebuild: env }] }\n");
	harness_write_config(&t, config);
	kill(t.pid, SIGHUP);
	assert_true(harness_wait_record(&t, "start d", 5000));
	assert_int_equal(harness_pid(&t, "a"), pids[0]);
	assert_int_equal(harness_pid(&t, "b"), pids[1]);
	assert_int_equal(harness_pid(&t, "c"), pids[2]);
	assert_int_equal(harness_count_record(&t, "stop"), 0);
}

/* An empty file on SIGHUP stopped every service. */
static void
an_empty_file_stops_nothing(void **state)
{
	pid_t pids[3];

	start_three(pids);
	harness_write_config(&t, "");
	kill(t.pid, SIGHUP);
	assert_true(wait_log("the config is empty", 5000));
	assert_true(wait_log("keeping the running config", 1000));
	assert_three_untouched(pids);
}

/*
 * A writer that truncates, then writes: SIGHUP lands while the file holds
 * only a, and the rest comes 100 ms later. Read at once, b and c stopped.
 */
static void
a_file_completed_100ms_later_is_read_whole(void **state)
{
	pid_t pids[3];

	start_three(pids);
	harness_write_config(&t,
	    "services:\n"
	    "  a: { run: [@FAKESVC@, --name, a, --record, @RECORD@] }\n");
	kill(t.pid, SIGHUP);
	harness_pause_ms(100);
	harness_write_config(&t, "services:\n"
	    "  a: { run: [@FAKESVC@, --name, a, --record, @RECORD@] }\n"
	    "  b: { run: [@FAKESVC@, --name, b, --record, @RECORD@] }\n"
	    "  c: { run: [@FAKESVC@, --name, c, --record, @RECORD@] }\n"
	    "  d: { run: [@FAKESVC@, --name, d, --record, @RECORD@] }\n");
	assert_true(harness_wait_state(&t, "d", "up", 0, 5000));
	assert_true(harness_wait_record(&t, "start d", 2000));
	assert_int_equal(harness_pid(&t, "a"), pids[0]);
	assert_int_equal(harness_pid(&t, "b"), pids[1]);
	assert_int_equal(harness_pid(&t, "c"), pids[2]);
	assert_int_equal(harness_count_record(&t, "stop"), 0);
	assert_false(harness_log_contains(&t, "reload failed"));
}

/* Leaving services: out is no way to say "stop them all"; services: {} is. */
static void
stopping_every_service_takes_services_written_empty(void **state)
{
	pid_t pids[3];

	start_three(pids);
	harness_write_config(&t, "interval: 10s\n");
	kill(t.pid, SIGHUP);
	assert_true(wait_log("no services: key, so the 3 running services would all "
	    "stop; write `services: {}` to mean that", 5000));
	assert_three_untouched(pids);
	harness_write_config(&t, "services: {}\n");
	kill(t.pid, SIGHUP);
	assert_true(harness_wait_gone(pids[0], 5000));
	assert_true(harness_wait_gone(pids[1], 5000));
	assert_true(harness_wait_gone(pids[2], 5000));
}

/* heal: [[restart]] with actions: killed the daemon on SIGHUP (SIGSEGV). */
static void
a_malformed_heal_item_is_reported_and_the_daemon_lives(void **state)
{
	pid_t pids[3];

	start_three(pids);
	harness_write_config(&t, "actions: { x: restart }\n"
	    "services:\n"
	    "  a: { run: [@FAKESVC@], heal: [[restart]] }\n"
	    "  b: { run: [@FAKESVC@], heal: [{ bogus: 1 }] }\n");
	kill(t.pid, SIGHUP);
	assert_true(wait_log("expected an action", 5000));
	assert_true(wait_log("keeping the running config", 1000));
	assert_int_equal(harness_wait_exit(&t, 200), -1);	/* still running */
	assert_three_untouched(pids);
}

/* web.listen (and state_dir) changed on reload were silently ignored. */
static void
a_changed_web_listen_is_named_and_kept(void **state)
{
	char config[600], want[300], url[256], token[128], old[64];
	long status;

	t.web = true;
	snprintf(config, sizeof(config), "web: { listen: '127.0.0.1:@PORT1@' }\n%s", before);
	harness_write_config(&t, config);
	harness_start(&t);
	harness_web(&t, url, sizeof(url), token, sizeof(token));
	snprintf(old, sizeof(old), "127.0.0.1:%d", t.ports[0]);
	snprintf(config, sizeof(config), "web: { listen: '127.0.0.1:@PORT2@' }\n%s", before);
	harness_write_config(&t, config);
	kill(t.pid, SIGHUP);
	snprintf(want, sizeof(want), "reload: web.listen changed from %s to 127.0.0.1:%d: "
	    "that takes a restart of tend; running on with %s", old, t.ports[1], old);
	assert_true(wait_log(want, 5000));
	assert_true(wait_log("reloading", 1000));
	/* Served where it was. */
	status = harness_http(url, "GET", "healthz", NULL, NULL);
	assert_int_equal(status, 200);
	assert_non_null(strstr(url, old));
}

/*
 * include: a conf.d file dropped in and a SIGHUP start its service; one
 * that declares a service the main file has is refused at its place, and
 * nothing changes.
 */
static void
a_conf_d_file_is_read_at_reload(void **state)
{
	char want[600];
	pid_t a;

	assert_int_equal(mkdir(harness_at(&t, "conf.d"), 0755), 0);
	harness_write_config(&t, "include: [conf.d/*.yaml]\n"
	    "services:\n  a: { run: [@FAKESVC@, --name, a, --record, @RECORD@] }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "a", "up", 0, 5000));
	a = harness_pid(&t, "a");
	harness_write_file(&t, harness_at(&t, "conf.d/d.yaml"),
	    "services:\n  d: { run: [@FAKESVC@, --name, d, --record, @RECORD@] }\n");
	kill(t.pid, SIGHUP);
	assert_true(harness_wait_state(&t, "d", "up", 0, 5000));
	assert_true(harness_wait_record(&t, "start d", 5000));

	harness_write_file(&t, harness_at(&t, "conf.d/e.yaml"),
	    "services:\n  a: { run: [@FAKESVC@, --name, e] }\n");
	kill(t.pid, SIGHUP);
	snprintf(want, sizeof(want), "%s:2:3: service 'a' is also declared at %s:3:3",
	    harness_at(&t, "conf.d/e.yaml"), t.config);
	assert_true(wait_log(want, 5000));
	assert_true(wait_log("keeping the running config", 1000));
	assert_int_equal(harness_pid(&t, "a"), a);
	assert_int_equal(harness_count_record(&t, "start"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(sighup_applies_only_what_changed),
		TEND_TEST(a_broken_config_is_reported_and_nothing_changes),
		TEND_TEST(an_empty_file_stops_nothing),
		TEND_TEST(a_file_completed_100ms_later_is_read_whole),
		TEND_TEST(stopping_every_service_takes_services_written_empty),
		TEND_TEST(a_malformed_heal_item_is_reported_and_the_daemon_lives),
		TEND_TEST(a_changed_web_listen_is_named_and_kept),
		TEND_TEST(snapshots_and_rebuilds_added_restart_nothing),
		TEND_TEST(a_conf_d_file_is_read_at_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
