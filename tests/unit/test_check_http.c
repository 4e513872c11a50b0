/*
 * http checks that keep their easy handle and connection between runs,
 * against real loopback servers on the same loop (loop_http.h): a
 * connection is reused run after run, yet every result is the run's own —
 * one target's failure (a 500, a reset, a refused connection) never shows
 * in another's result, not even on the same host and port; a server that
 * closes connections, says `Connection: close` or drops an idle one gets
 * no false failure; a body never leaks into the next run's judgement.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>

#include "check_rig.h"
#include "checks/batch.h"

static void
keep_alive_serves_every_run_on_one_connection(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, 1);
	rig_load(&r, "checks:\n  ok: { type: http, url: "
	    "'http://127.0.0.1:%d/ok' }\n", r.srv[0].port);
	for (i = 0; i < 30; i++) {
		rig_round(&r);
		assert_probe(&r.p[0], HEALTH_HEALTHY, "HTTP 200", i);
	}
	assert_int_equal(r.srv[0].requests, 30);
	assert_int_equal(r.srv[0].accepted, 1);
	rig_free(&r);
}

/*
 * Six checks run together, round after round: four on one host and port
 * (a healthy path, a 500, one that flips, one whose connection is reset),
 * one on a second healthy server, one on a port where nothing listens.
 * Each keeps its own right state every round.
 */
static void
one_targets_failure_never_bleeds_into_anothers_result(void **state)
{
	struct rig r;
	int i, a, b, down = closed_port();

	rig_init(&r, 2);
	a = r.srv[0].port;
	b = r.srv[1].port;
	rig_load(&r, "checks:\n"
	    "  ok:    { type: http, url: 'http://127.0.0.1:%d/ok' }\n"
	    "  fail:  { type: http, url: 'http://127.0.0.1:%d/fail' }\n"
	    "  flip:  { type: http, url: 'http://127.0.0.1:%d/flip' }\n"
	    "  reset: { type: http, url: 'http://127.0.0.1:%d/reset', timeout: 2s }\n"
	    "  other: { type: http, url: 'http://127.0.0.1:%d/ok' }\n"
	    "  down:  { type: http, url: 'http://127.0.0.1:%d/ok', timeout: 2s }\n",
	    a, a, a, a, b, down);
	for (i = 0; i < 25; i++) {
		rig_round(&r);
		assert_probe(&r.p[0], HEALTH_HEALTHY, "HTTP 200", i);
		assert_probe(&r.p[1], HEALTH_CRITICAL, "HTTP 500", i);
		assert_probe(&r.p[2], i % 2 == 0 ? HEALTH_HEALTHY : HEALTH_CRITICAL,
		    i % 2 == 0 ? "HTTP 200" : "HTTP 500", i);
		assert_probe(&r.p[3], HEALTH_CRITICAL, "/reset", i);
		assert_probe(&r.p[4], HEALTH_HEALTHY, "HTTP 200", i);
		assert_probe(&r.p[5], HEALTH_CRITICAL, "connect", i);
	}
	/* The other server's check kept its connection through all of it. */
	assert_int_equal(r.srv[1].accepted, 1);
	assert_true(r.srv[0].accepted < r.srv[0].requests);
	rig_free(&r);
}

/* The same check against a server that answers `Connection: close`. */
static void
connection_close_answers_are_right_every_run(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, 1);
	rig_load(&r, "checks:\n  c: { type: http, url: "
	    "'http://127.0.0.1:%d/close' }\n", r.srv[0].port);
	for (i = 0; i < 20; i++) {
		rig_round(&r);
		assert_probe(&r.p[0], HEALTH_HEALTHY, "HTTP 200", i);
	}
	assert_int_equal(r.srv[0].accepted, 20);
	rig_free(&r);
}

/* A server that closes each connection after its answer, without saying so. */
static void
a_server_closing_after_each_answer_is_no_failure(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, 2);
	r.srv[0].drop = true;
	r.srv[1].drop = r.srv[1].drop_rst = true;
	rig_load(&r, "checks:\n"
	    "  fin: { type: http, url: 'http://127.0.0.1:%d/ok' }\n"
	    "  rst: { type: http, url: 'http://127.0.0.1:%d/ok' }\n",
	    r.srv[0].port, r.srv[1].port);
	for (i = 0; i < 20; i++) {
		rig_round(&r);
		rig_settle(&r);
		assert_probe(&r.p[0], HEALTH_HEALTHY, "HTTP 200", i);
		assert_probe(&r.p[1], HEALTH_HEALTHY, "HTTP 200", i);
	}
	assert_int_equal(r.srv[0].accepted, 20);
	rig_free(&r);
}

/* Kept connections the server ended while they were idle, by FIN or reset. */
static void
an_idle_connection_the_server_dropped_is_no_failure(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, 1);
	rig_load(&r, "checks:\n  ok: { type: http, url: "
	    "'http://127.0.0.1:%d/ok' }\n  word: { type: http, url: "
	    "'http://127.0.0.1:%d/word' }\n", r.srv[0].port, r.srv[0].port);
	for (i = 0; i < 20; i++) {
		rig_round(&r);
		assert_probe(&r.p[0], HEALTH_HEALTHY, "HTTP 200", i);
		assert_probe(&r.p[1], HEALTH_HEALTHY, "HTTP 200", i);
		loop_http_drop(&r.srv[0], i % 2 == 1);
		rig_settle(&r);
	}
	assert_int_equal(r.srv[0].requests, 40);
	rig_free(&r);
}

/* Idle connections that got a 408 and a close: read away, not taken for an answer. */
static void
an_idle_connections_408_is_not_the_next_answer(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, 1);
	rig_load(&r, "checks:\n  ok: { type: http, url: "
	    "'http://127.0.0.1:%d/ok' }\n  flip: { type: http, url: "
	    "'http://127.0.0.1:%d/flip' }\n", r.srv[0].port, r.srv[0].port);
	for (i = 0; i < 10; i++) {
		rig_round(&r);
		assert_probe(&r.p[0], HEALTH_HEALTHY, "HTTP 200", i);
		assert_probe(&r.p[1], i % 2 == 0 ? HEALTH_HEALTHY : HEALTH_CRITICAL,
		    i % 2 == 0 ? "HTTP 200" : "HTTP 500", i);
		loop_http_timeout(&r.srv[0]);
		rig_settle(&r);
	}
	assert_int_equal(r.srv[0].requests, 20);
	rig_free(&r);
}

/*
 * The race an idle timeout makes: the request goes out on a kept
 * connection just as the server closes it, and no answer comes. libcurl
 * sends it again on a new connection; the run is healthy.
 */
static void
a_request_racing_the_servers_idle_close_is_retried(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, 1);
	r.srv[0].close_reused = true;
	rig_load(&r, "checks:\n  ok: { type: http, url: "
	    "'http://127.0.0.1:%d/ok' }\n", r.srv[0].port);
	for (i = 0; i < 15; i++) {
		rig_round(&r);
		assert_probe(&r.p[0], HEALTH_HEALTHY, "HTTP 200", i);
	}
	assert_int_equal(r.srv[0].requests, 15);
	assert_int_equal(r.srv[0].accepted, 15);
	rig_free(&r);
}

/* contains: and regex: judge each run's own body on the kept handle. */
static void
a_body_never_carries_into_the_next_run(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, 2);
	rig_load(&r, "checks:\n"
	    "  alpha: { type: http, url: 'http://127.0.0.1:%d/word', contains: alpha }\n"
	    "  beta:  { type: http, url: 'http://127.0.0.1:%d/word', regex: '^be+ta' }\n",
	    r.srv[0].port, r.srv[1].port);
	for (i = 0; i < 10; i++) {
		rig_round(&r);
		assert_probe(&r.p[0], i % 2 == 0 ? HEALTH_HEALTHY : HEALTH_CRITICAL,
		    i % 2 == 0 ? "HTTP 200 in" : "lacks 'alpha'", i);
		assert_probe(&r.p[1], i % 2 == 1 ? HEALTH_HEALTHY : HEALTH_CRITICAL,
		    i % 2 == 1 ? "HTTP 200 in" : "does not match", i);
	}
	assert_int_equal(r.srv[0].accepted, 1);
	rig_free(&r);
}

/* A timeout raised between runs (the healer's) reaches the kept handle. */
static void
a_raised_timeout_reaches_the_kept_handle(void **state)
{
	struct check_conf slow;
	struct rig r;
	uint64_t t0;

	rig_init(&r, 1);
	rig_load(&r, "checks:\n  s: { type: http, url: "
	    "'http://127.0.0.1:%d/stall', timeout: 50ms }\n", r.srv[0].port);
	rig_round(&r);
	assert_probe(&r.p[0], HEALTH_CRITICAL, "timed out", 0);
	slow = *r.p[0].conf;
	slow.timeout_ms = 400;
	r.p[0].conf = &slow;
	uv_update_time(&r.loop);
	t0 = uv_now(&r.loop);
	rig_round(&r);
	assert_probe(&r.p[0], HEALTH_CRITICAL, "timed out", 1);
	assert_true(uv_now(&r.loop) - t0 >= 350);
	rig_free(&r);
}

/* Without memory (tend check), each run has a handle of its own. */
static void
a_run_without_memory_stands_alone(void **state)
{
	struct rig r;
	int i;

	rig_init(&r, 1);
	rig_load(&r, "checks:\n  ok: { type: http, url: "
	    "'http://127.0.0.1:%d/flip' }\n", r.srv[0].port);
	for (i = 0; i < 4; i++) {
		rig_run_alone(&r, 0);
		assert_probe(&r.p[0], i % 2 == 0 ? HEALTH_HEALTHY : HEALTH_CRITICAL, "HTTP",
		    i);
	}
	assert_null(r.p[0].memory.state);
	rig_free(&r);
}

/* A server on a loop and a thread of its own, for a loop that must end without it. */
struct served {
	uv_loop_t	 loop;
	struct loop_http srv;
	uv_async_t	 stop;
	pthread_t	 thread;
};

static void
served_stop(uv_async_t *a)
{
	struct served *sv = a->data;

	loop_http_stop(&sv->srv);
	uv_close((uv_handle_t *)a, NULL);
}

static void *
served_run(void *arg)
{
	struct served *sv = arg;

	uv_run(&sv->loop, UV_RUN_DEFAULT);
	return NULL;
}

/*
 * `tend check` (checks/batch.c) runs its checks on a loop that ends when
 * they have all reported: a connection kept open to a keep-alive server
 * must not keep it waiting. (alarm: a hang fails the test, not the suite.)
 */
static void
a_one_shot_loop_ends_with_its_connections_kept(void **state)
{
	struct config_errors errs = { 0 };
	struct check_batch b = { 0 };
	struct tend_config *cfg;
	struct served sv = { 0 };
	char yaml[256];
	size_t i;

	assert_int_equal(uv_loop_init(&sv.loop), 0);
	assert_int_equal(loop_http_start(&sv.loop, &sv.srv), 0);
	uv_async_init(&sv.loop, &sv.stop, served_stop);
	sv.stop.data = &sv;
	assert_int_equal(pthread_create(&sv.thread, NULL, served_run, &sv), 0);
	snprintf(yaml, sizeof(yaml), "checks:\n"
	    "  a: { type: http, url: 'http://127.0.0.1:%d/ok' }\n"
	    "  b: { type: http, url: 'http://127.0.0.1:%d/word' }\n",
	    sv.srv.port, sv.srv.port);
	assert_non_null(cfg = config_load_string("t.yaml", yaml, &errs));
	for (i = 0; i < cfg->n_checks; i++)
		check_batch_add(&b, &cfg->checks[i]);
	alarm(20);
	check_batch_run(&b, NULL, NULL);
	alarm(0);
	assert_int_equal(check_batch_overall(&b), HEALTH_HEALTHY);
	check_batch_clear(&b);
	config_free(cfg);
	uv_async_send(&sv.stop);
	pthread_join(sv.thread, NULL);
	assert_int_equal(uv_loop_close(&sv.loop), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keep_alive_serves_every_run_on_one_connection),
		cmocka_unit_test(one_targets_failure_never_bleeds_into_anothers_result),
		cmocka_unit_test(connection_close_answers_are_right_every_run),
		cmocka_unit_test(a_server_closing_after_each_answer_is_no_failure),
		cmocka_unit_test(an_idle_connection_the_server_dropped_is_no_failure),
		cmocka_unit_test(an_idle_connections_408_is_not_the_next_answer),
		cmocka_unit_test(a_request_racing_the_servers_idle_close_is_retried),
		cmocka_unit_test(a_body_never_carries_into_the_next_run),
		cmocka_unit_test(a_raised_timeout_reaches_the_kept_handle),
		cmocka_unit_test(a_run_without_memory_stands_alone),
		cmocka_unit_test(a_one_shot_loop_ends_with_its_connections_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
