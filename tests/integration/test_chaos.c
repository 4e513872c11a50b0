/*
 * tend chaos with the real binary and a real daemon: a kill healed within
 * its expectation (exit 0, MTTD and MTTR in the JSON); an expectation that
 * does not hold exits 1 and says which; a hang tend heals through its HTTP
 * check; a stopped service started again; a run killed mid-hang leaves
 * its journal and the next run resumes the process first, as the next
 * daemon does when the daemon died too; every run in
 * the store (tend chaos history); the blast
 * radius (something else unhealthy: refused unless --force); a dry run
 * that touches nothing; what mistakes get.
 */
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char config[] =
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, web, --http, --listen, '@PORT1@']\n"
    "    ready: { tcp: @PORT1@ }\n"
    "    checks:\n"
    "      health: { type: http, url: 'http://127.0.0.1:@PORT1@/health', every: 100ms,\n"
    "                timeout: 300ms, fail_after: 2 }\n"
    "  quiet:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, quiet]\n"
    "    depends_on: [web]\n"
    "chaos:\n"
    "  experiments:\n"
    "    crash: { fault: kill, target: web, expect: { healed_within: 5s,\n"
    "             dependents_not_restarted: true } }\n"
    "    crash-escalates: { fault: kill, target: web, expect: { escalated: true } }\n"
    "    hang: { fault: hang, target: web, duration: 20s, expect: { healed_within: 10s } }\n"
    "    down: { fault: stop, target: web, duration: 200ms, expect: { healed_within: 5s } }\n"
    "    freeze: { fault: hang, target: quiet, duration: 1m }\n"
    "    quiet-crash: { fault: kill, target: quiet, signal: TERM }\n";

/* Whether service name's health is healthy, waiting up to timeout_ms. */
static bool
wait_healthy(const char *name, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	const char *health;
	json_t *status;
	bool ok;

	do {
		status = harness_status(&t);
		health = json_string_value(json_object_get(harness_service(status, name),
		    "health"));
		ok = health != NULL && strcmp(health, "healthy") == 0;
		json_decref(status);
		if (ok)
			return true;
		harness_pause_ms(20);
	} while (harness_mono_ms() < deadline);
	return false;
}

static void
start(void)
{
	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	assert_true(harness_wait_state(&t, "quiet", "up", 0, 5000));
	/* The check's first run may come before web listens: wait for its verdict. */
	assert_true(wait_healthy("web", 5000));
}

/* tend chaos run A [B]: its exit code, its output shown when it is not want. */
static int
chaos_as(int want, char **out, const char *a, const char *b)
{
	int rc = harness_cli(&t, out, "chaos", "run", a, "-c", t.config, "--state-dir",
	    t.state, b, NULL);

	if (want >= 0 && rc != want)
		fprintf(stderr, "tend chaos run %s %s: exit %d:\n%s\n", a, b != NULL ? b : "",
		    rc, *out);
	return rc;
}

#define chaos(out, a, b)	chaos_as(-1, out, a, b)

/* The process's state letter in /proc (R, S, T, ...), or '?' when gone. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return '?';
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (p == NULL || (p = strrchr(buf, ')')) == NULL)
		return '?';
	return p[2];
}

static void
a_kill_is_healed_within_its_expectation(void **state)
{
	pid_t before;
	char *out;

	start();
	before = harness_pid(&t, "web");
	assert_int_equal(chaos_as(0, &out, "crash", "--format=json"), 0);
	harness_contains(out, "\"ok\": true");
	harness_contains(out, "\"mttr_ms\": ");
	free(out);
	assert_true(harness_pid(&t, "web") != before);

	/* A kill is no escalation: that expectation fails, and says so. */
	assert_int_equal(chaos(&out, "crash-escalates", NULL), 1);
	harness_contains(out, "an expectation failed");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "chaos", "run", "crash-escalates", "-c",
	    t.config, "--state-dir", t.state, "--format", "json", NULL), 1);
	harness_contains(out, "\"escalated: true\"");
	free(out);

	/* Under GitHub Actions: an ::error:: line and a step summary. */
	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_STEP_SUMMARY", harness_at(&t, "summary.md"), 1);
	assert_int_equal(chaos(&out, "crash-escalates", NULL), 1);
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITHUB_STEP_SUMMARY");
	harness_contains(out, "::error::tend chaos crash-escalates: [\"escalated: true\"]");
	free(out);
	out = harness_read_file(harness_at(&t, "summary.md"));
	harness_contains(out, "### tend chaos");
	harness_contains(out, "| crash-escalates | kill | web | 1 | ");
	harness_contains(out, "| **failed** |");
	free(out);

	/* Each run is in the store: tend chaos history, newest first. */
	assert_int_equal(harness_cli(&t, &out, "chaos", "history", "-c", t.config,
	    "--state-dir", t.state, NULL), 0);
	harness_contains(out, "crash-escalates");
	harness_contains(out, "FAILED [\"escalated: true\"]");
	harness_contains(out, "  ok");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "chaos", "history", "-c", t.config,
	    "--state-dir", t.state, "--format", "json", NULL), 0);
	harness_contains(out, "\"experiment\": \"crash\"");
	harness_contains(out, "\"mttr_ms\": ");
	free(out);
}

static void
a_hang_and_a_stop_are_healed_and_undone(void **state)
{
	pid_t before;
	char *out;

	start();
	before = harness_pid(&t, "web");
	/* Stopped: the HTTP check fails, the healer restarts it (SIGCONT with its TERM). */
	assert_int_equal(chaos_as(0, &out, "hang", NULL), 0);
	harness_contains(out, "incident #");
	free(out);
	assert_true(harness_pid(&t, "web") != before);
	assert_true(harness_wait_gone(before, 5000));
	assert_int_equal(access(harness_at(&t, "state/chaos.journal"), F_OK), -1);

	assert_int_equal(chaos(&out, "down", NULL), 0);
	harness_contains(out, "healthy again");
	free(out);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
}

/*
 * A run killed while its hang holds (nothing checks quiet: tend cannot
 * heal it) leaves the process stopped and the journal saying so; the next
 * run resumes it before anything else.
 */
static void
a_run_killed_mid_hang_is_undone_by_the_next(void **state)
{
	long long deadline;
	pid_t quiet, run;
	char *out;
	int status;

	start();
	quiet = harness_pid(&t, "quiet");
	run = harness_cli_async(&t, "chaos", "run", "freeze", "-c", t.config, "--state-dir",
	    t.state, NULL);
	deadline = harness_mono_ms() + 10000;
	while (proc_state(quiet) != 'T' && harness_mono_ms() < deadline)
		harness_pause_ms(5);
	assert_int_equal(proc_state(quiet), 'T');
	assert_int_equal(access(harness_at(&t, "state/chaos.journal"), F_OK), 0);
	kill(run, SIGKILL);
	assert_int_equal(waitpid(run, &status, 0), run);
	assert_int_equal(proc_state(quiet), 'T');

	assert_int_equal(chaos(&out, "quiet-crash", "--force"), 0);
	harness_contains(out, "undone: hang of quiet");
	free(out);
	assert_int_equal(access(harness_at(&t, "state/chaos.journal"), F_OK), -1);
	assert_true(harness_wait_state(&t, "quiet", "up", 0, 5000));
}

/*
 * The daemon itself killed while a run's hang holds (and the run with it):
 * the next daemon resumes the stopped process before it adopts the
 * services it finds, and says so.
 */
static void
a_daemon_restarted_mid_hang_resumes_the_process(void **state)
{
	long long deadline;
	pid_t quiet, run;
	int status;

	start();
	quiet = harness_pid(&t, "quiet");
	run = harness_cli_async(&t, "chaos", "run", "freeze", "-c", t.config, "--state-dir",
	    t.state, NULL);
	deadline = harness_mono_ms() + 10000;
	while (proc_state(quiet) != 'T' && harness_mono_ms() < deadline)
		harness_pause_ms(5);
	assert_int_equal(proc_state(quiet), 'T');
	kill(run, SIGKILL);
	assert_int_equal(waitpid(run, &status, 0), run);
	kill(t.pid, SIGKILL);
	assert_true(harness_wait_exit(&t, 5000) >= 0);	/* 128 + 9 */
	t.pid = 0;

	harness_start(&t);
	deadline = harness_mono_ms() + 10000;
	while (!harness_log_contains(&t, "chaos: undone at start: hang of quiet") &&
	    harness_mono_ms() < deadline)
		harness_pause_ms(10);
	assert_true(harness_log_contains(&t, "chaos: undone at start: hang of quiet"));
	assert_true(proc_state(quiet) != 'T');
	assert_int_equal(access(harness_at(&t, "state/chaos.journal"), F_OK), -1);
}

/* --standalone, for CI: the run starts its daemon, waits for it, and stops it. */
static void
standalone_starts_and_stops_its_own_daemon(void **state)
{
	char *out;

	harness_write_config(&t, config);
	assert_int_equal(chaos_as(0, &out, "crash", "--standalone"), 0);
	harness_contains(out, "crash #1: kill of web: detected in ");
	harness_contains(out, "every expectation held");
	free(out);
	out = harness_read_file(harness_at(&t, "state/chaos-daemon.log"));
	harness_contains(out, "all services stopped; exiting");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "status", "-c", t.config, "--state-dir",
	    t.state, NULL), 1);
	free(out);

	/* With a daemon already there, --standalone is refused. */
	start();
	assert_int_equal(chaos(&out, "crash", "--standalone"), 1);
	harness_contains(out, "a daemon already runs on this state dir");
	free(out);
}

/* chaos: schedule: the daemon runs the scheduled experiments by itself, recorded as any run. */
static void
scheduled_chaos_runs_by_itself(void **state)
{
	static const char scheduled[] =
	    "services:\n"
	    "  web: { run: [@FAKESVC@, --record, @RECORD@, --name, web] }\n"
	    "chaos:\n"
	    "  schedule: every 1s\n"
	    "  scheduled: [crash]\n"
	    "  experiments:\n"
	    "    crash: { fault: kill, target: web, expect: { healed_within: 5s } }\n"
	    "    never: { fault: kill, target: web }\n";
	long long deadline;
	char *out;

	harness_write_config(&t, scheduled);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	deadline = harness_mono_ms() + 15000;
	while (!harness_log_contains(&t, "scheduled chaos run: every expectation held") &&
	    harness_mono_ms() < deadline)
		harness_pause_ms(50);
	assert_true(harness_log_contains(&t, "scheduled chaos run: every expectation held"));
	assert_int_equal(harness_cli(&t, &out, "chaos", "history", "-c", t.config,
	    "--state-dir", t.state, NULL), 0);
	harness_contains(out, "crash ");
	assert_null(strstr(out, "never"));
	free(out);
	out = harness_read_file(harness_at(&t, "state/chaos-scheduled.log"));
	harness_contains(out, "crash #1: kill of web");
	free(out);
}

static void
the_blast_radius_and_mistakes(void **state)
{
	pid_t before;
	char *out;

	start();
	before = harness_pid(&t, "web");
	assert_int_equal(harness_cli(&t, &out, "stop", "quiet", "-c", t.config, "--state-dir",
	    t.state, NULL), 0);
	free(out);
	assert_true(harness_wait_state(&t, "quiet", "down", 0, 5000));
	assert_int_equal(chaos(&out, "crash", NULL), 1);
	harness_contains(out, "not run: quiet is not up and healthy (--force runs anyway)");
	free(out);
	assert_int_equal(harness_pid(&t, "web"), before);
	assert_int_equal(chaos(&out, "crash", "--force"), 0);
	free(out);

	/* A dry run says what it would do and does nothing. */
	before = harness_pid(&t, "web");
	assert_int_equal(chaos(&out, "hang", "--dry-run"), 0);
	harness_contains(out, "hang: hang of web for 20000 ms");
	free(out);
	assert_int_equal(harness_pid(&t, "web"), before);
	assert_int_equal(proc_state(before) == 'T', 0);

	assert_int_equal(chaos(&out, "nope", NULL), 2);
	harness_contains(out, "no experiment named 'nope'");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "chaos", "-c", t.config, NULL), 2);
	harness_contains(out, "usage: tend chaos");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "chaos", "list", "-c", t.config, NULL), 0);
	harness_contains(out, "crash: kill of web (SIGKILL)");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_kill_is_healed_within_its_expectation),
		TEND_TEST(a_hang_and_a_stop_are_healed_and_undone),
		TEND_TEST(a_run_killed_mid_hang_is_undone_by_the_next),
		TEND_TEST(a_daemon_restarted_mid_hang_resumes_the_process),
		TEND_TEST(standalone_starts_and_stops_its_own_daemon),
		TEND_TEST(scheduled_chaos_runs_by_itself),
		TEND_TEST(the_blast_radius_and_mistakes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
