/* Failure classification: the shipped rules, config rules first, the status as fallback. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>

#include "diagnose/classify.h"

static struct classifier *c;

static int
setup(void **state)
{
	c = classifier_new();
	return 0;
}

static int
teardown(void **state)
{
	classifier_free(c);
	return 0;
}

#define CLASSIFY(code, sig, text) classify_failure(c, (code), (sig), false, (text), NULL, 0)

static void
the_shipped_rules_know_common_failures(void **state)
{
	assert_int_equal(CLASSIFY(1, 0, "curl: (6) Could not resolve host: x"), FAILURE_NETWORK);
	assert_int_equal(CLASSIFY(1, 0, "Temporary failure in name resolution"), FAILURE_NETWORK);
	assert_int_equal(CLASSIFY(1, 0, "connect: Connection refused"), FAILURE_NETWORK);
	assert_int_equal(CLASSIFY(1, 0, "operation timed out after 5000 ms"), FAILURE_TIMEOUT);
	assert_int_equal(CLASSIFY(127, 0, "app: error while loading shared libraries: "
	    "libfoo.so.1: cannot open shared object file: No such file or directory"),
	    FAILURE_DEPENDENCY);
	assert_int_equal(CLASSIFY(1, 0, "ModuleNotFoundError: No module named 'yaml'"),
	    FAILURE_DEPENDENCY);
	assert_int_equal(CLASSIFY(127, 0, "sh: 1: frob: command not found"), FAILURE_DEPENDENCY);
	assert_int_equal(CLASSIFY(1, 0, "open /etc/app.conf: Permission denied"),
	    FAILURE_PERMISSION);
	assert_int_equal(CLASSIFY(1, 0, "write: No space left on device"), FAILURE_RESOURCE);
	assert_int_equal(CLASSIFY(1, 0, "fatal: Cannot allocate memory"), FAILURE_RESOURCE);
	assert_int_equal(CLASSIFY(2, 0, "cat: /etc/nope.conf: No such file or directory"),
	    FAILURE_CONFIG);
	assert_int_equal(CLASSIFY(2, 0, "app: unrecognized option '--frob'"), FAILURE_CONFIG);
}

/* What decided is said by the rule's name, whole, never by its regex cut short. */
static void
the_rule_that_decided_is_named(void **state)
{
	char why[64];

	assert_int_equal(classify_failure(c, 1, 0, false, "connect: Connection refused", why,
	    sizeof(why)), FAILURE_NETWORK);
	assert_string_equal(why, "rule: connection-refused");
	assert_int_equal(classify_failure(c, 1, 0, false, "Could not resolve host: x", why,
	    sizeof(why)), FAILURE_NETWORK);
	assert_string_equal(why, "rule: name-resolution");
	assert_int_equal(classify_failure(c, 1, 0, false, "error while loading shared "
	    "libraries: libx.so: cannot open shared object file: No such file or directory",
	    why, sizeof(why)), FAILURE_DEPENDENCY);
	assert_string_equal(why, "rule: shared-library");
	assert_int_equal(classify_failure(c, 1, 0, false, "write: No space left on device",
	    why, sizeof(why)), FAILURE_RESOURCE);
	assert_string_equal(why, "rule: disk-full");
}

static void
the_status_decides_when_the_text_does_not(void **state)
{
	char why[128];

	assert_int_equal(classify_failure(c, 0, SIGSEGV, false, "", why, sizeof(why)),
	    FAILURE_CRASH);
	assert_int_equal(CLASSIFY(0, SIGKILL, NULL), FAILURE_CRASH);
	assert_int_equal(CLASSIFY(127, 0, ""), FAILURE_DEPENDENCY);
	assert_int_equal(CLASSIFY(126, 0, ""), FAILURE_PERMISSION);
	assert_int_equal(CLASSIFY(1, 0, "something odd"), FAILURE_UNKNOWN);
	assert_int_equal(classify_failure(c, 1, 0, true, "permission denied", NULL, 0),
	    FAILURE_TIMEOUT);
}

static void
config_rules_come_first(void **state)
{
	char err[128], why[128];

	assert_int_equal(classifier_add_rule(c, "db-locked", "ERR_DB_LOCKED", FAILURE_RESOURCE,
	    err, sizeof(err)), 0);
	/* Before the shipped rule that would say "timeout". */
	assert_int_equal(classifier_add_rule(c, "classify #2", "lock wait timeout",
	    FAILURE_RESOURCE, err, sizeof(err)), 0);
	assert_int_equal(classify_failure(c, 1, 0, false, "Lock wait timeout exceeded", why,
	    sizeof(why)), FAILURE_RESOURCE);
	assert_string_equal(why, "rule: classify #2");
	assert_int_equal(classifier_add_rule(c, "bad", "(unclosed", FAILURE_CONFIG, err,
	    sizeof(err)), -1);
}

static void
categories_have_names_and_retry_advice(void **state)
{
	assert_string_equal(failure_category_name(FAILURE_DEPENDENCY), "dependency");
	assert_int_equal(failure_category_from_name("network"), FAILURE_NETWORK);
	assert_int_equal(failure_category_from_name("nonsense"), -1);
	assert_true(failure_category_retryable(FAILURE_NETWORK));
	assert_false(failure_category_retryable(FAILURE_CONFIG));
	assert_false(failure_category_retryable(FAILURE_PERMISSION));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(the_shipped_rules_know_common_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(the_rule_that_decided_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(the_status_decides_when_the_text_does_not, setup, teardown),
		cmocka_unit_test_setup_teardown(config_rules_come_first, setup, teardown),
		cmocka_unit_test_setup_teardown(categories_have_names_and_retry_advice, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
