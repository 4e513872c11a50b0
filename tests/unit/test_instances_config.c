/*
 * A service's copies in the config (`instances:`, `scale:`): each copy a
 * service of its own with its number put in, its checks its own, a
 * dependency on the group one on the copies that always run, the scale
 * heal action; and each mistake at its place, said once for all copies.
 * Then when a group scales by itself (heal/autoscale.c), with chosen times.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "config_asserts.h"
#include "core/strv.h"
#include "heal/autoscale.h"

#define WEB	"services:\n  web:\n    run: [/bin/sh, -c, 'exec app', '{instance+8080}']\n"

static void
copies_are_services_with_their_number(void **state)
{
	struct tend_config *cfg = load_ok(WEB "    instances: 3\n"
	    "    env: { SLOT: 'slot-{instance}' }\n"
	    "    checks:\n"
	    "      health: { type: tcp, port: '{instance+9000}' }\n"
	    "  api:\n    run: [/bin/true]\n    depends_on: [web]\n");
	const struct service_conf *s = config_find_service(cfg, "web@2");
	const struct check_conf *c = config_find_check(cfg, "health@2");

	(void)state;
	assert_null(config_find_service(cfg, "web"));
	assert_true(config_is_group(cfg, "web"));
	assert_non_null(s);
	assert_string_equal(s->instance_of, "web");
	assert_int_equal(s->instance, 2);
	assert_false(s->parked_at_start);
	assert_string_equal(s->run[3], "8082");
	assert_true(strv_contains(s->env, "SLOT=slot-2"));
	assert_true(strv_contains(s->env, "TEND_INSTANCE=2"));
	assert_non_null(c);
	assert_string_equal(c->service, "web@2");
	assert_int_equal(c->tcp.port, 9002);
	/* Without scale: all three always run, and api needs all three. */
	s = config_find_service(cfg, "api");
	assert_int_equal(strv_len(s->depends_on), 3);
	assert_string_equal(s->depends_on[0], "web@0");
	config_free(cfg);
}

static void
scale_makes_max_copies_and_parks_the_rest(void **state)
{
	struct tend_config *cfg = load_ok(WEB "    scale: { min: 2, max: 5, "
	    "up_when: 'latency warning', down_when: 'healthy for 10m', cooldown: 30s }\n"
	    "    checks:\n      latency: { type: tcp, port: 80 }\n"
	    "  api:\n    run: [/bin/true]\n    depends_on: [web]\n");
	const struct service_conf *s = config_find_service(cfg, "web@4");

	(void)state;
	assert_non_null(s);
	assert_null(config_find_service(cfg, "web@5"));
	assert_true(s->parked_at_start);
	assert_false(config_find_service(cfg, "web@1")->parked_at_start);
	assert_true(s->scale.present);
	assert_int_equal(s->scale.min, 2);
	assert_int_equal(s->scale.max, 5);
	assert_int_equal(s->scale.instances, 2);
	assert_string_equal(s->scale.up_check, "latency");
	assert_int_equal(s->scale.up_state, 1);
	assert_int_equal(s->scale.down_after_ms, 600000);
	assert_int_equal(s->scale.cooldown_ms, 30000);
	/* A dependency on the group: on the copies that never park. */
	assert_int_equal(strv_len(config_find_service(cfg, "api")->depends_on), 2);
	config_free(cfg);
}

static void
the_scale_action_is_read(void **state)
{
	struct tend_config *cfg = load_ok(WEB "    scale: { min: 1, max: 3 }\n"
	    "    checks:\n      h:\n        type: tcp\n        port: 80\n"
	    "        heal: [scale, { scale: -1 }, { scale_resources: { by: 2 } }]\n");
	const struct check_conf *c = config_find_check(cfg, "h@0");

	(void)state;
	assert_int_equal(c->heal.n, 3);
	assert_int_equal(c->heal.v[0].kind, HEAL_SCALE);
	assert_int_equal(c->heal.v[0].scale_by, 1);
	assert_int_equal(c->heal.v[1].scale_by, -1);
	assert_int_equal(c->heal.v[2].scale_by, 2);
	config_free(cfg);
}

static void
mistakes_are_named_once_at_their_place(void **state)
{
	struct tend_config *cfg;

	(void)state;
	assert_error(WEB "    instances: 0\n", 4, 16, "1 <= min <= instances <= max");
	assert_error(WEB "    instances: many\n", 4, 16, "'instances': expected");
	assert_error(WEB "    scale: { min: 3, max: 2 }\n", 4, 12, "got min 3");
	assert_error(WEB "    scale: { max: 300 }\n", 4, 12, "<= 256");
	assert_error(WEB "    scale: { max: 2, up_when: 'h sometimes' }\n", 4, 31,
	    "\"CHECK critical\"");
	assert_error(WEB "    scale: { max: 2, down_when: 'quiet' }\n", 4, 33,
	    "healthy for DURATION");
	assert_error(WEB "    scale: { max: 2, down_when: 'healthy for 1m' }\n", 4, 12,
	    "down_when needs up_when");
	assert_error("services:\n  web:\n    run: [/bin/true, '{instance*2}']\n"
	    "    instances: 2\n", 3, 22, "{instance+N}");
	assert_error(WEB "    checks:\n      h:\n        type: tcp\n        port: 80\n"
	    "        heal: [scale]\n", 8, 16, "needs a service with `scale:");
	/* A copy's mistake is one error, not one per copy. */
	cfg = config_load_string("t.yaml", WEB "    instances: 4\n    restart: sometimes\n",
	    &errs);
	assert_null(cfg);
	assert_int_equal(errs.n, 1);
	config_errors_clear(&errs);
}

static const struct scale_conf up_down = { .present = true, .min = 1, .max = 3,
	.up_state = 2, .down_after_ms = 10000, .cooldown_ms = 1000 };

static void
scales_up_on_trouble_and_down_after_quiet(void **state)
{
	struct autoscale_memory m = { 0 };

	(void)state;
	assert_int_equal(autoscale_decide(&m, &up_down, 1, HEALTH_HEALTHY, true, 100), 0);
	/* Warning is no reason when up_when says critical; unknown never is. */
	assert_int_equal(autoscale_decide(&m, &up_down, 1, HEALTH_WARNING, false, 200), 0);
	assert_int_equal(autoscale_decide(&m, &up_down, 1, HEALTH_UNKNOWN, false, 300), 0);
	assert_int_equal(autoscale_decide(&m, &up_down, 1, HEALTH_CRITICAL, false, 400), 1);
	/* Within the cooldown: nothing, however bad. */
	assert_int_equal(autoscale_decide(&m, &up_down, 2, HEALTH_CRITICAL, false, 900), 0);
	assert_int_equal(autoscale_decide(&m, &up_down, 2, HEALTH_CRITICAL, false, 1400), 1);
	/* At max: nothing more. */
	assert_int_equal(autoscale_decide(&m, &up_down, 3, HEALTH_CRITICAL, false, 5000), 0);
	/* Healthy on every copy for down_after, then one copy fewer, one at a time. */
	assert_int_equal(autoscale_decide(&m, &up_down, 3, HEALTH_HEALTHY, true, 6000), 0);
	assert_int_equal(autoscale_decide(&m, &up_down, 3, HEALTH_HEALTHY, true, 15999), 0);
	assert_int_equal(autoscale_decide(&m, &up_down, 3, HEALTH_HEALTHY, true, 16000), -1);
	assert_int_equal(autoscale_decide(&m, &up_down, 2, HEALTH_HEALTHY, true, 20000), 0);
	/* A blip starts the quiet over. */
	assert_int_equal(autoscale_decide(&m, &up_down, 2, HEALTH_WARNING, false, 25000), 0);
	assert_int_equal(autoscale_decide(&m, &up_down, 2, HEALTH_HEALTHY, true, 26000), 0);
	assert_int_equal(autoscale_decide(&m, &up_down, 2, HEALTH_HEALTHY, true, 35999), 0);
	assert_int_equal(autoscale_decide(&m, &up_down, 2, HEALTH_HEALTHY, true, 36000), -1);
	/* Never below min. */
	assert_int_equal(autoscale_decide(&m, &up_down, 1, HEALTH_HEALTHY, true, 90000), 0);
}

static void
a_scaling_from_elsewhere_starts_the_cooldown(void **state)
{
	struct scale_conf warn = up_down;
	struct autoscale_memory m = { 0 };

	(void)state;
	warn.up_state = 1;
	autoscale_note(&m, 1000);
	assert_int_equal(autoscale_decide(&m, &warn, 2, HEALTH_WARNING, false, 1500), 0);
	assert_int_equal(autoscale_decide(&m, &warn, 2, HEALTH_WARNING, false, 2000), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copies_are_services_with_their_number),
		cmocka_unit_test(scale_makes_max_copies_and_parks_the_rest),
		cmocka_unit_test(the_scale_action_is_read),
		cmocka_unit_test(mistakes_are_named_once_at_their_place),
		cmocka_unit_test(scales_up_on_trouble_and_down_after_quiet),
		cmocka_unit_test(a_scaling_from_elsewhere_starts_the_cooldown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
