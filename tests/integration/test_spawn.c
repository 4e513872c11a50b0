/*
 * What every child of tend starts with: fds 0, 1 and 2 and nothing else —
 * not what tend inherited, not libcurl's sockets — whichever way it is
 * started (a service by posix_spawn or by fork for a umask, an external
 * service's start command, a check command, a `tend retry` attempt). And
 * a start that fails is a failed start like any other: it backs off, and
 * it names what failed (a cwd is not a missing program, nor a resource
 * limit the service cannot start under). A service's rlimits are what
 * /proc/PID/limits shows.
 */
#include "harness.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every "fds:" line of the record is fds:0,1,2; at least one for each name. */
static void
assert_only_three_fds(const char *const *names)
{
	char prefix[64];
	int i, all = harness_count_record(&t, "fds:");

	assert_int_equal(harness_count_record(&t, "fds:0,1,2 "), all);
	for (i = 0; names[i] != NULL; i++) {
		snprintf(prefix, sizeof(prefix), "fds:0,1,2 %s ", names[i]);
		assert_true(harness_count_record(&t, prefix) > 0);
	}
}

/* Polls until the check has had a result (any but unknown). */
static bool
wait_check_ran(const char *name, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	const char *state;
	json_t *status, *c;
	bool ran = false;
	size_t i;

	while (!ran && harness_mono_ms() < deadline) {
		status = harness_status(&t);
		json_array_foreach(json_object_get(status, "checks"), i, c) {
			state = json_string_value(json_object_get(c, "state"));
			if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0 &&
			    state != NULL && strcmp(state, "unknown") != 0)
				ran = true;
		}
		json_decref(status);
		if (!ran)
			harness_pause_ms(50);
	}
	return ran;
}

/* Started with fd 5 open (not close-on-exec), as a careless parent leaves it. */
static void
start_with_fd_5(void)
{
	int fd = open("/dev/null", O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 5), 5);
	close(fd);
	harness_start(&t);
	close(5);
}

static void
children_get_only_fds_0_1_2(void **state)
{
	static const char *const names[] = { "web", "masked", "legacy", "cmd", NULL };
	char *out;

	harness_write_config(&t,
	    "services:\n"
	    "  web:\n"
	    "    run: [@FAKESVC@, --name, web, --record, @RECORD@, --listen, '@PORT1@',\n"
	    "          --http, --list-fds]\n"
	    "    ready: { tcp: @PORT1@ }\n"
	    "    checks:\n"
	    "      health: { type: http, url: 'http://127.0.0.1:@PORT1@/', every: 100ms }\n"
	    "      cmd:\n"
	    "        type: command\n"
	    "        run: [@FAKESVC@, --name, cmd, --record, @RECORD@, --list-fds,\n"
	    "              --exit, '0']\n"
	    "        every: 100ms\n"
	    "  masked:\n"
	    "    run: [@FAKESVC@, --name, masked, --record, @RECORD@, --list-fds]\n"
	    "    umask: '022'\n"
	    "  legacy:\n"
	    "    pidfile: @DIR@/legacy.pid\n"
	    "    start: [@FAKESVC@, --name, legacy, --record, @RECORD@, --list-fds,\n"
	    "            --daemonize, --pidfile, @DIR@/legacy.pid]\n");
	start_with_fd_5();
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	assert_true(harness_wait_state(&t, "masked", "up", 0, 5000));
	assert_true(harness_wait_state(&t, "legacy", "up", 0, 5000));
	/* Once the HTTP check has run, libcurl's sockets are open: start again. */
	assert_true(wait_check_ran("health", 5000));
	assert_true(wait_check_ran("cmd", 5000));
	assert_int_equal(harness_cli(&t, &out, "restart", "web", "--state-dir", t.state, NULL), 0);
	free(out);
	assert_int_equal(harness_cli(&t, &out, "restart", "masked", "--state-dir", t.state, NULL), 0);
	free(out);
	assert_true(harness_wait_count(&t, "start masked", 2, 5000));
	assert_true(harness_wait_count(&t, "start web", 2, 5000));
	/* A command check started after the restarts, with curl busy since. */
	assert_true(harness_wait_count(&t, "fds:0,1,2 cmd ", 
	    harness_count_record(&t, "fds:0,1,2 cmd ") + 1, 5000));
	assert_only_three_fds(names);

	/* tend retry's attempts, from a tend that inherited fd 5 too. */
	assert_int_equal(dup2(open("/dev/null", O_RDONLY), 5), 5);
	assert_int_equal(harness_cli(&t, &out, "retry", "--state-dir", t.state, "--",
	    getenv("FAKESVC_BIN"), "--name", "retry", "--record", t.record, "--list-fds",
	    "--exit", "0", NULL), 0);
	free(out);
	close(5);
	assert_true(harness_count_record(&t, "fds:") > 0);
	assert_only_three_fds((const char *const[]){ "retry", NULL });
}

/*
 * A missing cwd: a failed start, named as such, that backs off like a
 * crash instead of spending every allowed restart in a millisecond.
 */
static void
a_failed_start_backs_off_and_names_the_cwd(void **state)
{
	json_t *status, *svc;
	const char *reason;
	long long t0;
	int tries;

	harness_write_config(&t,
	    "services:\n"
	    "  lost:\n"
	    "    run: [@FAKESVC@, --name, lost, --record, @RECORD@]\n"
	    "    cwd: /nonexistent-tend-cwd\n"
	    "    backoff: { initial: 300ms, max: 300ms, jitter: 0 }\n"
	    "    limit: { restarts: 5, within: 1m }\n");
	t0 = harness_mono_ms();
	harness_start(&t);
	assert_true(harness_wait_state(&t, "lost", "backoff", 0, 5000));
	status = harness_status(&t);
	svc = harness_service(status, "lost");
	reason = json_string_value(json_object_get(svc, "reason"));
	assert_non_null(strstr(reason, "cwd /nonexistent-tend-cwd: No such file or directory"));
	assert_null(strstr(reason, "fakesvc"));
	json_decref(status);
	assert_true(harness_log_contains(&t,
	    "cannot start: cwd /nonexistent-tend-cwd: No such file or directory"));
	/*
	 * The first retry is immediate, the next ones 300 ms apart: six tries
	 * (the limit) take at least a second, and only then is it failed.
	 */
	assert_true(harness_wait_state(&t, "lost", "failed", 0, 10000));
	assert_true(harness_mono_ms() - t0 >= 1200);
	status = harness_status(&t);
	svc = harness_service(status, "lost");
	tries = (int)json_integer_value(json_object_get(svc, "restarts"));
	assert_int_equal(tries, 5);
	json_decref(status);
	assert_int_equal(harness_count_record(&t, "start lost"), 0);
}

/* The line of /proc/PID/limits that starts with what (its soft and hard columns). */
static void
limits_line(pid_t pid, const char *what, char *soft, char *hard)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	assert_non_null(f = fopen(path, "r"));
	soft[0] = hard[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, what, strlen(what)) == 0)
			assert_int_equal(sscanf(line + strlen(what), "%31s %31s", soft, hard), 2);
	fclose(f);
	assert_true(soft[0] != '\0');
}

static void
rlimits_are_set_and_one_it_cannot_have_is_named(void **state)
{
	char soft[32], hard[32];
	json_t *status;
	const char *reason;
	pid_t pid;

	harness_write_config(&t,
	    "services:\n"
	    "  capped:\n"
	    "    run: [@FAKESVC@, --name, capped, --record, @RECORD@]\n"
	    "    rlimits: { nofile: 1000, core: 0, cpu: { soft: 100s, hard: 200s },\n"
	    "               as: unlimited }\n"
	    "  greedy:\n"
	    "    run: [@FAKESVC@, --name, greedy, --record, @RECORD@]\n"
	    "    rlimits: { nofile: 2000000 }        # above fs.nr_open: refused even to root\n"
	    "    limit: { restarts: 1, within: 1m }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "capped", "up", 0, 5000));
	pid = harness_pid(&t, "capped");
	limits_line(pid, "Max open files", soft, hard);
	assert_string_equal(soft, "1000");
	assert_string_equal(hard, "1000");
	limits_line(pid, "Max core file size", soft, hard);
	assert_string_equal(soft, "0");
	limits_line(pid, "Max cpu time", soft, hard);
	assert_string_equal(soft, "100");
	assert_string_equal(hard, "200");
	limits_line(pid, "Max address space", soft, hard);
	assert_string_equal(soft, "unlimited");

	assert_true(harness_wait_state(&t, "greedy", "failed", 0, 10000));
	status = harness_status(&t);
	reason = json_string_value(json_object_get(harness_service(status, "greedy"),
	    "reason"));
	assert_non_null(strstr(reason, "rlimit nofile 2000000: Operation not permitted"));
	json_decref(status);
	assert_int_equal(harness_count_record(&t, "start greedy"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(children_get_only_fds_0_1_2),
		TEND_TEST(a_failed_start_backs_off_and_names_the_cwd),
		TEND_TEST(rlimits_are_set_and_one_it_cannot_have_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
