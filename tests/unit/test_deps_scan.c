/*
 * tend deps scan: what the extractors find (and what comments, strings and
 * dead code hide), the mapping tables, the walk of a tree, and --fix
 * editing a config file's text.
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

#include "core/mem.h"
#include "deps/scan.h"

/* What an extractor reported, as "ref@line" lines. */
struct found {
	char	 text[4096];
};

static void
collect(void *arg, const char *ref, int line)
{
	struct found *f = arg;
	size_t n = strlen(f->text);

	snprintf(f->text + n, sizeof(f->text) - n, "%s@%d\n", ref, line);
}

static const char *
extract(void (*fn)(const char *, scan_ref_fn, void *), const char *text)
{
	static struct found f;

	f.text[0] = '\0';
	fn(text, collect, &f);
	return f.text;
}

static void
c_angle_includes_outside_comments_and_dead_code(void **state)
{
	const char *src =
	    "#include <stdio.h>\n"				/* 1 */
	    "#include \"local.h\"\n"				/* 2: the project's own */
	    "  #  include   <yaml.h>  // the parser\n"	/* 3 */
	    "/* #include <gone.h>\n"				/* 4: in a comment */
	    "   #include <also_gone.h> */\n"			/* 5 */
	    "// #include <commented.h>\n"			/* 6 */
	    "#if 0\n"						/* 7 */
	    "#include <dead.h>\n"				/* 8 */
	    "#ifdef X\n#include <dead2.h>\n#endif\n"		/* 9-11 */
	    "#else\n"						/* 12 */
	    "#include <live.h>\n"				/* 13 */
	    "#endif\n"						/* 14 */
	    "const char *s = \"/*\"; #include <not_a_directive.h>\n"	/* 15 */
	    "#include <curl/curl.h> /* trailing */\n";		/* 16 */

	assert_string_equal(extract(scan_extract_c, src),
	    "stdio.h@1\nyaml.h@3\nlive.h@13\ncurl/curl.h@16\n");
}

static void
python_imports_of_every_form(void **state)
{
	const char *src =
	    "import os, sys\n"					/* 1 */
	    "import a.b as c, d\n"				/* 2 */
	    "from e.f import g\n"				/* 3 */
	    "from . import local\n"				/* 4: relative */
	    "from .pkg import thing\n"				/* 5: relative */
	    "from h import (\n    i,\n    j)\n"		/* 6-8 */
	    "x = 1; import k\n"					/* 9 */
	    "def f():\n    import l\n"			/* 10-11 */
	    "try: import m\n"					/* 12 */
	    "import n, \\\n    o\n";			/* 13-14 */

	assert_string_equal(extract(scan_extract_python, src),
	    "os@1\nsys@1\na.b@2\nd@2\ne.f@3\nh@6\nk@9\nl@11\nm@12\nn@13\no@13\n");
}

static void
python_strings_and_comments_hide_imports(void **state)
{
	const char *src =
	    "\"\"\"Module doc.\n"				/* 1 */
	    "import not_this\n"					/* 2 */
	    "\"\"\"\n"						/* 3 */
	    "# import nor_this\n"				/* 4 */
	    "s = 'import neither'\n"				/* 5 */
	    "t = \"from x import y\"\n"				/* 6 */
	    "u = '''\nfrom z import w\n'''\n"			/* 7-9 */
	    "v = 'it\\'s'; import real\n"			/* 10 */
	    "important = 1\n"					/* 11 */
	    "importlib.import_module('dynamic')\n"		/* 12 */
	    "x = 1  # ; import after_a_semicolon\n"		/* 13 */
	    "# three quotes \"\"\" in a comment\n"		/* 14 */
	    "import after_quotes\n";				/* 15 */

	assert_string_equal(extract(scan_extract_python, src),
	    "real@10\nafter_quotes@15\n");
}

static void
js_requires_and_imports_but_not_in_strings(void **state)
{
	const char *src =
	    "const pad = require('left-pad');\n"		/* 1 */
	    "const s = \"require('in-a-string')\";\n"		/* 2 */
	    "// require('in-a-comment')\n"			/* 3 */
	    "/* import x from 'block' */\n"			/* 4 */
	    "import React, { useState } from \"react\";\n"	/* 5 */
	    "import {\n  a,\n  b\n} from '@scope/pkg/sub';\n"	/* 6-9 */
	    "import './side-effect.css';\n"			/* 10 */
	    "import 'polyfill';\n"				/* 11 */
	    "const m = await import('lazy');\n"			/* 12 */
	    "export * from 're-exported';\n"			/* 13 */
	    "const t = `require('in-a-template') ${require('in-code')}`;\n"	/* 14 */
	    "const r = /'require('regex')/;\n"			/* 15 */
	    "obj.require('member');\n"				/* 16 */
	    "const x = Array.from('abc');\n"			/* 17 */
	    "import.meta.url;\n";				/* 18 */

	assert_string_equal(extract(scan_extract_js, src),
	    "left-pad@1\nreact@5\n@scope/pkg/sub@9\n./side-effect.css@10\npolyfill@11\n"
	    "lazy@12\nre-exported@13\n");
}

static void
js_specifiers_become_package_names(void **state)
{
	char out[128];

	assert_true(scan_js_package("@scope/pkg/sub/path", out, sizeof(out)));
	assert_string_equal(out, "@scope/pkg");
	assert_true(scan_js_package("lodash/fp", out, sizeof(out)));
	assert_string_equal(out, "lodash");
	assert_true(scan_js_package("left-pad", out, sizeof(out)));
	assert_string_equal(out, "left-pad");
	assert_false(scan_js_package("./local", out, sizeof(out)));
	assert_false(scan_js_package("../up", out, sizeof(out)));
	assert_false(scan_js_package("/abs/path", out, sizeof(out)));
	assert_false(scan_js_package("node:fs", out, sizeof(out)));
	assert_false(scan_js_package("https://cdn.example/x.js", out, sizeof(out)));
	assert_false(scan_js_package("@/components/x", out, sizeof(out)));
	assert_false(scan_js_package("@scope", out, sizeof(out)));
	assert_false(scan_js_package("~/alias", out, sizeof(out)));
	assert_false(scan_js_package("#internal", out, sizeof(out)));
	assert_false(scan_js_package("has space", out, sizeof(out)));
}

static void
headers_map_to_pkgconfig_modules_and_debian_packages(void **state)
{
	struct scan_need n;

	assert_int_equal(scan_map(SCAN_C, "yaml.h", &n), SCAN_NEEDS);
	assert_int_equal(n.kind, DEP_PKGCONFIG);
	assert_string_equal(n.name, "yaml-0.1");
	assert_string_equal(n.package, "libyaml-dev");
	assert_string_equal(n.installer, "apt");
	assert_int_equal(scan_map(SCAN_C, "curl/curl.h", &n), SCAN_NEEDS);
	assert_string_equal(n.name, "libcurl");
	assert_int_equal(scan_map(SCAN_C, "uv.h", &n), SCAN_NEEDS);
	assert_string_equal(n.package, "libuv1-dev");
	assert_int_equal(scan_map(SCAN_C, "openssl/evp.h", &n), SCAN_NEEDS);
	assert_string_equal(n.package, "libssl-dev");
	/* No pkg-config module: the Debian package is what gets declared. */
	assert_int_equal(scan_map(SCAN_C, "bzlib.h", &n), SCAN_NEEDS);
	assert_int_equal(n.kind, DEP_PACKAGE);
	assert_string_equal(n.name, "libbz2-dev");
	/* A library header in a system folder wins over the folder's rule. */
	assert_int_equal(scan_map(SCAN_C, "sys/capability.h", &n), SCAN_NEEDS);
	assert_string_equal(n.name, "libcap");
	assert_int_equal(scan_map(SCAN_C, "stdio.h", &n), SCAN_IGNORED);
	assert_int_equal(scan_map(SCAN_C, "sys/socket.h", &n), SCAN_IGNORED);
	assert_int_equal(scan_map(SCAN_C, "linux/netlink.h", &n), SCAN_IGNORED);
	assert_int_equal(scan_map(SCAN_C, "vector", &n), SCAN_IGNORED);
	assert_int_equal(scan_map(SCAN_C, "frobnicate/widget.h", &n), SCAN_UNMAPPED);
}

static void
python_modules_map_to_pypi_names_without_the_stdlib(void **state)
{
	struct scan_need n;

	assert_int_equal(scan_map(SCAN_PYTHON, "yaml", &n), SCAN_NEEDS);
	assert_string_equal(n.name, "PyYAML");
	assert_string_equal(n.installer, "pip");
	assert_int_equal(scan_map(SCAN_PYTHON, "PIL.Image", &n), SCAN_NEEDS);
	assert_string_equal(n.name, "Pillow");
	assert_int_equal(scan_map(SCAN_PYTHON, "google.protobuf.message", &n), SCAN_NEEDS);
	assert_string_equal(n.name, "protobuf");
	assert_int_equal(scan_map(SCAN_PYTHON, "requests.adapters", &n), SCAN_NEEDS);
	assert_string_equal(n.name, "requests");
	assert_int_equal(scan_map(SCAN_PYTHON, "gitlab", &n), SCAN_NEEDS);
	assert_string_equal(n.name, "gitlab");	/* not "git" -> GitPython */
	assert_int_equal(scan_map(SCAN_PYTHON, "os.path", &n), SCAN_IGNORED);
	assert_int_equal(scan_map(SCAN_PYTHON, "json", &n), SCAN_IGNORED);
	assert_int_equal(scan_map(SCAN_PYTHON, "__future__", &n), SCAN_IGNORED);
	assert_int_equal(scan_map(SCAN_PYTHON, "_thread", &n), SCAN_IGNORED);
	assert_int_equal(scan_map(SCAN_PYTHON, "tomllib", &n), SCAN_IGNORED);
}

static void
node_builtins_are_not_packages(void **state)
{
	struct scan_need n;

	assert_int_equal(scan_map(SCAN_JS, "fs", &n), SCAN_IGNORED);
	assert_int_equal(scan_map(SCAN_JS, "fs/promises", &n), SCAN_IGNORED);
	assert_int_equal(scan_map(SCAN_JS, "node:child_process", &n), SCAN_IGNORED);
	assert_int_equal(scan_map(SCAN_JS, "./util.js", &n), SCAN_IGNORED);
	assert_int_equal(scan_map(SCAN_JS, "@types/node", &n), SCAN_NEEDS);
	assert_string_equal(n.name, "@types/node");
	assert_string_equal(n.installer, "npm");
	assert_int_equal(scan_map(SCAN_JS, "express/lib/router", &n), SCAN_NEEDS);
	assert_string_equal(n.name, "express");
}

/* A temp tree */

static char root[256];

static void
put(const char *rel, const char *text)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static int
tree_setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/tend-scan-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int
tree_teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static const struct scan_finding *
need_named(const struct scan_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_needs; i++)
		if (strcmp(r->needs[i].need.name, name) == 0)
			return &r->needs[i];
	return NULL;
}

static void
a_walk_leaves_out_what_the_tree_provides_and_skips_vendored_code(void **state)
{
	const struct scan_finding *f;
	struct scan_result r;
	char err[256];

	put("src/main.c", "#include <stdio.h>\n#include <yaml.h>\n#include <proj/api.h>\n"
	    "#include <weird/thing.h>\n");
	put("include/proj/api.h", "#include <jansson.h>\n");
	put("app/main.py", "import helpers\nimport requests\nfrom mypkg import x\n"
	    "import yaml\n");
	put("app/helpers.py", "import json\n");
	put("mypkg/__init__.py", "");
	put("web/index.js", "const lp = require('left-pad');\nconst w = require('@me/web');\n"
	    "import fs from 'fs';\n");
	put("web/package.json", "{\"name\": \"@me/web\"}\n");
	put("node_modules/dep/index.js", "require('vendored-only');\n");
	put("out/CMakeCache.txt", "");
	put("out/gen.c", "#include <built_only.h>\n");
	put("build-x/gen.c", "#include <built_only2.h>\n");
	put(".git/hook.py", "import hidden_only\n");
	assert_int_equal(scan_tree(root, &r, err, sizeof(err)), 0);
	assert_int_equal(r.files, 6);
	assert_int_equal(r.n_needs, 5);
	assert_non_null(f = need_named(&r, "yaml-0.1"));
	assert_string_equal(f->file, "src/main.c");
	assert_int_equal(f->line, 2);
	assert_non_null(f = need_named(&r, "jansson"));
	assert_string_equal(f->file, "include/proj/api.h");
	assert_non_null(f = need_named(&r, "requests"));
	assert_string_equal(f->file, "app/main.py");
	assert_int_equal(f->line, 2);
	assert_non_null(need_named(&r, "PyYAML"));
	assert_non_null(f = need_named(&r, "left-pad"));
	assert_string_equal(f->file, "web/index.js");
	assert_int_equal(f->line, 1);
	assert_null(need_named(&r, "helpers"));
	assert_null(need_named(&r, "mypkg"));
	assert_null(need_named(&r, "@me/web"));
	assert_int_equal(r.n_unmapped, 1);
	assert_string_equal(r.unmapped[0].ref, "weird/thing.h");
	scan_result_free(&r);
	assert_int_equal(scan_tree("/nonexistent/tend", &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/tend"));
}

static struct tend_config *
load(const char *yaml)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg = config_load_string("t.yaml", yaml, &errs);

	if (cfg == NULL)
		config_errors_print(&errs, stderr);
	config_errors_clear(&errs);
	assert_non_null(cfg);
	return cfg;
}

static void
declared_dependencies_count_under_any_fitting_kind(void **state)
{
	struct tend_config *cfg;
	struct scan_result r;
	char err[256];

	put("a.c", "#include <yaml.h>\n#include <curl/curl.h>\n#include <bzlib.h>\n");
	put("b.py", "import yaml\nimport requests\nimport dateutil\n");
	put("c.js", "require('left-pad'); require('@s/x');\n");
	cfg = load("checks:\n"
	    "  d:\n"
	    "    type: deps\n"
	    "    pkgconfig: { yaml-0.1: '' }\n"
	    "    packages: { libcurl4-openssl-dev: '', python3-requests: '' }\n"
	    "    python: { pyyaml: '' }\n"
	    "    npm: ['@s/x']\n");
	assert_int_equal(scan_tree(root, &r, err, sizeof(err)), 0);
	scan_mark_declared(&r, cfg);
	assert_true(need_named(&r, "yaml-0.1")->declared);
	assert_true(need_named(&r, "libcurl")->declared);	/* its Debian package */
	assert_false(need_named(&r, "libbz2-dev")->declared);
	assert_true(need_named(&r, "PyYAML")->declared);	/* case, as pip compares */
	assert_true(need_named(&r, "requests")->declared);	/* python3-requests */
	assert_false(need_named(&r, "python-dateutil")->declared);
	assert_false(need_named(&r, "left-pad")->declared);
	assert_true(need_named(&r, "@s/x")->declared);
	assert_int_equal(scan_missing(&r), 3);
	scan_result_free(&r);
	config_free(cfg);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[8192];
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Scans root against the config in root/tend.yaml and fixes it. */
static int
scan_and_fix(char **added, char *err, size_t errlen)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg;
	struct scan_result r;
	char path[300];
	int rc;

	snprintf(path, sizeof(path), "%s/tend.yaml", root);
	cfg = config_load_file(path, &errs);
	config_errors_clear(&errs);
	assert_non_null(cfg);
	assert_int_equal(scan_tree(root, &r, err, errlen), 0);
	scan_mark_declared(&r, cfg);
	rc = scan_fix_config(path, cfg, &r, added, err, errlen);
	scan_result_free(&r);
	config_free(cfg);
	return rc;
}

static void
fix_appends_a_check_to_the_checks_block_keeping_the_rest(void **state)
{
	const char *before =
	    "# my config\n"
	    "checks:\n"
	    "    disk: { type: resource, metric: disk, warn: 80%, crit: 90% }  # keep me\n"
	    "    # a comment inside\n"
	    "\n"
	    "# about services\n"
	    "services:\n"
	    "    web: { run: [/bin/sleep, '100'] }\n";
	char path[300], err[2048], *added, *after;

	put("tend.yaml", before);
	put("x.c", "#include <yaml.h>\n");
	put("y.py", "import requests\n");
	put("z.js", "require('@s/x')\n");
	assert_int_equal(scan_and_fix(&added, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/tend.yaml", root);
	after = slurp(path);
	/* Inserted after the block's last line, at the block's indentation. */
	assert_non_null(strstr(after,
	    "    # a comment inside\n"
	    "    # added by tend deps scan --fix\n"
	    "    scanned_deps:\n"
	    "        type: deps\n"
	    "        pkgconfig:\n"
	    "            yaml-0.1: { install: { installer: apt, package: libyaml-dev } }"
	    "  # <yaml.h> at x.c:1\n"
	    "        python:\n"
	    "            requests: ''  # import requests at y.py:1\n"
	    "        npm:\n"
	    "            '@s/x': ''  # '@s/x' at z.js:1\n"
	    "\n# about services\nservices:\n"));
	assert_int_equal(strncmp(after, before, strstr(before, "    # a comment") - before),
	    0);
	assert_non_null(strstr(after, added));
	free(added);
	/* Scanned again: nothing is missing, and a second fix would have nothing to add. */
	{
		struct config_errors errs = { 0 };
		struct tend_config *cfg = config_load_file(path, &errs);
		struct scan_result r;

		assert_non_null(cfg);
		assert_int_equal(scan_tree(root, &r, err, sizeof(err)), 0);
		scan_mark_declared(&r, cfg);
		assert_int_equal(scan_missing(&r), 0);
		scan_result_free(&r);
		config_free(cfg);
	}
}

static void
fix_adds_checks_when_there_is_none_and_never_breaks_the_file(void **state)
{
	char path[300], err[2048], *added;

	put("tend.yaml", "services:\n  web: { run: [/bin/sleep, '100'] }");	/* no newline */
	put("x.c", "#include <jansson.h>\n");
	assert_int_equal(scan_and_fix(&added, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/tend.yaml", root);
	assert_string_equal(slurp(path),
	    "services:\n  web: { run: [/bin/sleep, '100'] }\n"
	    "checks:\n"
	    "  # added by tend deps scan --fix\n"
	    "  scanned_deps:\n"
	    "    type: deps\n"
	    "    pkgconfig:\n"
	    "      jansson: { install: { installer: apt, package: libjansson-dev } }"
	    "  # <jansson.h> at x.c:1\n");
	free(added);

	/* Inline checks are not rewritten: the file stays as it was. */
	put("tend.yaml", "checks: { disk: { type: resource, metric: disk, warn: 1, crit: 2 } }\n");
	assert_int_equal(scan_and_fix(&added, err, sizeof(err)), -1);
	assert_null(added);
	assert_non_null(strstr(err, "written inline"));
	assert_string_equal(slurp(path),
	    "checks: { disk: { type: resource, metric: disk, warn: 1, crit: 2 } }\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(c_angle_includes_outside_comments_and_dead_code),
		cmocka_unit_test(python_imports_of_every_form),
		cmocka_unit_test(python_strings_and_comments_hide_imports),
		cmocka_unit_test(js_requires_and_imports_but_not_in_strings),
		cmocka_unit_test(js_specifiers_become_package_names),
		cmocka_unit_test(headers_map_to_pkgconfig_modules_and_debian_packages),
		cmocka_unit_test(python_modules_map_to_pypi_names_without_the_stdlib),
		cmocka_unit_test(node_builtins_are_not_packages),
		cmocka_unit_test_setup_teardown(
		    a_walk_leaves_out_what_the_tree_provides_and_skips_vendored_code,
		    tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(
		    declared_dependencies_count_under_any_fitting_kind, tree_setup,
		    tree_teardown),
		cmocka_unit_test_setup_teardown(
		    fix_appends_a_check_to_the_checks_block_keeping_the_rest, tree_setup,
		    tree_teardown),
		cmocka_unit_test_setup_teardown(
		    fix_adds_checks_when_there_is_none_and_never_breaks_the_file, tree_setup,
		    tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
