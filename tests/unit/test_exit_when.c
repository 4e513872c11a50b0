/*
 * exit_when: which ended service ends tend and with what code (the
 * service's status; a failure never 0), and its config: a service or a
 * group of copies, any_failed, an unknown name refused at its place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "daemon/exit_when.h"

#include "config_asserts.h"

static void
the_named_service_or_any_failure(void **state)
{
	struct exit_when_conf ew = { .service = "app" };
	struct service_conf app = { .name = "app" }, db = { .name = "db" },
	    copy = { .name = "web@2", .instance_of = "web" };

	(void)state;
	assert_int_equal(exit_when_code(&ew, &app, 3, true), 3);
	assert_int_equal(exit_when_code(&ew, &app, 0, false), 0);	/* it finished */
	assert_int_equal(exit_when_code(&ew, &app, 0, true), 1);	/* killed by tend */
	assert_int_equal(exit_when_code(&ew, &app, 128 + 9, true), 137);
	assert_int_equal(exit_when_code(&ew, &db, 3, true), -1);
	ew.any_failed = true;
	assert_int_equal(exit_when_code(&ew, &db, 3, true), 3);
	assert_int_equal(exit_when_code(&ew, &db, 0, false), -1);	/* a one-shot's end */
	ew = (struct exit_when_conf){ .service = "web" };
	assert_int_equal(exit_when_code(&ew, &copy, 2, true), 2);
	ew = (struct exit_when_conf){ 0 };
	assert_int_equal(exit_when_code(&ew, &app, 3, true), -1);
}

static void
its_config(void **state)
{
	struct tend_config *cfg;

	(void)state;
	cfg = load_ok("exit_when: {service: web, any_failed: true}\n"
	    "services:\n  web: {run: [sleep, '9'], instances: 2}\n");
	assert_string_equal(cfg->exit_when.service, "web");
	assert_true(cfg->exit_when.any_failed);
	config_free(cfg);
	assert_error("exit_when: {service: nope}\nservices:\n  a: {run: [sleep, '9']}\n",
	    1, 22, "'nope' is not a service");
	assert_error("exit_when: {any_failed: maybe}\n", 1, 25, "any_failed");
	assert_error("exit_when: {when: app}\n", 1, 13, "when");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_named_service_or_any_failure),
		cmocka_unit_test(its_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
