/*
 * The healing config (heal lists, named actions, policy, classify rules,
 * anomaly settings) with its errors at file:line:col; plans by category;
 * learning's Beta-posterior ordering of `any:`; root cause through
 * depends_on; the anomaly watch's per-series settings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "diagnose/anomaly_watch.h"
#include "diagnose/rootcause.h"
#include "heal/learning.h"
#include "heal/plan.h"

#include "config_asserts.h"

static const char full[] =
    "heal:\n"
    "  max_attempts: 4\n"
    "  cooldown: 2m\n"
    "  verify_timeout: 10s\n"
    "  correlation_window: 45s\n"
    "actions:\n"
    "  rebuild: { exec: [/bin/true, --all], timeout: 5m }\n"
    "  tmp: { cleanup: { paths: ['/tmp/x/*.log'], older_than: 1d, keep_newest: 2 } }\n"
    "classify:\n"
    "  - { match: 'ECONNRESET', category: network }\n"
    "anomaly:\n"
    "  z: 5\n"
    "  noisy: [check.web.latency_ms]\n"
    "  series: { 'check.cpu.*': { z: 6, k: 5 } }\n"
    "services:\n"
    "  db: { run: [/bin/sleep, '1'] }\n"
    "  web:\n"
    "    run: [/bin/sleep, '1']\n"
    "    depends_on: [db]\n"
    "    heal: [restart, escalate]\n"
    "    checks:\n"
    "      health:\n"
    "        type: tcp\n"
    "        port: 1\n"
    "        heal: [{ wait: 2s }, { any: [restart, rebuild] }, { restart: db },\n"
    "               { adjust_timeout: { factor: 3, max: 20s } }, rollback, escalate,\n"
    "               enable_monitoring, { enable_monitoring: { every: 2s, for: 1m } }]\n"
    "checks:\n"
    "  disk: { type: resource, metric: disk, warn: 80, crit: 90 }\n";

static void
the_healing_sections_parse(void **state)
{
	struct tend_config *cfg = load_ok(full);
	const struct check_conf *health = &cfg->checks[0];
	const struct heal_action *a;

	assert_int_equal(cfg->heal.max_attempts, 4);
	assert_int_equal(cfg->heal.cooldown_ms, 120000);
	assert_int_equal(cfg->heal.verify_timeout_ms, 10000);
	assert_int_equal(cfg->heal.correlation_window_ms, 45000);
	assert_int_equal(cfg->n_actions, 2);
	assert_int_equal(cfg->actions[0].kind, HEAL_EXEC);
	assert_int_equal(cfg->actions[0].timeout_ms, 300000);
	assert_int_equal(cfg->actions[1].kind, HEAL_CLEANUP);
	assert_int_equal(cfg->actions[1].older_than_ms, 86400000);
	assert_int_equal(cfg->actions[1].keep_newest, 2);
	assert_int_equal(cfg->n_classify, 1);
	assert_true(cfg->anomaly.z == 5);
	/* noisy, check.cpu.*; floors unset: by each series' unit. */
	assert_int_equal(cfg->anomaly.n_series, 2);
	assert_true(cfg->anomaly.series[1].min_delta == -1);
	assert_true(cfg->anomaly.min_delta == -1 && cfg->anomaly.min_ratio == -1);

	assert_string_equal(health->name, "health");
	assert_int_equal(health->heal.n, 8);
	assert_int_equal(health->heal.v[0].kind, HEAL_WAIT);
	assert_int_equal(health->heal.v[0].wait_ms, 2000);
	a = &health->heal.v[1];
	assert_int_equal(a->kind, HEAL_ANY);
	assert_int_equal(a->n_alternatives, 2);
	assert_int_equal(a->alternatives[1].kind, HEAL_NAMED);
	assert_ptr_equal(a->alternatives[1].named, &cfg->actions[0]);
	assert_string_equal(health->heal.v[2].service, "db");
	assert_string_equal(health->heal.v[2].name, "restart-db");
	assert_true(health->heal.v[3].factor == 3);
	assert_int_equal(health->heal.v[4].kind, HEAL_ROLLBACK);
	a = &health->heal.v[6];
	assert_int_equal(a->kind, HEAL_MONITOR);
	assert_string_equal(a->name, "enable_monitoring");
	assert_int_equal(a->every_ms, 1000);
	assert_int_equal(a->for_ms, 600000);
	assert_int_equal(health->heal.v[7].every_ms, 2000);
	assert_int_equal(health->heal.v[7].for_ms, 60000);
	assert_int_equal(cfg->services[1].heal.n, 2);
	config_free(cfg);
}

static void
auto_heal_false_turns_acting_off(void **state)
{
	struct tend_config *cfg = load_ok("auto_heal: false\n"
	    "self_healing: { enabled: true }\n");

	/* Written explicitly, it wins over the self_healing block. */
	assert_false(cfg->heal.auto_heal);
	config_free(cfg);
	cfg = load_ok("heal: { auto: false }\n");
	assert_false(cfg->heal.auto_heal);
	config_free(cfg);
}

static void
heal_errors_are_located(void **state)
{
	assert_error("checks:\n  c:\n    type: tcp\n    port: 1\n    heal: [reboot]\n",
	    5, 12, "'reboot' is not an action");
	assert_error("checks:\n  c:\n    type: tcp\n    port: 1\n    heal: [restart]\n",
	    5, 12, "belongs to no service");
	assert_error("services:\n  a:\n    run: [/bin/true]\n    heal: [{ restart: nope }]\n",
	    4, 12, "'nope', which is not a service");
	assert_error("actions:\n  x: { exec: [/bin/true], wait: 1s }\n", 2, 6,
	    "exactly one");
	assert_error("actions:\n  x: { cleanup: { older_than: 1d } }\n", 2, 17, "paths");
	/* What the cleanup walk refuses is said where it was written. */
	assert_error("actions:\n  x: { cleanup: { paths: ['/tmp/a/*', 'tmp/*.log'] } }\n",
	    2, 39, "not an absolute path");
	assert_error("actions:\n  x: { cleanup: { paths: ['/tmp/../etc/*'] } }\n", 2, 27,
	    "'..'");
	assert_error("actions:\n  x: { cleanup: { paths: /var/tmp/x/ } }\n", 2, 26,
	    "ends in '/'");
	assert_error("actions:\n  x: { any: [restart] }\n", 2, 13, "at least two");
	assert_error("classify:\n  - { match: '(', category: network }\n", 2, 5, "bad regex");
	assert_error("classify:\n  - { match: 'x', category: gremlins }\n", 2, 5,
	    "'gremlins' is not one of");
	assert_error("services:\n  a:\n    run: [/bin/true]\n    heal: [exec]\n", 4, 12,
	    "needs settings");
}

/*
 * heal: [[restart]] or [{bogus: 1}] with anything under actions: left an
 * action without a name, which the validator passed to strcmp: SIGSEGV
 * in tend validate, and a dead daemon on SIGHUP.
 */
static void
malformed_heal_items_are_errors_not_crashes(void **state)
{
	assert_error("actions:\n  x: restart\nservices:\n  a:\n    run: [/bin/true]\n"
	    "    heal: [[restart]]\n", 6, 12, "expected an action");
	assert_error("actions:\n  x: restart\nservices:\n  a:\n    run: [/bin/true]\n"
	    "    heal: [{bogus: 1}]\n", 6, 12, "exactly one of");
	assert_error("actions:\n  x: restart\nchecks:\n  c:\n    type: tcp\n    port: 1\n"
	    "    heal: [restart, [x], {name: y}]\n", 7, 21, "expected an action");
	assert_error("actions:\n  x: restart\nchecks:\n  c:\n    type: tcp\n    port: 1\n"
	    "    heal: [restart, [x], {name: y}]\n", 7, 26, "exactly one of");
	assert_error("actions:\n  x: restart\n  y: { any: [[restart], {bogus: 1}] }\n",
	    3, 14, "expected an action");
	assert_error("actions:\n  x: [[restart]]\nservices:\n  a:\n    run: [/bin/true]\n"
	    "    heal: [x]\n", 2, 6, "expected an action");
}

static void
defaults_follow_the_category(void **state)
{
	struct tend_config *cfg = load_ok(
	    "actions:\n"
	    "  tmp: { cleanup: { paths: ['/tmp/x/*'] } }\n"
	    "  old: { cleanup: { paths: ['/var/tmp/x/*'] } }\n"
	    "services:\n"
	    "  web:\n"
	    "    run: [/bin/sleep, '1']\n"
	    "    checks:\n"
	    "      port: { type: tcp, port: 1 }\n"
	    "checks:\n"
	    "  disk: { type: resource, metric: disk, warn: 80, crit: 90 }\n"
	    "  load: { type: resource, metric: load, warn: 8, crit: 9 }\n");
	const struct service_conf *web = config_find_service(cfg, "web");
	struct learning *l = learning_new();
	struct heal_steps s;

	/* A hung or crashed service: restart it. */
	assert_int_equal(heal_plan_build(cfg, config_find_check(cfg, "port"), web, FAILURE_TIMEOUT,
	    l, &s), 1);
	assert_int_equal(s.v[0].action->kind, HEAL_RESTART);
	assert_string_equal(s.v[0].service, "web");
	assert_string_equal(s.source, "default for timeout");
	heal_steps_clear(&s);
	/* A missing library: no restart will fix it. */
	assert_int_equal(heal_plan_build(cfg, config_find_check(cfg, "port"), web,
	    FAILURE_DEPENDENCY, l, &s), 0);
	heal_steps_clear(&s);
	/* A full disk: every declared cleanup. */
	assert_int_equal(heal_plan_build(cfg, config_find_check(cfg, "disk"), NULL,
	    FAILURE_RESOURCE, l, &s), 2);
	assert_string_equal(s.v[1].action->name, "old");
	heal_steps_clear(&s);
	/* High load on the host: nothing tend can do by itself. */
	assert_int_equal(heal_plan_build(cfg, config_find_check(cfg, "load"), NULL,
	    FAILURE_RESOURCE, l, &s), 0);
	heal_steps_clear(&s);
	learning_free(l);
	config_free(cfg);
}

static void
learning_estimates_are_beta_posterior_means(void **state)
{
	struct learning *l = learning_new();
	const char *names[] = { "restart", "rebuild", "poke" };
	size_t order[3];

	assert_true(learning_estimate(l, "crash", "restart") == 0.5);
	learning_add(l, "crash", "restart", 4, 1);
	learning_record(l, "crash", "rebuild", true);
	assert_true(learning_estimate(l, "crash", "restart") == 2.0 / 6.0);
	assert_true(learning_estimate(l, "crash", "rebuild") == 2.0 / 3.0);
	/* Another category learns on its own. */
	assert_true(learning_estimate(l, "network", "rebuild") == 0.5);
	learning_rank(l, "crash", names, 3, order);
	assert_int_equal(order[0], 1);	/* rebuild 0.67 */
	assert_int_equal(order[1], 2);	/* poke, untried, 0.5 */
	assert_int_equal(order[2], 0);	/* restart 0.33 */
	/* Ties keep the written order. */
	learning_rank(l, "network", names, 3, order);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 1);
	learning_free(l);
}

static void
any_lays_out_alternatives_best_first_and_says_why(void **state)
{
	struct tend_config *cfg = load_ok(full);
	const struct check_conf *health = config_find_check(cfg, "health");
	const struct service_conf *web = config_find_service(cfg, "web");
	struct learning *l = learning_new();
	struct heal_steps s;

	learning_add(l, "crash", "restart", 3, 0);
	learning_add(l, "crash", "rebuild", 3, 3);
	assert_int_equal(heal_plan_build(cfg, health, web, FAILURE_CRASH, l, &s), 9);
	assert_int_equal(s.v[0].action->kind, HEAL_WAIT);
	assert_string_equal(s.v[1].action->name, "rebuild");
	assert_string_equal(s.v[2].action->name, "restart");
	assert_string_equal(s.v[2].service, "web");
	assert_string_equal(s.v[3].service, "db");
	assert_non_null(strstr(s.notes, "rebuild first (estimate 0.80, 3 of 3 worked)"));
	assert_non_null(strstr(s.notes, "then restart (0.20, 0 of 3)"));
	assert_string_equal(s.source, "check 'health'");
	heal_steps_clear(&s);
	learning_free(l);
	config_free(cfg);
}

static void
the_root_cause_is_the_deepest_failing_dependency(void **state)
{
	struct tend_config *cfg = load_ok(
	    "services:\n"
	    "  db: { run: [/bin/sleep, '1'] }\n"
	    "  cache: { run: [/bin/sleep, '1'], depends_on: [db] }\n"
	    "  web: { run: [/bin/sleep, '1'], depends_on: [cache] }\n"
	    "  other: { run: [/bin/sleep, '1'] }\n");
	struct dep_closure *d = dep_closure_new(cfg);
	const char *failing[] = { "web", NULL, "cache", "db" };
	const char *unrelated[] = { "web", "other" };

	assert_true(dep_closure_depends(d, "web", "db"));
	assert_true(dep_closure_depends(d, "web", "cache"));
	assert_false(dep_closure_depends(d, "db", "web"));
	assert_false(dep_closure_depends(d, "web", "web"));
	assert_false(dep_closure_depends(d, "web", "other"));
	assert_int_equal(dep_closure_deepest(d, failing, 4), 3);
	assert_int_equal(dep_closure_deepest(d, unrelated, 2), 0);
	dep_closure_free(d);
	config_free(cfg);
}

struct events {
	int	 started;
	int	 ended;
	char	 last[128];
};

static void
count_event(void *arg, const char *series, bool started, double value, double baseline,
    double score)
{
	struct events *ev = arg;

	if (started)
		ev->started++;
	else
		ev->ended++;
	snprintf(ev->last, sizeof(ev->last), "%s", series);
}

static void
feed_step(struct anomaly_watch *w, const char *series)
{
	int i;

	for (i = 0; i < 40; i++)
		anomaly_watch_feed(w, series, "ms", 10 + (i % 3) * 0.1);
	for (i = 0; i < 5; i++)
		anomaly_watch_feed(w, series, "ms", 50);
}

static void
the_anomaly_watch_skips_noisy_series_and_applies_settings(void **state)
{
	struct tend_config *cfg = load_ok(full);
	struct events ev = { 0 };
	struct anomaly_watch *w = anomaly_watch_new(&cfg->anomaly, count_event, &ev);
	int i;

	feed_step(w, "check.web.latency_ms");	/* declared noisy */
	assert_int_equal(ev.started, 0);
	feed_step(w, "check.db.latency_ms");
	assert_int_equal(ev.started, 1);
	assert_string_equal(ev.last, "check.db.latency_ms");
	/* k: 5 for check.cpu.*: four samples out of line are not yet an anomaly. */
	for (i = 0; i < 40; i++)
		anomaly_watch_feed(w, "check.cpu.cpu", "%", 10 + (i % 3) * 0.1);
	for (i = 0; i < 4; i++)
		anomaly_watch_feed(w, "check.cpu.cpu", "%", 50);
	assert_int_equal(ev.started, 1);
	anomaly_watch_feed(w, "check.cpu.cpu", "%", 50);
	assert_int_equal(ev.started, 2);
	/* A latency wobble under the 5 ms floor is not an anomaly, however many z. */
	for (i = 0; i < 40; i++)
		anomaly_watch_feed(w, "check.api.latency_ms", "ms", 0.2 + (i % 3) * 0.01);
	for (i = 0; i < 5; i++)
		anomaly_watch_feed(w, "check.api.latency_ms", "ms", 3);
	assert_int_equal(ev.started, 2);
	assert_int_equal(anomaly_watch_count(w), 4);
	anomaly_watch_free(w);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_healing_sections_parse),
		cmocka_unit_test(auto_heal_false_turns_acting_off),
		cmocka_unit_test(heal_errors_are_located),
		cmocka_unit_test(malformed_heal_items_are_errors_not_crashes),
		cmocka_unit_test(defaults_follow_the_category),
		cmocka_unit_test(learning_estimates_are_beta_posterior_means),
		cmocka_unit_test(any_lays_out_alternatives_best_first_and_says_why),
		cmocka_unit_test(the_root_cause_is_the_deepest_failing_dependency),
		cmocka_unit_test(the_anomaly_watch_skips_noisy_series_and_applies_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
