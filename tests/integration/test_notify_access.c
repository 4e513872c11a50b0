/*
 * The notify sockets (tend as root): one per service that uses sd_notify,
 * a path in tend's runtime dir that only the service's user (and root) can
 * send to. A local user cannot reach a root service's socket, so a flood
 * from them cannot delay its readiness; sockets follow the service's user
 * across reloads and go with the service, the runtime dir with tend; a
 * runtime dir another user owns, or a path too long for a socket address,
 * is a start that fails with the reason; a tend that is not root keeps them
 * in its user's runtime dir, or its state dir.
 */
#include "harness.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* The service's NOTIFY_SOCKET; fails the test unless it is a path. */
static void
notify_socket_of(const char *service, char *buf, size_t len)
{
	pid_t pid = harness_pid(&t, service);

	assert_true(pid > 0);
	harness_environ_var(pid, "NOTIFY_SOCKET", buf, len, 5000);
	assert_int_equal(buf[0], '/');
}

/* `fakesvc --flood n` to sock as uid:gid: 0 when not one datagram got in. */
static int
flood_as(uid_t uid, gid_t gid, const char *sock, int n)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "NOTIFY_SOCKET='%s' %s --flood %d", sock,
	    getenv("FAKESVC_BIN"), n);
	return harness_as_user(uid, gid, cmd);
}

static void
owned_by(const char *path, uid_t uid, mode_t mode)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_uid, uid);
	assert_int_equal(st.st_mode & 07777, mode);
}

/* The directory part of a socket's path, in buf. */
static const char *
dir_of(const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s", path);
	*strrchr(buf, '/') = '\0';
	return buf;
}

/*
 * A user reaches their own service's socket and no other: sending to a
 * root service's is refused by the kernel, and they cannot list the
 * runtime dir to learn the names in it.
 */
static void
a_user_can_send_only_to_their_own_services_socket(void **state)
{
	char config[1024], mine[128], roots[128], dir[128], cmd[300];
	uid_t uid;
	gid_t gid;

	harness_user_create(&t, &uid, &gid);
	snprintf(config, sizeof(config),
	    "services:\n"
	    "  mine:\n"
	    "    run: [@FAKESVC@, --name, mine, --notify]\n"
	    "    user: %s\n"
	    "    ready: notify\n"
	    "  roots:\n"
	    "    run: [@FAKESVC@, --name, roots, --record, @RECORD@]\n"
	    "    ready: notify\n", t.user);
	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "mine", "up", 0, 10000));
	assert_true(harness_wait_state(&t, "roots", "starting", 0, 5000));
	notify_socket_of("mine", mine, sizeof(mine));
	notify_socket_of("roots", roots, sizeof(roots));
	owned_by(mine, uid, 0600);
	owned_by(roots, 0, 0600);

	assert_int_equal(flood_as(uid, gid, roots, 1), 0);
	assert_int_equal(flood_as(uid, gid, mine, 1), 1);
	snprintf(cmd, sizeof(cmd), "ls %s >/dev/null 2>&1", dir_of(roots, dir, sizeof(dir)));
	assert_int_not_equal(harness_as_user(uid, gid, cmd), 0);
	/* Nothing of it counted: the root service still waits for its own READY=1. */
	harness_pause_ms(200);
	assert_false(harness_log_contains(&t, "[roots] notify message"));
	assert_true(harness_wait_state(&t, "roots", "starting", 0, 100));
}

/*
 * 10,000 datagrams from a local user while a root service starts: not
 * one is accepted, and the service is up as soon as it says READY=1.
 */
static void
a_users_flood_does_not_delay_a_root_services_readiness(void **state)
{
	char sock[128];
	long long started, up;
	uid_t uid;
	gid_t gid;

	harness_user_create(&t, &uid, &gid);
	harness_write_config(&t,
	    "services:\n"
	    "  db:\n"
	    "    run: [@FAKESVC@, --name, db, --record, @RECORD@, --notify,\n"
	    "          --notify-after, '1000']\n"
	    "    ready: notify\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "db", "starting", 0, 5000));
	notify_socket_of("db", sock, sizeof(sock));
	assert_int_equal(flood_as(uid, gid, sock, 10000), 0);
	assert_true(harness_wait_state(&t, "db", "up", 0, 10000));
	up = harness_mono_ms();
	started = harness_record_time(&t, "start db", 0) / 1000000;
	assert_true(started > 0);
	/* READY=1 comes 1 s after the start; up within a loaded machine's slack of it. */
	assert_true(up - started < 1000 + 2000);
	assert_false(harness_log_contains(&t, "[db] notify message"));
}

/* Polls until path is no more. */
static bool
wait_gone(const char *path, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	struct stat st;

	while (lstat(path, &st) == 0 && harness_mono_ms() < deadline)
		harness_pause_ms(20);
	return lstat(path, &st) < 0 && errno == ENOENT;
}

static void
reload(const char *config)
{
	harness_write_config(&t, config);
	assert_int_equal(kill(t.pid, SIGHUP), 0);
}

/*
 * A reload that changes user: gives the service a socket of the new
 * user's; one that removes the service removes its socket; tend's exit
 * removes the runtime dir.
 */
static void
sockets_follow_the_user_and_go_with_the_service_and_tend(void **state)
{
	char config[1024], sock[128], dir[128];
	pid_t old;
	uid_t uid;
	gid_t gid;

	harness_user_create(&t, &uid, &gid);
	snprintf(config, sizeof(config),
	    "services:\n"
	    "  app:\n"
	    "    run: [@FAKESVC@, --name, app, --notify]\n"
	    "    user: %s\n"
	    "    ready: notify\n"
	    "  keep:\n"
	    "    run: [@FAKESVC@, --name, keep, --notify]\n"
	    "    ready: notify\n", t.user);
	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "app", "up", 0, 10000));
	notify_socket_of("app", sock, sizeof(sock));
	owned_by(sock, uid, 0600);

	old = harness_pid(&t, "app");
	reload("services:\n"
	    "  app:\n"
	    "    run: [@FAKESVC@, --name, app, --notify]\n"
	    "    ready: notify\n"
	    "  keep:\n"
	    "    run: [@FAKESVC@, --name, keep, --notify]\n"
	    "    ready: notify\n");
	assert_true(harness_wait_state(&t, "app", "up", old, 10000));
	owned_by(sock, 0, 0600);

	reload("services:\n"
	    "  keep:\n"
	    "    run: [@FAKESVC@, --name, keep, --notify]\n"
	    "    ready: notify\n");
	assert_true(wait_gone(sock, 10000));
	dir_of(sock, dir, sizeof(dir));
	assert_int_equal(access(dir, F_OK), 0);
	kill(t.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&t, 15000), 0);
	assert_true(wait_gone(dir, 0));
}

/* tend with the runtime dir base, a notify service that never starts. */
static void
start_failing_with_runtime_dir(const char *base)
{
	harness_write_config(&t,
	    "services:\n"
	    "  svc:\n"
	    "    run: [@FAKESVC@, --name, svc, --notify]\n"
	    "    ready: notify\n"
	    "    limit: { restarts: 1, within: 1m }\n");
	setenv("TEND_RUNTIME_DIR", base, 1);
	harness_start(&t);
	unsetenv("TEND_RUNTIME_DIR");
	assert_true(harness_wait_state(&t, "svc", "failed", 0, 10000));
}

/*
 * TEND_RUNTIME_DIR names where the sockets go; one another user owns is
 * refused (they could take or replace the sockets), and the service's
 * start fails saying why.
 */
static void
a_runtime_dir_of_another_user_is_refused(void **state)
{
	char base[400], want[600];
	uid_t uid;
	gid_t gid;

	harness_user_create(&t, &uid, &gid);
	snprintf(base, sizeof(base), "%s/run", t.dir);
	assert_int_equal(mkdir(base, 0755), 0);
	assert_int_equal(chown(base, uid, gid), 0);
	start_failing_with_runtime_dir(base);
	snprintf(want, sizeof(want), "cannot start: no notify socket: %s is owned by %s",
	    base, t.user);
	assert_true(harness_log_contains(&t, want));
}

/* sun_path holds 107 bytes: a longer socket path is a start that fails, saying so. */
static void
a_socket_path_too_long_for_an_address_is_refused(void **state)
{
	char base[400];
	size_t n;

	snprintf(base, sizeof(base), "%s/", t.dir);
	for (n = strlen(base); n < sizeof(((struct sockaddr_un *)0)->sun_path); n++)
		strcat(base, "r");
	start_failing_with_runtime_dir(base);
	assert_true(harness_log_contains(&t, "cannot start: no notify socket: a path of "));
	assert_true(harness_log_contains(&t, "longer than a socket address holds (107): "
	    "shorten the service's name or the runtime dir (TEND_RUNTIME_DIR)"));
}

/*
 * tend as an ordinary user: its services run as that user, and their
 * sockets go in $XDG_RUNTIME_DIR/tend/ID, or without it in STATE/runtime.
 */
static void
tend_as_a_user_keeps_sockets_in_its_runtime_dir_or_state_dir(void **state)
{
	char xdg[400], sock[400], want[450], *saved = getenv("XDG_RUNTIME_DIR");
	uid_t uid;
	gid_t gid;

	saved = saved != NULL ? strdup(saved) : NULL;
	harness_user_create(&t, &uid, &gid);
	/* The test's dir is root's: let the user in, and give it a state dir. */
	assert_int_equal(chmod(t.dir, 0755), 0);
	assert_int_equal(mkdir(t.state, 0700), 0);
	assert_int_equal(chown(t.state, uid, gid), 0);
	snprintf(xdg, sizeof(xdg), "%s/xdg", t.dir);
	assert_int_equal(mkdir(xdg, 0700), 0);
	assert_int_equal(chown(xdg, uid, gid), 0);
	harness_write_config(&t,
	    "services:\n"
	    "  svc:\n"
	    "    run: [@FAKESVC@, --name, svc, --notify]\n"
	    "    ready: notify\n");
	t.as_uid = uid;
	t.as_gid = gid;
	setenv("XDG_RUNTIME_DIR", xdg, 1);
	harness_start(&t);
	unsetenv("XDG_RUNTIME_DIR");
	assert_true(harness_wait_state(&t, "svc", "up", 0, 10000));
	notify_socket_of("svc", sock, sizeof(sock));
	snprintf(want, sizeof(want), "%s/tend/", xdg);
	assert_int_equal(strncmp(sock, want, strlen(want)), 0);
	owned_by(sock, uid, 0600);
	kill(t.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&t, 15000), 0);
	assert_true(wait_gone(dir_of(sock, want, sizeof(want)), 0));

	harness_start(&t);
	assert_true(harness_wait_state(&t, "svc", "up", 0, 10000));
	notify_socket_of("svc", sock, sizeof(sock));
	snprintf(want, sizeof(want), "%s/runtime/svc.notify", t.state);
	assert_string_equal(sock, want);
	if (saved != NULL)
		setenv("XDG_RUNTIME_DIR", saved, 1);
	free(saved);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_user_can_send_only_to_their_own_services_socket),
		TEND_TEST(a_users_flood_does_not_delay_a_root_services_readiness),
		TEND_TEST(sockets_follow_the_user_and_go_with_the_service_and_tend),
		TEND_TEST(a_runtime_dir_of_another_user_is_refused),
		TEND_TEST(a_socket_path_too_long_for_an_address_is_refused),
		TEND_TEST(tend_as_a_user_keeps_sockets_in_its_runtime_dir_or_state_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
