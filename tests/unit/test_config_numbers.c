/*
 * Every number in tend.yaml goes through one parser: no nan or inf, no hex,
 * no exponent where a count or seconds are meant, each key with its kind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/units.h"

#include "config_asserts.h"

static int
reset(void **state)
{
	config_errors_clear(&errs);
	return 0;
}

static void
number_ok(const char *s, enum number_kind kind, double want)
{
	const char *expected = NULL;
	double v = -12345;

	if (units_parse_number(s, kind, &v, &expected) != 0)
		fail_msg("'%s' (kind %d) did not parse", s, (int)kind);
	assert_true(v == want);
}

static void
number_bad(const char *s, enum number_kind kind)
{
	const char *expected = NULL;
	double v;

	if (units_parse_number(s, kind, &v, &expected) == 0)
		fail_msg("'%s' (kind %d) parsed as %g", s, (int)kind, v);
	assert_non_null(expected);
}

static void
bad_in_every_kind(const char *const *bad, size_t n)
{
	enum number_kind k;
	size_t i;

	for (k = NUMBER_COUNT; k <= NUMBER_PERCENT; k++)
		for (i = 0; i < n; i++)
			number_bad(bad[i], k);
}

static void
non_finite_numbers_are_no_numbers(void **state)
{
	static const char *const bad[] = { "nan", "NaN", "-nan", "inf", "-inf",
	    "infinity", "INF", "1e999", "" };

	bad_in_every_kind(bad, sizeof(bad) / sizeof(bad[0]));
}

static void
numbers_are_decimal_digits(void **state)
{
	static const char *const bad[] = { "0x10", "0X1p3", " 5", "+5", "5 ", "1,5",
	    "--1", "." };

	bad_in_every_kind(bad, sizeof(bad) / sizeof(bad[0]));
}

static void
each_kind_takes_what_it_means(void **state)
{
	number_ok("12", NUMBER_COUNT, 12);
	number_ok("007", NUMBER_COUNT, 7);
	number_bad("1.5", NUMBER_COUNT);
	number_bad("1e3", NUMBER_COUNT);
	number_bad("-1", NUMBER_COUNT);
	number_bad("2000000000", NUMBER_COUNT);

	number_ok("1.5", NUMBER_REAL, 1.5);
	number_ok("2e3", NUMBER_REAL, 2000);
	number_ok("-3", NUMBER_REAL, -3);
	number_ok(".5", NUMBER_REAL, 0.5);

	number_ok("0.1", NUMBER_RATIO, 0.1);
	number_ok("1", NUMBER_RATIO, 1);
	number_bad("1.01", NUMBER_RATIO);
	number_bad("1e-1", NUMBER_RATIO);

	number_ok("1.5s", NUMBER_DURATION, 1500);
	number_ok("30", NUMBER_DURATION, 30000);
	number_bad("1e-9", NUMBER_DURATION);
	number_bad("1e3", NUMBER_DURATION);
	number_bad("0x10s", NUMBER_DURATION);

	number_ok("10MB", NUMBER_SIZE, 10 * 1048576.0);
	number_bad("1e3KB", NUMBER_SIZE);
	number_ok("85%", NUMBER_PERCENT, 85);
}

static void
a_duration_below_a_millisecond_is_refused(void **state)
{
	const char *expected;
	int64_t ms = -1;

	assert_int_equal(units_parse_duration("0.0001s", &ms, &expected), -1);
	assert_non_null(strstr(expected, "1ms"));
	assert_int_equal(units_parse_duration("0s", &ms, &expected), 0);
	assert_int_equal(ms, 0);
}

/* backoff.jitter: nan made "restarting in -9223372036854775808ms", forever. */
static void
nan_and_inf_are_refused_in_every_number_key(void **state)
{
	assert_error("services:\n  a:\n    run: [/bin/true]\n    backoff: { jitter: nan }\n",
	    4, 24, "fraction");
	assert_error("services:\n  a:\n    run: [/bin/true]\n"
	    "    backoff: { multiplier: inf }\n", 4, 28, "number");
	assert_error("services:\n  a:\n    run: [/bin/true]\n"
	    "    backoff: { multiplier: nan }\n", 4, 28, "number");
	assert_error("anomaly: { z: nan }\n", 1, 15, "number");
	assert_error("anomaly: { series: { x: { min_delta: inf } } }\n", 1, 38, "number");
	assert_error("services:\n  a:\n    run: [/bin/true]\n"
	    "    heal: [{ adjust_timeout: { factor: nan } }]\n", 4, 40, "number");
	assert_error("checks:\n  c: { type: resource, metric: cpu, warn: nan, crit: 90 }\n",
	    2, 43, "threshold");
	assert_error("alerts: { retry: { jitter: inf } }\n", 1, 28, "fraction");
	assert_error("self_healing: { error_detection: { threshold_cpu: nan } }\n",
	    1, 51, "percentage");
}

static void
hex_and_exponents_are_refused_where_counts_or_seconds_are_meant(void **state)
{
	assert_error("services:\n  a:\n    run: [/bin/true]\n    limit: { restarts: 0x10 }\n",
	    4, 24, "whole number");
	assert_error("services:\n  a:\n    run: [/bin/true]\n"
	    "    backoff: { initial: 1e-9 }\n", 4, 25, "duration");
	assert_error("interval: 0x10\n", 1, 11, "duration");
	assert_error("services:\n  a:\n    run: [/bin/true]\n    ready: { tcp: 0x50 }\n",
	    4, 19, "port");
	assert_error("checks:\n  c: { type: http, url: 'http://x/', status: 0xc8 }\n",
	    2, 46, "HTTP status");
	assert_error("services:\n  a:\n    run: [/bin/true]\n    stop: { signal: 0x9 }\n",
	    4, 21, "signal");
	assert_error("services:\n  a:\n    run: [/bin/true]\n    umask: '-022'\n",
	    4, 12, "octal");
	assert_error("services:\n  a:\n    run: [/bin/true]\n    log: { max_size: 1e9 }\n",
	    4, 22, "size");
}

static void
good_numbers_still_load(void **state)
{
	struct tend_config *cfg = load_ok(
	    "services:\n"
	    "  a:\n"
	    "    run: [/bin/true]\n"
	    "    backoff: { initial: 0, max: 1.5m, multiplier: 1.5, jitter: 0 }\n"
	    "    limit: { restarts: 0 }\n"
	    "    stop: { signal: 9 }\n"
	    "    ready: { tcp: 'localhost:8080' }\n"
	    "checks:\n"
	    "  h: { type: http, url: 'http://x/', status: [200, '300-399'] }\n"
	    "  c: { type: resource, metric: load, warn: 1.5, crit: '4' }\n"
	    "anomaly: { z: 3.5 }\n");

	assert_int_equal(cfg->services[0].backoff.max_ms, 90000);
	assert_true(cfg->services[0].backoff.multiplier == 1.5);
	assert_int_equal(cfg->services[0].stop.signal, 9);
	assert_int_equal(cfg->services[0].ready.port, 8080);
	assert_int_equal(cfg->checks[0].http.n_status, 2);
	assert_int_equal(cfg->checks[0].http.status[1].hi, 399);
	assert_true(cfg->checks[1].warn == 1.5);
	assert_true(cfg->anomaly.z == 3.5);
	config_free(cfg);
}

static void
the_interval_variable_is_read_as_a_duration(void **state)
{
	struct tend_config *cfg;

	setenv("HEALTH_CHECK_INTERVAL", "nan", 1);
	assert_null(config_load_string("t.yaml", "{}\n", &errs));
	assert_string_equal(errs.v[0].file, "HEALTH_CHECK_INTERVAL");
	config_errors_clear(&errs);
	setenv("HEALTH_CHECK_INTERVAL", "0x10", 1);
	assert_null(config_load_string("t.yaml", "{}\n", &errs));
	config_errors_clear(&errs);
	setenv("HEALTH_CHECK_INTERVAL", "2m", 1);
	cfg = load_ok("{}\n");
	assert_int_equal(cfg->interval_ms, 120000);
	config_free(cfg);
	unsetenv("HEALTH_CHECK_INTERVAL");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(non_finite_numbers_are_no_numbers, reset),
		cmocka_unit_test_setup(numbers_are_decimal_digits, reset),
		cmocka_unit_test_setup(each_kind_takes_what_it_means, reset),
		cmocka_unit_test_setup(a_duration_below_a_millisecond_is_refused, reset),
		cmocka_unit_test_setup(nan_and_inf_are_refused_in_every_number_key, reset),
		cmocka_unit_test_setup(hex_and_exponents_are_refused_where_counts_or_seconds_are_meant, reset),
		cmocka_unit_test_setup(good_numbers_still_load, reset),
		cmocka_unit_test_setup(the_interval_variable_is_read_as_a_duration, reset),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	config_errors_clear(&errs);
	return rc;
}
