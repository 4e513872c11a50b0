/*
 * Alerts with real processes: a webhook receiver started by the test (a
 * fakesvc with --receiver) hears of an incident once and then of its end;
 * a failing receiver is tried again with backoff, across a reload, and
 * every delivery is in the store; an open incident is repeated after the
 * interval; a command channel gets the TEND_* environment and is killed at
 * its timeout; and a real Alertmanager, when installed, fires and resolves
 * the alert.
 *
 * The service is test_heal's, HARNESS_SICK_WEB: sick once harness_make_sick
 * touches its file, until it is restarted.
 */
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/dl_curl.h"
#include <sqlite3.h>

#include "store/query.h"

#define ALERTMANAGER	"/usr/bin/prometheus-alertmanager"

/* Latency spikes of a restart are not what these tests are about. */
#define QUIET	"anomaly: { enabled: false }\n"

/* Processes the test started itself, killed by pid at the end. */
static pid_t started[4];
static int n_started;

static int
setup(void **state)
{
	n_started = 0;
	return harness_test_setup(state);
}

static int
teardown(void **state)
{
	int i;

	for (i = 0; i < n_started; i++) {
		kill(started[i], SIGKILL);
		waitpid(started[i], NULL, 0);
	}
	n_started = 0;
	return harness_test_teardown(state);
}

#define ALERT_TEST(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

static pid_t
spawn(char **argv)
{
	pid_t pid = fork();
	int fd;

	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(t.log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		setpgid(0, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	started[n_started++] = pid;
	return pid;
}

/* A webhook receiver on port: bodies to DIR/name, the first fail_first answered 500. */
static void
start_receiver(const char *name, int port, int fail_first)
{
	char port_s[16], file[400], fail[16], ready[64];
	char *argv[] = { getenv("FAKESVC_BIN"), "--name", (char *)name, "--record", t.record,
	    "--listen", port_s, "--receiver", file, "--fail-first", fail, NULL };

	snprintf(port_s, sizeof(port_s), "%d", port);
	snprintf(file, sizeof(file), "%s/%s.log", t.dir, name);
	snprintf(fail, sizeof(fail), "%d", fail_first);
	spawn(argv);
	snprintf(ready, sizeof(ready), "ready %s ", name);
	assert_true(harness_wait_record(&t, ready, 5000));
}

/* The bodies a receiver accepted, one JSON document per line. */
static json_t *
received(const char *name)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s.log", t.dir, name);
	return harness_json_lines(path);
}

static bool
wait_received(const char *name, size_t n, int timeout_ms)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s.log", t.dir, name);
	return harness_wait_json_lines(path, n, timeout_ms);
}

static const char *
str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "";
}

/* Every delivery in the store, newest first, read as the web server would. */
static json_t *
store_alerts(void)
{
	sqlite3 *db = harness_db_open(&t);
	json_t *all = NULL;

	if (db != NULL)
		all = store_query_alerts(db, 100);
	sqlite3_close(db);
	return all != NULL ? all : json_array();
}

/* The newest delivery to channel of event with outcome; a new reference. */
static json_t *
wait_delivery(const char *channel, const char *event, const char *outcome,
    int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	json_t *all, *one;
	size_t i;

	do {
		all = store_alerts();
		json_array_foreach(all, i, one) {
			if (strcmp(str(one, "channel"), channel) == 0 &&
			    strcmp(str(one, "event"), event) == 0 &&
			    strcmp(str(one, "outcome"), outcome) == 0) {
				json_incref(one);
				json_decref(all);
				return one;
			}
		}
		json_decref(all);
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	return NULL;
}

/* The id of the open incident of target, once it is open. */
static long long
wait_open_incident(const char *target, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms, id = 0;
	json_t *all, *one;
	size_t i;
	char *out;

	do {
		if (harness_cli(&t, &out, "incidents", "--open", "--state-dir", t.state,
		    "--format", "json", NULL) == 0 && (all = json_loads(out, 0, NULL)) != NULL) {
			json_array_foreach(all, i, one)
				if (strcmp(str(one, "target"), target) == 0)
					id = json_integer_value(json_object_get(one, "id"));
			json_decref(all);
		}
		free(out);
		if (id > 0)
			return id;
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	return 0;
}

/* A restart cures the service; its open incident then ends by itself. */
static void
cure(void)
{
	char *out;

	assert_int_equal(harness_cli(&t, &out, "restart", "web", "--state-dir", t.state,
	    NULL), 0);
	free(out);
}

/* Until the check has passed: the failure to come is news. */
static bool
wait_healthy(const char *check, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	json_t *status, *c;
	bool ok = false;
	size_t i;

	do {
		status = harness_status(&t);
		json_array_foreach(json_object_get(status, "checks"), i, c)
			if (strcmp(str(c, "name"), check) == 0 &&
			    strcmp(str(c, "state"), "healthy") == 0)
				ok = true;
		json_decref(status);
		if (ok)
			return true;
		harness_pause_ms(20);
	} while (harness_mono_ms() < deadline);
	return false;
}

static void
start_web(const char *config)
{
	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	assert_true(wait_healthy("health", 5000));
}

static void
an_incident_is_alerted_once_then_its_end(void **state)
{
	json_t *all, *first, *second, *row;
	long long sick_ms, got_ms;

	start_receiver("hook", t.ports[1], 0);
	start_web("heal: { verify_timeout: 5s, cooldown: 0s }\n" QUIET
	    "alerts:\n"
	    "  channels:\n"
	    "    hook: { webhook: 'http://127.0.0.1:@PORT2@/hook' }\n"
	    "services:\n" HARNESS_SICK_WEB);
	sick_ms = harness_mono_ms();
	harness_make_sick(&t, false);
	assert_true(wait_received("hook", 1, 5000));
	got_ms = harness_record_time(&t, "post hook", 0) / 1000000;
	assert_true(wait_received("hook", 2, 10000));

	all = received("hook");
	first = json_array_get(all, 0);
	second = json_array_get(all, 1);
	assert_string_equal(str(first, "event"), "critical");
	assert_string_equal(str(first, "target"), "health");
	assert_string_equal(str(first, "state"), "critical");
	assert_string_equal(str(first, "source"), "tend");
	assert_true(json_integer_value(json_object_get(first, "incident")) > 0);
	assert_string_equal(str(second, "event"), "resolved");
	assert_string_equal(str(second, "state"), "healthy");
	assert_int_equal(json_integer_value(json_object_get(second, "incident")),
	    json_integer_value(json_object_get(first, "incident")));
	assert_non_null(strstr(str(second, "message"), "healed by restart"));
	json_decref(all);

	/* Once each, and both recorded as delivered at the first try. */
	row = wait_delivery("hook", "resolved", "delivered", 3000);
	assert_non_null(row);
	assert_int_equal(json_integer_value(json_object_get(row, "tries")), 1);
	json_decref(row);
	row = wait_delivery("hook", "critical", "delivered", 3000);
	assert_non_null(row);
	assert_string_equal(str(row, "detail"), "HTTP 200");
	json_decref(row);
	all = received("hook");
	assert_int_equal(json_array_size(all), 2);
	assert_int_equal(harness_count_record(&t, "post hook"), 2);
	json_decref(all);
	fprintf(stderr, "service sick -> critical alert received: %lld ms (checks every "
	    "200 ms)\n", got_ms - sick_ms);
}

/* The retry test's config, with extra channels appended. */
static void
retry_config(const char *extra)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), "auto_heal: false\n" QUIET
	    "alerts:\n"
	    "  retry: { attempts: 4, initial: 300ms, max: 5s, jitter: 0 }\n"
	    "  channels:\n"
	    "    hook: { webhook: 'http://127.0.0.1:@PORT2@/hook', on: [critical] }\n"
	    "    dead: { webhook: 'http://127.0.0.1:@PORT3@/', on: [critical], timeout: 1s }\n"
	    "%sservices:\n" HARNESS_SICK_WEB, extra);
	harness_write_config(&t, buf);
}

static void
a_failing_receiver_is_retried_with_backoff_across_a_reload(void **state)
{
	long long t0, t1, t2;
	json_t *row, *all;

	start_receiver("hook", t.ports[1], 2);
	retry_config("");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	assert_true(wait_healthy("health", 5000));
	harness_make_sick(&t, false);
	/* The first try fails: a reload while the retry waits must not lose it. */
	assert_true(harness_wait_record(&t, "post hook", 5000));
	retry_config("    more: { command: [/bin/true], on: [escalated] }\n");
	kill(t.pid, SIGHUP);
	assert_true(wait_received("hook", 1, 8000));
	assert_int_equal(harness_count_record(&t, "post hook"), 3);
	assert_true(harness_log_contains(&t, "reloading"));

	/* 300 ms, then 600 ms between the tries. */
	t0 = harness_record_time(&t, "post hook", 0) / 1000000;
	t1 = harness_record_time(&t, "post hook", 1) / 1000000;
	t2 = harness_record_time(&t, "post hook", 2) / 1000000;
	fprintf(stderr, "retries after %lld ms and %lld ms\n", t1 - t0, t2 - t1);
	assert_true(t1 - t0 >= 280 && t1 - t0 < 1000);
	assert_true(t2 - t1 >= 580 && t2 - t1 < 1500);

	row = wait_delivery("hook", "critical", "delivered", 3000);
	assert_non_null(row);
	assert_int_equal(json_integer_value(json_object_get(row, "tries")), 3);
	assert_string_equal(str(row, "detail"), "HTTP 200");
	json_decref(row);
	all = received("hook");
	assert_string_equal(str(json_array_get(all, 0), "event"), "critical");
	json_decref(all);

	/* Nothing listens on the dead channel: four tries, then failed. */
	row = wait_delivery("dead", "critical", "failed", 10000);
	assert_non_null(row);
	assert_int_equal(json_integer_value(json_object_get(row, "tries")), 4);
	assert_true(strlen(str(row, "detail")) > 0);
	json_decref(row);
	assert_true(harness_log_contains(&t, "to dead: failed after 4 tries"));
}

static void
an_open_incident_is_repeated_after_the_interval(void **state)
{
	json_t *all, *one;
	long long id, t1, t2, deadline;
	size_t i, n;

	start_receiver("hook", t.ports[1], 0);
	start_web("auto_heal: false\n" QUIET
	    "alerts:\n"
	    "  repeat_interval: 500ms\n"
	    "  channels:\n"
	    "    hook: { webhook: 'http://127.0.0.1:@PORT2@/hook' }\n"
	    "services:\n" HARNESS_SICK_WEB);
	harness_make_sick(&t, false);
	assert_true(wait_received("hook", 3, 5000));
	t1 = harness_record_time(&t, "post hook", 1) / 1000000;
	t2 = harness_record_time(&t, "post hook", 2) / 1000000;
	assert_true(t2 - t1 >= 480);
	id = wait_open_incident("health", 3000);
	assert_true(id > 0);
	cure();

	/* The end comes once; then no more repeats. */
	deadline = harness_mono_ms() + 5000;
	for (;;) {
		all = received("hook");
		n = json_array_size(all);
		if (strcmp(str(json_array_get(all, n - 1), "event"), "resolved") == 0)
			break;
		json_decref(all);
		assert_true(harness_mono_ms() < deadline);
		harness_pause_ms(20);
	}
	json_array_foreach(all, i, one) {
		assert_int_equal(json_integer_value(json_object_get(one, "incident")), id);
		if (i == 0)
			assert_true(json_is_false(json_object_get(one, "repeat")));
		else if (i < n - 1) {
			assert_string_equal(str(one, "event"), "critical");
			assert_true(json_is_true(json_object_get(one, "repeat")));
		}
	}
	json_decref(all);
	harness_pause_ms(800);		/* longer than the interval: no repeat may come */
	all = received("hook");
	assert_int_equal(json_array_size(all), n);
	json_decref(all);
}

static bool
file_has(const char *path, const char *text)
{
	char buf[4096];
	size_t len;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return false;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	fclose(f);
	return strstr(buf, text) != NULL;
}

static bool
wait_file_has(const char *path, const char *text, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;

	do {
		if (file_has(path, text))
			return true;
		harness_pause_ms(20);
	} while (harness_mono_ms() < deadline);
	return false;
}

static void
a_command_channel_gets_the_alert_in_its_environment(void **state)
{
	char path[400], want[64];
	long long id;
	json_t *row;

	start_web("auto_heal: false\n" QUIET
	    "alerts:\n"
	    "  retry: { attempts: 2, initial: 100ms }\n"
	    "  channels:\n"
	    "    script:\n"
	    "      command: [/bin/sh, -c, 'env | grep ^TEND_ | sort > @DIR@/env.$TEND_EVENT']\n"
	    "    slow: { command: [sleep, '60'], timeout: 300ms, on: [critical] }\n"
	    "services:\n" HARNESS_SICK_WEB);
	harness_make_sick(&t, false);
	snprintf(path, sizeof(path), "%s/env.critical", t.dir);
	assert_true(wait_file_has(path, "TEND_EVENT=critical\n", 5000));
	id = wait_open_incident("health", 3000);
	assert_true(id > 0);
	snprintf(want, sizeof(want), "TEND_INCIDENT=%lld\n", id);
	assert_true(file_has(path, want));
	assert_true(file_has(path, "TEND_TARGET=health\n"));
	assert_true(file_has(path, "TEND_STATE=critical\n"));
	assert_true(file_has(path, "TEND_MESSAGE="));
	assert_true(file_has(path, "HTTP 500"));

	cure();
	snprintf(path, sizeof(path), "%s/env.resolved", t.dir);
	assert_true(wait_file_has(path, "TEND_EVENT=resolved\n", 5000));
	assert_true(file_has(path, want));
	assert_true(file_has(path, "TEND_STATE=healthy\n"));
	row = wait_delivery("script", "resolved", "delivered", 3000);
	assert_non_null(row);
	assert_string_equal(str(row, "detail"), "exit 0");
	json_decref(row);

	/* A command that hangs is killed at its timeout, each try. */
	row = wait_delivery("slow", "critical", "failed", 5000);
	assert_non_null(row);
	assert_int_equal(json_integer_value(json_object_get(row, "tries")), 2);
	assert_non_null(strstr(str(row, "detail"), "timed out"));
	json_decref(row);
}

/* A GET of an Alertmanager's API; NULL when it does not answer 200 with JSON. */
static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	char **buf = arg;
	size_t len = *buf ? strlen(*buf) : 0;

	*buf = realloc(*buf, len + size * n + 1);
	memcpy(*buf + len, data, size * n);
	(*buf)[len + size * n] = '\0';
	return size * n;
}

static json_t *
am_get(const char *path)
{
	char url[256], *body = NULL;
	long status = 0;
	json_t *doc = NULL;
	CURL *easy = curl_easy_init();

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", t.ports[2], path);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
	if (curl_easy_perform(easy) == CURLE_OK &&
	    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
	    status == 200)
		doc = body != NULL ? json_loads(body, 0, NULL) : json_object();
	curl_easy_cleanup(easy);
	free(body);
	return doc;
}

/* The alert of incident id in the Alertmanager, if it is there; a new reference. */
static json_t *
am_alert(long long id)
{
	json_t *all = am_get("/api/v2/alerts"), *one, *found = NULL;
	char ids[32];
	size_t i;

	snprintf(ids, sizeof(ids), "%lld", id);
	json_array_foreach(all, i, one)
		if (strcmp(str(json_object_get(one, "labels"), "incident"), ids) == 0 &&
		    strcmp(str(json_object_get(one, "labels"), "alertname"),
		    "TendIncident") == 0)
			found = json_incref(one);
	json_decref(all);
	return found;
}

static void
a_real_alertmanager_fires_then_resolves_the_alert(void **state)
{
	char config[400], storage[400], listen[64], cfg_flag[420], storage_flag[420];
	char *argv[] = { ALERTMANAGER, cfg_flag, storage_flag, listen,
	    "--cluster.listen-address=", "--log.level=warn", NULL };
	long long deadline, id, sick_ms, fired_ms;
	json_t *alert = NULL, *labels, *ready;
	FILE *f;

	if (access(ALERTMANAGER, X_OK) != 0) {
		fprintf(stderr, "SKIP: %s is not installed\n", ALERTMANAGER);
		skip();
	}
	snprintf(config, sizeof(config), "%s/alertmanager.yml", t.dir);
	snprintf(storage, sizeof(storage), "%s/am-data", t.dir);
	f = fopen(config, "w");
	assert_non_null(f);
	fputs("route:\n  receiver: none\n  group_wait: 1s\nreceivers:\n  - name: none\n", f);
	fclose(f);
	snprintf(cfg_flag, sizeof(cfg_flag), "--config.file=%s", config);
	snprintf(storage_flag, sizeof(storage_flag), "--storage.path=%s", storage);
	snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d", t.ports[2]);
	spawn(argv);
	deadline = harness_mono_ms() + 15000;
	while ((ready = am_get("/api/v2/status")) == NULL && harness_mono_ms() < deadline)
		harness_pause_ms(50);
	assert_non_null(ready);
	json_decref(ready);

	start_web("auto_heal: false\n" QUIET
	    "alerts:\n"
	    "  channels:\n"
	    "    am: { webhook: 'http://127.0.0.1:@PORT3@', format: alertmanager,\n"
	    "          labels: { team: ops } }\n"
	    "services:\n" HARNESS_SICK_WEB);
	sick_ms = harness_mono_ms();
	harness_make_sick(&t, false);
	id = wait_open_incident("health", 5000);
	assert_true(id > 0);
	deadline = harness_mono_ms() + 10000;
	while ((alert = am_alert(id)) == NULL && harness_mono_ms() < deadline)
		harness_pause_ms(50);
	assert_non_null(alert);
	fired_ms = harness_mono_ms();
	labels = json_object_get(alert, "labels");
	assert_string_equal(str(labels, "target"), "health");
	assert_string_equal(str(labels, "severity"), "critical");
	assert_string_equal(str(labels, "team"), "ops");
	assert_string_equal(str(labels, "job"), "tend");
	assert_string_equal(str(json_object_get(alert, "status"), "state"), "active");
	assert_non_null(strstr(str(json_object_get(alert, "annotations"), "description"),
	    "HTTP 500"));
	json_decref(alert);
	fprintf(stderr, "service sick -> alert active in Alertmanager: under %lld ms\n",
	    fired_ms - sick_ms);

	/* Resolved: the same labels with endsAt now; it is no longer listed. */
	cure();
	deadline = harness_mono_ms() + 10000;
	while ((alert = am_alert(id)) != NULL && harness_mono_ms() < deadline) {
		json_decref(alert);
		harness_pause_ms(50);
	}
	assert_null(alert);
	alert = wait_delivery("am", "resolved", "delivered", 3000);
	assert_non_null(alert);
	json_decref(alert);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		ALERT_TEST(an_incident_is_alerted_once_then_its_end),
		ALERT_TEST(a_failing_receiver_is_retried_with_backoff_across_a_reload),
		ALERT_TEST(an_open_incident_is_repeated_after_the_interval),
		ALERT_TEST(a_command_channel_gets_the_alert_in_its_environment),
		ALERT_TEST(a_real_alertmanager_fires_then_resolves_the_alert),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
