/* Nagios plugin output and perfdata, good and malformed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "checks/result.h"
#include "core/text.h"

static void
a_full_item_parses(void **state)
{
	struct perf_metric m;

	assert_int_equal(perfdata_parse_item("'root fs'=52.5%;80;90;0;100", &m), 0);
	assert_string_equal(m.label, "root fs");
	assert_true(m.value == 52.5);
	assert_string_equal(m.uom, "%");
	assert_string_equal(m.warn, "80");
	assert_string_equal(m.crit, "90");
	assert_true(m.min == 0 && m.max == 100);
	perf_metric_clear(&m);
}

static void
optional_fields_may_be_missing(void **state)
{
	struct perf_metric m;

	assert_int_equal(perfdata_parse_item("time=0.012s", &m), 0);
	assert_string_equal(m.label, "time");
	assert_true(m.value == 0.012);
	assert_string_equal(m.uom, "s");
	assert_null(m.warn);
	assert_true(isnan(m.min));
	perf_metric_clear(&m);
	assert_int_equal(perfdata_parse_item("load1=0.5;;;0;", &m), 0);
	assert_null(m.crit);
	assert_true(m.min == 0 && isnan(m.max));
	perf_metric_clear(&m);
	/* Ranges stay as written. */
	assert_int_equal(perfdata_parse_item("x=5;@10:20;~:30", &m), 0);
	assert_string_equal(m.warn, "@10:20");
	assert_string_equal(m.crit, "~:30");
	perf_metric_clear(&m);
	/* 'U' is "undetermined". */
	assert_int_equal(perfdata_parse_item("y=U", &m), 0);
	assert_true(isnan(m.value));
	perf_metric_clear(&m);
	/* A quote inside a quoted label is doubled. */
	assert_int_equal(perfdata_parse_item("'it''s'=1c", &m), 0);
	assert_string_equal(m.label, "it's");
	assert_string_equal(m.uom, "c");
	perf_metric_clear(&m);
}

static void
malformed_items_are_rejected(void **state)
{
	const char *bad[] = { "=5", "novalue=", "x=abc", "x=5;1;2;zero", "'open=5",
	    "x=5kg/s", "justtext", "x=5UOMTOOLONGFORIT",
	    /* Not numbers, though strtod takes them. */
	    "x=nan", "x=NaN", "x=inf", "x=-inf", "x=infinity", "x=0x10", "x=1e999",
	    "x= 5", "x=5;;;nan", "x=5;;;;inf", "x=5;;;0x1", "x=Us" };
	struct perf_metric m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (perfdata_parse_item(bad[i], &m) == 0)
			fail_msg("accepted '%s'", bad[i]);
}

static void
plugin_output_gives_message_and_metrics(void **state)
{
	struct check_result r;

	check_result_init(&r);
	assert_int_equal(perfdata_parse_output(
	    "DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n"
	    "/ 15272 MB (77%);\n"
	    "/boot 68 MB (69%); | /boot=68MB;88;93;0;98\n"
	    "/home=69357MB;253404;253409;0;253414 'x y'=1\n", &r), 0);
	assert_string_equal(r.message, "DISK OK - free space: / 3326 MB (56%);");
	assert_int_equal(r.n_perf, 4);
	assert_string_equal(r.perf[0].label, "/");
	assert_string_equal(r.perf[1].label, "/boot");
	assert_string_equal(r.perf[2].label, "/home");
	assert_string_equal(r.perf[3].label, "x y");
	check_result_clear(&r);

	check_result_init(&r);
	assert_int_equal(perfdata_parse_output("OK: all good\n", &r), 0);
	assert_string_equal(r.message, "OK: all good");
	assert_int_equal(r.n_perf, 0);
	check_result_clear(&r);

	check_result_init(&r);
	assert_int_equal(perfdata_parse_output("WARN | a=1 b=oops c=3", &r), 1);
	assert_int_equal(r.n_perf, 2);
	check_result_clear(&r);
}

static void
numbers_are_decimal(void **state)
{
	struct perf_metric m;

	assert_int_equal(perfdata_parse_item("a=-1.5e3ms;;;.5;2.", &m), 0);
	assert_true(m.value == -1500 && m.min == 0.5 && m.max == 2);
	assert_string_equal(m.uom, "ms");
	perf_metric_clear(&m);
	assert_int_equal(perfdata_parse_item("b=+7", &m), 0);
	assert_true(m.value == 7);
	perf_metric_clear(&m);
}

/* U is unknown: kept as a metric, null in JSON, never a value. */
static void
unknown_values_stay_unknown(void **state)
{
	struct check_result r;
	json_t *j, *metric;

	check_result_init(&r);
	assert_int_equal(perfdata_parse_output("CHECK OK | up=U load=2 bad=nan", &r), 1);
	assert_int_equal(r.n_perf, 2);
	check_result_add_metric(&r, "computed", INFINITY, "");
	check_result_sanitize(&r);
	assert_true(isnan(r.perf[0].value) && isnan(r.perf[2].value));
	j = check_result_json(&r);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "metrics")), 3);
	metric = json_array_get(json_object_get(j, "metrics"), 0);
	assert_string_equal(json_string_value(json_object_get(metric, "label")), "up");
	assert_true(json_is_null(json_object_get(metric, "value")));
	metric = json_array_get(json_object_get(j, "metrics"), 1);
	assert_true(json_real_value(json_object_get(metric, "value")) == 2);
	json_decref(j);
	check_result_clear(&r);
}

/* Whatever bytes a plugin printed, its result serializes, once sanitized. */
static void
any_output_becomes_valid_utf8(void **state)
{
	struct check_result r;
	json_t *j;

	check_result_init(&r);
	perfdata_parse_output("CRIT \xff\xfe\x1b[2J at http://u:hunter2@h/ | '\xc3'=1\n", &r);
	check_result_sanitize(&r);
	assert_string_equal(r.message,
	    "CRIT \xef\xbf\xbd\xef\xbf\xbd\x1b[2J at http://u:***@h/");
	assert_string_equal(r.perf[0].label, "\xef\xbf\xbd");
	j = check_result_json(&r);
	assert_non_null(j);
	assert_non_null(strstr(json_string_value(json_object_get(j, "message")), "\x1b[2J"));
	json_decref(j);
	check_result_clear(&r);

	/* A message cut inside a character loses the whole character. */
	check_result_init(&r);
	memset(r.message, 'a', sizeof(r.message) - 2);
	memcpy(r.message + sizeof(r.message) - 2, "\xc3", 2);
	check_result_sanitize(&r);
	assert_true(text_utf8_valid(r.message, strlen(r.message)));
	check_result_clear(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_full_item_parses),
		cmocka_unit_test(optional_fields_may_be_missing),
		cmocka_unit_test(malformed_items_are_rejected),
		cmocka_unit_test(plugin_output_gives_message_and_metrics),
		cmocka_unit_test(numbers_are_decimal),
		cmocka_unit_test(unknown_values_stay_unknown),
		cmocka_unit_test(any_output_becomes_valid_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
