/*
 * tend logs with the real binary: the last lines of what a service
 * printed, --grep, a JSON line by field, credentials hidden and control
 * characters escaped; -f shows new lines as they come and ends on SIGINT;
 * an unknown service and a bad regex are usage errors; `patterns` groups
 * the lines into templates, the most common first.
 */
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char config[] =
    "services:\n"
    "  app:\n"
    "    run: [/bin/sh, -c, 'for i in 1 2 3 4 5; do echo \"line $i\"; done;\n"
    "          echo \"{\\\"msg\\\":\\\"hello\\\",\\\"level\\\":\\\"info\\\",\\\"n\\\":3}\";\n"
    "          echo \"fetch https://bob:s3cret@example.org/x\"; printf \"bell\\a\\n\";\n"
    "          echo ready; exec sleep 1000']\n"
    "  ticker:\n"
    "    run: [/bin/sh, -c, 'i=0; while :; do i=$((i+1)); echo \"tick $i\"; sleep 0.05; "
    "done']\n";

/* Output of tend logs ARGS once it shows want (the service may still be printing). */
static char *
logs_until(const char *want, const char *a1, const char *a2, const char *a3)
{
	long long deadline = harness_mono_ms() + 5000;
	char *out = NULL;

	do {
		free(out);
		harness_cli(&t, &out, "logs", a1, a2, a3, "-c", t.config, "--state-dir",
		    t.state, NULL);
		if (strstr(out, want) != NULL)
			break;
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	harness_contains(out, want);
	return out;
}

static void
the_last_lines_grep_and_fields(void **state)
{
	char *out;

	harness_write_config(&t, config);
	harness_start(&t);
	free(logs_until("ready", "app", "-n", "100"));
	out = logs_until("ready", "app", "-n", "4");
	assert_null(strstr(out, "line 5"));
	harness_contains(out, "hello level=info n=3\n");
	harness_contains(out, "fetch https://bob:***@example.org/x\n");
	harness_contains(out, "bell\\x07\n");
	free(out);
	out = logs_until("line 4", "app", "--grep", "line [24]");
	assert_string_equal(out, "line 2\nline 4\n");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "logs", "nope", "-c", t.config, "--state-dir",
	    t.state, NULL), 2);
	harness_contains(out, "no service named 'nope'");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "logs", "app", "--grep", "(", "-c", t.config,
	    "--state-dir", t.state, NULL), 2);
	harness_contains(out, "--grep: ");
	free(out);
}

static void
follow_shows_new_lines_until_interrupted(void **state)
{
	const char *path = harness_at(&t, "follow.out");
	long long deadline;
	char *text = NULL;
	int status, fd;
	pid_t pid;

	harness_write_config(&t, config);
	harness_start(&t);
	free(logs_until("tick 2", "ticker", "-n", "1"));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		dup2(fd, 1);
		execl(getenv("TEND_BIN"), "tend", "logs", "ticker", "-f", "-n", "0", "-c",
		    t.config, "--state-dir", t.state, (char *)NULL);
		_exit(127);
	}
	/* Lines printed after it started: at least three. */
	deadline = harness_mono_ms() + 5000;
	do {
		free(text);
		harness_pause_ms(50);
		text = harness_read_file(path);
	} while ((text == NULL || strstr(text, "\ntick") == NULL ||
	    strchr(strstr(text, "\ntick") + 1, '\n') == NULL) && harness_mono_ms() < deadline);
	kill(pid, SIGINT);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_non_null(text);
	assert_non_null(strstr(text, "tick "));
	free(text);
}

static void
patterns_group_the_lines_into_templates(void **state)
{
	char *out;

	harness_write_config(&t, config);
	harness_start(&t);
	free(logs_until("tick 6", "ticker", "-n", "1"));
	free(logs_until("ready", "app", "-n", "1"));
	assert_int_equal(harness_cli(&t, &out, "logs", "patterns", "app", "-c", t.config,
	    "--state-dir", t.state, NULL), 0);
	harness_contains(out, "app: 5 templates in 9 lines\n");
	harness_contains(out, "       5  lines 1-5  line *\n");
	harness_contains(out, "  lines 7-7  fetch *\n");
	harness_contains(out, "  lines 8-8  bell\\x07\n");
	free(out);
	/* Every service, and only what --grep keeps. */
	assert_int_equal(harness_cli(&t, &out, "logs", "patterns", "--grep", "tick", "-c",
	    t.config, "--state-dir", t.state, NULL), 0);
	harness_contains(out, "app: 0 templates in 9 lines\n");
	harness_contains(out, "ticker: 1 templates in ");
	harness_contains(out, "  tick *\n");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(the_last_lines_grep_and_fields),
		TEND_TEST(follow_shows_new_lines_until_interrupted),
		TEND_TEST(patterns_group_the_lines_into_templates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
