/*
 * tend retry's policy: defaults (and CI's), the command line and its
 * errors, delays within their bounds for each jitter, timeout growth,
 * which categories are retried; and retry_command itself on small
 * commands, as `tend deps install` calls it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd_retry.h"
#include "net/retry.h"

static int
clean_environment(void **state)
{
	unsetenv("CI");
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITHUB_STEP_SUMMARY");
	return 0;
}

/* Parses a command line given as NULL-terminated words after "retry". */
static int
parse(struct retry_cli *cli, char *err, size_t errlen, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;

	argv[argc++] = "retry";
	va_start(ap, errlen);
	while (argc < 63 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	argv[argc] = NULL;
	va_end(ap);
	err[0] = '\0';
	return retry_cli_parse(argc, argv, cli, err, errlen);
}

static void
defaults_follow_the_classifier(void **state)
{
	struct retry_options o;

	retry_options_init(&o);
	assert_int_equal(o.max_retries, 3);
	assert_int_equal(o.initial_ms, 1000);
	assert_int_equal(o.max_delay_ms, 30000);
	assert_true(o.multiplier == 2.0);
	assert_int_equal(o.jitter, BACKOFF_JITTER_FULL);
	assert_int_equal(o.timeout_ms, 0);
	assert_int_equal(o.max_time_ms, 0);
	assert_false(o.ci);
	assert_false(o.github);
	assert_null(o.step_summary);
	assert_string_equal(o.label, "tend retry");
	assert_true(retry_category_retried(&o, FAILURE_NETWORK));
	assert_true(retry_category_retried(&o, FAILURE_TIMEOUT));
	assert_true(retry_category_retried(&o, FAILURE_RESOURCE));
	assert_true(retry_category_retried(&o, FAILURE_CRASH));
	assert_true(retry_category_retried(&o, FAILURE_UNKNOWN));
	assert_false(retry_category_retried(&o, FAILURE_CONFIG));
	assert_false(retry_category_retried(&o, FAILURE_DEPENDENCY));
	assert_false(retry_category_retried(&o, FAILURE_PERMISSION));
}

static void
ci_gets_longer_timeouts_and_delays(void **state)
{
	struct retry_options o;

	setenv("CI", "true", 1);
	retry_options_init(&o);
	assert_true(o.ci);
	assert_false(o.github);
	assert_int_equal(o.timeout_ms, 10 * 60 * 1000);
	assert_int_equal(o.initial_ms, 2000);
	assert_int_equal(o.max_delay_ms, 60000);
	/* Only "true" counts: CI=false or CI=1 is not a CI run. */
	setenv("CI", "1", 1);
	retry_options_init(&o);
	assert_false(o.ci);
}

static void
github_actions_turns_on_annotations_and_the_step_summary(void **state)
{
	struct retry_options o;

	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_STEP_SUMMARY", "/tmp/summary.md", 1);
	retry_options_init(&o);
	assert_true(o.ci);
	assert_true(o.github);
	assert_string_equal(o.step_summary, "/tmp/summary.md");
	assert_int_equal(o.timeout_ms, 10 * 60 * 1000);
}

static void
every_option_is_parsed(void **state)
{
	struct retry_cli cli;
	char err[256];

	assert_int_equal(parse(&cli, err, sizeof(err), "-n", "5", "--initial", "250ms",
	    "--max-delay", "10s", "--multiplier", "1.5", "--jitter", "equal", "-t", "2m",
	    "--timeout-growth", "3", "--max-time", "1h", "--kill-after", "2s",
	    "--retry-on", "network", "--retry-on", "timeout", "--no-retry-on", "timeout",
	    "--fallback", "make offline-install", "--fallback", "true",
	    "--heal", "dependency=make deps", "--state-dir", "/tmp/st", "-c", "t.yaml",
	    "-q", "-v", "--", "curl", "-f", "http://127.0.0.1:1/", NULL), 0);
	assert_int_equal(cli.opts.max_retries, 5);
	assert_int_equal(cli.opts.initial_ms, 250);
	assert_int_equal(cli.opts.max_delay_ms, 10000);
	assert_true(cli.opts.multiplier == 1.5);
	assert_int_equal(cli.opts.jitter, BACKOFF_JITTER_EQUAL);
	assert_int_equal(cli.opts.timeout_ms, 120000);
	assert_true(cli.opts.timeout_growth == 3.0);
	assert_int_equal(cli.opts.max_time_ms, 3600000);
	assert_int_equal(cli.opts.kill_grace_ms, 2000);
	/* The first --retry-on replaces the defaults, the next adds, --no-retry-on wins. */
	assert_int_equal(cli.opts.retry_on, RETRY_CATEGORY_BIT(FAILURE_NETWORK) |
	    RETRY_CATEGORY_BIT(FAILURE_TIMEOUT));
	assert_false(retry_category_retried(&cli.opts, FAILURE_TIMEOUT));
	assert_false(retry_category_retried(&cli.opts, FAILURE_UNKNOWN));
	assert_true(retry_category_retried(&cli.opts, FAILURE_NETWORK));
	/* A heal makes its category worth another try. */
	assert_true(retry_category_retried(&cli.opts, FAILURE_DEPENDENCY));
	assert_int_equal(cli.opts.n_fallbacks, 2);
	assert_string_equal(cli.opts.fallbacks[0][0], "/bin/sh");
	assert_string_equal(cli.opts.fallbacks[0][1], "-c");
	assert_string_equal(cli.opts.fallbacks[0][2], "make offline-install");
	assert_null(cli.opts.fallbacks[0][3]);
	assert_int_equal(cli.opts.n_heals, 1);
	assert_int_equal(cli.opts.heals[0].category, FAILURE_DEPENDENCY);
	assert_string_equal(cli.opts.heals[0].argv[2], "make deps");
	assert_string_equal(cli.state_dir, "/tmp/st");
	assert_string_equal(cli.config_path, "t.yaml");
	assert_false(cli.opts.summary);
	assert_true(cli.opts.verbose);
	/* The command keeps its own options. */
	assert_string_equal(cli.command[0], "curl");
	assert_string_equal(cli.command[1], "-f");
	assert_string_equal(cli.command[2], "http://127.0.0.1:1/");
	assert_null(cli.command[3]);
	retry_options_clear(&cli.opts);
	assert_int_equal(cli.opts.n_fallbacks, 0);
	assert_int_equal(cli.opts.n_heals, 0);
}

static void
parsing_stops_at_the_command_without_a_double_dash(void **state)
{
	struct retry_cli cli;
	char err[256];

	assert_int_equal(parse(&cli, err, sizeof(err), "-n", "1", "ls", "-l", "--timeout",
	    "x", NULL), 0);
	assert_int_equal(cli.opts.max_retries, 1);
	assert_string_equal(cli.command[0], "ls");
	assert_string_equal(cli.command[2], "--timeout");
	retry_options_clear(&cli.opts);
}

static void
a_second_heal_for_a_category_replaces_the_first(void **state)
{
	struct retry_cli cli;
	char err[256];

	assert_int_equal(parse(&cli, err, sizeof(err), "--heal", "network=a",
	    "--heal", "network=b", "--", "true", NULL), 0);
	assert_int_equal(cli.opts.n_heals, 1);
	assert_string_equal(cli.opts.heals[0].argv[2], "b");
	retry_options_clear(&cli.opts);
}

/* Each bad command line: exit 2 and a reason that names the culprit. */
static void
bad_command_lines_are_usage_errors(void **state)
{
	static const struct {
		const char	*args[4];
		const char	*says;
	} cases[] = {
		{ { "--bogus", "--", "true" }, "unknown option '--bogus'" },
		{ { "--initial" }, "needs a value" },
		{ { "--initial", "soon", "true" }, "--initial 'soon'" },
		{ { "--timeout", "-1s", "true" }, "--timeout '-1s'" },
		{ { "-n", "three", "true" }, "--max-retries 'three'" },
		{ { "-n", "-1", "true" }, "--max-retries '-1'" },
		{ { "--multiplier", "0.5", "true" }, "at least 1" },
		{ { "--timeout-growth", "x", "true" }, "--timeout-growth 'x'" },
		{ { "--jitter", "half", "true" }, "expected full, equal or none" },
		{ { "--retry-on", "netwrk", "true" }, "'netwrk' is not a category" },
		{ { "--no-retry-on", "", "true" }, "no category given" },
		{ { "--heal", "make deps", "true" }, "expected CATEGORY='COMMAND'" },
		{ { "--heal", "deps=make deps", "true" }, "'deps' is not a category" },
		{ { "--heal", "network=", "true" }, "expected CATEGORY='COMMAND'" },
		{ { "--fallback", "", "true" }, "the command is empty" },
		{ { "-n", "2" }, "no command given" },
		{ { "--initial", "10s", "--max-delay" }, "needs a value" },
	};
	struct retry_cli cli;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(&cli, err, sizeof(err), cases[i].args[0], cases[i].args[1],
		    cases[i].args[2], cases[i].args[3]) != 2)
			fail_msg("case %zu (%s) was accepted", i, cases[i].args[0]);
		if (strstr(err, cases[i].says) == NULL)
			fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].says);
		retry_options_clear(&cli.opts);
	}
	assert_int_equal(parse(&cli, err, sizeof(err), "--initial", "10s", "--max-delay",
	    "1s", "true", NULL), 2);
	assert_non_null(strstr(err, "--max-delay is shorter than --initial"));
	retry_options_clear(&cli.opts);
}

static void
help_is_not_an_error(void **state)
{
	struct retry_cli cli;
	char err[256];

	assert_int_equal(parse(&cli, err, sizeof(err), "-h", NULL), 0);
	assert_true(cli.help);
	retry_options_clear(&cli.opts);
}

static int64_t
ceiling(const struct retry_options *o, int n)
{
	int64_t d = o->initial_ms;

	while (--n > 0 && d < o->max_delay_ms)
		d = (int64_t)((double)d * o->multiplier);
	return d < o->max_delay_ms ? d : o->max_delay_ms;
}

static void
delays_stay_within_their_bounds_for_each_jitter(void **state)
{
	struct retry_options o;
	int64_t d, cap;
	double r;
	int n;

	retry_options_init(&o);
	o.initial_ms = 100;
	o.max_delay_ms = 5000;
	o.multiplier = 2.0;
	for (n = 1; n <= 12; n++) {
		cap = ceiling(&o, n);
		for (r = 0.0; r < 1.0; r += 0.001) {
			o.jitter = BACKOFF_JITTER_FULL;
			d = retry_delay_ms(&o, n, r);
			if (d < 0 || d > cap)
				fail_msg("full: retry %d r %.3f: %lld not in [0, %lld]", n, r,
				    (long long)d, (long long)cap);
			o.jitter = BACKOFF_JITTER_EQUAL;
			d = retry_delay_ms(&o, n, r);
			if (d < cap / 2 || d > cap)
				fail_msg("equal: retry %d r %.3f: %lld not in [%lld, %lld]", n, r,
				    (long long)d, (long long)cap / 2, (long long)cap);
			o.jitter = BACKOFF_JITTER_NONE;
			assert_int_equal(retry_delay_ms(&o, n, r), cap);
		}
	}
	/* The bounds are reached, so the spread is real. */
	o.jitter = BACKOFF_JITTER_FULL;
	assert_int_equal(retry_delay_ms(&o, 3, 0.0), 0);
	assert_true(retry_delay_ms(&o, 3, 0.9999) >= 399);
	o.jitter = BACKOFF_JITTER_EQUAL;
	assert_int_equal(retry_delay_ms(&o, 3, 0.0), 200);
	/* Exponential, then capped. */
	o.jitter = BACKOFF_JITTER_NONE;
	assert_int_equal(retry_delay_ms(&o, 1, 0.5), 100);
	assert_int_equal(retry_delay_ms(&o, 2, 0.5), 200);
	assert_int_equal(retry_delay_ms(&o, 6, 0.5), 3200);
	assert_int_equal(retry_delay_ms(&o, 7, 0.5), 5000);
	assert_int_equal(retry_delay_ms(&o, 1000, 0.5), 5000);
}

static void
a_timeout_grows_the_next_one(void **state)
{
	struct retry_options o;

	retry_options_init(&o);
	assert_int_equal(retry_next_timeout(&o, 1000, true), 2000);
	assert_int_equal(retry_next_timeout(&o, 2000, true), 4000);
	/* Only a timeout grows it. */
	assert_int_equal(retry_next_timeout(&o, 1000, false), 1000);
	/* No timeout stays none. */
	assert_int_equal(retry_next_timeout(&o, 0, true), 0);
	o.timeout_growth = 1.5;
	assert_int_equal(retry_next_timeout(&o, 1000, true), 1500);
	o.timeout_growth = 1.0;
	assert_int_equal(retry_next_timeout(&o, 1000, true), 1000);
	o.timeout_growth = 1000.0;
	assert_int_equal(retry_next_timeout(&o, 3600000, true), 86400000);
}

static void
retry_on_decides_per_category(void **state)
{
	struct retry_options o;
	char err[160];
	unsigned mask;
	int c;

	retry_options_init(&o);
	assert_int_equal(retry_parse_categories("network,timeout", &mask, err, sizeof(err)), 0);
	o.retry_on = mask;
	for (c = 0; c < RETRY_CATEGORIES; c++)
		assert_int_equal(retry_category_retried(&o, (enum failure_category)c),
		    c == FAILURE_NETWORK || c == FAILURE_TIMEOUT);
	assert_int_equal(retry_parse_categories("all", &mask, err, sizeof(err)), 0);
	o.retry_on = mask;
	for (c = 0; c < RETRY_CATEGORIES; c++)
		assert_true(retry_category_retried(&o, (enum failure_category)c));
	o.never = RETRY_CATEGORY_BIT(FAILURE_CONFIG);
	assert_false(retry_category_retried(&o, FAILURE_CONFIG));
	/* never beats a heal too. */
	retry_options_add_heal(&o, FAILURE_CONFIG, (char *[]){ "true", NULL });
	assert_false(retry_category_retried(&o, FAILURE_CONFIG));
	retry_options_clear(&o);
	assert_int_equal(retry_parse_categories("network crash", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, RETRY_CATEGORY_BIT(FAILURE_NETWORK) |
	    RETRY_CATEGORY_BIT(FAILURE_CRASH));
	assert_int_equal(retry_parse_categories("network,bogus", &mask, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'bogus'"));
}

/* retry_command as a library: quiet, output to /dev/null, no store. */
static void
quiet_options(struct retry_options *o)
{
	retry_options_init(o);
	o->initial_ms = 1;
	o->max_delay_ms = 5;
	o->summary = false;
	o->out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	o->err_fd = o->out_fd;
	assert_true(o->out_fd >= 0);
}

static void
retry_command_retries_a_network_failure_and_reports_it(void **state)
{
	char *argv[] = { "/bin/sh", "-c",
	    "echo 'curl: (6) Temporary failure in name resolution' >&2; exit 6", NULL };
	struct retry_report rep;
	struct retry_options o;

	quiet_options(&o);
	o.max_retries = 2;
	assert_int_equal(retry_command(&o, argv, &rep), 6);
	assert_false(rep.succeeded);
	assert_int_equal(rep.attempts, 3);
	assert_int_equal(rep.failures[FAILURE_NETWORK], 3);
	assert_int_equal(rep.last_category, FAILURE_NETWORK);
	assert_int_equal(rep.run_id, 0);
	assert_non_null(strstr(rep.summary, "gave up after 3 attempts (network ×3)"));
	close(o.out_fd);
}

static void
retry_command_does_not_retry_a_config_error(void **state)
{
	char *argv[] = { "/bin/sh", "-c",
	    "echo 'cat: /etc/tend/x.yaml: No such file or directory' >&2; exit 3", NULL };
	struct retry_report rep;
	struct retry_options o;

	quiet_options(&o);
	assert_int_equal(retry_command(&o, argv, &rep), 3);
	assert_int_equal(rep.attempts, 1);
	assert_int_equal(rep.failures[FAILURE_CONFIG], 1);
	assert_non_null(strstr(rep.summary, "config failures are not retried"));
	close(o.out_fd);
}

static void
retry_command_reports_signals_and_missing_programs_as_a_shell_would(void **state)
{
	char *segv[] = { "/bin/sh", "-c", "kill -SEGV $$", NULL };
	char *missing[] = { "tend-no-such-program", NULL };
	struct retry_report rep;
	struct retry_options o;

	quiet_options(&o);
	o.max_retries = 0;
	assert_int_equal(retry_command(&o, segv, &rep), 128 + 11);
	assert_int_equal(rep.failures[FAILURE_CRASH], 1);
	assert_int_equal(retry_command(&o, missing, &rep), 127);
	assert_int_equal(rep.failures[FAILURE_DEPENDENCY], 1);
	close(o.out_fd);
}

static void
retry_command_moves_on_to_the_fallback(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "echo 'connection refused' >&2; exit 7", NULL };
	char *fallback[] = { "/bin/sh", "-c", "exit 0", NULL };
	struct retry_report rep;
	struct retry_options o;

	quiet_options(&o);
	o.max_retries = 1;
	retry_options_add_fallback(&o, fallback);
	assert_int_equal(retry_command(&o, argv, &rep), 0);
	assert_true(rep.succeeded);
	assert_int_equal(rep.attempts, 3);
	assert_int_equal(rep.command, 1);
	assert_non_null(strstr(rep.summary, "with fallback 1"));
	retry_options_clear(&o);
	close(o.out_fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(defaults_follow_the_classifier, clean_environment),
		cmocka_unit_test_setup(ci_gets_longer_timeouts_and_delays, clean_environment),
		cmocka_unit_test_setup(github_actions_turns_on_annotations_and_the_step_summary,
		    clean_environment),
		cmocka_unit_test_setup(every_option_is_parsed, clean_environment),
		cmocka_unit_test_setup(parsing_stops_at_the_command_without_a_double_dash,
		    clean_environment),
		cmocka_unit_test_setup(a_second_heal_for_a_category_replaces_the_first,
		    clean_environment),
		cmocka_unit_test_setup(bad_command_lines_are_usage_errors, clean_environment),
		cmocka_unit_test_setup(help_is_not_an_error, clean_environment),
		cmocka_unit_test_setup(delays_stay_within_their_bounds_for_each_jitter,
		    clean_environment),
		cmocka_unit_test_setup(a_timeout_grows_the_next_one, clean_environment),
		cmocka_unit_test_setup(retry_on_decides_per_category, clean_environment),
		cmocka_unit_test_setup(retry_command_retries_a_network_failure_and_reports_it,
		    clean_environment),
		cmocka_unit_test_setup(retry_command_does_not_retry_a_config_error,
		    clean_environment),
		cmocka_unit_test_setup(retry_command_reports_signals_and_missing_programs_as_a_shell_would,
		    clean_environment),
		cmocka_unit_test_setup(retry_command_moves_on_to_the_fallback, clean_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
