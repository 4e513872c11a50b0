/*
 * The sd_notify protocol end to end: tend's client (sdnotify_send) talking
 * to a service's notify socket, through a real datagram socket in a
 * runtime dir: its path, mode and owner.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "core/statedir.h"
#include "daemon/sdnotify.h"
#include "supervise/notify.h"

#define OTHER_UID	65534	/* nobody */

struct received {
	pid_t	pid;
	char	msg[256];
	int	count;
	bool	take;		/* what the callback answers */
};

static char dir[] = "/tmp/tend-notify-XXXXXX";
static struct statedir *rt;

static int
setup(void **st)
{
	char path[160], err[512];

	strcpy(dir, "/tmp/tend-notify-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/run", dir);
	rt = statedir_open(path, err, sizeof(err));
	if (rt == NULL)
		fail_msg("%s", err);
	return 0;
}

static int
teardown(void **st)
{
	char cmd[200];

	statedir_close(rt);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static bool
on_message(void *arg, pid_t pid, const char *msg)
{
	struct received *r = arg;

	r->pid = pid;
	strncpy(r->msg, msg, sizeof(r->msg) - 1);
	r->count++;
	return r->take;
}

static void
stop_loop(uv_timer_t *t)
{
	uv_stop(t->loop);
}

/* Runs the loop until count messages came (each turn bounded: 50 ms, 100 turns). */
static void
run_until(uv_loop_t *loop, struct received *r, int count)
{
	uv_timer_t guard;
	int i;

	uv_timer_init(loop, &guard);
	for (i = 0; i < 100 && r->count < count; i++) {
		uv_timer_start(&guard, stop_loop, 50, 0);
		uv_run(loop, UV_RUN_ONCE);
	}
	uv_close((uv_handle_t *)&guard, NULL);
	/* The close completes on the next turn, while guard still exists. */
	uv_run(loop, UV_RUN_NOWAIT);
}

static void
close_all(uv_loop_t *loop)
{
	uv_run(loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(loop), 0);
}

/*
 * The socket is a path in the runtime dir, named for the service, 0600
 * and its user's; sd_notify clients reach it as they are, and a message
 * comes with the sender's pid.
 */
static void
message_arrives_with_the_senders_pid(void **state)
{
	struct received r = { .take = true };
	struct notify_socket *ns;
	char want[300], err[256];
	struct stat st;
	uv_loop_t loop;

	uv_loop_init(&loop);
	ns = notify_socket_open(&loop, rt, "db", geteuid(), getegid(), on_message, &r,
	    err, sizeof(err));
	if (ns == NULL)
		fail_msg("%s", err);
	snprintf(want, sizeof(want), "%s/db.notify", statedir_path(rt));
	assert_string_equal(notify_socket_path(ns), want);
	assert_int_equal(lstat(want, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	assert_true(notify_socket_is_for(ns, geteuid(), getegid()));
	assert_false(notify_socket_is_for(ns, geteuid() + 1, getegid()));

	setenv("NOTIFY_SOCKET", want, 1);
	assert_int_equal(sdnotify_send("READY=1\nSTATUS=warming up"), 0);
	unsetenv("NOTIFY_SOCKET");
	run_until(&loop, &r, 1);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.pid, getpid());
	assert_true(notify_message_has(r.msg, "READY=1"));
	assert_false(notify_message_has(r.msg, "WATCHDOG=1"));

	/* Closing it removes its name at once. */
	notify_socket_close(ns);
	assert_int_equal(lstat(want, &st), -1);
	close_all(&loop);
}

/* Owned by the service's user (tend is root): that user may send, no one else. */
static void
it_belongs_to_the_services_user(void **state)
{
	struct received r = { .take = true };
	struct notify_socket *ns;
	char err[256];
	struct stat st;
	uv_loop_t loop;

	if (geteuid() != 0)
		skip();
	uv_loop_init(&loop);
	ns = notify_socket_open(&loop, rt, "app", OTHER_UID, OTHER_UID, on_message, &r, err,
	    sizeof(err));
	assert_non_null(ns);
	assert_int_equal(lstat(notify_socket_path(ns), &st), 0);
	assert_int_equal(st.st_uid, OTHER_UID);
	assert_int_equal(st.st_gid, OTHER_UID);
	assert_int_equal(st.st_mode & 07777, 0600);
	notify_socket_close(ns);
	close_all(&loop);
}

/* What a killed tend left at the name is replaced; a name too long is refused. */
static void
a_leftover_is_replaced_and_a_long_path_refused(void **state)
{
	struct received r = { .take = true };
	struct notify_socket *ns;
	char err[256], name[200];
	uv_loop_t loop;
	int fd;

	uv_loop_init(&loop);
	fd = statedir_openat(rt, "old.notify", O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	ns = notify_socket_open(&loop, rt, "old", geteuid(), getegid(), on_message, &r, err,
	    sizeof(err));
	if (ns == NULL)
		fail_msg("%s", err);
	notify_socket_close(ns);

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_null(notify_socket_open(&loop, rt, name, geteuid(), getegid(), on_message, &r,
	    err, sizeof(err)));
	if (strstr(err, "longer than a socket address holds (107)") == NULL)
		fail_msg("%s", err);
	close_all(&loop);
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
		cmocka_unit_test_setup_teardown(message_arrives_with_the_senders_pid, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(it_belongs_to_the_services_user, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_leftover_is_replaced_and_a_long_path_refused,
		    setup, teardown),
		cmocka_unit_test(assignments_match_whole_lines_only),
		cmocka_unit_test(no_socket_means_nothing_to_do),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
