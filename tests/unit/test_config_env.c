/*
 * ${VAR} and ${VAR:-default} in a config's values: put in from the
 * environment, a default for one unset or empty, $${ a literal, any other
 * $ left alone, keys as written; an unset variable without a default, a
 * bad name or an unclosed reference is an error at its file:line:col.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/envsubst.h"

#include "config_asserts.h"

static int
setup(void **state)
{
	(void)state;
	setenv("TEND_T_NAPS", "42", 1);
	setenv("TEND_T_EMPTY", "", 1);
	unsetenv("TEND_T_UNSET");
	return 0;
}

/* in with its references put in, expecting success. */
static char *
put_in(const char *in)
{
	char msg[256], *out;
	size_t len, at;

	assert_true(envsubst_text(in, strlen(in), &out, &len, &at, msg, sizeof(msg)));
	if (out == NULL)
		return strdup(in);
	assert_int_equal(strlen(out), len);
	return out;
}

static void
assert_put_in(const char *in, const char *want)
{
	char *got = put_in(in);

	assert_string_equal(got, want);
	free(got);
}

static void
references_are_put_in(void **state)
{
	(void)state;
	assert_put_in("${TEND_T_NAPS}", "42");
	assert_put_in("a${TEND_T_NAPS}b${TEND_T_NAPS}", "a42b42");
	assert_put_in("${TEND_T_UNSET:-7}s", "7s");
	assert_put_in("${TEND_T_EMPTY:-dflt}", "dflt");
	assert_put_in("${TEND_T_NAPS:-dflt}", "42");
	assert_put_in("${TEND_T_UNSET:-}", "");
	assert_put_in("${TEND_T_EMPTY}", "");
	assert_put_in("${TEND_T_UNSET:-a b:c-d}", "a b:c-d");
	/* What is not a reference stays. */
	assert_put_in("$HOME and $ and $5 and $", "$HOME and $ and $5 and $");
	assert_put_in("$${TEND_T_NAPS}", "${TEND_T_NAPS}");
	assert_put_in("$$${TEND_T_NAPS}", "$${TEND_T_NAPS}");	/* "$", then "$${" */
	assert_put_in("no reference", "no reference");
}

static void
bad_references_say_where(void **state)
{
	static const struct {
		const char *in;
		size_t at;
		const char *says;
	} bad[] = {
		{ "x ${TEND_T_UNSET}", 2, "TEND_T_UNSET is not set" },
		{ "${1X}", 0, "expected a variable's name" },
		{ "${}", 0, "expected a variable's name" },
		{ "ab${X", 2, "expected '}' or ':-DEFAULT}'" },
		{ "${X:-open", 0, "no '}' ends the default" },
		{ "${X-1}", 0, "expected '}' or ':-DEFAULT}'" },
	};
	char msg[256], *out;
	size_t i, len, at;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(envsubst_text(bad[i].in, strlen(bad[i].in), &out, &len, &at, msg,
		    sizeof(msg)));
		assert_null(out);
		assert_int_equal(at, bad[i].at);
		if (strstr(msg, bad[i].says) == NULL)
			fail_msg("%s: said '%s', expected '%s'", bad[i].in, msg, bad[i].says);
	}
}

static void
a_config_takes_its_values_from_the_environment(void **state)
{
	struct tend_config *cfg;

	(void)state;
	cfg = load_ok("services:\n"
	    "  app:\n"
	    "    run: [sleep, '${TEND_T_NAPS}']\n"
	    "    env: { GREETING: \"hi ${TEND_T_UNSET:-there}\", LIT: 'a $${X} $HOME',"
	    " '${KEY}': v }\n");
	assert_string_equal(cfg->services[0].run[1], "42");
	assert_string_equal(cfg->services[0].env[0], "GREETING=hi there");
	assert_string_equal(cfg->services[0].env[1], "LIT=a ${X} $HOME");
	/* A key is as written: only values are filled in. */
	assert_string_equal(cfg->services[0].env[2], "${KEY}=v");
	config_free(cfg);
}

static void
an_unset_variable_is_an_error_at_its_place(void **state)
{
	(void)state;
	assert_error("services:\n"
	    "  app:\n"
	    "    run: [sleep, '${TEND_T_UNSET}']\n", 3, 19, "TEND_T_UNSET is not set");
	assert_error("services:\n"
	    "  app:\n"
	    "    run:\n"
	    "      - sleep\n"
	    "      - 1${TEND_T_UNSET}\n", 5, 10, "has no default");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(references_are_put_in),
		cmocka_unit_test(bad_references_say_where),
		cmocka_unit_test(a_config_takes_its_values_from_the_environment),
		cmocka_unit_test(an_unset_variable_is_an_error_at_its_place),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
