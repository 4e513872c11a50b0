/*
 * tend.yaml: defaults, every kind of error at its file:line:col, the
 * self_healing block, environment overrides, reload equality, and every
 * example in examples/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

#include "config_asserts.h"

static int
reset(void **state)
{
	config_errors_clear(&errs);
	unsetenv("HEALTH_CHECK_INTERVAL");
	unsetenv("AUTO_HEAL_ENABLED");
	unsetenv("TEND_CONFIG");
	return 0;
}

static void
defaults_fill_what_is_unset(void **state)
{
	struct tend_config *cfg = load_ok("services:\n  a:\n    run: [/bin/sleep, '1']\n");
	const struct service_conf *s = &cfg->services[0];

	assert_int_equal(cfg->n_services, 1);
	assert_string_equal(s->name, "a");
	assert_int_equal(s->kind, SERVICE_SUPERVISED);
	assert_int_equal(s->restart, RESTART_ALWAYS);
	assert_int_equal(s->backoff.initial_ms, 100);
	assert_int_equal(s->backoff.max_ms, 30000);
	assert_int_equal(s->backoff.reset_after_ms, 10000);
	assert_int_equal(s->limit.restarts, 5);
	assert_int_equal(s->limit.within_ms, 60000);
	assert_int_equal(s->stop.signal, SIGTERM);
	assert_int_equal(s->stop.timeout_ms, 10000);
	assert_int_equal(s->ready.kind, READY_STARTED);
	assert_int_equal(s->log.max_size, 10 * 1024 * 1024);
	assert_int_equal(s->log.keep, 5);
	assert_int_equal(s->umask, -1);
	assert_int_equal(cfg->interval_ms, 30000);
	assert_true(cfg->heal.auto_heal);
	assert_int_equal(cfg->heal.max_attempts, 3);
	config_free(cfg);
}

static void
a_full_service_parses(void **state)
{
	struct tend_config *cfg = load_ok(
	    "services:\n"
	    "  db:\n"
	    "    run: [/bin/sleep, '100']\n"
	    "    cwd: /tmp\n"
	    "    env: { A: '1', B: two }\n"
	    "    umask: '027'\n"
	    "    restart: on-failure\n"
	    "    backoff: { initial: 0s, max: 5s, multiplier: 3, jitter: 0.5, reset_after: 1m }\n"
	    "    limit: { restarts: 2, within: 10s }\n"
	    "    stop: { signal: SIGINT, timeout: 250ms }\n"
	    "    ready: { tcp: 'localhost:6379', timeout: 5s }\n"
	    "    log: { max_size: 4KB, keep: 2 }\n"
	    "  app:\n"
	    "    run: /bin/true\n"
	    "    depends_on: [db]\n"
	    "    ready: notify\n"
	    "    watchdog: 2s\n");
	const struct service_conf *db = config_find_service(cfg, "db");
	const struct service_conf *app = config_find_service(cfg, "app");

	assert_non_null(db);
	assert_string_equal(db->env[1], "B=two");
	assert_int_equal(db->umask, 027);
	assert_int_equal(db->restart, RESTART_ON_FAILURE);
	assert_int_equal(db->backoff.initial_ms, 0);
	assert_true(db->backoff.multiplier == 3.0);
	assert_int_equal(db->limit.restarts, 2);
	assert_int_equal(db->stop.signal, SIGINT);
	assert_int_equal(db->stop.timeout_ms, 250);
	assert_int_equal(db->ready.kind, READY_TCP);
	assert_string_equal(db->ready.host, "localhost");
	assert_int_equal(db->ready.port, 6379);
	assert_int_equal(db->log.max_size, 4096);
	assert_string_equal(app->run[0], "/bin/true");
	assert_null(app->run[1]);
	assert_string_equal(app->depends_on[0], "db");
	assert_int_equal(app->ready.kind, READY_NOTIFY);
	assert_int_equal(app->watchdog_ms, 2000);
	config_free(cfg);
}

static void
an_external_service_parses(void **state)
{
	struct tend_config *cfg = load_ok(
	    "services:\n"
	    "  legacy:\n"
	    "    pidfile: /run/legacy.pid\n"
	    "    start: [/bin/true, start]\n"
	    "    stop: [/bin/true, stop]\n"
	    "    restart: [/bin/true, restart]\n");

	assert_int_equal(cfg->services[0].kind, SERVICE_EXTERNAL);
	assert_string_equal(cfg->services[0].stop_cmd[1], "stop");
	assert_string_equal(cfg->services[0].restart_cmd[1], "restart");
	config_free(cfg);
}

static void
malformed_yaml_is_located(void **state)
{
	assert_error("services:\n  a: [\n", 3, 1, "malformed YAML");
}

static void
unknown_key_names_the_allowed_ones(void **state)
{
	assert_error("services:\n  a:\n    run: [/bin/true]\n    restrat: always\n",
	    4, 5, "expected one of: run, cwd");
	assert_error("servics: {}\n", 1, 1, "unknown key 'servics'");
	/* More rotations than tend logs reads back would be lost to it. */
	assert_error("services:\n  a:\n    run: [/bin/true]\n    log: { keep: 100 }\n",
	    4, 18, "at most 63 rotated files");
}

/* Two entries of one name: which would tend run? Neither; it says where. */
static void
a_name_given_twice_is_an_error(void **state)
{
	assert_error("services:\n  a:\n    run: [/bin/true]\n  a:\n    run: [/bin/true]\n",
	    4, 3, "service 'a' is declared twice");
	assert_error("checks:\n  c: { type: tcp, port: 1 }\n  c: { type: tcp, port: 1 }\n",
	    3, 3, "check 'c' is declared twice");
	assert_error("services:\n  a:\n    run: [/bin/true]\n    env: { A: '1', A: '2' }\n",
	    4, 20, "'A' is given twice");
}

/*
 * History, metrics, incidents and `tend history NAME` know a check by its
 * name alone: two services' checks of one name would be one series.
 */
static void
a_check_name_is_unique_in_the_whole_config(void **state)
{
	assert_error("services:\n"
	    "  a:\n    run: [/bin/true]\n    checks: { h: { type: tcp, port: 1 } }\n"
	    "  b:\n    run: [/bin/true]\n    checks: { h: { type: tcp, port: 2 } }\n",
	    7, 15, "check 'h' is also declared at line 4");
	assert_error("checks:\n  h: { type: tcp, port: 1 }\nservices:\n"
	    "  a:\n    run: [/bin/true]\n    checks: { h: { type: tcp, port: 2 } }\n",
	    6, 15, "check 'h' is also declared at line 2");
}

/* threshold_cpu made a second check 'cpu' beside a tcp check 'cpu'. */
static void
self_healing_never_adds_a_second_check_of_a_name(void **state)
{
	struct tend_config *cfg;

	assert_error("self_healing: { error_detection: { threshold_cpu: 80 } }\n"
	    "checks:\n  cpu: { type: tcp, port: 80 }\n", 3, 3,
	    "self_healing.error_detection.threshold_cpu adds a cpu resource check");
	assert_error("self_healing: { error_detection: { threshold_memory: 80 } }\n"
	    "checks:\n  memory: { type: resource, metric: swap, warn: 1, crit: 2 }\n",
	    3, 3, "threshold_memory");
	/* A resource check of the metric, under any name, is the one it sets. */
	cfg = load_ok("self_healing: { error_detection: { threshold_cpu: 80 } }\n"
	    "checks:\n  processor: { type: resource, metric: cpu, warn: 70, crit: 90 }\n");
	assert_int_equal(cfg->n_checks, 1);
	config_free(cfg);
}

static void
wrong_types_are_reported(void **state)
{
	assert_error("services:\n  a:\n    run: [/bin/true]\n    env: [A]\n", 4, 10,
	    "expected a mapping");
	assert_error("services:\n  a:\n    run: [/bin/true]\n    limit: { restarts: many }\n",
	    4, 24, "whole number");
	assert_error("services: [a, b]\n", 1, 11, "mapping");
}

static void
durations_must_be_positive_where_they_are_timeouts(void **state)
{
	assert_error("services:\n  a:\n    run: [/bin/true]\n    stop: { timeout: 0s }\n",
	    4, 22, "positive");
	assert_error("services:\n  a:\n    run: [/bin/true]\n    stop: { timeout: -1s }\n",
	    4, 22, "positive");
	assert_error("interval: soon\n", 1, 11, "duration");
}

static void
unknown_dependency_is_reported(void **state)
{
	assert_error("services:\n  a:\n    run: [/bin/true]\n    depends_on: [ghost]\n",
	    2, 3, "'ghost'");
}

static void
dependency_cycle_is_named(void **state)
{
	assert_error("services:\n"
	    "  a: { run: [/bin/true], depends_on: [b] }\n"
	    "  b: { run: [/bin/true], depends_on: [c] }\n"
	    "  c: { run: [/bin/true], depends_on: [a] }\n",
	    2, 3, "a -> b -> c -> a");
}

static void
missing_or_non_executable_program_is_reported(void **state)
{
	assert_error("services:\n  a:\n    run: [/no/such/program]\n", 2, 3,
	    "not executable");
	assert_error("services:\n  a:\n    run: [no-such-program-anywhere]\n", 2, 3,
	    "not found on PATH");
	assert_error("services:\n  a:\n    run: [/etc/passwd]\n", 2, 3, "not executable");
}

static void
bad_combinations_are_reported(void **state)
{
	assert_error("services:\n  a:\n    run: [/bin/true]\n    watchdog: 1s\n", 2, 3,
	    "ready: notify");
	assert_error("services:\n  a:\n    cwd: /tmp\n", 2, 3, "'run'");
	assert_error("services:\n  a:\n    run: [/bin/true]\n    pidfile: /x.pid\n", 2, 3,
	    "both");
	assert_error("services:\n  a:\n    run: [/bin/true]\n    stop: { signal: NOPE }\n",
	    4, 21, "signal");
	assert_error("checks:\n  c: { type: resource, metric: cpu, warn: 90, crit: 80 }\n",
	    2, 3, "must not exceed");
	assert_error("services:\n  a:\n    run: [/bin/true]\n    restart: sometimes\n", 4, 14,
	    "on-failure");
}

static void
several_errors_are_collected_at_once(void **state)
{
	struct tend_config *cfg = config_load_string("t.yaml",
	    "services:\n"
	    "  a:\n"
	    "    run: [/bin/true]\n"
	    "    bogus: 1\n"
	    "    stop: { timeout: never }\n"
	    "    depends_on: [nobody]\n", &errs);

	assert_null(cfg);
	assert_int_equal(errs.n, 3);
	/* In file order. */
	assert_int_equal(errs.v[0].line, 2);
	assert_int_equal(errs.v[1].line, 4);
	assert_int_equal(errs.v[2].line, 5);
}

static const char self_healing_block[] =
    "self_healing:\n"
    "  enabled: true\n"
    "  error_detection:\n"
    "    monitoring_interval: 30\n"
    "    threshold_cpu: 80.0\n"
    "    threshold_memory: 85.0\n"
    "    threshold_error_rate: 5.0\n"
    "    pattern_recognition_enabled: true\n"
    "    anomaly_detection_enabled: true\n"
    "  recovery:\n"
    "    max_retry_attempts: 3\n"
    "    escalation_timeout: 300\n"
    "    rollback_enabled: true\n"
    "    auto_scaling_enabled: true\n"
    "  learning:\n"
    "    effectiveness_tracking: true\n"
    "    pattern_recognition: true\n"
    "    continuous_improvement: true\n";

static void
self_healing_block_maps_onto_settings(void **state)
{
	char yaml[2048];
	struct tend_config *cfg;
	const struct check_conf *cpu, *mem;

	snprintf(yaml, sizeof(yaml), "%sservices:\n  a: { run: [/bin/true] }\n",
	    self_healing_block);
	cfg = load_ok(yaml);
	assert_true(cfg->self_healing.present);
	assert_true(cfg->heal.auto_heal);
	assert_int_equal(cfg->interval_ms, 30000);
	assert_int_equal(cfg->heal.max_attempts, 3);
	assert_int_equal(cfg->heal.escalation_timeout_ms, 300000);
	assert_int_equal(cfg->services[0].limit.restarts, 3);
	assert_true(cfg->self_healing.threshold_error_rate == 5.0);
	assert_true(cfg->self_healing.rollback_enabled);
	assert_true(cfg->self_healing.continuous_improvement);
	cpu = config_find_check(cfg, "cpu");
	mem = config_find_check(cfg, "memory");
	assert_non_null(cpu);
	assert_non_null(mem);
	assert_true(cpu->warn == 80.0);
	assert_true(cpu->crit >= cpu->warn);
	assert_true(mem->warn == 85.0);
	config_free(cfg);
}

static void
explicit_settings_win_over_self_healing(void **state)
{
	char yaml[2048];
	struct tend_config *cfg;

	snprintf(yaml, sizeof(yaml),
	    "interval: 5s\n"
	    "heal: { auto: false }\n"
	    "checks:\n  mycpu: { type: resource, metric: cpu, warn: 50, crit: 60 }\n"
	    "services:\n  a: { run: [/bin/true], limit: { restarts: 9 } }\n%s",
	    self_healing_block);
	cfg = load_ok(yaml);
	assert_int_equal(cfg->interval_ms, 5000);
	assert_false(cfg->heal.auto_heal);
	assert_int_equal(cfg->services[0].limit.restarts, 9);
	assert_null(config_find_check(cfg, "cpu"));
	assert_true(config_find_check(cfg, "mycpu")->warn == 50.0);
	config_free(cfg);
}

static void
environment_overrides_win(void **state)
{
	struct tend_config *cfg;

	setenv("HEALTH_CHECK_INTERVAL", "2.5", 1);
	setenv("AUTO_HEAL_ENABLED", "false", 1);
	cfg = load_ok("interval: 1m\nheal: { auto: true }\n");
	assert_int_equal(cfg->interval_ms, 2500);
	assert_false(cfg->heal.auto_heal);
	config_free(cfg);

	setenv("HEALTH_CHECK_INTERVAL", "-3", 1);
	assert_null(config_load_string("t.yaml", "{}\n", &errs));
	assert_string_equal(errs.v[0].file, "HEALTH_CHECK_INTERVAL");
	config_errors_clear(&errs);
	unsetenv("HEALTH_CHECK_INTERVAL");

	setenv("AUTO_HEAL_ENABLED", "maybe", 1);
	assert_null(config_load_string("t.yaml", "{}\n", &errs));
	assert_string_equal(errs.v[0].file, "AUTO_HEAL_ENABLED");
}

static void
service_equality_ignores_position_only(void **state)
{
	struct tend_config *a = load_ok("services:\n  s: { run: [/bin/sleep, '1'] }\n");
	struct tend_config *b = load_ok("\n\nservices:\n    s: { run: [/bin/sleep, '1'] }\n");
	struct tend_config *c = load_ok("services:\n  s: { run: [/bin/sleep, '2'] }\n");

	assert_true(service_conf_equal(&a->services[0], &b->services[0]));
	assert_false(service_conf_equal(&a->services[0], &c->services[0]));
	config_free(a);
	config_free(b);
	config_free(c);
}

static void
checks_of_every_type_parse(void **state)
{
	struct tend_config *cfg = load_ok(
	    "checks:\n"
	    "  api:\n"
	    "    type: http\n"
	    "    url: http://127.0.0.1:8080/health\n"
	    "    method: POST\n"
	    "    headers: { X-Token: abc }\n"
	    "    status: [200, '300-302']\n"
	    "    contains: ok\n"
	    "    latency_warn: 200ms\n"
	    "    latency_crit: 1s\n"
	    "    timeout: 2s\n"
	    "    fail: { n: 2, of: 3 }\n"
	    "    recover_after: 2\n"
	    "  redis: { type: tcp, port: 'localhost:6379', send: 'PING\\r\\n', expect: '+PONG' }\n"
	    "  plugin: { type: command, run: [/bin/true], every: 1m, fail_after: 3 }\n"
	    "services:\n"
	    "  web:\n"
	    "    run: [/bin/true]\n"
	    "    checks:\n"
	    "      up: { type: tcp, port: 8080 }\n");
	const struct check_conf *api = config_find_check(cfg, "api");
	const struct check_conf *redis = config_find_check(cfg, "redis");
	const struct check_conf *plugin = config_find_check(cfg, "plugin");
	const struct check_conf *up = config_find_check(cfg, "up");

	assert_int_equal(api->type, CHECK_HTTP);
	assert_string_equal(api->http.method, "POST");
	assert_string_equal(api->http.headers[0], "X-Token: abc");
	assert_int_equal(api->http.n_status, 2);
	assert_int_equal(api->http.status[1].lo, 300);
	assert_int_equal(api->http.status[1].hi, 302);
	assert_true(api->http.redirects);
	assert_int_equal(api->latency_warn_ms, 200);
	assert_int_equal(api->timeout_ms, 2000);
	assert_int_equal(api->fail_n, 2);
	assert_int_equal(api->fail_of, 3);
	assert_int_equal(api->recover_after, 2);
	assert_null(api->service);
	assert_int_equal(redis->type, CHECK_TCP);
	assert_string_equal(redis->tcp.host, "localhost");
	assert_int_equal(redis->tcp.port, 6379);
	assert_int_equal(plugin->type, CHECK_COMMAND);
	assert_int_equal(plugin->fail_after, 3);
	assert_int_equal(plugin->timeout_ms, 10000);
	assert_string_equal(up->service, "web");
	assert_string_equal(up->tcp.host, "127.0.0.1");
	config_free(cfg);
}

static void
check_errors_depend_on_the_type(void **state)
{
	/* A key of another type is unknown here, and the list says what is allowed. */
	assert_error("checks:\n  c: { type: tcp, port: 80, url: x }\n", 2, 29,
	    "expected one of: type, every, timeout");
	assert_error("checks:\n  c: { type: http }\n", 2, 3, "'url' is required");
	assert_error("checks:\n  c: { type: carrier-pigeon }\n", 2, 14, "resource, http");
	assert_error("checks:\n  c: { port: 80 }\n", 2, 3, "'type' is required");
	assert_error("checks:\n  c: { type: http, url: x, status: [200, 999] }\n", 2, 42,
	    "HTTP status");
	assert_error("checks:\n  c: { type: command, run: [/no/such/plugin] }\n", 2, 3,
	    "not executable");
	assert_error("checks:\n  c: { type: tcp, port: 1, fail: { n: 4, of: 3 } }\n", 2, 3,
	    "n at most of");
	assert_error("checks:\n  c: { type: deps, executables: { curl: 'about 7' } }\n", 2,
	    41, "not a version constraint");
	assert_error("checks:\n  c: { type: deps }\n", 2, 3, "expected executables");
}

static void
relative_paths_are_relative_to_the_config_file(void **state)
{
	char dir[] = "/tmp/tend-config-XXXXXX", path[256], want[256], cmd[512];
	struct tend_config *cfg;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/bin %s/work && cp /bin/true %s/work/prog",
	    dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/tend.yaml", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("state_dir: state\n"
	    "services:\n"
	    "  a: { run: [./prog], cwd: work }\n"
	    "  b: { pidfile: b.pid, start: [work/prog] }\n", f);
	fclose(f);
	cfg = config_load_file(path, &errs);
	if (cfg == NULL)
		config_errors_print(&errs, stderr);
	assert_non_null(cfg);
	snprintf(want, sizeof(want), "%s/state", dir);
	assert_string_equal(cfg->state_dir, want);
	snprintf(want, sizeof(want), "%s/work", dir);
	assert_string_equal(cfg->services[0].cwd, want);
	snprintf(want, sizeof(want), "%s/work/./prog", dir);
	assert_string_equal(cfg->services[0].run[0], want);
	snprintf(want, sizeof(want), "%s/b.pid", dir);
	assert_string_equal(cfg->services[1].pidfile, want);
	config_free(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
embedded_default_loads_with_host_checks(void **state)
{
	struct tend_config *cfg = config_load_default(&errs);

	assert_non_null(cfg);
	assert_string_equal(cfg->source, "<embedded>");
	assert_int_equal(cfg->n_services, 0);
	assert_non_null(config_find_check(cfg, "cpu"));
	assert_non_null(config_find_check(cfg, "memory"));
	assert_non_null(config_find_check(cfg, "disk"));
	assert_non_null(config_find_check(cfg, "load"));
	config_free(cfg);
}

static void
every_example_loads(void **state)
{
	const char *src = getenv("TEND_SOURCE_DIR");
	char dir[4096], path[8192];
	struct tend_config *cfg;
	struct dirent *de;
	int loaded = 0;
	DIR *d;

	assert_non_null(src);
	snprintf(dir, sizeof(dir), "%s/examples", src);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".yaml") == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		cfg = config_load_file(path, &errs);
		if (cfg == NULL)
			config_errors_print(&errs, stderr);
		assert_non_null(cfg);
		config_free(cfg);
		loaded++;
	}
	closedir(d);
	assert_true(loaded >= 3);
}

/* metrics.labels: label names, none of tend's own nor Prometheus' target labels. */
static void
metric_labels_parse(void **state)
{
	struct tend_config *cfg;

	cfg = load_ok("metrics: { labels: { env: prod, team: 'pay ments' } }\n");
	assert_string_equal(cfg->metrics.labels[0], "env=prod");
	assert_string_equal(cfg->metrics.labels[1], "team=pay ments");
	assert_null(cfg->metrics.labels[2]);
	config_free(cfg);
	assert_error("metrics: { labels: { 9a: b } }\n", 1, 22, "not a label name");
	assert_error("metrics: { labels: { __x: b } }\n", 1, 22, "not a label name");
	assert_error("metrics: { labels: { service: b } }\n", 1, 22, "tend's series have it");
	assert_error("metrics: { labels: { instance: b } }\n", 1, 22, "Prometheus gives it");
	assert_error("metrics: { labels: { a: b, a: c } }\n", 1, 28, "twice");
	assert_error("metrics: { label: {} }\n", 1, 12, "unknown key 'label'");
}

/* A regex glibc could not afford to compile is an error at load, not an OOM later. */
static void
costly_regexes_are_config_errors(void **state)
{
	assert_error("checks:\n"
	    "  h: { type: http, url: 'http://127.0.0.1:1/', regex: 'a{2}{3}' }\n", 2, 3,
	    "a repetition repeated");
	assert_error("classify:\n  - { match: 'up++stream', category: network }\n", 2, 5,
	    "a repetition repeated");
	assert_error("classify:\n  - { match: '((a{100}){100}){100}', category: network }\n", 2,
	    5, "expand to more than");
	assert_error("classify:\n  - { match: 'a(b', category: network }\n", 2, 5, "bad regex");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(defaults_fill_what_is_unset, reset),
		cmocka_unit_test_setup(a_full_service_parses, reset),
		cmocka_unit_test_setup(an_external_service_parses, reset),
		cmocka_unit_test_setup(malformed_yaml_is_located, reset),
		cmocka_unit_test_setup(unknown_key_names_the_allowed_ones, reset),
		cmocka_unit_test_setup(a_name_given_twice_is_an_error, reset),
		cmocka_unit_test_setup(a_check_name_is_unique_in_the_whole_config, reset),
		cmocka_unit_test_setup(self_healing_never_adds_a_second_check_of_a_name, reset),
		cmocka_unit_test_setup(wrong_types_are_reported, reset),
		cmocka_unit_test_setup(durations_must_be_positive_where_they_are_timeouts, reset),
		cmocka_unit_test_setup(unknown_dependency_is_reported, reset),
		cmocka_unit_test_setup(dependency_cycle_is_named, reset),
		cmocka_unit_test_setup(missing_or_non_executable_program_is_reported, reset),
		cmocka_unit_test_setup(bad_combinations_are_reported, reset),
		cmocka_unit_test_setup(several_errors_are_collected_at_once, reset),
		cmocka_unit_test_setup(self_healing_block_maps_onto_settings, reset),
		cmocka_unit_test_setup(explicit_settings_win_over_self_healing, reset),
		cmocka_unit_test_setup(environment_overrides_win, reset),
		cmocka_unit_test_setup(service_equality_ignores_position_only, reset),
		cmocka_unit_test_setup(checks_of_every_type_parse, reset),
		cmocka_unit_test_setup(check_errors_depend_on_the_type, reset),
		cmocka_unit_test_setup(relative_paths_are_relative_to_the_config_file, reset),
		cmocka_unit_test_setup(embedded_default_loads_with_host_checks, reset),
		cmocka_unit_test_setup(every_example_loads, reset),
		cmocka_unit_test_setup(metric_labels_parse, reset),
		cmocka_unit_test_setup(costly_regexes_are_config_errors, reset),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	config_errors_clear(&errs);
	return rc;
}
