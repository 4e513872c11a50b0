/*
 * tend as a container's PID 1, for real: started under `unshare --pid
 * --fork --mount-proc`, it is pid 1 of a new pid namespace. It reaps the
 * orphans that end up with it, stops its services dependents first on
 * SIGTERM and exits 0; with exit_when it ends when the named service ends
 * for good, or any fails, and exits with that service's status.
 */
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *unshare_bin = "/usr/bin/unshare";

/*
 * Starts tend as pid 1 of its own pid namespace; t.pid is unshare's, which
 * waits for it and exits as it does (--kill-child: and kills it if killed).
 * Returns tend's pid as this namespace sees it.
 */
static pid_t
start_as_pid_1(void)
{
	const char *bin = getenv("TEND_BIN");
	long long deadline;
	char path[64];
	int fd, tend = 0;
	pid_t pid;
	FILE *f;

	if (access(unshare_bin, X_OK) != 0 || system("unshare --pid --fork --mount-proc "
	    "true 2>/dev/null") != 0)
		skip();		/* no unshare, or no right to new namespaces here */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(t.log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(unshare_bin, unshare_bin, "--pid", "--fork", "--mount-proc",
		    "--kill-child", bin, "run", "-c", t.config, "--state-dir", t.state,
		    "--verbose", "--no-web", (char *)NULL);
		_exit(127);
	}
	t.pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	deadline = harness_mono_ms() + 10000;
	while (harness_mono_ms() < deadline && !harness_log_contains(&t, "started (pid 1,"))
		harness_pause_ms(10);
	assert_true(harness_log_contains(&t, "started (pid 1,"));
	assert_true(harness_log_contains(&t, "as a container's init (PID 1)"));
	/* A /proc file has no size to read it by: read as a stream. */
	f = fopen(path, "r");
	assert_non_null(f);
	if (fscanf(f, "%d", &tend) != 1)
		tend = 0;
	fclose(f);
	assert_true(tend > 0);
	return (pid_t)tend;
}

/* unshare's exit status (tend's), within timeout_ms, or fails. */
static int
wait_exit(int timeout_ms)
{
	int rc = harness_wait_exit(&t, timeout_ms);

	if (rc < 0)
		harness_dump_log(&t);
	assert_true(rc >= 0);
	return rc;
}

/* The children of parent (host pids) whose command name starts with comm. */
static int
children_named(pid_t parent, const char *comm)
{
	char path[64], name[64];
	pid_t ppid;
	FILE *f;
	int n = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (harness_proc_state(atoi(de->d_name), &ppid) == 0 || ppid != parent)
			continue;
		snprintf(path, sizeof(path), "/proc/%.16s/comm", de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(name, sizeof(name), f) != NULL && strncmp(name, comm,
		    strlen(comm)) == 0)
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static void
pid_1_reaps_orphans_and_stops_dependents_first(void **state)
{
	long long deadline;
	pid_t tend;
	int seen = 0;

	harness_write_config(&t,
	    "services:\n"
	    "  db: { run: [@FAKESVC@, --name, db, --record, @RECORD@] }\n"
	    "  app: { run: [@FAKESVC@, --name, app, --record, @RECORD@],"
	    " depends_on: [db] }\n"
	    /* Twenty orphans a second: each sleep's parent is gone before it ends. */
	    "  orphans: { run: [sh, -c, 'while :; do for i in 1 2 3 4 5 6 7 8 9 10 11 12 "
	    "13 14 15 16 17 18 19 20; do (sleep 0.3 &); done; sleep 1; done'] }\n");
	tend = start_as_pid_1();
	assert_true(harness_wait_record(&t, "start app", 10000));
	/* The orphans are tend's children: it is their namespace's init. */
	deadline = harness_mono_ms() + 5000;
	while (seen < 20 && harness_mono_ms() < deadline) {
		seen = children_named(tend, "sleep");
		harness_pause_ms(20);
	}
	assert_true(seen >= 20);
	/*
	 * Reaped as they end: unreaped, each round would leave 20 more
	 * zombies. Sampled over two rounds; then tend stopped for more than
	 * one, to show that zombies do show here when nobody reaps them.
	 */
	for (int i = 0; i < 60; i++) {
		assert_true(harness_zombie_children(tend) < 20);
		harness_pause_ms(50);
	}
	kill(tend, SIGSTOP);
	harness_pause_ms(1500);
	assert_true(harness_zombie_children(tend) >= 20);
	kill(tend, SIGCONT);
	deadline = harness_mono_ms() + 3000;
	while (harness_zombie_children(tend) >= 20 && harness_mono_ms() < deadline)
		harness_pause_ms(10);
	assert_true(harness_zombie_children(tend) < 20);

	kill(tend, SIGTERM);
	assert_int_equal(wait_exit(20000), 0);
	/* Dependents first: app had stopped before db was asked to. */
	assert_true(harness_record_time(&t, "stop app", 0) > 0);
	assert_true(harness_record_time(&t, "stop app", 0) < harness_record_time(&t,
	    "stop db", 0));
	assert_true(harness_log_contains(&t, "SIGTERM: stopping services"));
}

static void
exit_when_service_passes_its_status_on(void **state)
{
	harness_write_config(&t,
	    "exit_when: { service: app }\n"
	    "services:\n"
	    "  db: { run: [@FAKESVC@, --name, db, --record, @RECORD@] }\n"
	    "  app: { run: [@FAKESVC@, --name, app, --record, @RECORD@, --exit, '3',"
	    " --after, '300'], restart: never, depends_on: [db] }\n");
	start_as_pid_1();
	assert_int_equal(wait_exit(20000), 3);
	assert_true(harness_wait_record(&t, "stop db", 1000));
	assert_true(harness_log_contains(&t, "exit_when: it failed (status 3)"));
}

static void
exit_when_any_failed_ends_at_the_restart_limit(void **state)
{
	harness_write_config(&t,
	    "exit_when: { any_failed: true }\n"
	    "services:\n"
	    "  db: { run: [@FAKESVC@, --name, db, --record, @RECORD@] }\n"
	    /* A clean exit under restart: on-failure ends nothing ... */
	    "  once: { run: [true], restart: on-failure }\n"
	    /* ... a crash loop past its limit does. */
	    "  flaky: { run: [@FAKESVC@, --name, flaky, --record, @RECORD@, --exit, '7',"
	    " --after, '50'], backoff: { initial: 10ms, max: 10ms },"
	    " limit: { restarts: 2, within: 60s } }\n");
	start_as_pid_1();
	assert_int_equal(wait_exit(20000), 7);
	assert_int_equal(harness_count_record(&t, "start flaky"), 3);
	assert_true(harness_wait_record(&t, "stop db", 1000));
	assert_true(harness_log_contains(&t, "[flaky] exit_when: it failed (status 7)"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(pid_1_reaps_orphans_and_stops_dependents_first),
		TEND_TEST(exit_when_service_passes_its_status_on),
		TEND_TEST(exit_when_any_failed_ends_at_the_restart_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
