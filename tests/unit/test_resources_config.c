/*
 * What bounds a service's resources in the config: its `rlimits:` (each
 * kind of value, a change of them, every mistake at its place) and a
 * process check's `leak:`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/resource.h>

#include "config_asserts.h"

#define SVC	"services:\n  web:\n    run: [/bin/true]\n"

static const struct service_rlimit *
find(const struct service_conf *s, const char *name)
{
	int i;

	for (i = 0; i < s->n_rlimits; i++)
		if (strcmp(s->rlimits[i].name, name) == 0)
			return &s->rlimits[i];
	return NULL;
}

static void
each_kind_of_value_is_read(void **state)
{
	struct tend_config *cfg = load_ok(SVC "    rlimits: { nofile: 65536, core: 0, "
	    "as: 2GB, cpu: 1h, nproc: { soft: 512, hard: 1024 }, stack: unlimited }\n");
	const struct service_conf *s = &cfg->services[0];
	const struct service_rlimit *l;

	(void)state;
	assert_int_equal(s->n_rlimits, 6);
	l = find(s, "nofile");
	assert_int_equal(l->resource, RLIMIT_NOFILE);
	assert_int_equal(l->soft, 65536);
	assert_int_equal(l->hard, 65536);
	assert_int_equal(l->pos.line, 4);
	assert_int_equal(find(s, "core")->hard, 0);
	assert_int_equal(find(s, "as")->soft, 2ULL << 30);
	assert_int_equal(find(s, "cpu")->soft, 3600);
	l = find(s, "nproc");
	assert_int_equal(l->soft, 512);
	assert_int_equal(l->hard, 1024);
	assert_true(find(s, "stack")->soft == SERVICE_RLIMIT_UNLIMITED);
	config_free(cfg);
}

/* A reload restarts a service whose limits changed: they are set only at its start. */
static void
a_change_of_limits_is_a_change_of_the_service(void **state)
{
	struct tend_config *a = load_ok(SVC "    rlimits: { nofile: 100 }\n");
	struct tend_config *b = load_ok("\n" SVC "    rlimits: {nofile: 100}\n");
	struct tend_config *c = load_ok(SVC "    rlimits: { nofile: 200 }\n");
	struct tend_config *d = load_ok(SVC);

	(void)state;
	assert_true(service_conf_equal(&a->services[0], &b->services[0]));
	assert_false(service_conf_equal(&a->services[0], &c->services[0]));
	assert_false(service_conf_equal(&a->services[0], &d->services[0]));
	config_free(a);
	config_free(b);
	config_free(c);
	config_free(d);
}

static void
mistakes_are_named_at_their_place(void **state)
{
	(void)state;
	assert_error(SVC "    rlimits: { nofiles: 10 }\n", 4, 16, "unknown limit 'nofiles'");
	assert_error(SVC "    rlimits: { nofile: lots }\n", 4, 24, "'rlimits.nofile': expected");
	assert_error(SVC "    rlimits: { cpu: 1500ms }\n", 4, 21, "whole seconds");
	assert_error(SVC "    rlimits: { as: -1 }\n", 4, 20, "'rlimits.as'");
	assert_error(SVC "    rlimits: { nproc: { soft: 10 } }\n", 4, 23, "both soft and hard");
	assert_error(SVC "    rlimits: { nproc: { soft: 10, hard: 5 } }\n", 4, 31,
	    "soft is above hard");
	assert_error(SVC "    rlimits: { nproc: { soft: 1, max: 5 } }\n", 4, 34,
	    "expected soft or hard");
	assert_error(SVC "    rlimits: [nofile]\n", 4, 14, "expected a mapping");
	assert_error("services:\n  db:\n    pidfile: /run/db.pid\n    start: [/bin/true]\n"
	    "    rlimits: { nofile: 10 }\n", 5, 16, "an external service");
}

/* A limit named twice would be set twice, the last winning unseen. */
static void
a_limit_is_named_once(void **state)
{
	(void)state;
	assert_error(SVC "    rlimits: { nofile: 10, nofile: 20 }\n", 4, 28,
	    "duplicate key 'nofile' in 'rlimits'");
	assert_error(SVC "    rlimits: { nproc: { soft: 1, soft: 2, hard: 3 } }\n", 4, 34,
	    "duplicate key 'soft' in 'rlimits.nproc'");
}

static void
leak_takes_its_defaults_and_its_mistakes_are_named(void **state)
{
	struct tend_config *cfg = load_ok(SVC "    checks:\n"
	    "      a: { type: process, leak: true }\n"
	    "      b: { type: process, leak: { window: 2m, limit: 1GB } }\n"
	    "      c: { type: process }\n");
	const struct check_conf *a = config_find_check(cfg, "a");
	const struct check_conf *b = config_find_check(cfg, "b");

	(void)state;
	assert_int_equal(a->process.leak.window_ms, 600000);
	assert_int_equal(a->process.leak.within_ms, 3600000);
	assert_true(a->process.leak.limit == 0);
	assert_int_equal(b->process.leak.window_ms, 120000);
	assert_int_equal(b->process.leak.within_ms, 3600000);
	assert_true(b->process.leak.limit == 1024.0 * 1024 * 1024);
	assert_int_equal(config_find_check(cfg, "c")->process.leak.window_ms, 0);
	config_free(cfg);
	assert_error(SVC "    checks:\n      a: { type: process, leak: yes }\n", 5, 33,
	    "'leak': expected true or {window, within, limit}");
	assert_error(SVC "    checks:\n      a: { type: process, leak: { window: 0s } }\n",
	    5, 43, "'window': must be positive");
	assert_error(SVC "    checks:\n      a: { type: process, leak: { windows: 1m } }\n",
	    5, 35, "unknown key 'windows' in 'leak'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_kind_of_value_is_read),
		cmocka_unit_test(a_change_of_limits_is_a_change_of_the_service),
		cmocka_unit_test(mistakes_are_named_at_their_place),
		cmocka_unit_test(a_limit_is_named_once),
		cmocka_unit_test(leak_takes_its_defaults_and_its_mistakes_are_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
