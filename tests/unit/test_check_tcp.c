/*
 * tcp checks run again and again with their memory (the address worked
 * out once, the request unescaped once), against a real loopback server
 * on the same loop: right every run, a refused port critical until
 * something listens there, send/expect judged on each run's own reply.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "check_rig.h"

static void
a_kept_address_connects_every_run(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, 1);
	rig_load(&r, "checks:\n"
	    "  plain: { type: tcp, port: %d }\n"
	    "  named: { type: tcp, port: 'localhost:%d' }\n",
	    r.srv[0].port, r.srv[0].port);
	for (i = 0; i < 20; i++) {
		rig_round(&r);
		assert_probe(&r.p[0], HEALTH_HEALTHY, "accepted", i);
		assert_probe(&r.p[1], HEALTH_HEALTHY, "accepted", i);
	}
	assert_int_equal(r.srv[0].accepted, 40);
	assert_non_null(r.p[0].memory.state);
	rig_free(&r);
}

/* Each run sends its request and reads its own answer. */
static void
send_and_expect_are_judged_every_run(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, 1);
	r.srv[0].drop = true;		/* each answer ends its connection */
	rig_load(&r, "checks:\n"
	    "  flip: { type: tcp, port: %d, send: 'GET /flip HTTP/1.1\\r\\nHost: t\\r\\n\\r\\n',"
	    " expect: '200 OK' }\n", r.srv[0].port);
	for (i = 0; i < 10; i++) {
		rig_round(&r);
		assert_probe(&r.p[0], i % 2 == 0 ? HEALTH_HEALTHY : HEALTH_CRITICAL,
		    i % 2 == 0 ? "answered '200 OK'" : "expected '200 OK'", i);
	}
	assert_int_equal(r.srv[0].requests, 10);
	rig_free(&r);
}

/* A refused port, then a server there: the kept address finds it. */
static void
a_refused_port_recovers_once_something_listens(void **state)
{
	struct rig r;
	int port = closed_port(), i;

	rig_init(&r, 0);
	rig_load(&r, "checks:\n  late: { type: tcp, port: %d }\n", port);
	for (i = 0; i < 3; i++) {
		rig_round(&r);
		assert_probe(&r.p[0], HEALTH_CRITICAL, "refused", i);
	}
	r.srv[0].port = port;
	assert_int_equal(loop_http_start(&r.loop, &r.srv[0]), 0);
	r.n_srv = 1;
	for (i = 0; i < 3; i++) {
		rig_round(&r);
		assert_probe(&r.p[0], HEALTH_HEALTHY, "accepted", i);
	}
	rig_free(&r);
}

/* Without memory (tend check), a run works everything out for itself. */
static void
a_run_without_memory_stands_alone(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, 1);
	rig_load(&r, "checks:\n  once: { type: tcp, port: %d, send: 'x',"
	    " expect: nothing-comes, timeout: 100ms }\n", r.srv[0].port);
	for (i = 0; i < 2; i++) {
		rig_run_alone(&r, 0);
		assert_probe(&r.p[0], HEALTH_CRITICAL, "timed out", i);
	}
	assert_null(r.p[0].memory.state);
	rig_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_kept_address_connects_every_run),
		cmocka_unit_test(send_and_expect_are_judged_every_run),
		cmocka_unit_test(a_refused_port_recovers_once_something_listens),
		cmocka_unit_test(a_run_without_memory_stands_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
