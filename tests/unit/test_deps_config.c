/*
 * What deps checks declare about installing (`install:`, `installer:`),
 * the `installers:` and `environment:` sections, the built-in installers,
 * and every mistake reported at its file:line:col.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/strv.h"

#include "config_asserts.h"

static int
reset(void **state)
{
	config_errors_clear(&errs);
	return 0;
}

static void
items_say_how_they_are_installed(void **state)
{
	struct tend_config *cfg = load_ok(
	    "checks:\n"
	    "  tools:\n"
	    "    type: deps\n"
	    "    installer: mine\n"
	    "    executables:\n"
	    "      curl: '>= 7'\n"
	    "      widget: { version: '>= 2', install: { installer: apt, package: widget-bin } }\n"
	    "      gizmo: { install: apt }\n"
	    "      bare:\n"
	    "    libraries: { libfoo.so.1: { install: { installer: apt, package: libfoo1 } } }\n"
	    "    python: { requests: '>= 2.0' }\n"
	    "    npm: [left-pad, '@scope/pkg']\n"
	    "installers:\n"
	    "  mine: { command: [./get-thing, '{package}'] }\n");
	const struct deps_check_conf *d = &cfg->checks[0].deps;

	assert_string_equal(d->installer, "mine");
	assert_int_equal(d->n_items, 8);
	assert_string_equal(d->items[0].name, "curl");
	assert_string_equal(d->items[0].constraint, ">= 7");
	assert_null(d->items[0].installer);
	assert_string_equal(d->items[1].constraint, ">= 2");
	assert_string_equal(d->items[1].installer, "apt");
	assert_string_equal(d->items[1].package, "widget-bin");
	assert_string_equal(d->items[2].installer, "apt");
	assert_null(d->items[2].package);
	assert_null(d->items[2].constraint);
	assert_string_equal(d->items[3].name, "bare");
	assert_null(d->items[3].constraint);
	assert_int_equal(d->items[4].kind, DEP_LIBRARY);
	assert_string_equal(d->items[4].package, "libfoo1");
	assert_int_equal(d->items[5].kind, DEP_PYTHON);
	assert_int_equal(d->items[6].kind, DEP_NPM);
	assert_string_equal(d->items[7].name, "@scope/pkg");
	assert_int_equal(d->items[1].pos.line, 7);
	assert_int_equal(d->items[1].pos.col, 7);
	/* A program given as a path is found from the config file's folder. */
	assert_non_null(config_find_installer(cfg, "mine"));
	assert_true(config_find_installer(cfg, "mine")->command[0][0] == '/');
	assert_string_equal(dep_kind_name(DEP_PYTHON), "python");
	config_free(cfg);
}

static void
apt_npm_and_pip_are_built_in_and_a_declaration_changes_only_what_it_says(void **state)
{
	struct tend_config *cfg = load_ok(
	    "installers:\n"
	    "  npm: { registries: ['https://registry.npmjs.org', 'http://127.0.0.1:4873'],\n"
	    "         retry: { retries: 1, initial: 10ms, max: 1s, timeout: 5m },\n"
	    "         cache: cache/npm }\n"
	    "  pip:\n");
	const struct installer_conf *apt = config_find_installer(cfg, "apt");
	const struct installer_conf *npm = config_find_installer(cfg, "npm");
	const struct installer_conf *pip = config_find_installer(cfg, "pip");
	char *joined;

	assert_non_null(apt);
	assert_false(apt->declared);
	joined = strv_join(apt->command, " ");
	assert_string_equal(joined, "apt-get install -y {packages}");
	free(joined);
	joined = strv_join(apt->download, " ");
	assert_string_equal(joined, "apt-get download {package}");
	free(joined);
	assert_int_equal(apt->retries, -1);
	assert_true(npm->declared);
	assert_int_equal(strv_len(npm->mirrors), 2);
	assert_string_equal(npm->mirror_flag, "--registry");
	assert_string_equal(npm->command[0], "npm");
	assert_int_equal(npm->retries, 1);
	assert_int_equal(npm->retry_initial_ms, 10);
	assert_int_equal(npm->retry_max_ms, 1000);
	assert_int_equal(npm->timeout_ms, 300000);
	assert_true(npm->cache[0] == '/');
	assert_true(pip->declared);
	assert_string_equal(pip->mirror_flag, "--index-url");
	assert_null(config_find_installer(cfg, "brew"));
	/* environment: defaults when absent */
	assert_null(cfg->environment.probe);
	assert_int_equal(cfg->environment.probe_timeout_ms, 2000);
	assert_int_equal(cfg->environment.min_free, 100 * 1024 * 1024);
	config_free(cfg);
}

static void
environment_settings_parse(void **state)
{
	struct tend_config *cfg = load_ok(
	    "environment: { probe: ['127.0.0.1:8080', 'mirror.example:443'],\n"
	    "               probe_timeout: 300ms, min_free: 1MB, warn_free: 2MB }\n");

	assert_int_equal(strv_len(cfg->environment.probe), 2);
	assert_int_equal(cfg->environment.probe_timeout_ms, 300);
	assert_int_equal(cfg->environment.min_free, 1024 * 1024);
	assert_int_equal(cfg->environment.warn_free, 2 * 1024 * 1024);
	config_free(cfg);
}

static void
mistakes_are_reported_where_they_are(void **state)
{
	assert_error("checks:\n  t:\n    type: deps\n    executables: { x: { install: nope } }\n",
	    4, 20, "installer 'nope' is not under installers:");
	assert_error("checks:\n  t:\n    type: deps\n    installer: nope\n    paths: [/]\n",
	    4, 16, "installer 'nope'");
	assert_error("checks:\n  t:\n    type: deps\n    executables: { x: { install: {} } }\n",
	    4, 34, "'installer' is required");
	assert_error("checks:\n  t:\n    type: deps\n    executables: { x: { versoin: '1' } }\n",
	    4, 25, "unknown key 'versoin'");
	assert_error("checks:\n  t:\n    type: deps\n    libraries: { libx.so: '>= 1' }\n",
	    4, 27, "has no version");
	assert_error("checks:\n  t:\n    type: deps\n    python: { x: { version: 'about 1' } }\n",
	    4, 29, "is not a version constraint");
	assert_error("installers:\n  mine: { mirrors: [a] }\n", 2, 3, "'command' is required");
	assert_error("installers:\n  mine: { command: [get] }\n", 2, 3, "names no package");
	assert_error("installers:\n  mine: { command: [get, '{package}', '{packages}'] }\n", 2,
	    3, "not both");
	assert_error("installers:\n  mine: { command: [get, 'x{packages}'] }\n", 2, 3,
	    "whole argument");
	assert_error("installers:\n  mine: { command: [get, '{package}'], mirrors: [m] }\n", 2,
	    3, "need {mirror}");
	assert_error("installers:\n  mine: { command: [get, '{files}'] }\n", 2, 3,
	    "names no package");
	assert_error("installers:\n  apt: {}\n  apt: {}\n", 3, 3, "declared twice");
	assert_error("installers:\n  mine: { command: [get, '{package}'], retry: { tries: 1 } }\n",
	    2, 49, "unknown key 'tries' in 'retry' of installer 'mine'");
	assert_error("environment: { min_free: 2GB, warn_free: 1GB }\n", 1, 14, "warn_free");
}

static void
mirrors_in_the_command_need_no_flag(void **state)
{
	struct tend_config *cfg = load_ok(
	    "installers:\n"
	    "  mine:\n"
	    "    command: [get, --from, '{mirror}', '{package}']\n"
	    "    download: [get, --save, '{cache}', '{packages}']\n"
	    "    offline: [get, --file, '{files}']\n"
	    "    mirrors: [http://127.0.0.1:1/a, http://127.0.0.1:2/b]\n"
	    "    indexes: [http://127.0.0.1:3/c]\n");

	assert_int_equal(strv_len(config_find_installer(cfg, "mine")->mirrors), 3);
	assert_null(config_find_installer(cfg, "mine")->mirror_flag);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(items_say_how_they_are_installed, reset),
		cmocka_unit_test_setup(
		    apt_npm_and_pip_are_built_in_and_a_declaration_changes_only_what_it_says,
		    reset),
		cmocka_unit_test_setup(environment_settings_parse, reset),
		cmocka_unit_test_setup(mistakes_are_reported_where_they_are, reset),
		cmocka_unit_test_setup(mirrors_in_the_command_need_no_flag, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
