/*
 * The sd_notify protocol end to end: tend's client (sdnotify_send) talking
 * to the server its services use, through a real datagram socket.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "daemon/sdnotify.h"
#include "supervise/notify.h"

struct received {
	pid_t	pid;
	char	msg[256];
	int	count;
};

static void
on_message(void *arg, pid_t pid, const char *msg)
{
	struct received *r = arg;

	r->pid = pid;
	strncpy(r->msg, msg, sizeof(r->msg) - 1);
	r->count++;
}

static void
stop_loop(uv_timer_t *t)
{
	uv_stop(t->loop);
}

/*
 * The address is in the abstract namespace (a service of any user reaches
 * it), fresh for each server, and sd_notify clients find it as they are.
 */
static void
message_arrives_with_the_senders_pid(void **state)
{
	struct received r = { 0 };
	struct notify_server *ns, *other;
	const char *address;
	uv_timer_t guard;
	uv_loop_t loop;
	int i;

	uv_loop_init(&loop);
	ns = notify_server_open(&loop, on_message, &r);
	assert_non_null(ns);
	other = notify_server_open(&loop, on_message, &r);
	assert_non_null(other);
	address = notify_server_address(ns);
	assert_int_equal(strncmp(address, "@tend/notify/", 13), 0);
	assert_int_equal(strlen(address), 13 + 16);
	assert_string_not_equal(address, notify_server_address(other));
	notify_server_close(other);

	setenv("NOTIFY_SOCKET", address, 1);
	assert_int_equal(sdnotify_send("READY=1\nSTATUS=warming up"), 0);
	unsetenv("NOTIFY_SOCKET");

	/* Bounded: each turn waits at most 50 ms, 100 turns at most. */
	uv_timer_init(&loop, &guard);
	for (i = 0; i < 100 && r.count == 0; i++) {
		uv_timer_start(&guard, stop_loop, 50, 0);
		uv_run(&loop, UV_RUN_ONCE);
	}
	assert_int_equal(r.count, 1);
	assert_int_equal(r.pid, getpid());
	assert_true(notify_message_has(r.msg, "READY=1"));
	assert_false(notify_message_has(r.msg, "WATCHDOG=1"));

	uv_close((uv_handle_t *)&guard, NULL);
	notify_server_close(ns);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
}

static void
assignments_match_whole_lines_only(void **state)
{
	assert_true(notify_message_has("READY=1", "READY=1"));
	assert_true(notify_message_has("STATUS=x\nREADY=1\n", "READY=1"));
	assert_false(notify_message_has("READY=10", "READY=1"));
	assert_false(notify_message_has("XREADY=1", "READY=1"));
	assert_false(notify_message_has("", "READY=1"));
}

static void
no_socket_means_nothing_to_do(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_send("READY=1"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(message_arrives_with_the_senders_pid),
		cmocka_unit_test(assignments_match_whole_lines_only),
		cmocka_unit_test(no_socket_means_nothing_to_do),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
