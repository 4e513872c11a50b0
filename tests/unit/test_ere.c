/*
 * Which POSIX extended regexes are affordable to compile: ordinary ones
 * are; stacked quantifiers and nested bounds that expand past
 * ERE_MAX_NODES are not (glibc's regcomp would ask for gigabytes), and a
 * quantifier that is escaped or inside brackets is no quantifier.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <string.h>

#include "core/ere.h"

static void
ordinary_patterns_are_affordable(void **state)
{
	static const char *const ok[] = { "a+", "(ab)*c", "[a-z]{1,10}x", "x{100}",
	    "ECONNRESET|upstream prematurely closed", "a\\+\\+\\+", "[+*?]+", "[]+]*",
	    "[[:digit:]]+ms", "(a|b)?c{2,}", "^.*$", "{", "a{", "a{x}", "(((a)))",
	    "(a{10}){100}", "" };
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!ere_affordable(ok[i], why, sizeof(why)))
			fail_msg("'%s' refused: %s", ok[i], why);
}

static void
costly_patterns_are_refused(void **state)
{
	static const struct {
		const char *pattern;
		const char *says;
	} bad[] = {
		{ "a++", "repeated" },
		{ "pr++++++++++++++++++++++++++++++++++++++++++ematurely", "repeated" },
		{ "a*?", "repeated" },
		{ "a{2}{3}", "repeated" },
		{ "((a{100}){100}){100}", "expand" },
		{ "x{30000}", "expand" },
		{ "(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a)))))))))"
		  ")))))))))))))))))))))))))))))))))))))))))))))))))))))))", "nested" },
	};
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ere_affordable(bad[i].pattern, why, sizeof(why)))
			fail_msg("'%s' was let through", bad[i].pattern);
		if (strstr(why, bad[i].says) == NULL)
			fail_msg("'%s': said '%s', expected '%s'", bad[i].pattern, why,
			    bad[i].says);
	}
}

/* What it lets through, regcomp takes (or refuses for its own reasons) at once. */
static void
affordable_patterns_compile(void **state)
{
	regex_t re;

	(void)state;
	assert_true(ere_affordable("(a{10}){100}", (char[64]){ 0 }, 64));
	assert_int_equal(regcomp(&re, "(a{10}){100}", REG_EXTENDED | REG_NOSUB), 0);
	regfree(&re);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ordinary_patterns_are_affordable),
		cmocka_unit_test(costly_patterns_are_refused),
		cmocka_unit_test(affordable_patterns_compile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
