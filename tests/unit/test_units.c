/* Durations, sizes and percentages as tend.yaml writes them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "config/units.h"

static int64_t
ms(const char *s)
{
	const char *expected = NULL;
	int64_t v = -12345;

	assert_int_equal(units_parse_duration(s, &v, &expected), 0);
	return v;
}

static void
durations_in_every_unit(void **state)
{
	assert_int_equal(ms("250ms"), 250);
	assert_int_equal(ms("5s"), 5000);
	assert_int_equal(ms("2m"), 120000);
	assert_int_equal(ms("1h"), 3600000);
	assert_int_equal(ms("1d"), 86400000);
	assert_int_equal(ms("1.5s"), 1500);
	assert_int_equal(ms("30"), 30000);	/* a bare number is seconds */
	assert_int_equal(ms("0"), 0);
	assert_int_equal(ms("-5s"), -5000);	/* sign is the caller's to judge */
}

static void
bad_durations_say_what_was_expected(void **state)
{
	const char *bad[] = { "", "abc", "5x", "5 parsecs", "s", "1e400s", "ms5" };
	const char *expected;
	int64_t v;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expected = NULL;
		assert_int_equal(units_parse_duration(bad[i], &v, &expected), -1);
		assert_non_null(expected);
		assert_non_null(strstr(expected, "250ms"));
	}
}

static void
sizes_are_binary(void **state)
{
	const char *expected;
	int64_t v;

	assert_int_equal(units_parse_size("512KB", &v, &expected), 0);
	assert_int_equal(v, 512 * 1024);
	assert_int_equal(units_parse_size("10MB", &v, &expected), 0);
	assert_int_equal(v, 10 * 1024 * 1024);
	assert_int_equal(units_parse_size("1GB", &v, &expected), 0);
	assert_int_equal(v, 1024LL * 1024 * 1024);
	assert_int_equal(units_parse_size("100", &v, &expected), 0);
	assert_int_equal(v, 100);
	assert_int_equal(units_parse_size("-1MB", &v, &expected), -1);
	assert_int_equal(units_parse_size("10 parsecs", &v, &expected), -1);
}

static void
percentages_with_or_without_sign(void **state)
{
	const char *expected;
	double v;

	assert_int_equal(units_parse_percent("85%", &v, &expected), 0);
	assert_true(v == 85.0);
	assert_int_equal(units_parse_percent("85.5", &v, &expected), 0);
	assert_true(v == 85.5);
	assert_int_equal(units_parse_percent("101%", &v, &expected), -1);
	assert_int_equal(units_parse_percent("-1%", &v, &expected), -1);
	assert_int_equal(units_parse_percent("lots", &v, &expected), -1);
}

static void
durations_format_in_their_largest_exact_unit(void **state)
{
	char buf[32];

	units_format_duration(1500, buf, sizeof(buf));
	assert_string_equal(buf, "1500ms");
	units_format_duration(120000, buf, sizeof(buf));
	assert_string_equal(buf, "2m");
	units_format_duration(86400000, buf, sizeof(buf));
	assert_string_equal(buf, "1d");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations_in_every_unit),
		cmocka_unit_test(bad_durations_say_what_was_expected),
		cmocka_unit_test(sizes_are_binary),
		cmocka_unit_test(percentages_with_or_without_sign),
		cmocka_unit_test(durations_format_in_their_largest_exact_unit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
