/*
 * tend deps install and cache-warmup, short of running anything: installer
 * templates, finding packages in a cache, and the plan (one command for
 * all or one each, mirrors as fallbacks, the cache when it has them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/strv.h"
#include "deps/install.h"

static struct tend_config *
load_ok(const char *yaml)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg = config_load_string("t.yaml", yaml, &errs);

	if (cfg == NULL)
		config_errors_print(&errs, stderr);
	config_errors_clear(&errs);
	assert_non_null(cfg);
	return cfg;
}

static char *
joined(char **argv)
{
	static char buf[1024];
	char *s = strv_join(argv, " ");

	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	strv_free(argv);
	return buf;
}

static void
templates_fill_packages_mirrors_cache_and_files(void **state)
{
	char *pip[] = { "pip", "install", "{packages}", NULL };
	char *mine[] = { "get", "--from={mirror}", "--into", "{cache}/x", "{package}", NULL };
	char *drop[] = { "get", "{mirror}", "{package}", NULL };
	char *files_t[] = { "apt-get", "install", "-y", "{files}", NULL };
	char *packages[] = { "a", "b", NULL }, *one[] = { "solo", NULL };
	char *files[] = { "/c/a_1.deb", "/c/b_2.deb", NULL };

	assert_string_equal(joined(deps_render(pip, packages, NULL, "--index-url", "/c",
	    NULL)), "pip install a b");
	assert_string_equal(joined(deps_render(pip, packages, "http://m/simple",
	    "--index-url", "/c", NULL)), "pip install a b --index-url http://m/simple");
	assert_string_equal(joined(deps_render(mine, one, "http://m", "--ignored", "/c",
	    NULL)), "get --from=http://m --into /c/x solo");
	assert_string_equal(joined(deps_render(drop, one, NULL, NULL, "/c", NULL)),
	    "get solo");
	assert_string_equal(joined(deps_render(files_t, packages, NULL, NULL, "/c", files)),
	    "apt-get install -y /c/a_1.deb /c/b_2.deb");
}

static char dir[64];

static void
touch(const char *name)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
}

static int
dir_setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/tend-cache-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
dir_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
cached_files_are_found_by_package_name_newest_first(void **state)
{
	char *f, want[256];

	touch("libyaml-dev_0.2.2-1_amd64.deb");
	touch("libyaml-dev_0.2.5-1_amd64.deb");
	touch("libyaml-devel-9.0.rpm");
	touch("scope-pkg-1.0.0.tgz");
	touch("PyYAML-6.0.1-cp311-cp311-linux_x86_64.whl");
	touch("left-pad-1.3.0.tgz");
	assert_non_null(f = deps_cached_file(dir, "libyaml-dev"));
	snprintf(want, sizeof(want), "%s/libyaml-dev_0.2.5-1_amd64.deb", dir);
	assert_string_equal(f, want);
	free(f);
	assert_non_null(f = deps_cached_file(dir, "@scope/pkg"));
	assert_non_null(strstr(f, "scope-pkg-1.0.0.tgz"));
	free(f);
	assert_non_null(f = deps_cached_file(dir, "pyyaml"));
	assert_non_null(strstr(f, "PyYAML-6.0.1"));
	free(f);
	assert_null(deps_cached_file(dir, "left"));	/* left-pad is another package */
	assert_null(deps_cached_file(dir, "requests"));
	assert_null(deps_cached_file("/nonexistent/tend", "x"));
}

/* Rows as `tend deps check` would make them, every item missing. */
static void
all_missing(const struct tend_config *cfg, struct dep_status *st)
{
	const struct check_conf *c = &cfg->checks[0];
	struct dep_row *r;
	size_t i;

	memset(st, 0, sizeof(*st));
	st->v = xcalloc(c->deps.n_items, sizeof(*st->v));
	for (i = 0; i < c->deps.n_items; i++) {
		r = &st->v[st->n++];
		r->check = c;
		r->item = &c->deps.items[i];
		r->status = xstrdup(i == 2 ? "too-new" : "missing");
		r->message = xstrdup("gone");
		r->installer = deps_installer_of(cfg, c, r->item, &r->package);
	}
}

static void
a_plan_has_one_command_per_package_or_for_all_with_mirrors_as_fallbacks(void **state)
{
	char yaml[1024];
	struct tend_config *cfg;
	struct install_plan plan;
	struct dep_status st;

	snprintf(yaml, sizeof(yaml),
	    "checks:\n"
	    "  t:\n"
	    "    type: deps\n"
	    "    executables: { widget: { install: mine }, gizmo: { install: { installer: mine, package: gz } },\n"
	    "                   loose: { install: apt } }\n"
	    "    python: { requests: '' }\n"
	    "    paths: [/nonexistent/x]\n"
	    "installers:\n"
	    "  mine: { command: [get, '{package}', '{mirror}'], offline: [get, '{files}'],\n"
	    "          mirrors: [http://127.0.0.1:1/a, http://127.0.0.1:2/b], cache: %s }\n"
	    "  pip: { indexes: [http://127.0.0.1:3/simple] }\n", dir);
	touch("widget-1.0.tar");
	cfg = load_ok(yaml);
	all_missing(cfg, &st);
	/* loose is too new (not downgraded); the path has no installer. */
	deps_plan_install(cfg, &st, "/tmp/root", &plan);
	assert_int_equal(plan.n, 3);
	assert_string_equal(plan.v[0].installer->name, "mine");
	assert_string_equal(joined(strv_dup(plan.v[0].argv)), "get widget http://127.0.0.1:1/a");
	assert_int_equal(plan.v[0].n_fallbacks, 1);
	assert_string_equal(joined(strv_dup(plan.v[0].fallbacks[0])),
	    "get widget http://127.0.0.1:2/b");
	assert_non_null(plan.v[0].offline);
	assert_non_null(strstr(plan.v[0].offline[1], "widget-1.0.tar"));
	assert_string_equal(joined(strv_dup(plan.v[1].argv)), "get gz http://127.0.0.1:1/a");
	assert_null(plan.v[1].offline);			/* not in the cache */
	assert_string_equal(plan.v[2].installer->name, "pip");
	assert_string_equal(joined(strv_dup(plan.v[2].argv)),
	    "python3 -m pip install --upgrade requests --index-url http://127.0.0.1:3/simple");
	assert_string_equal(plan.v[2].cache, "/tmp/root/deps/pip");
	assert_int_equal(strv_len(plan.unplanned), 2);
	assert_non_null(strstr(plan.unplanned[0], "too new"));
	assert_non_null(strstr(plan.unplanned[1], "no installer"));
	deps_plan_free(&plan);

	/* Warmup: what is cached is left alone; the rest is downloaded in the cache. */
	deps_plan_warmup(cfg, "/tmp/root", &plan);
	assert_int_equal(strv_len(plan.cached), 0);	/* mine has no download command */
	assert_int_equal(plan.n, 2);
	assert_string_equal(plan.v[0].installer->name, "apt");
	assert_string_equal(joined(strv_dup(plan.v[0].argv)), "apt-get download loose");
	assert_true(plan.v[0].download);
	assert_string_equal(plan.v[1].installer->name, "pip");
	assert_string_equal(joined(strv_dup(plan.v[1].argv)),
	    "python3 -m pip download requests --index-url http://127.0.0.1:3/simple");
	deps_plan_free(&plan);
	deps_status_free(&st);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(templates_fill_packages_mirrors_cache_and_files),
		cmocka_unit_test_setup_teardown(cached_files_are_found_by_package_name_newest_first,
		    dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(
		    a_plan_has_one_command_per_package_or_for_all_with_mirrors_as_fallbacks,
		    dir_setup, dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
