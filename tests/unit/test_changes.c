/*
 * heal/changes: which change an incident is blamed on, when auto_rollback
 * applies, and when a set's state becomes last known good.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "heal/changes.h"

static char *web_worker[] = { "web", "worker", NULL };
static char *db_only[] = { "db", NULL };

static const struct change_set_rules rules[] = {
	{ .name = "app", .guard_window_ms = 120000, .lkg_after_ms = 300000,
	  .auto_rollback = true, .restart = web_worker },
	{ .name = "dbconf", .guard_window_ms = 60000, .lkg_after_ms = 60000,
	  .auto_rollback = false, .restart = db_only },
};

static void
an_incident_in_a_window_is_blamed_on_the_change_that_restarts_its_service(void **state)
{
	struct change_tracker *ct = change_tracker_new();
	struct change_blame b;

	change_tracker_set_rules(ct, rules, 2, 0);
	/* The state tend found is no change. */
	assert_false(change_tracker_blame(ct, "web", true, 1000, &b));

	change_tracker_change(ct, "app", 7, 0, 10000);
	change_tracker_change(ct, "dbconf", 8, 0, 20000);
	/* web's set changed before db's: still web's set is blamed. */
	assert_true(change_tracker_blame(ct, "web", true, 30000, &b));
	assert_int_equal(b.change_id, 7);
	assert_string_equal(b.set, "app");
	assert_int_equal(b.at_ms, 10000);
	assert_true(b.rollback);
	/* Not critical: named, not rolled back. */
	assert_true(change_tracker_blame(ct, "web", false, 30000, &b));
	assert_false(b.rollback);
	/* A service of no set: the newest change. */
	assert_true(change_tracker_blame(ct, "cache", true, 30000, &b));
	assert_int_equal(b.change_id, 8);
	assert_false(b.rollback);	/* dbconf has no auto_rollback */
	/* dbconf's window (60 s) is over at 80.001 s, app's (120 s) is not. */
	assert_true(change_tracker_blame(ct, "cache", true, 80001, &b));
	assert_int_equal(b.change_id, 7);
	assert_false(change_tracker_blame(ct, "cache", true, 130001, &b));

	/* A rolled-back change is blamed no more. */
	change_tracker_change(ct, "app", 9, 0, 200000);
	change_tracker_rolled_back(ct, "app");
	assert_false(change_tracker_blame(ct, "web", true, 200100, &b));
	change_tracker_free(ct);
}

static void
a_package_upgrade_is_a_change_of_no_set(void **state)
{
	struct change_tracker *ct = change_tracker_new();
	struct change_blame b;

	change_tracker_set_rules(ct, rules, 2, 0);
	change_tracker_change(ct, NULL, 3, 120000, 5000);
	assert_true(change_tracker_blame(ct, "db", true, 6000, &b));
	assert_int_equal(b.change_id, 3);
	assert_null(b.set);
	assert_false(b.rollback);
	/* A set that restarts the service wins over a newer upgrade. */
	change_tracker_change(ct, "dbconf", 4, 0, 4000);
	assert_true(change_tracker_blame(ct, "db", true, 6000, &b));
	assert_int_equal(b.change_id, 4);
	/* An unknown set is not a change of anything. */
	change_tracker_change(ct, "nosuch", 5, 0, 7000);
	assert_true(change_tracker_blame(ct, "web", true, 7500, &b));
	assert_int_equal(b.change_id, 3);
	change_tracker_free(ct);
}

static void
last_known_good_after_staying_healthy(void **state)
{
	struct change_tracker *ct = change_tracker_new();
	int64_t id = -1;

	change_tracker_set_rules(ct, rules, 2, 0);
	/* Unhealthy: never due. */
	assert_null(change_tracker_lkg_due(ct, 1000000, &id));
	assert_int_equal(change_tracker_next_due(ct, 1000000), -1);

	/* Healthy from 1000 s: the state at start is good after lkg_after. */
	change_tracker_health(ct, true, 1000000);
	assert_int_equal(change_tracker_next_due(ct, 1000000), 60000);
	assert_string_equal(change_tracker_lkg_due(ct, 1060000, &id), "dbconf");
	assert_int_equal(id, 0);
	assert_null(change_tracker_lkg_due(ct, 1060000, &id));
	assert_string_equal(change_tracker_lkg_due(ct, 1300000, &id), "app");
	assert_null(change_tracker_lkg_due(ct, 2000000, &id));

	/* A change, then a failure: the count starts again when healthy. */
	change_tracker_change(ct, "app", 11, 0, 2000000);
	change_tracker_health(ct, false, 2100000);
	assert_null(change_tracker_lkg_due(ct, 2400000, &id));
	change_tracker_health(ct, true, 2200000);
	assert_int_equal(change_tracker_next_due(ct, 2200000), 300000);
	assert_null(change_tracker_lkg_due(ct, 2499999, &id));
	assert_string_equal(change_tracker_lkg_due(ct, 2500000, &id), "app");
	assert_int_equal(id, 11);

	/* A rolled-back change never becomes good. */
	change_tracker_change(ct, "app", 12, 0, 3000000);
	change_tracker_rolled_back(ct, "app");
	assert_null(change_tracker_lkg_due(ct, 9000000, &id));
	change_tracker_free(ct);
}

static void
a_reload_keeps_what_is_known_of_a_set(void **state)
{
	struct change_tracker *ct = change_tracker_new();
	struct change_set_rules longer = rules[0];
	struct change_blame b;

	change_tracker_set_rules(ct, rules, 2, 0);
	change_tracker_change(ct, "app", 21, 0, 10000);
	longer.guard_window_ms = 600000;
	change_tracker_set_rules(ct, &longer, 1, 20000);
	assert_true(change_tracker_blame(ct, "web", true, 500000, &b));
	assert_int_equal(b.change_id, 21);
	/* dbconf is gone: a change of it is no change. */
	change_tracker_change(ct, "dbconf", 22, 0, 21000);
	assert_true(change_tracker_blame(ct, "db", true, 21500, &b));
	assert_int_equal(b.change_id, 21);
	change_tracker_free(ct);
}

/* A reload that keeps two sets: the first one kept is no longer looked up by name. */
static void
a_reload_keeps_every_set(void **state)
{
	struct change_tracker *ct = change_tracker_new();
	struct change_blame b;

	change_tracker_set_rules(ct, rules, 2, 0);
	change_tracker_change(ct, "app", 21, 0, 10000);
	change_tracker_change(ct, "dbconf", 22, 0, 10000);
	change_tracker_set_rules(ct, rules, 2, 20000);
	assert_true(change_tracker_blame(ct, "web", true, 30000, &b));
	assert_int_equal(b.change_id, 21);
	assert_true(change_tracker_blame(ct, "db", true, 30000, &b));
	assert_int_equal(b.change_id, 22);
	change_tracker_free(ct);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    an_incident_in_a_window_is_blamed_on_the_change_that_restarts_its_service),
		cmocka_unit_test(a_package_upgrade_is_a_change_of_no_set),
		cmocka_unit_test(last_known_good_after_staying_healthy),
		cmocka_unit_test(a_reload_keeps_what_is_known_of_a_set),
		cmocka_unit_test(a_reload_keeps_every_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
