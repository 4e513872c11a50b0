/* Log lines grouped into templates (diagnose/templates.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "diagnose/templates.h"

static int
add(struct templates *t, const char *line, uint64_t at, bool *is_new)
{
	return templates_add(t, line, strlen(line), at, is_new);
}

static const char *
text_of(struct templates *t, int i)
{
	struct template_info info;

	templates_get(t, (size_t)i, &info);
	return info.text;
}

static void
numbers_addresses_ids_and_paths_are_masked(void **state)
{
	struct templates *t = templates_new();
	bool is_new;
	int i;

	(void)state;
	i = add(t, "ERROR db: connect to 10.0.0.1:5432: connection refused (try 3)", 1,
	    &is_new);
	assert_true(is_new);
	assert_string_equal(text_of(t, i), "ERROR db: connect to *: connection refused (try *)");
	i = add(t, "opened /var/lib/app/x.db as deadbeefcafe0123 in 12ms", 2, &is_new);
	assert_string_equal(text_of(t, i), "opened * as * in *");
	i = add(t, "cache miss for deadbeef", 3, &is_new);
	assert_string_equal(text_of(t, i), "cache miss for *");
	templates_free(t);
}

static void
lines_that_agree_are_one_template_with_counts_and_stamps(void **state)
{
	struct templates *t = templates_new();
	struct template_info info;
	bool is_new;
	int a, b, c;

	(void)state;
	a = add(t, "user alice logged in from web", 10, &is_new);
	assert_true(is_new);
	b = add(t, "user bob logged in from web", 11, &is_new);
	assert_false(is_new);
	assert_int_equal(a, b);
	assert_string_equal(text_of(t, a), "user * logged in from web");
	/* Three words of six the same is not more than half: another template. */
	c = add(t, "user carol logged out from api", 12, &is_new);
	assert_true(is_new);
	assert_true(c != a);
	templates_get(t, (size_t)a, &info);
	assert_int_equal(info.count, 2);
	assert_int_equal(info.first, 10);
	assert_int_equal(info.last, 11);
	/* Another first word, or another length: another template. */
	assert_int_equal(templates_count(t), 2);
	add(t, "admin bob logged in from web", 13, &is_new);
	assert_true(is_new);
	add(t, "user bob logged in from web today", 14, &is_new);
	assert_true(is_new);
	assert_int_equal(templates_count(t), 4);
	templates_free(t);
}

static void
beyond_the_limit_lines_are_other(void **state)
{
	struct templates *t = templates_new();
	char line[64];
	bool is_new;
	int i;

	(void)state;
	for (i = 0; i < TEMPLATES_MAX + 5; i++) {
		snprintf(line, sizeof(line), "%c%c%c only", 'a' + i % 26, 'a' + (i / 26) % 26,
		    'a' + (i / 676) % 26);
		add(t, line, (uint64_t)i, &is_new);
	}
	assert_int_equal(templates_count(t), TEMPLATES_MAX);
	assert_int_equal(templates_other(t), 5);
	templates_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers_addresses_ids_and_paths_are_masked),
		cmocka_unit_test(lines_that_agree_are_one_template_with_counts_and_stamps),
		cmocka_unit_test(beyond_the_limit_lines_are_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
