/*
 * `chaos: experiments:` in the config: every key kept with its defaults,
 * the faults not built yet refused by name, and each mistake reported at
 * its file:line:col.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

#include "config_asserts.h"

#define SERVICES \
	"services:\n" \
	"  web: { run: [sleep, '60'] }\n"

static int
reset(void **state)
{
	(void)state;
	config_errors_clear(&errs);
	return 0;
}

static void
every_key_is_kept_and_defaults_fill_the_rest(void **state)
{
	struct tend_config *cfg = load_ok(SERVICES
	    "chaos:\n"
	    "  experiments:\n"
	    "    crash: { fault: kill, target: web, signal: TERM, repeat: 3, every: 500ms,\n"
	    "             timeout: 20s, expect: { healed_within: 2s, detected_within: 1s,\n"
	    "             escalated: true, root_cause: web } }\n"
	    "    hang: { fault: hang, target: web }\n"
	    "    full: { fault: fill_disk, path: /srv/tmp, leave: 2MB }\n"
	    "    leak: { fault: memory, grow: 10MB/s }\n"
	    "    web-leak: { fault: memory, target: web }\n"
	    "    hog: { fault: cpu, cores: 2 }\n"
	    "    bad: { fault: config, set: app, file: /srv/app/site.conf, corrupt: garbage,\n"
	    "           expect: { rolled_back: true } }\n"
	    "snapshots:\n"
	    "  app: { paths: [/srv/app] }\n"
	    "checks:\n"
	    "  disk: { type: resource, metric: disk, path: /srv/tmp, warn: 80%, crit: 90% }\n");
	const struct chaos_experiment *x;

	assert_int_equal(cfg->n_chaos, 7);
	x = config_find_chaos(cfg, "crash");
	assert_non_null(x);
	assert_int_equal(x->fault, CHAOS_KILL);
	assert_string_equal(x->target, "web");
	assert_int_equal(x->signal, SIGTERM);
	assert_int_equal(x->repeat, 3);
	assert_int_equal(x->every_ms, 500);
	assert_int_equal(x->timeout_ms, 20000);
	assert_int_equal(x->expect.healed_within_ms, 2000);
	assert_int_equal(x->expect.detected_within_ms, 1000);
	assert_int_equal(x->expect.escalated, 1);
	assert_string_equal(x->expect.root_cause, "web");
	x = config_find_chaos(cfg, "hang");
	assert_int_equal(x->fault, CHAOS_HANG);
	assert_int_equal(x->signal, SIGKILL);
	assert_int_equal(x->duration_ms, 10000);
	assert_int_equal(x->repeat, 1);
	assert_int_equal(x->timeout_ms, 60000);
	assert_int_equal(x->expect.healed_within_ms, -1);
	assert_int_equal(x->expect.escalated, -1);
	assert_null(x->expect.root_cause);
	assert_null(config_find_chaos(cfg, "nope"));
	x = config_find_chaos(cfg, "full");
	assert_int_equal(x->fault, CHAOS_FILL_DISK);
	assert_string_equal(x->path, "/srv/tmp");
	assert_int_equal(x->leave, 2 * 1024 * 1024);
	assert_null(x->target);
	x = config_find_chaos(cfg, "leak");
	assert_int_equal(x->grow, 10 * 1024 * 1024);
	assert_int_equal(x->max, 256 * 1024 * 1024);
	assert_false(CHAOS_OF_SERVICE(x->fault, x->target));	/* the host's */
	x = config_find_chaos(cfg, "web-leak");
	assert_true(CHAOS_OF_SERVICE(x->fault, x->target));	/* counted as web's */
	x = config_find_chaos(cfg, "hog");
	assert_int_equal(x->cores, 2);
	x = config_find_chaos(cfg, "bad");
	assert_int_equal(x->fault, CHAOS_CONFIG);
	assert_string_equal(x->set, "app");
	assert_string_equal(x->file, "/srv/app/site.conf");
	assert_int_equal(x->corrupt, CHAOS_CORRUPT_GARBAGE);
	assert_int_equal(x->expect.rolled_back, 1);
	assert_string_equal(chaos_fault_name(CHAOS_STOP), "stop");
	config_free(cfg);
}

static void
mistakes_are_reported_where_they_are(void **state)
{
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: proxy, target: web }\n",
	    5, 5, "'proxy' is required (a name under proxies:)");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: proxy, proxy: p, "
	    "mode: slow }\n", 5, 40, "expected one of pass, latency, reset, error");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: config }\n", 5, 5,
	    "'set' is required");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: config, set: app }\n",
	    5, 25, "no snapshot set named 'app'");
	assert_error(SERVICES "snapshots: { app: { paths: [/srv/app] } }\n"
	    "chaos:\n  experiments:\n    x: { fault: config, set: app, file: /etc/passwd }\n",
	    6, 35, "'/etc/passwd' is not in snapshot set 'app'");
	assert_error(SERVICES "snapshots: { app: { paths: [/srv/app] } }\n"
	    "chaos:\n  experiments:\n    x: { fault: config, set: app, corrupt: shred }\n",
	    6, 44, "expected one of truncate, garbage");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: fill_disk }\n", 5, 5,
	    "'path' is required");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: fill_disk, path: /srv }\n",
	    5, 28, "no disk check watches '/srv'");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: memory, grow: fast }\n",
	    5, 31, "expected a size a second like 50MB/s");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: kill, target: db }\n",
	    5, 23, "no service named 'db'");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: memory, target: db }\n",
	    5, 25, "no service named 'db'");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { target: web }\n", 5, 5,
	    "'fault' is required");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: kill }\n", 5, 5,
	    "'target' is required");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: kil, target: web }\n",
	    5, 17, "expected one of kill, hang, stop");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: kill, target: web, "
	    "signal: LOUD }\n", 5, 44, "expected a signal");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: kill, target: web, "
	    "expect: { healed: 1s } }\n", 5, 46, "unknown key 'healed'");
	assert_error(SERVICES "chaos:\n  experiments:\n    x: { fault: kill, target: web, "
	    "repeat: 0 }\n", 5, 44, "repeat");
	assert_error(SERVICES "chaos:\n  runs: 3\n", 4, 3, "unknown key 'runs'");
	assert_error(SERVICES "chaos:\n  schedule: every soon\n", 4, 13,
	    "expected \"every DURATION\" of 1s or more");
	assert_error(SERVICES "chaos:\n  schedule: every 1h\n  scheduled: [nope]\n"
	    "  experiments:\n    x: { fault: kill, target: web }\n", 4, 13,
	    "scheduled names 'nope', which is no experiment");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(every_key_is_kept_and_defaults_fill_the_rest, reset),
		cmocka_unit_test_setup(mistakes_are_reported_where_they_are, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
