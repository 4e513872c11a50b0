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

/* cwd, user and group are only checked on this machine: by validate. */
static void
validate_checks_cwd_user_and_group(void **state)
{
	char *out, want[600];

	harness_write_config(&t,
	    "services:\n"
	    "  a:\n"
	    "    run: [@FAKESVC@]\n"
	    "    cwd: /nonexistent-tend-cwd\n"		/* 4:5 */
	    "    user: no-such-user-of-tend\n"		/* 5:5 */
	    "    group: no-such-group-of-tend\n"	/* 6:5 */
	    "  b:\n"
	    "    run: [@FAKESVC@]\n"
	    "    cwd: @FAKESVC@\n");			/* 9:5 a file */
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.config, NULL), 2);
	snprintf(want, sizeof(want), "%s:4:5: service 'a': cwd /nonexistent-tend-cwd: "
	    "No such file or directory\n", t.config);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "%s:5:5: service 'a': user 'no-such-user-of-tend' "
	    "does not exist", t.config);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "%s:6:5: service 'a': group 'no-such-group-of-tend' "
	    "does not exist", t.config);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "%s:9:5: service 'b': cwd %s is not a directory",
	    t.config, getenv("FAKESVC_BIN"));
	assert_non_null(strstr(out, want));
	assert_null(strstr(out, "ok\n"));
	free(out);
	harness_write_config(&t, "services:\n  a: { run: [@FAKESVC@], cwd: /tmp, "
	    "user: root, group: root }\n");
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.config, NULL), 0);
	free(out);
}

/*
 * validate -c DIR said ok, -c /dev/zero read forever, a heal item that is
 * a list killed it (exit 139), and a second document went unread.
 */
static void
validate_refuses_what_is_no_config(void **state)
{
	char *out, want[600];

	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.dir, NULL), 2);
	snprintf(want, sizeof(want), "%s: is a directory", t.dir);
	assert_non_null(strstr(out, want));
	free(out);
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", "/dev/zero", NULL), 2);
	assert_non_null(strstr(out, "/dev/zero: is not a regular file or a pipe"));
	free(out);
	harness_write_config(&t, "");
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.config, NULL), 2);
	snprintf(want, sizeof(want), "%s:1:1: the config is empty", t.config);
	assert_non_null(strstr(out, want));
	free(out);
	harness_write_config(&t, "services: {}\n---\nservices: { a: { run: [x] } }\n");
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.config, NULL), 2);
	assert_non_null(strstr(out, ":2:1: a second YAML document"));
	free(out);
	harness_write_config(&t, "actions: { x: restart }\n"
	    "services: { a: { run: [@FAKESVC@], heal: [[restart]] } }\n");
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.config, NULL), 2);
	assert_non_null(strstr(out, "expected an action"));
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
		TEND_TEST(validate_checks_cwd_user_and_group),
		TEND_TEST(validate_refuses_what_is_no_config),
		TEND_TEST(the_self_healing_block_loads),
		TEND_TEST(status_without_a_daemon_fails_clearly),
		TEND_TEST(usage_errors_exit_2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
