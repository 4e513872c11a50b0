/*
 * Services with `user:` (tend as root): they reach their notify socket (and
 * get ready by it), run with the user's groups, HOME/USER/LOGNAME/SHELL
 * and a cwd they can enter; a stranger's notify message counts for
 * nothing and is logged once; and a tend that is not root says that it
 * ignores `user:`.
 */
#include "harness.h"

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A group of this test's own, removed at teardown. */
static char group_name[32];

static int
user_teardown(void **state)
{
	char *argv[] = { "groupdel", group_name, NULL };
	int rc = harness_test_teardown(state);

	if (group_name[0] != '\0' && harness_run_tool(argv) != 0)
		fprintf(stderr, "groupdel %s failed: remove the group by hand\n", group_name);
	group_name[0] = '\0';
	return rc;
}

/* A supplementary group for t.user; returns its gid. */
static gid_t
add_group(void)
{
	char *add[] = { "groupadd", "--system", group_name, NULL };
	char *mod[] = { "usermod", "-a", "-G", group_name, t.user, NULL };
	struct group *gr;

	snprintf(group_name, sizeof(group_name), "tendg%d", (int)getpid());
	assert_int_equal(harness_run_tool(add), 0);
	assert_int_equal(harness_run_tool(mod), 0);
	gr = getgrnam(group_name);
	assert_non_null(gr);
	return gr->gr_gid;
}

/* The value after "key " on a line of the service's log, or NULL. */
static char *
log_line(const char *service, const char *key, char *buf, size_t len)
{
	char path[400], *text, *p, *end;

	snprintf(path, sizeof(path), "%s/logs/%s.log", t.state, service);
	text = harness_read_file(path);
	if (text == NULL)
		return NULL;
	for (p = text; p != NULL; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, strlen(key)) == 0 && p[strlen(key)] == ' ') {
			p += strlen(key) + 1;
			end = strchr(p, '\n');
			snprintf(buf, len, "%.*s", end ? (int)(end - p) : (int)strlen(p), p);
			free(text);
			return buf;
		}
	}
	free(text);
	return NULL;
}

static void
a_user_service_gets_ready_by_notify_as_that_user(void **state)
{
	char config[2048], buf[256], want[400], *log;
	uid_t uid;
	gid_t gid, sgid;

	harness_user_create(&t, &uid, &gid);
	sgid = add_group();
	snprintf(config, sizeof(config),
	    "services:\n"
	    "  u:\n"
	    "    run: [/bin/sh, -c, 'echo \"env HOME=$HOME USER=$USER LOGNAME=$LOGNAME"
	    " SHELL=$SHELL\"; echo \"ids $(id -u) $(id -G)\"; echo \"cwd $(pwd)\";"
	    " exec \"$0\" --name u --notify --list-fds', @FAKESVC@]\n"
	    "    user: %s\n"
	    "    env: { LOGNAME: from-the-config }\n"
	    "    ready: notify\n"
	    "  locked:\n"
	    "    run: [@FAKESVC@, --name, locked]\n"
	    "    user: %s\n"
	    "    cwd: @DIR@\n"
	    "    restart: never\n", t.user, t.user);
	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "u", "up", 0, 10000));
	/* The cwd is entered as the user: root's test dir is not theirs. */
	assert_true(harness_wait_state(&t, "locked", "failed", 0, 5000));
	snprintf(want, sizeof(want), "cannot start: cwd %s: Permission denied", t.dir);
	assert_true(harness_log_contains(&t, want));

	snprintf(want, sizeof(want), "HOME=/home/%s USER=%s LOGNAME=from-the-config "
	    "SHELL=/usr/sbin/nologin", t.user, t.user);
	assert_non_null(log_line("u", "env", buf, sizeof(buf)));
	assert_string_equal(buf, want);
	snprintf(want, sizeof(want), "%u %u %u", (unsigned)uid, (unsigned)gid,
	    (unsigned)sgid);
	assert_non_null(log_line("u", "ids", buf, sizeof(buf)));
	assert_string_equal(buf, want);
	/* No home on disk: /, never the state dir only root may enter. */
	assert_non_null(log_line("u", "cwd", buf, sizeof(buf)));
	assert_string_equal(buf, "/");
	snprintf(want, sizeof(want), "%s/logs/u.log", t.state);
	log = harness_read_file(want);
	assert_non_null(log);
	assert_non_null(strstr(log, "\nfds:0,1,2\n"));
	free(log);
}

/* The service's NOTIFY_SOCKET: a path (never an abstract name). */
static void
notify_socket_of(pid_t pid, char *buf, size_t len)
{
	harness_environ_var(pid, "NOTIFY_SOCKET", buf, len, 5000);
	assert_int_equal(buf[0], '/');
}

/*
 * Only the service's user can send to its notify socket (test_notify.c);
 * a READY=1 from another process of that user (here root), not the
 * service's, is ignored, and logged once however many come.
 */
static void
a_strangers_ready_is_ignored_and_logged_once(void **state)
{
	char sock[128], cmd[1024], st[32];
	long long deadline;
	pid_t pid;
	int i;

	harness_write_config(&t,
	    "services:\n"
	    "  waits:\n"
	    "    run: [@FAKESVC@, --name, waits, --record, @RECORD@]\n"
	    "    ready: notify\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "waits", "starting", 0, 5000));
	pid = harness_pid(&t, "waits");
	notify_socket_of(pid, sock, sizeof(sock));
	snprintf(cmd, sizeof(cmd), "NOTIFY_SOCKET='%s' %s --name stranger --notify --exit 0",
	    sock, getenv("FAKESVC_BIN"));
	for (i = 0; i < 3; i++)
		assert_int_equal(harness_as_user(0, 0, cmd), 0);
	deadline = harness_mono_ms() + 5000;
	while (harness_log_count(&t, "ignored: not the service's process") < 3 &&
	    harness_mono_ms() < deadline)
		harness_pause_ms(20);
	assert_int_equal(harness_log_count(&t, "ignored: not the service's process"), 3);
	assert_int_equal(harness_log_count(&t, "further ones are logged at debug level"), 1);
	assert_string_equal(harness_state(&t, "waits", st, sizeof(st)), "starting");
}

/*
 * tend as an ordinary user: user: cannot apply, and tend says so at start
 * rather than running the service as someone else than the config says
 * without a word.
 */
static void
user_is_ignored_with_a_warning_when_tend_is_not_root(void **state)
{
	char config[512], cmd[1024];
	uid_t uid;
	gid_t gid;

	harness_user_create(&t, &uid, &gid);
	snprintf(config, sizeof(config),
	    "services:\n"
	    "  app:\n"
	    "    run: [@FAKESVC@, --name, app]\n"
	    "    user: root\n"
	    "    group: root\n");
	harness_write_config(&t, config);
	/* The test's dir is root's: let the user in, and give it the state dir. */
	assert_int_equal(chmod(t.dir, 0755), 0);
	assert_int_equal(mkdir(t.state, 0700), 0);
	assert_int_equal(chown(t.state, uid, gid), 0);
	t.as_uid = uid;
	t.as_gid = gid;
	harness_start(&t);
	assert_true(harness_wait_state(&t, "app", "up", 0, 10000));
	assert_true(harness_log_contains(&t, "[app] user: root, group: root ignored: "
	    "tend does not run as root"));
	/* tend validate, run as that user, says the same. */
	snprintf(cmd, sizeof(cmd), "%s validate -c %s 2>&1 | grep -qF \"warning: service "
	    "'app': user: root, group: root would be ignored: tend does not run as root\"",
	    getenv("TEND_BIN"), t.config);
	assert_int_equal(harness_as_user(uid, gid, cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_user_service_gets_ready_by_notify_as_that_user,
		    harness_test_setup, user_teardown),
		TEND_TEST(a_strangers_ready_is_ignored_and_logged_once),
		TEND_TEST(user_is_ignored_with_a_warning_when_tend_is_not_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
