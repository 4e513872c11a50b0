/*
 * Operating a running daemon: tend stop/start/restart NAME, status text,
 * service output in rotated logs, and an external service followed through
 * its pidfile.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void
stop_start_restart_by_name(void **state)
{
	char *out;
	pid_t pid, pid2;

	harness_write_config(&t,
	    "services:\n"
	    "  svc: { run: [@FAKESVC@, --name, svc, --record, @RECORD@] }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "svc", "up", 0, 5000));
	pid = harness_pid(&t, "svc");

	assert_int_equal(harness_cli(&t, &out, "stop", "svc", "--state-dir", t.state, NULL), 0);
	free(out);
	assert_true(harness_wait_state(&t, "svc", "down", 0, 5000));
	assert_true(harness_wait_gone(pid, 2000));

	assert_int_equal(harness_cli(&t, &out, "start", "svc", "--state-dir", t.state, NULL), 0);
	free(out);
	assert_true(harness_wait_state(&t, "svc", "up", 0, 5000));
	pid = harness_pid(&t, "svc");

	assert_int_equal(harness_cli(&t, &out, "restart", "svc", "--state-dir", t.state, NULL), 0);
	free(out);
	assert_true(harness_wait_state(&t, "svc", "up", pid, 5000));
	pid2 = harness_pid(&t, "svc");
	assert_true(pid2 != pid);

	assert_int_equal(harness_cli(&t, &out, "restart", "nope", "--state-dir", t.state, NULL), 1);
	assert_non_null(strstr(out, "no such service: nope"));
	free(out);

	/* Found through the config's state dir too, as an operator would type it. */
	assert_int_equal(harness_cli(&t, &out, "status", "--state-dir", t.state, NULL), 0);
	assert_non_null(strstr(out, "svc"));
	assert_non_null(strstr(out, "up"));
	free(out);
}

static void
a_second_daemon_on_the_same_state_dir_refuses_to_start(void **state)
{
	char *out;

	harness_write_config(&t,
	    "services:\n"
	    "  svc: { run: [@FAKESVC@, --name, svc, --record, @RECORD@] }\n");
	harness_start(&t);
	assert_int_equal(harness_cli(&t, &out, "run", "-c", t.config, "--state-dir",
	    t.state, NULL), 1);
	assert_non_null(strstr(out, "already running"));
	free(out);
	/* The first one is unharmed. */
	assert_true(harness_wait_state(&t, "svc", "up", 0, 2000));
}

static void
output_goes_to_a_rotated_log(void **state)
{
	char path[400], rotated[420], third[420];
	struct stat st;

	harness_write_config(&t,
	    "services:\n"
	    "  chatty:\n"
	    "    run: [@FAKESVC@, --name, chatty, --record, @RECORD@, --print, '200']\n"
	    "    log: { max_size: 4KB, keep: 2 }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "chatty", "up", 0, 5000));
	snprintf(path, sizeof(path), "%s/logs/chatty.log", t.state);
	snprintf(rotated, sizeof(rotated), "%s.1", path);
	snprintf(third, sizeof(third), "%s.3", path);
	/* Both: rotation renames the file, then opens a new one. */
	for (int i = 0; i < 300 && (stat(rotated, &st) != 0 || stat(path, &st) != 0); i++)
		harness_pause_ms(10);
	assert_int_equal(stat(rotated, &st), 0);
	assert_true(st.st_size <= 4096);
	assert_int_equal(stat(path, &st), 0);
	assert_true(stat(third, &st) != 0);
}

static void
an_external_service_is_followed_through_its_pidfile(void **state)
{
	pid_t pid, pid2;

	harness_write_config(&t,
	    "services:\n"
	    "  legacy:\n"
	    "    pidfile: @DIR@/legacy.pid\n"
	    "    start: [@FAKESVC@, --name, legacy, --record, @RECORD@, --daemonize,\n"
	    "            --pidfile, @DIR@/legacy.pid]\n"
	    "    check_every: 1s\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "legacy", "up", 0, 5000));
	pid = harness_pid(&t, "legacy");
	assert_true(pid > 0);

	/* pidfd: the exit is seen at once, not at the next 1 s check. */
	kill(pid, SIGKILL);
	assert_true(harness_wait_state(&t, "legacy", "up", pid, 900));
	pid2 = harness_pid(&t, "legacy");
	assert_true(pid2 > 0 && pid2 != pid);
	assert_true(harness_wait_count(&t, "start legacy", 2, 2000));
}

/*
 * A stopped (SIGSTOPped) process acts on SIGTERM only once continued: tend
 * sends SIGCONT with it, so a stop takes what the service needs, not the
 * whole stop timeout and a SIGKILL.
 */
static void
a_hung_process_stops_without_waiting_for_the_timeout(void **state)
{
	long long t0, took;
	json_t *status;
	char *out;
	pid_t pid;

	harness_write_config(&t,
	    "services:\n"
	    "  svc:\n"
	    "    run: [@FAKESVC@, --name, svc, --record, @RECORD@]\n"
	    "    stop: { timeout: 5s }\n"
	    "  legacy:\n"
	    "    pidfile: @DIR@/legacy.pid\n"
	    "    start: [@FAKESVC@, --name, legacy, --record, @RECORD@, --daemonize,\n"
	    "            --pidfile, @DIR@/legacy.pid]\n"
	    "    stop: { timeout: 5s }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "svc", "up", 0, 5000));
	assert_true(harness_wait_state(&t, "legacy", "up", 0, 5000));
	assert_true(harness_wait_record(&t, "start svc", 2000));

	pid = harness_pid(&t, "svc");
	assert_int_equal(kill(pid, SIGSTOP), 0);
	t0 = harness_mono_ms();
	assert_int_equal(harness_cli(&t, &out, "stop", "svc", "--state-dir", t.state, NULL), 0);
	free(out);
	assert_true(harness_wait_state(&t, "svc", "down", 0, 4000));
	took = harness_mono_ms() - t0;
	fprintf(stderr, "a stopped supervised process stopped in %lld ms\n", took);
	assert_true(took < 2000);
	/* fakesvc exits 0 on SIGTERM: it was not SIGKILLed at the timeout. */
	status = harness_status(&t);
	assert_true(json_is_null(json_object_get(json_object_get(
	    harness_service(status, "svc"), "last_exit"), "signal")));
	json_decref(status);
	assert_true(harness_wait_record(&t, "stop svc", 1000));

	pid = harness_pid(&t, "legacy");
	assert_int_equal(kill(pid, SIGSTOP), 0);
	t0 = harness_mono_ms();
	assert_int_equal(harness_cli(&t, &out, "stop", "legacy", "--state-dir", t.state,
	    NULL), 0);
	free(out);
	assert_true(harness_wait_state(&t, "legacy", "down", 0, 4000));
	took = harness_mono_ms() - t0;
	fprintf(stderr, "a stopped external process stopped in %lld ms\n", took);
	assert_true(took < 2000);
	assert_true(harness_wait_gone(pid, 2000));
}

static void
status_shows_host_checks(void **state)
{
	json_t *status = NULL, *check = NULL;
	long long deadline;

	harness_write_config(&t,
	    "checks:\n"
	    "  root: { type: resource, metric: disk, path: /, warn: 100%, crit: 100% }\n"
	    "  busy: { type: resource, metric: cpu, warn: 0, crit: 1000, every: 100ms }\n");
	harness_start(&t);
	/* The first samples come within about a second of the start. */
	deadline = harness_mono_ms() + 3000;
	do {
		json_decref(status);
		harness_pause_ms(20);
		status = harness_status(&t);
		check = json_array_get(json_object_get(status, "checks"), 1);
	} while (harness_mono_ms() < deadline &&
	    strcmp(json_string_value(json_object_get(check, "state")), "unknown") == 0);
	assert_string_equal(json_string_value(json_object_get(check, "name")), "busy");
	assert_string_equal(json_string_value(json_object_get(check, "state")), "warning");
	check = json_array_get(json_object_get(status, "checks"), 0);
	assert_string_equal(json_string_value(json_object_get(check, "path")), "/");
	assert_true(json_is_number(json_object_get(check, "value")) ||
	    strcmp(json_string_value(json_object_get(check, "state")), "unknown") == 0);
	json_decref(status);
	assert_true(harness_log_contains(&t, "check busy: unknown -> warning"));
}

static void
json_logs_name_the_service(void **state)
{
	char line[1024];
	json_t *entry;
	int service_lines = 0;
	FILE *f;

	harness_write_config(&t,
	    "log: { format: json }\n"
	    "services:\n"
	    "  quiet: { run: [@FAKESVC@, --name, quiet, --record, @RECORD@] }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "quiet", "up", 0, 5000));
	assert_non_null(f = fopen(t.log, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		entry = json_loads(line, 0, NULL);
		if (entry == NULL)
			fail_msg("not a JSON line: %s", line);
		assert_non_null(json_object_get(entry, "ts"));
		assert_non_null(json_object_get(entry, "level"));
		assert_non_null(json_object_get(entry, "msg"));
		if (json_is_string(json_object_get(entry, "service")))
			service_lines++;
		json_decref(entry);
	}
	fclose(f);
	assert_true(service_lines >= 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(stop_start_restart_by_name),
		TEND_TEST(a_second_daemon_on_the_same_state_dir_refuses_to_start),
		TEND_TEST(output_goes_to_a_rotated_log),
		TEND_TEST(an_external_service_is_followed_through_its_pidfile),
		TEND_TEST(a_hung_process_stops_without_waiting_for_the_timeout),
		TEND_TEST(status_shows_host_checks),
		TEND_TEST(json_logs_name_the_service),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
