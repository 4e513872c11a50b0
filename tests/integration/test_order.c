/*
 * Dependencies: services start in dependency order, each only once what it
 * depends on is ready (by a TCP port, by sd_notify), and stop in reverse.
 */
#include "harness.h"

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static void
readiness_gates_dependents_and_stop_goes_in_reverse(void **state)
{
	long long a_ready, b_start, b_ready, c_start, c_stop, b_stop, a_stop;

	/* Declared in reverse, so file order cannot pass for dependency order. */
	harness_write_config(&t,
	    "services:\n"
	    "  c:\n"
	    "    run: [@FAKESVC@, --name, c, --record, @RECORD@]\n"
	    "    depends_on: [b]\n"
	    "  b:\n"
	    "    run: [@FAKESVC@, --name, b, --record, @RECORD@, --notify,\n"
	    "          --notify-after, '300']\n"
	    "    ready: notify\n"
	    "    depends_on: [a]\n"
	    "  a:\n"
	    "    run: [@FAKESVC@, --name, a, --record, @RECORD@, --listen, '@PORT1@',\n"
	    "          --listen-after, '500']\n"
	    "    ready: { tcp: @PORT1@ }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "c", "up", 0, 10000));
	assert_true(harness_wait_record(&t, "start c", 2000));

	a_ready = harness_record_time(&t, "ready a", 0);
	b_start = harness_record_time(&t, "start b", 0);
	b_ready = harness_record_time(&t, "ready b", 0);
	c_start = harness_record_time(&t, "start c", 0);
	assert_true(a_ready > 0 && b_start > 0 && b_ready > 0 && c_start > 0);
	fprintf(stderr, "a ready -> b start %.1f ms, b ready -> c start %.1f ms\n",
	    (b_start - a_ready) / 1e6, (c_start - b_ready) / 1e6);
	assert_true(b_start > a_ready);
	assert_true(c_start > b_ready);

	kill(t.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&t, 10000), 0);
	c_stop = harness_record_time(&t, "stop c", 0);
	b_stop = harness_record_time(&t, "stop b", 0);
	a_stop = harness_record_time(&t, "stop a", 0);
	assert_true(c_stop > 0 && b_stop > 0 && a_stop > 0);
	assert_true(c_stop < b_stop);
	assert_true(b_stop < a_stop);
}

static void
a_dependent_waits_while_its_dependency_is_not_ready(void **state)
{
	char buf[32];

	harness_write_config(&t,
	    "services:\n"
	    "  db:\n"
	    "    run: [@FAKESVC@, --name, db, --record, @RECORD@]\n"
	    "    ready: { tcp: @PORT2@, timeout: 1m }\n"
	    "  app:\n"
	    "    run: [@FAKESVC@, --name, app, --record, @RECORD@]\n"
	    "    depends_on: [db]\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "db", "starting", 0, 5000));
	harness_pause_ms(300);
	assert_string_equal(harness_state(&t, "app", buf, sizeof(buf)), "waiting");
	assert_int_equal(harness_count_record(&t, "start app"), 0);
}

static void
an_http_readiness_check_gates_dependents(void **state)
{
	long long ready, start;

	harness_write_config(&t,
	    "services:\n"
	    "  api:\n"
	    "    run: [@FAKESVC@, --name, api, --record, @RECORD@, --http,\n"
	    "          --listen, '@PORT3@', --listen-after, '300']\n"
	    "    ready: { http: 'http://127.0.0.1:@PORT3@/health' }\n"
	    "  client:\n"
	    "    run: [@FAKESVC@, --name, client, --record, @RECORD@]\n"
	    "    depends_on: [api]\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "client", "up", 0, 10000));
	assert_true(harness_wait_record(&t, "start client", 2000));
	ready = harness_record_time(&t, "ready api", 0);
	start = harness_record_time(&t, "start client", 0);
	assert_true(ready > 0 && start > ready);
}

/*
 * A redis that failed with "address in use" was "ready after 0 ms": the
 * probe reached whoever held the port. Here the test holds it; the
 * service tries to listen after a second, fails and exits, and must never
 * have been up.
 */
static void
a_port_held_by_another_process_is_not_readiness(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char want[128], buf[32];
	int fd, one = 1;

	sa.sin_port = htons((uint16_t)t.ports[0]);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	harness_write_config(&t,
	    "services:\n"
	    "  redis:\n"
	    "    run: [@FAKESVC@, --name, redis, --record, @RECORD@, --listen, '@PORT1@',\n"
	    "          --listen-after, '1000']\n"
	    "    ready: { tcp: @PORT1@, timeout: 5s }\n"
	    "    restart: never\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "redis", "failed", 0, 10000));
	snprintf(want, sizeof(want), "port %d is held by pid %d", t.ports[0], (int)getpid());
	assert_true(harness_log_contains(&t, want));
	assert_true(harness_log_contains(&t, "not by this service"));
	assert_false(harness_log_contains(&t, "starting -> up"));
	assert_string_equal(harness_state(&t, "redis", buf, sizeof(buf)), "failed");
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(readiness_gates_dependents_and_stop_goes_in_reverse),
		TEND_TEST(a_dependent_waits_while_its_dependency_is_not_ready),
		TEND_TEST(an_http_readiness_check_gates_dependents),
		TEND_TEST(a_port_held_by_another_process_is_not_readiness),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
