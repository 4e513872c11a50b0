/*
 * The scheduled report's config: `report:` (defaults, the channels of
 * `to`, every mistake at its file:line:col). When it runs is core/schedule's,
 * tested in test_schedule.c; the `at` forms shared with chaos in
 * test_schedule_config.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/strv.h"

#include "config_asserts.h"

#define DAY_MS		(24 * 3600 * 1000LL)

static int
setup(void **state)
{
	(void)state;
	config_errors_clear(&errs);
	return 0;
}

static void
the_section_keeps_its_keys_and_fills_defaults(void **state)
{
	struct tend_config *cfg;

	(void)state;
	cfg = load_ok("report: { every: 7d, at: 'Sun 03:00', keep: 4, since: 30d }\n");
	assert_true(cfg->report.enabled);
	assert_int_equal(cfg->report.schedule.every_ms, 7 * DAY_MS);
	assert_int_equal(cfg->report.schedule.at_wday, 0);
	assert_int_equal(cfg->report.schedule.at_min, 3 * 60);
	assert_int_equal(cfg->report.keep, 4);
	assert_int_equal(cfg->report.since_ms, 30 * DAY_MS);
	config_free(cfg);
	cfg = load_ok("report: { every: 2s }\n");
	assert_int_equal(cfg->report.schedule.at_wday, -1);
	assert_int_equal(cfg->report.schedule.at_min, -1);
	assert_int_equal(cfg->report.keep, 12);
	assert_int_equal(cfg->report.since_ms, 2000);
	config_free(cfg);
	cfg = load_ok("report: {}\n");
	assert_int_equal(cfg->report.schedule.every_ms, 7 * DAY_MS);
	config_free(cfg);
	cfg = load_ok("services: {}\n");
	assert_false(cfg->report.enabled);
	config_free(cfg);
}

static void
mistakes_are_named_at_their_place(void **state)
{
	(void)state;
	assert_error("report:\n  at: 'Sunday 3am'\n", 2, 7, "'at': expected a local time");
	assert_error("report:\n  at: '24:00'\n", 2, 7, "'at'");
	assert_error("report:\n  every: 1h\n  at: '03:00'\n", 2, 3, "at least 1d");
	assert_error("report:\n  keep: 0\n", 2, 9, "keep");
	assert_error("report:\n  since: 500d\n", 2, 3, "at most 400d");
	assert_error("report:\n  when: now\n", 2, 3, "when");
}

#define CHANNELS \
    "alerts:\n" \
    "  channels:\n" \
    "    ops: { webhook: 'http://127.0.0.1:9/hook', format: slack }\n" \
    "    am: { webhook: 'http://127.0.0.1:9093', format: alertmanager }\n" \
    "    page: { command: [/bin/true] }\n"

/* to: names channels of alerts:, wherever that section stands in the file. */
static void
to_names_alert_channels(void **state)
{
	struct tend_config *cfg;

	(void)state;
	cfg = load_ok("report: { every: 1d, to: [ops, page] }\n" CHANNELS);
	assert_int_equal(strv_len(cfg->report.to), 2);
	assert_string_equal(cfg->report.to[0], "ops");
	assert_string_equal(cfg->report.to[1], "page");
	assert_int_equal(cfg->report.to_pos[1].line, 1);
	assert_int_equal(cfg->report.to_pos[1].col, 32);
	config_free(cfg);
	cfg = load_ok(CHANNELS "report: { to: page }\n");
	assert_int_equal(strv_len(cfg->report.to), 1);
	config_free(cfg);
	cfg = load_ok("report: {}\n");
	assert_null(cfg->report.to);
	config_free(cfg);
	assert_error("report:\n  to: [ops, pager]\n" CHANNELS, 2, 13,
	    "'pager' is no channel of alerts: channels:");
	assert_error("report: { to: ops }\n", 1, 15, "(there are none)");
	assert_error("report:\n  to:\n    - page\n    - am\n" CHANNELS, 4, 7,
	    "'am' is an Alertmanager");
	assert_error("report:\n  to: [page, page]\n" CHANNELS, 2, 14, "'page' is named twice");
	assert_error("report:\n  to: [{ops: 1}]\n" CHANNELS, 2, 8, "the name of an alert channel");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(the_section_keeps_its_keys_and_fills_defaults, setup),
		cmocka_unit_test_setup(mistakes_are_named_at_their_place, setup),
		cmocka_unit_test_setup(to_names_alert_channels, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
