/*
 * include: conf.d files merged into one config — each pattern's files
 * sorted, relative patterns from the main file's folder, errors at the
 * included file's file:line:col, a name declared in two files and a
 * section set in two files reported with both places, state_dir and
 * include read from the main file only, a file other users may change
 * refused; the implicit snapshot set holds the included files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "core/strv.h"

static char dir[64];
static char path[256];

static const char *
at(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void
write_file(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(at(name), 0644);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tend-include-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(mkdir(at("conf.d"), 0755), 0);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Each test starts from an empty folder but conf.d/. */
static int
clear(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s/*.yaml %s/open %s/conf.d/*", dir, dir, dir);
	return system(cmd);
}

static struct tend_config *
load(struct config_errors *errs)
{
	return config_load_file(at("tend.yaml"), errs);
}

/* The config at dir fails with an error in file (dir-relative) at line:col with words. */
static void
assert_include_error(const char *file, int line, int col, const char *words)
{
	struct config_errors errs = { 0 };
	char want[256];
	size_t i;

	assert_null(load(&errs));
	snprintf(want, sizeof(want), "%s/%s", dir, file);
	for (i = 0; i < errs.n; i++)
		if (strcmp(errs.v[i].file, want) == 0 && errs.v[i].line == line &&
		    errs.v[i].col == col && strstr(errs.v[i].msg, words) != NULL) {
			config_errors_clear(&errs);
			return;
		}
	config_errors_print(&errs, stderr);
	config_errors_clear(&errs);
	fail_msg("no error at %s:%d:%d saying '%s'", file, line, col, words);
}

static void
files_are_merged_in_order(void **state)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg;
	size_t i;

	(void)state;
	write_file("tend.yaml", "include: [conf.d/*.yaml, extra.yaml]\n"
	    "services:\n  main: {run: [sleep, '9']}\nweb: {enabled: false}\n");
	write_file("conf.d/20-b.yaml", "services:\n  b: {run: [sleep, '9']}\n");
	write_file("conf.d/10-a.yaml", "services:\n  a: {run: [sleep, '9']}\n"
	    "checks:\n  a-port: {type: tcp, port: 1}\n");
	write_file("conf.d/notes.txt", "not yaml: [\n");
	write_file("conf.d/30-empty.yaml", "# all commented out\n");
	write_file("extra.yaml", "interval: 7s\n");
	cfg = load(&errs);
	if (cfg == NULL)
		config_errors_print(&errs, stderr);
	assert_non_null(cfg);
	assert_int_equal(cfg->n_services, 3);
	assert_string_equal(cfg->services[0].name, "main");
	assert_string_equal(cfg->services[1].name, "a");
	assert_string_equal(cfg->services[2].name, "b");
	assert_non_null(config_find_check(cfg, "a-port"));
	assert_int_equal(cfg->interval_ms, 7000);
	assert_int_equal(strv_len(cfg->include_files), 4);
	assert_string_equal(cfg->include_files[0], at("conf.d/10-a.yaml"));
	assert_string_equal(cfg->include_files[3], at("extra.yaml"));
	/* A rollback of the config puts back the files it includes too. */
	for (i = 0; i < cfg->n_snapshots && strcmp(cfg->snapshots[i].name, "tend"); i++)
		;
	assert_true(i < cfg->n_snapshots);
	assert_int_equal(strv_len(cfg->snapshots[i].paths), 5);
	config_free(cfg);
}

static void
errors_point_into_the_included_file(void **state)
{
	(void)state;
	write_file("tend.yaml", "include: conf.d/*.yaml\nweb: {enabled: false}\n");
	write_file("conf.d/a.yaml", "services:\n  a:\n    run: [sleep, '9']\n"
	    "    restrat: always\n");
	assert_include_error("conf.d/a.yaml", 4, 5, "restrat");
	write_file("conf.d/a.yaml",
	    "services:\n  a: {run: [sleep, '9'], depends_on: [nope]}\n");
	assert_include_error("conf.d/a.yaml", 2, 3, "nope");
	write_file("conf.d/a.yaml", "checks: [\n");
	assert_include_error("conf.d/a.yaml", 2, 1, "malformed YAML");
	unlink(at("conf.d/a.yaml"));
}

static void
a_name_in_two_files_names_both(void **state)
{
	(void)state;
	write_file("tend.yaml", "include: [conf.d/*.yaml]\nweb: {enabled: false}\n"
	    "services:\n  web: {run: [sleep, '9']}\n");
	write_file("conf.d/a.yaml", "checks:\n  port: {type: tcp, port: 1}\n");
	write_file("conf.d/b.yaml", "services:\n  web: {run: [sleep, '1']}\n"
	    "checks:\n  port: {type: tcp, port: 2}\n");
	assert_include_error("conf.d/b.yaml", 2, 3, "service 'web' is also declared at");
	assert_include_error("conf.d/b.yaml", 4, 3, "conf.d/a.yaml:2:3");
	unlink(at("conf.d/a.yaml"));
	unlink(at("conf.d/b.yaml"));
}

static void
sections_of_the_main_file_stay_there(void **state)
{
	(void)state;
	write_file("tend.yaml", "include: [conf.d/*.yaml]\nweb: {enabled: false}\n");
	write_file("conf.d/a.yaml", "web: {port: 9999}\nstate_dir: /tmp\n"
	    "include: [more/*.yaml]\nservices:\n  x: {run: [sleep, '9'], bogus: 1}\n");
	assert_include_error("conf.d/a.yaml", 1, 1, "tend.yaml:2:1");
	assert_include_error("conf.d/a.yaml", 2, 1, "main config only");
	assert_include_error("conf.d/a.yaml", 3, 1, "do not nest");
	/* The file's other errors are said too. */
	assert_include_error("conf.d/a.yaml", 5, 26, "bogus");
	unlink(at("conf.d/a.yaml"));
}

static void
patterns_that_name_nothing(void **state)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg;

	(void)state;
	/* A glob may match nothing (an empty conf.d); a plain name must be there. */
	write_file("tend.yaml", "web: {enabled: false}\ninclude:\n  - conf.d/*.yml\n"
	    "  - missing.yaml\n");
	assert_include_error("tend.yaml", 4, 5, "no such file");
	write_file("tend.yaml", "web: {enabled: false}\ninclude: ['*.yaml']\n");
	/* Its own folder's glob matches the main file: it is not read twice. */
	cfg = load(&errs);
	assert_non_null(cfg);
	assert_int_equal(strv_len(cfg->include_files), 0);
	config_free(cfg);
}

static void
files_others_may_change_are_refused(void **state)
{
	(void)state;
	write_file("tend.yaml", "include: [conf.d/*.yaml]\nweb: {enabled: false}\n");
	write_file("conf.d/a.yaml", "services:\n  a: {run: [sleep, '9']}\n");
	chmod(at("conf.d/a.yaml"), 0666);
	assert_include_error("tend.yaml", 1, 11, "may be changed by every user");
	chmod(at("conf.d/a.yaml"), 0644);
	chmod(at("conf.d"), 0775);
	assert_include_error("tend.yaml", 1, 11, "may be changed by its group");
	chmod(at("conf.d"), 0755);
	/* Nor through a link to a file in a folder others may write. */
	unlink(at("conf.d/a.yaml"));
	assert_int_equal(mkdir(at("open"), 0755), 0);
	chmod(at("open"), 0777);
	write_file("open/a.yaml", "services:\n  a: {run: [sleep, '9']}\n");
	assert_int_equal(symlink("../open/a.yaml", at("conf.d/a.yaml")), 0);
	assert_include_error("tend.yaml", 1, 11, "/open may be changed by every user");
	unlink(at("conf.d/a.yaml"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(files_are_merged_in_order, clear),
		cmocka_unit_test_setup(errors_point_into_the_included_file, clear),
		cmocka_unit_test_setup(a_name_in_two_files_names_both, clear),
		cmocka_unit_test_setup(sections_of_the_main_file_stay_there, clear),
		cmocka_unit_test_setup(patterns_that_name_nothing, clear),
		cmocka_unit_test_setup(files_others_may_change_are_refused, clear),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
