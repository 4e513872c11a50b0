/* The command line without a daemon: version, validate, errors, exit codes. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
version_names_the_libraries(void **state)
{
	char *out;

	assert_int_equal(harness_cli(&t, &out, "version", NULL), 0);
	assert_non_null(strstr(out, "tend "));
	assert_non_null(strstr(out, "libuv "));
	assert_non_null(strstr(out, "libcurl "));
	assert_non_null(strstr(out, "libyaml "));
	assert_non_null(strstr(out, "jansson "));
	free(out);
}

static void
validate_says_ok_for_a_good_config(void **state)
{
	char *out;

	harness_write_config(&t, "services:\n  a:\n    run: [@FAKESVC@]\n");
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.config, NULL), 0);
	assert_string_equal(out, "ok\n");
	free(out);
	/* No file at all: the embedded default. */
	assert_int_equal(harness_cli(&t, &out, "validate", NULL), 0);
	free(out);
}

static void
validate_prints_every_error_with_its_position(void **state)
{
	char *out, want[600];

	harness_write_config(&t,
	    "services:\n"
	    "  a:\n"
	    "    run: [@FAKESVC@]\n"
	    "    restrat: always\n"			/* 4:5 unknown key */
	    "    stop: { timeout: 5 parsecs }\n"	/* 5:22 bad duration */
	    "    depends_on: [ghost]\n"		/* 2:3 unknown service */
	    "  b:\n"
	    "    run: [/no/such/binary]\n");	/* 7:3 missing program */
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.config, NULL), 2);
	snprintf(want, sizeof(want), "%s:4:5: unknown key 'restrat'", t.config);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "%s:5:22: 'timeout'", t.config);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "%s:2:3: service 'a': depends_on names 'ghost'", t.config);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "%s:7:3: service 'b'", t.config);
	assert_non_null(strstr(out, want));
	free(out);
}

static void
validate_names_a_dependency_cycle(void **state)
{
	char *out;

	harness_write_config(&t,
	    "services:\n"
	    "  a: { run: [@FAKESVC@], depends_on: [b] }\n"
	    "  b: { run: [@FAKESVC@], depends_on: [a] }\n");
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.config, NULL), 2);
	assert_non_null(strstr(out, "dependency cycle: a -> b -> a"));
	free(out);
}

static void
the_self_healing_block_loads(void **state)
{
	char path[1024], *out;

	/* examples/self-healing.yaml holds the block exactly as teams write it. */
	snprintf(path, sizeof(path), "%s/examples/self-healing.yaml",
	    getenv("TEND_SOURCE_DIR"));
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", path, NULL), 0);
	assert_string_equal(out, "ok\n");
	free(out);

	/* ... and maps onto tend's own settings, which --verbose shows. */
	assert_int_equal(harness_cli(&t, &out, "validate", "-v", "-c", path, NULL), 0);
	assert_non_null(strstr(out, "interval 30s; auto-heal on, max attempts 3, "
	    "escalation after 5m"));
	assert_non_null(strstr(out, "limit 3 in 1m"));
	assert_non_null(strstr(out, "check cpu: resource cpu, warn 80, crit 95"));
	assert_non_null(strstr(out, "check memory: resource memory, warn 85, crit 95"));
	free(out);

	/* The environment wins over the file. */
	setenv("HEALTH_CHECK_INTERVAL", "7", 1);
	setenv("AUTO_HEAL_ENABLED", "false", 1);
	assert_int_equal(harness_cli(&t, &out, "validate", "-v", "-c", path, NULL), 0);
	unsetenv("HEALTH_CHECK_INTERVAL");
	unsetenv("AUTO_HEAL_ENABLED");
	assert_non_null(strstr(out, "interval 7s; auto-heal off"));
	free(out);
}

static void
status_without_a_daemon_fails_clearly(void **state)
{
	char *out;

	assert_int_equal(harness_cli(&t, &out, "status", "--state-dir", t.state, NULL), 1);
	assert_non_null(strstr(out, "not running"));
	free(out);
}

static void
usage_errors_exit_2(void **state)
{
	char *out;

	assert_int_equal(harness_cli(&t, &out, "frobnicate", NULL), 2);
	assert_non_null(strstr(out, "unknown command"));
	free(out);
	assert_int_equal(harness_cli(&t, &out, "restart", NULL), 2);
	free(out);
	assert_int_equal(harness_cli(&t, &out, "status", "--format", "xml", NULL), 2);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(version_names_the_libraries),
		TEND_TEST(validate_says_ok_for_a_good_config),
		TEND_TEST(validate_prints_every_error_with_its_position),
		TEND_TEST(validate_names_a_dependency_cycle),
		TEND_TEST(the_self_healing_block_loads),
		TEND_TEST(status_without_a_daemon_fails_clearly),
		TEND_TEST(usage_errors_exit_2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
