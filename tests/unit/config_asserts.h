/*
 * Loading configs in unit tests: one that must load, and one that must
 * fail with an error at a given line:col naming a given word.
 */
#ifndef TEND_TEST_CONFIG_ASSERTS_H
#define TEND_TEST_CONFIG_ASSERTS_H

#include <stdio.h>
#include <string.h>

#include "config/config.h"

static struct config_errors errs;

static struct tend_config *
load_ok(const char *yaml)
{
	struct tend_config *cfg = config_load_string("t.yaml", yaml, &errs);

	if (cfg == NULL)
		config_errors_print(&errs, stderr);
	assert_non_null(cfg);
	return cfg;
}

/* Loads a bad config and asserts an error at line:col mentioning `word`. */
static void
assert_error(const char *yaml, int line, int col, const char *word)
{
	struct tend_config *cfg = config_load_string("t.yaml", yaml, &errs);
	size_t i;

	assert_null(cfg);
	for (i = 0; i < errs.n; i++) {
		if (errs.v[i].line == line && errs.v[i].col == col &&
		    strstr(errs.v[i].msg, word) != NULL) {
			assert_string_equal(errs.v[i].file, "t.yaml");
			config_errors_clear(&errs);
			return;
		}
	}
	config_errors_print(&errs, stderr);
	config_errors_clear(&errs);
	fail_msg("no error at %d:%d mentioning '%s'", line, col, word);
}

#endif
