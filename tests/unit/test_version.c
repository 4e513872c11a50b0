/* Version comparison, extraction from --version output, constraints. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/version.h"

static void
versions_compare_segment_by_segment(void **state)
{
	assert_true(version_compare("7.88.1", "7.80") > 0);
	assert_true(version_compare("7.9", "7.10") < 0);
	assert_true(version_compare("1.2.3", "1.2.3") == 0);
	assert_true(version_compare("1.2", "1.2.0") < 0);
	assert_true(version_compare("1:1.0", "2.0") > 0);	/* epoch */
	assert_true(version_compare("1.0~rc1", "1.0") < 0);
	assert_true(version_compare("2.39.5-1", "2.39.5") > 0);
}

static void
versions_are_found_in_version_output(void **state)
{
	char v[64];

	assert_true(version_extract("curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1", v,
	    sizeof(v)));
	assert_string_equal(v, "7.88.1");
	assert_true(version_extract("git version 2.39.5", v, sizeof(v)));
	assert_string_equal(v, "2.39.5");
	assert_true(version_extract("GNU Make 4.3\nBuilt for x86_64", v, sizeof(v)));
	assert_string_equal(v, "4.3");
	assert_false(version_extract("no version here, only 64 bits", v, sizeof(v)));
}

static void
constraints_combine_clauses(void **state)
{
	assert_int_equal(version_satisfies("7.88.1", ">= 7.80, < 9"), 1);
	assert_int_equal(version_satisfies("9.0", ">= 7.80, < 9"), 0);
	assert_int_equal(version_satisfies("7.79.9", ">=7.80"), 0);
	assert_int_equal(version_satisfies("1.2.3", "= 1.2.3"), 1);
	assert_int_equal(version_satisfies("1.2.3", "!= 1.2.3"), 0);
	assert_int_equal(version_satisfies("1.0", ""), 1);
	assert_int_equal(version_satisfies("1.0", NULL), 1);
}

static void
malformed_constraints_are_rejected(void **state)
{
	assert_int_equal(version_constraint_valid(">= 1.0, < 2"), 0);
	assert_int_equal(version_constraint_valid("about 1.0"), -1);
	assert_int_equal(version_constraint_valid(">="), -1);
	assert_int_equal(version_constraint_valid(">= 1.0 < 2"), -1);
	assert_int_equal(version_constraint_valid(">= x"), -1);
	assert_int_equal(version_satisfies("1.0", "~> 1"), -1);
}

static void
a_failed_lower_bound_is_too_old(void **state)
{
	assert_true(version_too_old("1.2", ">= 2"));
	assert_true(version_too_old("1.2", "> 1.2"));
	assert_true(version_too_old("1.2", "= 1.3"));
	assert_true(version_too_old("1.2", ">= 1.0, >= 1.5, < 9"));
	assert_false(version_too_old("9.1", ">= 1.0, < 9"));	/* too new */
	assert_false(version_too_old("1.3", "= 1.2"));
	assert_false(version_too_old("1.2", "!= 1.2"));
	assert_false(version_too_old("2.0", ">= 1"));		/* satisfied */
	assert_false(version_too_old("1.0", "about 1"));	/* malformed */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(versions_compare_segment_by_segment),
		cmocka_unit_test(versions_are_found_in_version_output),
		cmocka_unit_test(constraints_combine_clauses),
		cmocka_unit_test(malformed_constraints_are_rejected),
		cmocka_unit_test(a_failed_lower_bound_is_too_old),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
