/*
 * tend check against real local targets: an HTTP server, a server that
 * accepts and never answers, a line protocol, a plugin script, /proc; exit
 * codes; and a hung target that does not delay the others.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Starts tend run with services that are the targets, then runs tend check. */
static void
start_targets(void)
{
	harness_write_config(&t,
	    "services:\n"
	    "  web: { run: [@FAKESVC@, --name, web, --record, @RECORD@, --http, --listen, '@PORT1@'],\n"
	    "         ready: { tcp: @PORT1@ } }\n"
	    "  hung: { run: [@FAKESVC@, --name, hung, --record, @RECORD@, --hang, --listen, '@PORT2@'],\n"
	    "          ready: { tcp: @PORT2@ } }\n"
	    "  redis: { run: [@FAKESVC@, --name, redis, --record, @RECORD@, --reply, '+PONG',\n"
	    "           --listen, '@PORT3@'], ready: { tcp: @PORT3@ } }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	assert_true(harness_wait_state(&t, "hung", "up", 0, 5000));
	assert_true(harness_wait_state(&t, "redis", "up", 0, 5000));
}

static char *
write_checks(const char *yaml)
{
	static char path[400];

	snprintf(path, sizeof(path), "%s/checks.yaml", t.dir);
	harness_write_file(&t, path, yaml);
	return path;
}

static json_t *
run_check(const char *config, int *code)
{
	json_t *doc;
	char *out;

	*code = harness_cli(&t, &out, "check", "-c", config, "--format", "json", NULL);
	doc = json_loads(out, 0, NULL);
	if (doc == NULL)
		fail_msg("not JSON: %s", out);
	free(out);
	return doc;
}

static json_t *
find(json_t *doc, const char *name)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(doc, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
			return c;
	fail_msg("no check %s", name);
	return NULL;
}

static const char *
state_of(json_t *doc, const char *name)
{
	return json_string_value(json_object_get(find(doc, name), "state"));
}

static void
every_kind_against_real_targets(void **state)
{
	char plugin[400], *config;
	json_t *doc;
	FILE *f;
	int code;

	start_targets();
	snprintf(plugin, sizeof(plugin), "%s/check_fake", t.dir);
	harness_write_script(&t, plugin,
	    "#!/bin/sh\necho 'FAKE WARNING - queue 42 | queue=42;40;50;0 time=0.5s'\n"
	    "echo 'long text'\nexit 1\n");
	config = write_checks(
	    "checks:\n"
	    "  web_ok: { type: http, url: 'http://127.0.0.1:@PORT1@/health', contains: ok }\n"
	    "  web_word: { type: http, url: 'http://127.0.0.1:@PORT1@/', contains: missing-word }\n"
	    "  web_status: { type: http, url: 'http://127.0.0.1:@PORT1@/', status: 204 }\n"
	    "  web_regex: { type: http, url: 'http://127.0.0.1:@PORT1@/', regex: '^o[k]$' }\n"
	    "  closed: { type: http, url: 'http://127.0.0.1:@PORT4@/', timeout: 2s }\n"
	    "  redis: { type: tcp, port: @PORT3@, send: 'PING\\r\\n', expect: '+PONG' }\n"
	    "  redis_wrong: { type: tcp, port: @PORT3@, send: 'PING\\r\\n', expect: '+NOPE',\n"
	    "                 timeout: 1s }\n"
	    "  port_open: { type: tcp, port: 'localhost:@PORT1@' }\n"
	    "  disk: { type: resource, metric: disk, path: /, warn: 100, crit: 100 }\n"
	    "  nowhere: { type: resource, metric: disk, path: /no/such/dir, warn: 1, crit: 2 }\n");
	/* The plugin path is absolute; written apart to keep the template simple. */
	assert_non_null(f = fopen(config, "a"));
	fprintf(f, "  plugin: { type: command, run: [%s] }\n", plugin);
	fclose(f);

	doc = run_check(config, &code);
	assert_string_equal(state_of(doc, "web_ok"), "healthy");
	assert_string_equal(state_of(doc, "web_word"), "critical");
	assert_string_equal(state_of(doc, "web_status"), "critical");
	assert_string_equal(state_of(doc, "web_regex"), "critical");	/* body is "ok\n" */
	assert_string_equal(state_of(doc, "closed"), "critical");
	assert_string_equal(state_of(doc, "redis"), "healthy");
	assert_string_equal(state_of(doc, "redis_wrong"), "critical");
	assert_string_equal(state_of(doc, "port_open"), "healthy");
	assert_string_equal(state_of(doc, "disk"), "healthy");
	assert_string_equal(state_of(doc, "nowhere"), "unknown");
	assert_string_equal(state_of(doc, "plugin"), "warning");
	assert_string_equal(json_string_value(json_object_get(find(doc, "plugin"), "message")),
	    "FAKE WARNING - queue 42");
	assert_int_equal(json_array_size(json_object_get(find(doc, "plugin"), "metrics")), 2);
	assert_string_equal(json_string_value(json_object_get(doc, "state")), "critical");
	assert_int_equal(code, 2);
	json_decref(doc);
}

static void
a_hung_target_costs_one_timeout_in_parallel(void **state)
{
	long long t0, elapsed;
	char *config;
	json_t *doc;
	int code;

	start_targets();
	/* Five hung endpoints with a 1 s timeout: one after another that is 5 s. */
	config = write_checks(
	    "checks:\n"
	    "  h1: { type: http, url: 'http://127.0.0.1:@PORT2@/1', timeout: 1s }\n"
	    "  h2: { type: http, url: 'http://127.0.0.1:@PORT2@/2', timeout: 1s }\n"
	    "  h3: { type: http, url: 'http://127.0.0.1:@PORT2@/3', timeout: 1s }\n"
	    "  h4: { type: tcp, port: @PORT2@, send: 'hello\\n', expect: 'x', timeout: 1s }\n"
	    "  h5: { type: command, run: [/bin/sleep, '10'], timeout: 1s }\n"
	    "  ok: { type: http, url: 'http://127.0.0.1:@PORT1@/' }\n");
	t0 = harness_mono_ms();
	doc = run_check(config, &code);
	elapsed = harness_mono_ms() - t0;
	fprintf(stderr, "5 hung checks with a 1 s timeout took %lld ms\n", elapsed);
	assert_true(elapsed < 1900);
	assert_string_equal(state_of(doc, "h1"), "critical");
	assert_non_null(strstr(json_string_value(json_object_get(find(doc, "h1"), "message")),
	    "timed out"));
	assert_string_equal(state_of(doc, "h4"), "critical");
	assert_string_equal(state_of(doc, "h5"), "unknown");
	assert_string_equal(state_of(doc, "ok"), "healthy");
	assert_true(json_real_value(json_object_get(find(doc, "ok"), "latency_ms")) < 500);
	assert_int_equal(code, 2);
	json_decref(doc);
}

static void
exit_codes_follow_the_worst_state(void **state)
{
	char *config, *out, gh_out[400], gh_sum[400], buf[4096];
	size_t n;
	FILE *f;
	int code;

	config = write_checks(
	    "checks:\n"
	    "  fine: { type: command, run: [/bin/sh, -c, 'echo OK; exit 0'] }\n"
	    "  meh: { type: command, run: [/bin/sh, -c, 'echo MEH; exit 1'] }\n");
	assert_int_equal(harness_cli(&t, &out, "check", "-c", config, "--only", "fine", NULL), 0);
	free(out);
	assert_int_equal(harness_cli(&t, &out, "check", "-c", config, NULL), 1);
	assert_non_null(strstr(out, "overall: warning"));
	free(out);
	assert_int_equal(harness_cli(&t, &out, "check", "-c", config, "--only", "nope", NULL), 2);
	free(out);

	/* Under GitHub Actions: a step output and a summary table. */
	snprintf(gh_out, sizeof(gh_out), "%s/gh_output", t.dir);
	snprintf(gh_sum, sizeof(gh_sum), "%s/gh_summary", t.dir);
	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_OUTPUT", gh_out, 1);
	setenv("GITHUB_STEP_SUMMARY", gh_sum, 1);
	code = harness_cli(&t, &out, "check", "-c", config, NULL);
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITHUB_OUTPUT");
	unsetenv("GITHUB_STEP_SUMMARY");
	free(out);
	assert_int_equal(code, 1);
	assert_non_null(f = fopen(gh_out, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, "health_status=warning\n");
	assert_non_null(f = fopen(gh_sum, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "| meh | - | warning |"));
}

static void
file_checks_judge_what_they_see(void **state)
{
	char path[400], config[4096];
	json_t *doc;
	int code;

	snprintf(path, sizeof(path), "%s/data.txt", t.dir);
	harness_write_file(&t, path, "hello\n");
	chmod(path, 0640);
	/* sha256 of "hello\n" */
	snprintf(config, sizeof(config),
	    "checks:\n"
	    "  fine: { type: file, path: %s, mode: '0640', max_age: 1h, min_size: 6,\n"
	    "          sha256: 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 }\n"
	    "  mode: { type: file, path: %s, mode: '0600' }\n"
	    "  size: { type: file, path: %s, max_size: 3 }\n"
	    "  hash: { type: file, path: %s, sha256: %064d }\n"
	    "  missing: { type: file, path: %s/nope }\n"
	    "  absent: { type: file, path: %s/nope, exists: false }\n",
	    path, path, path, path, 0, t.dir, t.dir);
	harness_write_file(&t, t.config, config);
	doc = run_check(t.config, &code);
	assert_string_equal(state_of(doc, "fine"), "healthy");
	assert_string_equal(state_of(doc, "mode"), "critical");
	assert_string_equal(state_of(doc, "size"), "critical");
	assert_string_equal(state_of(doc, "hash"), "critical");
	assert_string_equal(state_of(doc, "missing"), "critical");
	assert_string_equal(state_of(doc, "absent"), "healthy");
	assert_int_equal(code, 2);
	json_decref(doc);
}

static const char *
daemon_check_state(const char *name, const char **health)
{
	static char state[32], svc_health[32];
	json_t *status = harness_status(&t), *c;
	size_t i;

	state[0] = svc_health[0] = '\0';
	json_array_foreach(json_object_get(status, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
			snprintf(state, sizeof(state), "%s",
			    json_string_value(json_object_get(c, "state")));
	snprintf(svc_health, sizeof(svc_health), "%s", json_string_value(
	    json_object_get(harness_service(status, "app"), "health")));
	json_decref(status);
	*health = svc_health;
	return state;
}

static bool
wait_check_state(const char *name, const char *want, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	const char *health;

	do {
		if (strcmp(daemon_check_state(name, &health), want) == 0)
			return true;
		harness_pause_ms(20);
	} while (harness_mono_ms() < deadline);
	return false;
}

static void
the_daemon_tracks_service_checks_with_fail_after_and_recover_after(void **state)
{
	const char *health;
	char *out;

	harness_write_config(&t,
	    "services:\n"
	    "  db: { run: [@FAKESVC@, --name, db, --record, @RECORD@, --listen, '@PORT1@'],\n"
	    "        ready: { tcp: @PORT1@ } }\n"
	    "  app:\n"
	    "    run: [@FAKESVC@, --name, app, --record, @RECORD@]\n"
	    "    checks:\n"
	    "      db_port: { type: tcp, port: @PORT1@, every: 100ms, timeout: 500ms,\n"
	    "                 fail_after: 3, recover_after: 2 }\n");
	harness_start(&t);
	assert_true(wait_check_state("db_port", "healthy", 5000));
	daemon_check_state("db_port", &health);
	assert_string_equal(health, "healthy");

	assert_int_equal(harness_cli(&t, &out, "stop", "db", "--state-dir", t.state, NULL), 0);
	free(out);
	assert_true(wait_check_state("db_port", "critical", 5000));
	daemon_check_state("db_port", &health);
	assert_string_equal(health, "critical");
	/* Three failures were needed: the log shows one change, not a flap. */
	assert_true(harness_log_contains(&t, "[app] check db_port: healthy -> critical"));

	assert_int_equal(harness_cli(&t, &out, "start", "db", "--state-dir", t.state, NULL), 0);
	free(out);
	assert_true(wait_check_state("db_port", "healthy", 5000));
	assert_true(harness_log_contains(&t, "[app] check db_port: critical -> healthy"));
}

static void
a_changed_file_is_noticed_by_the_daemon(void **state)
{
	char path[400], config[2048];

	snprintf(path, sizeof(path), "%s/watched.conf", t.dir);
	harness_write_file(&t, path, "version 1\n");
	snprintf(config, sizeof(config),
	    "services:\n"
	    "  app:\n"
	    "    run: [%s]\n"
	    "    checks:\n"
	    "      conf: { type: file, path: %s, changed: warning, every: 100ms }\n",
	    getenv("FAKESVC_BIN"), path);
	harness_write_file(&t, t.config, config);
	harness_start(&t);
	assert_true(wait_check_state("conf", "healthy", 5000));
	harness_write_file(&t, path, "version 2\n");
	assert_true(wait_check_state("conf", "warning", 5000));
	assert_true(harness_log_contains(&t, "content changed"));
	/* Unchanged since: healthy again. */
	assert_true(wait_check_state("conf", "healthy", 5000));
}

static void
a_process_check_sums_the_service_tree(void **state)
{
	json_t *doc, *metrics, *m;
	double procs = 0, fds = 0;
	const char *label;
	size_t i;
	char *out;
	int code;

	harness_write_config(&t,
	    "services:\n"
	    "  app:\n"
	    "    run: [@FAKESVC@, --name, app, --record, @RECORD@, --spawn-child]\n"
	    "    checks:\n"
	    "      tree: { type: process, min_uptime: 1h, threads: { warn: 100000 },\n"
	    "              fds: { warn: 100000 }, every: 200ms }\n");
	harness_start(&t);
	assert_true(harness_wait_record(&t, "child app", 5000));
	/* Just started: younger than min_uptime, so a warning in the daemon... */
	assert_true(wait_check_state("tree", "warning", 5000));

	/* ... and one-shot, with the pid asked of the daemon. */
	code = harness_cli(&t, &out, "check", "-c", t.config, "--state-dir", t.state,
	    "--only", "tree", "--format", "json", NULL);
	doc = json_loads(out, 0, NULL);
	free(out);
	assert_non_null(doc);
	assert_int_equal(code, 1);
	metrics = json_object_get(find(doc, "tree"), "metrics");
	json_array_foreach(metrics, i, m) {
		label = json_string_value(json_object_get(m, "label"));
		if (strcmp(label, "processes") == 0)
			procs = json_number_value(json_object_get(m, "value"));
		else if (strcmp(label, "fds") == 0)
			fds = json_number_value(json_object_get(m, "value"));
	}
	assert_true(procs >= 2);	/* the service and its child */
	assert_true(fds >= 6);		/* ... each with its stdin, stdout and stderr */
	json_decref(doc);

	/* Stopped: the check says so. */
	assert_int_equal(harness_cli(&t, &out, "stop", "app", "--state-dir", t.state, NULL), 0);
	free(out);
	assert_true(wait_check_state("tree", "critical", 5000));
}

/* The check's latest run in the daemon: its state and how long it took (ms); false: none yet. */
static bool
daemon_check_run(const char *name, char *state, size_t len, double *latency_ms)
{
	json_t *status = harness_status(&t), *c;
	bool found = false;
	size_t i;

	json_array_foreach(json_object_get(status, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0 &&
		    json_is_number(json_object_get(c, "latency_ms"))) {
			snprintf(state, len, "%s", json_string_value(json_object_get(c, "state")));
			*latency_ms = json_number_value(json_object_get(c, "latency_ms"));
			found = true;
		}
	json_decref(status);
	return found;
}

/* Until a run of the check ends in state within 200 ms: one sample, not two 500 ms apart. */
static bool
wait_quick_run(const char *name, const char *want, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	char state[32];
	double ms;

	do {
		if (daemon_check_run(name, state, sizeof(state), &ms) && ms < 200 &&
		    strcmp(state, want) == 0)
			return true;
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	return false;
}

static void
a_process_check_measures_cpu_since_its_last_run(void **state)
{
	char st[32];
	double ms;

	harness_write_config(&t,
	    "services:\n"
	    "  hog:\n"
	    "    run: [/bin/sh, -c, 'while :; do :; done']\n"
	    "    checks:\n"
	    "      busy: { type: process, cpu: { warn: 50 }, every: 1s, timeout: 3s }\n"
	    "  app:\n"
	    "    run: [@FAKESVC@, --name, app, --record, @RECORD@]\n"
	    "    checks:\n"
	    "      calm: { type: process, cpu: { warn: 50 }, every: 1s, timeout: 3s }\n");
	harness_start(&t);
	/* The first run has no last sample: two of its own, a second apart. */
	assert_true(wait_check_state("busy", "warning", 5000));
	assert_true(daemon_check_run("busy", st, sizeof(st), &ms));
	assert_true(ms >= 250);
	assert_true(wait_check_state("calm", "healthy", 5000));
	/* Then one sample a run, the CPU share over the second since the last. */
	assert_true(wait_quick_run("busy", "warning", 5000));
	assert_true(wait_quick_run("calm", "healthy", 5000));
}

static void
deps_checks_find_what_the_system_has(void **state)
{
	char *config;
	json_t *doc;
	int code;

	config = write_checks(
	    "checks:\n"
	    "  present:\n"
	    "    type: deps\n"
	    "    executables: { sh: '', cmake: '>= 3.0, < 99' }\n"
	    "    libraries: [libc.so.6]\n"
	    "    packages: { libc6: '>= 2.0' }\n"
	    "    pkgconfig: { libuv: '>= 1.0' }\n"
	    "    paths: [/etc/passwd]\n"
	    "  missing:\n"
	    "    type: deps\n"
	    "    executables: { no-such-tool-here: '' }\n"
	    "  too_old:\n"
	    "    type: deps\n"
	    "    executables: { cmake: '>= 99' }\n"
	    "  stale:\n"
	    "    type: deps\n"
	    "    updates: { warn: 2, crit: 10, command: [/bin/sh, -c,\n"
	    "      'echo Listing...; echo a/x 1 upgradable; echo b/x 2 upgradable; echo c/x 3 up'] }\n");
	doc = run_check(config, &code);
	assert_string_equal(state_of(doc, "present"), "healthy");
	assert_string_equal(state_of(doc, "missing"), "critical");
	assert_non_null(strstr(json_string_value(json_object_get(find(doc, "missing"),
	    "message")), "no-such-tool-here not found"));
	assert_string_equal(state_of(doc, "too_old"), "critical");
	assert_non_null(strstr(json_string_value(json_object_get(find(doc, "too_old"),
	    "message")), "does not satisfy >= 99"));
	assert_string_equal(state_of(doc, "stale"), "warning");
	assert_non_null(strstr(json_string_value(json_object_get(find(doc, "stale"),
	    "message")), "3 updates pending"));
	assert_int_equal(code, 2);
	json_decref(doc);
}

static void
debian_monitoring_plugins_work_unchanged(void **state)
{
	const char *dir = "/usr/lib/nagios/plugins";
	char config[2048];
	json_t *doc;
	int code;

	if (access("/usr/lib/nagios/plugins/check_load", X_OK) != 0)
		skip();		/* monitoring-plugins-basic; make test installs it */
	snprintf(config, sizeof(config),
	    "checks:\n"
	    "  load: { type: command, run: [%s/check_load, -w, '50,50,50', -c, '99,99,99'] }\n"
	    "  disk: { type: command, run: [%s/check_disk, -w, '100%%', -c, '100%%', -p, /] }\n"
	    "  dummy: { type: command, run: [%s/check_dummy, '1', 'hello'] }\n",
	    dir, dir, dir);
	harness_write_file(&t, t.config, config);
	doc = run_check(t.config, &code);
	assert_string_equal(state_of(doc, "load"), "healthy");
	assert_int_equal(json_array_size(json_object_get(find(doc, "load"), "metrics")), 3);
	assert_string_equal(state_of(doc, "disk"), "critical");
	assert_non_null(strstr(json_string_value(json_object_get(find(doc, "disk"),
	    "message")), "DISK CRITICAL"));
	assert_string_equal(state_of(doc, "dummy"), "warning");
	assert_int_equal(code, 2);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(every_kind_against_real_targets),
		TEND_TEST(a_hung_target_costs_one_timeout_in_parallel),
		TEND_TEST(exit_codes_follow_the_worst_state),
		TEND_TEST(the_daemon_tracks_service_checks_with_fail_after_and_recover_after),
		TEND_TEST(file_checks_judge_what_they_see),
		TEND_TEST(a_changed_file_is_noticed_by_the_daemon),
		TEND_TEST(a_process_check_sums_the_service_tree),
		TEND_TEST(a_process_check_measures_cpu_since_its_last_run),
		TEND_TEST(deps_checks_find_what_the_system_has),
		TEND_TEST(debian_monitoring_plugins_work_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
