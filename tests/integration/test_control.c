/*
 * Operating a running daemon: tend stop/start/restart NAME, status text and
 * the table's view of the status, metrics.labels in what export-metrics
 * prints, service output in rotated logs, and an external service followed
 * through its pidfile.
 */
#include "harness.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

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

/*
 * A process that inherited the listening socket of a tend that died keeps
 * STATE/tend.sock accepting: that is no tend running. Here the listener
 * (first child) exits and a stray (its child) holds the socket forever.
 */
static void
a_socket_kept_by_a_stray_process_is_no_tend(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fds[2], fd;
	pid_t listener, stray = 0;
	FILE *f;

	harness_write_config(&t,
	    "services:\n"
	    "  svc: { run: [@FAKESVC@, --name, svc, --record, @RECORD@] }\n");
	assert_int_equal(mkdir(t.state, 0750), 0);
	assert_true(snprintf(sa.sun_path, sizeof(sa.sun_path), "%.80s/tend.sock", t.state) < 100);
	assert_int_equal(pipe(fds), 0);
	listener = fork();
	if (listener == 0) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(fd, 8) < 0)
			_exit(1);
		if ((stray = fork()) == 0) {
			close(fds[0]);
			pause();
			_exit(0);
		}
		dprintf(fds[1], "%d\n", (int)stray);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(waitpid(listener, NULL, 0), listener);
	f = fdopen(fds[0], "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &stray), 1);
	fclose(f);
	assert_true(stray > 0);

	harness_start(&t);
	assert_true(harness_wait_state(&t, "svc", "up", 0, 5000));
	assert_false(harness_log_contains(&t, "already running"));
	kill(stray, SIGKILL);
	waitpid(stray, NULL, WNOHANG);
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
 * sends SIGCONT with it to an external service's process too, so a stop
 * takes what the service needs, not the whole stop timeout and a SIGKILL.
 * (test_stop has the supervised case.)
 */
static void
a_hung_external_process_stops_without_waiting_for_the_timeout(void **state)
{
	long long t0, took;
	char *out;
	pid_t pid;

	harness_write_config(&t,
	    "services:\n"
	    "  legacy:\n"
	    "    pidfile: @DIR@/legacy.pid\n"
	    "    start: [@FAKESVC@, --name, legacy, --record, @RECORD@, --daemonize,\n"
	    "            --pidfile, @DIR@/legacy.pid]\n"
	    "    stop: { timeout: 5s }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "legacy", "up", 0, 5000));
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
	assert_true(harness_wait_record(&t, "stop legacy", 2000));
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

static long long
check_runs(void)
{
	json_t *status = harness_status(&t);
	long long n = json_integer_value(json_object_get(json_object_get(status, "tend"),
	    "check_runs"));

	json_decref(status);
	return n;
}

/* The host summary is logged after start, then every 10 minutes: not each interval. */
static void
the_host_summary_is_not_logged_every_interval(void **state)
{
	long long deadline, runs;

	harness_write_config(&t,
	    "interval: 100ms\n"
	    "checks:\n"
	    "  disk: { type: resource, metric: disk, path: /, warn: 100%, crit: 100% }\n"
	    "  memory: { type: resource, metric: memory, warn: 100%, crit: 100% }\n");
	harness_start(&t);
	deadline = harness_mono_ms() + 5000;
	while (harness_log_count(&t, " host: ") == 0 &&
	    harness_mono_ms() < deadline)
		harness_pause_ms(20);
	assert_int_equal(harness_log_count(&t, " host: "), 1);
	/* Twenty more intervals of both checks: twenty summaries before. */
	runs = check_runs();
	deadline = harness_mono_ms() + 10000;
	while (check_runs() < runs + 40 && harness_mono_ms() < deadline)
		harness_pause_ms(50);
	assert_true(check_runs() >= runs + 40);
	assert_int_equal(harness_log_count(&t, " host: "), 1);
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

/*
 * Sends len bytes of req to the control socket (then ends its side when
 * close_after), and returns the daemon's answer line: "" when it closed
 * without one, NULL when none came within timeout_ms.
 */
static char *
control_raw(const char *req, size_t len, bool close_after, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = harness_mono_ms() + timeout_ms;
	char *answer = calloc(1, 1);
	size_t got = 0, off = 0;
	struct pollfd p;
	char buf[4096];
	ssize_t n;
	int fd;

	assert_true(strlen(t.state) + sizeof("/tend.sock") <= sizeof(sa.sun_path));
	memcpy(sa.sun_path, t.state, strlen(t.state));
	strcat(sa.sun_path, "/tend.sock");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* The daemon may answer (too large) before it has read everything. */
	while (off < len && (n = send(fd, req + off, len - off, MSG_NOSIGNAL)) > 0)
		off += (size_t)n;
	if (close_after)
		shutdown(fd, SHUT_WR);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (strchr(answer, '\n') == NULL) {
		if (harness_mono_ms() >= deadline) {
			free(answer);
			answer = NULL;
			break;
		}
		if (poll(&p, 1, (int)(deadline - harness_mono_ms())) <= 0)
			continue;
		if ((n = read(fd, buf, sizeof(buf))) <= 0)
			break;
		answer = realloc(answer, got + (size_t)n + 1);
		memcpy(answer + got, buf, (size_t)n);
		got += (size_t)n;
		answer[got] = '\0';
	}
	close(fd);
	return answer;
}

/* The answer to req is {"ok": false, "error": "<starts with want>..."}. */
static void
expect_refusal(const char *req, size_t len, const char *want)
{
	char *answer = control_raw(req, len, true, 10000);
	json_t *doc;
	const char *error;

	assert_non_null(answer);
	doc = json_loads(answer, 0, NULL);
	if (doc == NULL)
		fail_msg("the answer to '%.40s' is not JSON: '%s'", req, answer);
	error = json_string_value(json_object_get(doc, "error"));
	assert_true(json_is_false(json_object_get(doc, "ok")));
	if (error == NULL || strncmp(error, want, strlen(want)) != 0)
		fail_msg("the answer to '%.40s' is '%s', expected '%s...'", req, answer, want);
	json_decref(doc);
	free(answer);
}

static void
control_socket_answers_garbage_clearly(void **state)
{
	static const char *const lines[][2] = {
		{ "hello\n", "not JSON: " },
		{ "\xff\xfe{\n", "not JSON: " },
		{ "\n", "not JSON: " },
		{ "[1, 2]\n", "not a JSON object" },
		{ "\"status\"\n", "not a JSON object" },
		{ "{}\n", "missing \"cmd\"" },
		{ "{\"cmd\": 5}\n", "missing \"cmd\"" },
		{ "{\"cmd\": \"bogus\"}\n", "unknown command: bogus" },
		{ "{\"cmd\": \"bogus\", \"service\": \"svc\"}\n", "unknown command: bogus" },
		{ "{\"cmd\": \"status\"", "not JSON: " },	/* cut short, then EOF */
		{ "{\"cmd\": \"restart\"}\n", "no such service: (none)" },
	};
	size_t i, big = 70 * 1024;
	char *req, *answer;

	harness_write_config(&t,
	    "services:\n"
	    "  svc: { run: [@FAKESVC@, --name, svc, --record, @RECORD@] }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "svc", "up", 0, 5000));
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		expect_refusal(lines[i][0], strlen(lines[i][0]), lines[i][1]);
	/* A NUL inside the line. */
	expect_refusal("{\"cmd\"\0: 1}\n", 12, "not JSON: ");
	/* A line that never ends is cut off, not read forever. */
	req = malloc(big);
	memset(req, 'x', big);
	expect_refusal(req, big, "request too large");
	free(req);
	/* A client that sends nothing has its answer after 5 s. */
	answer = control_raw("", 0, false, 10000);
	assert_non_null(answer);
	assert_non_null(strstr(answer, "no request line within"));
	free(answer);
	/* A client that connects and leaves gets nothing, and costs nothing. */
	answer = control_raw("", 0, true, 10000);
	assert_string_equal(answer, "");
	free(answer);
	/* The daemon is fine, and still answers real requests. */
	answer = control_raw("{\"cmd\": \"status\"}\n", 17, true, 10000);
	assert_non_null(strstr(answer, "\"ok\":true"));
	free(answer);
	assert_string_equal(harness_state(&t, "svc", (char[16]){ 0 }, 16), "up");
}

/* The status over the socket, as a view asks for it (a new reference). */
static json_t *
status_view(const char *req)
{
	char *answer = control_raw(req, strlen(req), true, 10000);
	json_t *doc = json_loads(answer != NULL ? answer : "", 0, NULL);

	if (doc == NULL)
		fail_msg("%s: not JSON: %s", req, answer);
	free(answer);
	return doc;
}

/*
 * The table's view (tend status) leaves out what the table does not show,
 * and its overall state still counts every check; the whole view has each
 * service's health and check counts.
 */
static void
the_table_view_leaves_out_what_the_table_does_not_show(void **state)
{
	static const char *const left_out[] = { "health", "check_counts",
	    "restarts_by_reason", "limits", "checks" };
	json_t *doc, *svc;
	size_t i;

	(void)state;
	harness_write_config(&t,
	    "services:\n"
	    "  svc:\n"
	    "    run: [@FAKESVC@, --name, svc, --record, @RECORD@]\n"
	    "    checks:\n"
	    "      svc-bad: { type: command, run: [sh, -c, 'exit 2'], every: 1s }\n"
	    "      svc-good: { type: command, run: ['true'], every: 1s }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "svc", "up", 0, 5000));
	for (i = 0; i < 50; i++) {	/* both checks' first results, bounded */
		doc = status_view("{\"cmd\": \"status\"}\n");
		if (strcmp(harness_str(doc, "state"), "critical") == 0 &&
		    json_object_get(json_object_get(harness_service(doc, "svc"),
		    "check_counts"), "unknown") == NULL)
			break;
		json_decref(doc);
		usleep(100 * 1000);
	}
	assert_true(i < 50);
	svc = harness_service(doc, "svc");
	assert_string_equal(harness_str(svc, "health"), "critical");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(svc,
	    "check_counts"), "critical")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(svc,
	    "check_counts"), "healthy")), 1);
	json_decref(doc);

	doc = status_view("{\"cmd\": \"status\", \"view\": \"table\"}\n");
	assert_string_equal(harness_str(doc, "state"), "critical");
	svc = harness_service(doc, "svc");
	assert_non_null(svc);
	assert_string_equal(harness_str(svc, "state"), "up");
	for (i = 0; i < sizeof(left_out) / sizeof(left_out[0]); i++)
		if (json_object_get(svc, left_out[i]) != NULL)
			fail_msg("the table's view has the service's '%s'", left_out[i]);
	json_decref(doc);
}

/* metrics.labels reach every series tend exports, through the daemon's status. */
static void
metric_labels_are_on_every_series(void **state)
{
	json_t *doc, *families, *f, *s;
	size_t i, k, n = 0;
	char *out;

	(void)state;
	harness_write_config(&t,
	    "metrics: { labels: { env: prod, team: payments } }\n"
	    "services:\n"
	    "  svc: { run: [@FAKESVC@, --name, svc, --record, @RECORD@] }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "svc", "up", 0, 5000));
	assert_int_equal(harness_cli(&t, &out, "export-metrics", "--state-dir", t.state, NULL),
	    0);
	doc = json_loads(out, 0, NULL);
	families = json_object_get(doc, "metrics");
	if (!json_is_array(families))
		fail_msg("export-metrics: no list of metrics: %s", out);
	json_array_foreach(families, i, f)
		json_array_foreach(json_object_get(f, "samples"), k, s) {
			assert_string_equal(harness_str(json_object_get(s, "labels"), "env"),
			    "prod");
			assert_string_equal(harness_str(json_object_get(s, "labels"), "team"),
			    "payments");
			n++;
		}
	assert_true(n > 10);
	json_decref(doc);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(stop_start_restart_by_name),
		TEND_TEST(a_second_daemon_on_the_same_state_dir_refuses_to_start),
		TEND_TEST(a_socket_kept_by_a_stray_process_is_no_tend),
		TEND_TEST(output_goes_to_a_rotated_log),
		TEND_TEST(an_external_service_is_followed_through_its_pidfile),
		TEND_TEST(a_hung_external_process_stops_without_waiting_for_the_timeout),
		TEND_TEST(status_shows_host_checks),
		TEND_TEST(the_host_summary_is_not_logged_every_interval),
		TEND_TEST(json_logs_name_the_service),
		TEND_TEST(control_socket_answers_garbage_clearly),
		TEND_TEST(the_table_view_leaves_out_what_the_table_does_not_show),
		TEND_TEST(metric_labels_are_on_every_series),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
