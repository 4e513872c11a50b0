/* core/github: workflow command data and step summary cells. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/github.h"

static void
workflow_data_cannot_end_its_line(void **state)
{
	char *got = github_escape("50% done\r\nnext::error::x");

	assert_string_equal(got, "50%25 done%0D%0Anext::error::x");
	free(got);
}

static void
a_cell_stays_one_cell_on_one_line(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	github_cell(f, "a|b `rm` c\nd\x1b[31m");
	github_cell(f, NULL);
	fclose(f);
	assert_string_equal(buf, "a\\|b 'rm' c\\nd\\x1b[31m");
	free(buf);
}

static void
the_summary_is_github_s_only_under_github(void **state)
{
	setenv("GITHUB_STEP_SUMMARY", "/tmp/summary.md", 1);
	unsetenv("GITHUB_ACTIONS");
	assert_false(github_actions());
	assert_null(github_step_summary());
	setenv("GITHUB_ACTIONS", "true", 1);
	assert_true(github_actions());
	assert_string_equal(github_step_summary(), "/tmp/summary.md");
	setenv("GITHUB_STEP_SUMMARY", "", 1);
	assert_null(github_step_summary());
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITHUB_STEP_SUMMARY");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(workflow_data_cannot_end_its_line),
		cmocka_unit_test(a_cell_stays_one_cell_on_one_line),
		cmocka_unit_test(the_summary_is_github_s_only_under_github),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
