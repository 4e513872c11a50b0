/*
 * tend retry against small shell scripts: retried network failures, a
 * config error that is not, a hanging command killed with its process
 * group and given more time next, fallbacks, heals, --max-time, live
 * output, signals passed on, GitHub Actions output, and the store's
 * record of it all. Every process a script starts is written to the
 * record file, so the harness kills it by pid if a test fails.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/mem.h"

/* Writes DIR/name, executable, with a shell body; returns its path (static). */
static const char *
script(const char *name, const char *body)
{
	static char path[8][400];
	static int next;
	char *p = path[next++ % 8], *text = xasprintf("#!/bin/sh\n%s\n", body);

	snprintf(p, 400, "%s/%s", t.dir, name);
	harness_write_script(&t, p, text);
	free(text);
	return p;
}

/* Counts its runs in DIR/count. */
#define COUNT_RUNS \
    "n=$(cat @DIR@/count 2>/dev/null || echo 0); n=$((n + 1)); echo $n > @DIR@/count\n"

/* Fails twice with a DNS error, then works. */
static const char flaky[] =
    COUNT_RUNS
    "if [ $n -lt 3 ]; then\n"
    "  echo \"curl: (6) Could not resolve host: mirror.test: Temporary failure in name resolution\" >&2\n"
    "  exit 6\n"
    "fi\n"
    "echo \"downloaded on try $n\"";

static int
count_file(void)
{
	char path[400];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/count", t.dir);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%d", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

/* Keeps tend's output in its log: shown if the test fails, checked for sanitizer reports. */
static void
keep_output(const char *out)
{
	FILE *f = fopen(t.log, "a");

	if (f == NULL)
		return;
	fputs(out, f);
	fclose(f);
}

static int
occurrences(const char *text, const char *what)
{
	int n = 0;

	while ((text = strstr(text, what)) != NULL) {
		n++;
		text += strlen(what);
	}
	return n;
}

static long long
query(const char *sql)
{
	sqlite3 *db = harness_db_open(&t);
	sqlite3_stmt *stmt;
	long long v = -1;

	assert_non_null(db);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static void
clean_environment(void)
{
	unsetenv("CI");
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITHUB_STEP_SUMMARY");
}

static void
a_name_resolution_failure_is_retried_until_it_works(void **state)
{
	const char *cmd = script("flaky.sh", flaky);
	char *out;
	int rc;

	clean_environment();
	rc = harness_cli(&t, &out, "retry", "--state-dir", t.state, "--initial", "20ms",
	    "--max-delay", "50ms", "--", cmd, NULL);
	keep_output(out);
	assert_int_equal(rc, 0);
	assert_int_equal(count_file(), 3);
	assert_non_null(strstr(out, "downloaded on try 3"));
	/* Its output came through once per failure, and tend said what it made of it. */
	assert_int_equal(occurrences(out, "Temporary failure in name resolution\n"), 2);
	assert_non_null(strstr(out, "attempt 1 failed: exit 6, network: curl: (6)"));
	assert_non_null(strstr(out, "tend retry: succeeded after 3 attempts (network ×2) in "));
	free(out);
}

/*
 * tend retry is on the path of every command a CI script wraps: it must
 * not pay for the HTTP libraries (src/core/dynlib.h). The retried command
 * reads its parent's (tend's) memory map.
 */
static void
retry_does_not_load_the_http_libraries(void **state)
{
	char *out;
	int rc;

	clean_environment();
	rc = harness_cli(&t, &out, "retry", "-q", "--state-dir", t.state, "--", "/bin/sh",
	    "-c", "cat /proc/$PPID/maps", NULL);
	keep_output(out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "libsqlite3"));	/* the map is tend's */
	assert_null(strstr(out, "libcurl"));
	assert_null(strstr(out, "libmicrohttpd"));
	assert_null(strstr(out, "libcrypto"));
	assert_null(strstr(out, "libpcre2"));
	assert_int_equal(query("SELECT count(*) FROM retry_runs WHERE outcome = 'succeeded'"), 1);
	free(out);
}

static void
a_missing_file_is_a_config_error_and_not_retried(void **state)
{
	const char *cmd = script("config.sh",
	    COUNT_RUNS
	    "echo \"cat: /etc/app/app.conf: No such file or directory\" >&2\n"
	    "exit 3");
	char *out;
	int rc;

	clean_environment();
	rc = harness_cli(&t, &out, "retry", "--state-dir", t.state, "--initial", "10ms",
	    "--", cmd, NULL);
	keep_output(out);
	assert_int_equal(rc, 3);		/* the command's own exit code */
	assert_non_null(strstr(out, "attempt 1 failed: exit 3, config: cat: /etc/app/app.conf"));
	assert_non_null(strstr(out, "gave up after 1 attempt (config ×1)"));
	assert_non_null(strstr(out, "config failures are not retried"));
	assert_int_equal(query("SELECT count(*) FROM retry_attempts"), 1);
	free(out);
}

static void
a_hanging_command_is_killed_with_its_group_and_gets_longer_next(void **state)
{
	/* Both the script and its child ignore SIGTERM: SIGKILL must follow. */
	const char *cmd = script("hang.sh",
	    "trap '' TERM\n"
	    "sleep 600 &\n"
	    "echo \"child hang $! 0\" >> @RECORD@\n"
	    "echo \"main hang $$ 0\" >> @RECORD@\n"
	    "wait");
	pid_t pids[8];
	long long t0, took;
	char *out;
	int i, n, rc;

	clean_environment();
	t0 = harness_mono_ms();
	rc = harness_cli(&t, &out, "retry", "--state-dir", t.state, "--timeout", "300ms",
	    "--kill-after", "200ms", "--timeout-growth", "2", "--max-retries", "1",
	    "--initial", "10ms", "--max-delay", "10ms", "--", cmd, NULL);
	took = harness_mono_ms() - t0;
	keep_output(out);
	assert_int_equal(rc, 124);
	assert_non_null(strstr(out, "attempt 1 failed: exit 124, timeout: timed out after 300ms"));
	assert_non_null(strstr(out, "attempt 2 failed: exit 124, timeout: timed out after 600ms"));
	/* 300 ms + 200 ms grace, then 600 ms + 200 ms. */
	fprintf(stderr, "two timed-out attempts took %lld ms\n", took);
	assert_true(took >= 1300);
	assert_true(took < 5000);
	assert_int_equal(query("SELECT count(*) FROM retry_attempts WHERE timed_out = 1 "
	    "AND signal = 9 AND category = 'timeout'"), 2);
	assert_true(query("SELECT ended_at - started_at FROM retry_attempts WHERE n = 2") >= 750);
	/* Nothing it started is left: the script, nor the child it spawned. */
	n = harness_record_pids(&t, "", pids, 8);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		if (!harness_wait_gone(pids[i], 2000))
			fail_msg("pid %d outlived its attempt", (int)pids[i]);
	free(out);
}

static void
the_fallback_runs_when_the_main_command_keeps_failing(void **state)
{
	const char *refused = script("refused.sh",
	    COUNT_RUNS
	    "echo \"connect to 127.0.0.1 port 1 failed: Connection refused\" >&2\n"
	    "exit 7");
	const char *config = script("noconf.sh",
	    "echo \"open /etc/mirror.list: No such file or directory\" >&2\n"
	    "exit 2");
	char *out;
	int rc;

	clean_environment();
	rc = harness_cli(&t, &out, "retry", "--state-dir", t.state, "--max-retries", "1",
	    "--initial", "10ms", "--max-delay", "10ms", "--fallback", "exit 5",
	    "--fallback", "echo from the offline cache", "--", refused, NULL);
	keep_output(out);
	assert_int_equal(rc, 0);
	assert_int_equal(count_file(), 2);	/* 1 + max-retries */
	assert_non_null(strstr(out, "fallback 1: /bin/sh -c 'exit 5'"));
	assert_non_null(strstr(out, "from the offline cache"));
	assert_non_null(strstr(out, "succeeded after 5 attempts (network ×2, unknown ×2) "
	    "with fallback 2"));
	assert_int_equal(query("SELECT count(*) FROM retry_attempts WHERE fallback = 2 "
	    "AND exit_code = 0"), 1);
	free(out);

	/* A failure that is not retried moves on to the fallback at once. */
	rc = harness_cli(&t, &out, "retry", "--state-dir", t.state, "--fallback",
	    "echo mirror two", "--", config, NULL);
	keep_output(out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "not retried, trying the fallback"));
	assert_non_null(strstr(out, "succeeded after 2 attempts (config ×1) with fallback 1"));
	free(out);
}

static void
a_heal_runs_before_the_next_attempt(void **state)
{
	const char *cmd = script("dep.sh",
	    "if [ -e @DIR@/healed ]; then echo \"import works\"; exit 0; fi\n"
	    "echo \"app: error while loading shared libraries: libfoo.so.1: cannot open "
	    "shared object file\" >&2\n"
	    "exit 127");
	char heal[600], *out;
	const char *healing, *works;
	int rc;

	clean_environment();
	/* Without a heal, a missing library is not worth another try. */
	rc = harness_cli(&t, &out, "retry", "--state-dir", t.state, "--", cmd, NULL);
	keep_output(out);
	assert_int_equal(rc, 127);
	assert_non_null(strstr(out, "gave up after 1 attempt (dependency ×1)"));
	free(out);

	snprintf(heal, sizeof(heal), "dependency=echo healing; touch %s/healed", t.dir);
	rc = harness_cli(&t, &out, "retry", "--state-dir", t.state, "--initial", "10ms",
	    "--heal", heal, "--", cmd, NULL);
	keep_output(out);
	assert_int_equal(rc, 0);
	healing = strstr(out, "healing\n");
	works = strstr(out, "import works");
	assert_non_null(healing);
	assert_non_null(works);
	assert_true(healing < works);
	assert_non_null(strstr(out, "dependency failure: healing with /bin/sh -c"));
	assert_non_null(strstr(out, "succeeded after 2 attempts (dependency ×1)"));
	assert_int_equal(query("SELECT count(*) FROM retry_attempts WHERE n = 1 AND "
	    "category = 'dependency' AND heal LIKE '%touch%-> exit 0'"), 1);
	free(out);
}

static void
max_time_bounds_the_whole_run(void **state)
{
	const char *refused = script("refused.sh",
	    "echo \"Connection refused\" >&2\n"
	    "exit 7");
	const char *sleeper = script("sleeper.sh",
	    "echo \"main sleeper $$ 0\" >> @RECORD@\n"
	    "exec sleep 600");
	long long t0, took, ran;
	pid_t pid;
	char *out;
	int rc;

	clean_environment();
	t0 = harness_mono_ms();
	rc = harness_cli(&t, &out, "retry", "--state-dir", t.state, "--max-retries", "1000",
	    "--initial", "100ms", "--max-delay", "100ms", "--jitter", "none", "--max-time",
	    "1s", "--", refused, NULL);
	took = harness_mono_ms() - t0;
	keep_output(out);
	ran = query("SELECT ended_at - started_at FROM retry_runs ORDER BY id DESC LIMIT 1");
	fprintf(stderr, "--max-time 1s: gave up after %lld ms (%lld ms with tend's start)\n",
	    ran, took);
	/* The last attempt's code: its own, or 124 when the deadline fell during it. */
	assert_true(rc == 7 || rc == 124);
	assert_non_null(strstr(out, "--max-time 1s reached"));
	/* The run itself, as tend timed it; the start of a sanitized tend under load is extra. */
	assert_true(ran >= 700);
	assert_true(ran < 1300);
	assert_true(took < 5000);
	free(out);

	/* A command still running at the deadline is stopped there. */
	t0 = harness_mono_ms();
	rc = harness_cli(&t, &out, "retry", "--state-dir", t.state, "--max-time", "500ms",
	    "--", sleeper, NULL);
	took = harness_mono_ms() - t0;
	keep_output(out);
	ran = query("SELECT ended_at - started_at FROM retry_runs ORDER BY id DESC LIMIT 1");
	fprintf(stderr, "--max-time 500ms on a hanging command: %lld ms (%lld ms with tend's "
	    "start)\n", ran, took);
	assert_int_equal(rc, 124);
	assert_non_null(strstr(out, "timeout: stopped at --max-time 500ms"));
	assert_non_null(strstr(out, "--max-time 500ms reached"));
	assert_true(ran >= 490);
	assert_true(ran < 800);
	assert_true(took < 5000);
	assert_int_equal(harness_record_pids(&t, "main sleeper", &pid, 1), 1);
	assert_true(harness_wait_gone(pid, 2000));
	free(out);
}

/* Starts tend retry with its output into a pipe; returns the read end. */
static int
start_retry(char *const extra[])
{
	const char *bin = getenv("TEND_BIN");
	char *argv[32];
	int fds[2], i = 0, j;

	assert_non_null(bin);
	argv[i++] = (char *)bin;
	argv[i++] = "retry";
	argv[i++] = "--state-dir";
	argv[i++] = t.state;
	for (j = 0; extra[j] != NULL && i < 31; j++)
		argv[i++] = extra[j];
	argv[i] = NULL;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	t.pid = fork();
	assert_true(t.pid >= 0);
	if (t.pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		execv(bin, argv);
		_exit(127);
	}
	close(fds[1]);
	return fds[0];
}

/* Reads from fd into buf (appending) until it holds text or the deadline passes. */
static bool
read_until(int fd, char *buf, size_t cap, const char *text, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t len = strlen(buf);
	ssize_t n;

	while (strstr(buf, text) == NULL) {
		long long left = deadline - harness_mono_ms();

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return false;
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			return strstr(buf, text) != NULL;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return true;
}

static void
output_streams_through_while_the_command_runs(void **state)
{
	char fifo[400], buf[8192] = "";
	const char *cmd = script("live.sh",
	    "echo first line\n"
	    "read go < @DIR@/fifo\n"
	    "echo second line");
	char *args[] = { "--", (char *)cmd, NULL };
	int fd, w;

	clean_environment();
	snprintf(fifo, sizeof(fifo), "%s/fifo", t.dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	fd = start_retry(args);
	/* The first line arrives while the command still waits to be let go. */
	assert_true(read_until(fd, buf, sizeof(buf), "first line\n", 5000));
	assert_null(strstr(buf, "second line"));
	w = open(fifo, O_WRONLY | O_CLOEXEC);
	assert_true(w >= 0);
	assert_int_equal(write(w, "go\n", 3), 3);
	close(w);
	assert_true(read_until(fd, buf, sizeof(buf), "succeeded after 1 attempt", 5000));
	close(fd);
	keep_output(buf);
	assert_non_null(strstr(buf, "second line"));
	assert_int_equal(harness_wait_exit(&t, 5000), 0);
}

static void
sigterm_is_passed_on_to_the_command_group(void **state)
{
	char buf[8192] = "";
	const char *cmd = script("term.sh",
	    "sleep 600 &\n"
	    "echo \"child term $! 0\" >> @RECORD@\n"
	    "echo \"main term $$ 0\" >> @RECORD@\n"
	    "wait");
	char *args[] = { "--initial", "10ms", "--", (char *)cmd, NULL };
	pid_t pids[4];
	int fd, i, n;

	clean_environment();
	fd = start_retry(args);
	assert_true(harness_wait_record(&t, "main term", 5000));
	kill(t.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&t, 5000), 128 + SIGTERM);
	read_until(fd, buf, sizeof(buf), "\x01", 1000);	/* everything up to EOF */
	close(fd);
	keep_output(buf);
	/* One attempt: a signal to tend is not a failure to retry. */
	assert_non_null(strstr(buf, "gave up after 1 attempt in "));
	assert_non_null(strstr(buf, ": exit 143; interrupted by SIGTERM"));
	n = harness_record_pids(&t, "", pids, 4);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		if (!harness_wait_gone(pids[i], 2000))
			fail_msg("pid %d outlived tend", (int)pids[i]);
	assert_int_equal(query("SELECT count(*) FROM retry_runs WHERE outcome = "
	    "'interrupted' AND exit_code = 143"), 1);
}

static void
github_actions_gets_groups_warnings_and_a_step_summary(void **state)
{
	const char *cmd = script("flaky.sh", flaky);
	char summary[400], *out, *text;
	int rc;

	clean_environment();
	snprintf(summary, sizeof(summary), "%s/summary.md", t.dir);
	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_STEP_SUMMARY", summary, 1);
	rc = harness_cli(&t, &out, "retry", "--state-dir", t.state, "--initial", "10ms",
	    "--max-delay", "10ms", "--", cmd, NULL);
	clean_environment();
	keep_output(out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "::group::attempt 1: "));
	assert_non_null(strstr(out, "::group::attempt 3: "));
	assert_int_equal(occurrences(out, "::endgroup::\n"), 3);
	assert_non_null(strstr(out, "::warning::tend retry: attempt 1 failed (network): exit 6"));
	assert_int_equal(occurrences(out, "::warning::"), 2);
	assert_null(strstr(out, "::error::"));

	text = harness_read_file(summary);
	assert_non_null(text);
	keep_output(text);
	assert_non_null(strstr(text, "### tend retry: `"));
	assert_non_null(strstr(text, "succeeded after 3 attempts (network ×2)"));
	assert_non_null(strstr(text, "| # | command | exit | category | time | detail |"));
	assert_non_null(strstr(text, "| 1 | main | 6 | network | "));
	assert_non_null(strstr(text, "| 3 | main | 0 |  | "));
	free(text);
	free(out);
}

static void
the_store_has_the_run_and_its_attempts(void **state)
{
	const char *cmd = script("flaky.sh", flaky);
	char sql[600], *out;
	int rc;

	clean_environment();
	rc = harness_cli(&t, &out, "retry", "--state-dir", t.state, "--initial", "10ms",
	    "--max-delay", "10ms", "--", cmd, "--an-arg", NULL);
	keep_output(out);
	assert_int_equal(rc, 0);
	free(out);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM retry_runs WHERE origin = "
	    "'tend retry' AND outcome = 'succeeded' AND exit_code = 0 AND attempts = 3 AND "
	    "ci = 0 AND ended_at >= started_at AND argv = '[\"%s\",\"--an-arg\"]' AND "
	    "summary LIKE 'tend retry: succeeded after 3 attempts%%'", cmd);
	assert_int_equal(query(sql), 1);
	assert_int_equal(query("SELECT count(*) FROM retry_attempts"), 3);
	assert_int_equal(query("SELECT count(*) FROM retry_attempts WHERE run_id = 1 AND "
	    "category = 'network' AND exit_code = 6 AND signal IS NULL AND timed_out = 0 "
	    "AND detail LIKE 'curl: (6) Could not resolve host%' AND tail LIKE "
	    "'%Temporary failure in name resolution%' AND n IN (1, 2)"), 2);
	assert_int_equal(query("SELECT count(*) FROM retry_attempts WHERE n = 3 AND "
	    "category IS NULL AND exit_code = 0 AND fallback = 0"), 1);
}

static void
a_store_that_cannot_be_opened_costs_one_warning(void **state)
{
	const char *cmd = script("flaky.sh", flaky);
	char *out;
	int rc;

	clean_environment();
	rc = harness_cli(&t, &out, "retry", "--state-dir", "/proc/tend-cannot-be-here",
	    "--initial", "10ms", "--max-delay", "10ms", "--", cmd, NULL);
	keep_output(out);
	assert_int_equal(rc, 0);
	assert_int_equal(occurrences(out, "not recording this run"), 1);
	assert_non_null(strstr(out, "succeeded after 3 attempts"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_name_resolution_failure_is_retried_until_it_works),
		TEND_TEST(retry_does_not_load_the_http_libraries),
		TEND_TEST(a_missing_file_is_a_config_error_and_not_retried),
		TEND_TEST(a_hanging_command_is_killed_with_its_group_and_gets_longer_next),
		TEND_TEST(the_fallback_runs_when_the_main_command_keeps_failing),
		TEND_TEST(a_heal_runs_before_the_next_attempt),
		TEND_TEST(max_time_bounds_the_whole_run),
		TEND_TEST(output_streams_through_while_the_command_runs),
		TEND_TEST(sigterm_is_passed_on_to_the_command_group),
		TEND_TEST(github_actions_gets_groups_warnings_and_a_step_summary),
		TEND_TEST(the_store_has_the_run_and_its_attempts),
		TEND_TEST(a_store_that_cannot_be_opened_costs_one_warning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
