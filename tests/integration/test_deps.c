/*
 * tend deps and tend validate --environment against real files and
 * programs: a source tree scanned and fixed, fake executables that print
 * versions, an installer script that fails the way networks do before it
 * works, a package cache filled and installed from offline, and state
 * directories that can and cannot be written.
 */
#include "harness.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Writes a file under the test's dir (@DIR@, @PORT1@.. replaced), creating folders. */
static void
put(const char *rel, const char *template, mode_t mode)
{
	char path[512], *slash;

	snprintf(path, sizeof(path), "%s/%s", t.dir, rel);
	for (slash = strchr(path + strlen(t.dir) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	harness_write_file(&t, path, template);
	assert_int_equal(chmod(path, mode), 0);
}

/* A file under the test's dir; "" when there is none. */
static char *
slurp(const char *rel)
{
	char path[512], *text;

	snprintf(path, sizeof(path), "%s/%s", t.dir, rel);
	text = harness_read_file(path);
	return text != NULL ? text : calloc(1, 1);
}

static bool
exists(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", t.dir, rel);
	return access(path, F_OK) == 0;
}

static void
forget(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", t.dir, rel);
	assert_int_equal(unlink(path), 0);
}

/* The tend CLI; its output must carry no sanitizer report. */
#define TEND(out, ...) tend_cli(out, __VA_ARGS__, NULL)

static int
tend_cli(char **out, ...)
{
	char *argv[24] = { 0 };
	va_list ap;
	int i = 0, rc;

	va_start(ap, out);
	while (i < 23 && (argv[i] = va_arg(ap, char *)) != NULL)
		i++;
	va_end(ap);
	argv[i] = NULL;
	rc = harness_cli(&t, out, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5],
	    argv[6], argv[7], argv[8], argv[9], argv[10], argv[11], NULL);
	assert_null(strstr(*out, "Sanitizer"));
	assert_null(strstr(*out, "runtime error:"));
	return rc;
}

static void
contains(const char *out, const char *template)
{
	char *want = harness_render(&t, template);

	if (strstr(out, want) == NULL)
		fail_msg("no '%s' in:\n%s", want, out);
	free(want);
}

static void
scan_finds_what_the_code_uses_and_fix_declares_it(void **state)
{
	char *out, root[300], want[400];
	json_t *doc, *m;
	size_t i;

	snprintf(root, sizeof(root), "%s/proj", t.dir);
	put("proj/src/parse.c", "#include <stdio.h>\n#include \"parse.h\"\n#include <yaml.h>\n"
	    "/* #include <commented.h> */\n", 0644);
	put("proj/app/client.py", "\"\"\"Talks to the API.\"\"\"\nimport requests\n"
	    "import json, os\nfrom . import settings\n", 0644);
	put("proj/app/settings.py", "# import nothing\n", 0644);
	put("proj/web/index.js", "const pad = require('left-pad');\n"
	    "const s = \"require('only-in-a-string')\";\nconst fs = require('fs');\n", 0644);
	put("proj/node_modules/left-pad/index.js", "require('vendored');\n", 0644);
	put("tend.yaml", "# the project's checks\n"
	    "checks:\n"
	    "  disk: { type: resource, metric: disk, warn: 90%, crit: 95% }  # root fs\n"
	    "\n"
	    "interval: 30s\n", 0644);

	assert_int_equal(TEND(&out, "deps", "scan", root, "-c", t.config), 1);
	contains(out, "3 dependencies used and not declared");
	contains(out, "yaml-0.1");
	contains(out, "<yaml.h>");
	contains(out, "@DIR@/proj/src/parse.c:3");
	contains(out, "import requests");
	contains(out, "@DIR@/proj/app/client.py:2");
	contains(out, "'left-pad'");
	contains(out, "@DIR@/proj/web/index.js:1");
	assert_null(strstr(out, "only-in-a-string"));
	assert_null(strstr(out, "vendored"));
	assert_null(strstr(out, "commented"));
	free(out);

	assert_int_equal(TEND(&out, "deps", "scan", root, "-c", t.config, "--format",
	    "json"), 1);
	assert_non_null(doc = json_loads(out, 0, NULL));
	assert_int_equal(json_array_size(json_object_get(doc, "missing")), 3);
	json_array_foreach(json_object_get(doc, "missing"), i, m) {
		if (strcmp(json_string_value(json_object_get(m, "name")), "requests") != 0)
			continue;
		assert_string_equal(json_string_value(json_object_get(m, "kind")), "python");
		snprintf(want, sizeof(want), "%s/app/client.py", root);
		assert_string_equal(json_string_value(json_object_get(m, "file")), want);
		assert_int_equal(json_integer_value(json_object_get(m, "line")), 2);
	}
	json_decref(doc);
	free(out);

	/* --fix: declared, the rest of the file as it was, and the next scan is clean. */
	assert_int_equal(TEND(&out, "deps", "scan", root, "-c", t.config, "--fix"), 0);
	contains(out, "added to @DIR@/tend.yaml");
	contains(out, "scanned_deps:");
	free(out);
	out = slurp("tend.yaml");
	/* Right after the last check, at its indentation; the comments kept. */
	contains(out, "# the project's checks\nchecks:\n  disk: { type: resource, metric: "
	    "disk, warn: 90%, crit: 95% }  # root fs\n  # added by tend deps scan --fix\n"
	    "  scanned_deps:\n    type: deps\n");
	contains(out, "      yaml-0.1: { install: { installer: apt, package: libyaml-dev } }");
	contains(out, "      requests: ''");
	contains(out, "      left-pad: ''");
	contains(out, "\ninterval: 30s\n");
	free(out);
	assert_int_equal(TEND(&out, "deps", "scan", root, "-c", t.config), 0);
	contains(out, "every dependency the code uses is declared (3)");
	free(out);
	assert_int_equal(TEND(&out, "validate", "-c", t.config), 0);
	free(out);
}

/* gizmo 1.2.0, as its --version says; widget is not there at all. */
static void
put_tools(void)
{
	put("bin/gizmo", "#!/bin/sh\necho 'gizmo 1.2.0 (test build)'\n", 0755);
}

/*
 * The "any command" installer. `install PKG MIRROR`: a mirror ending in
 * /bad-once fails once as DNS does, then as a server does; /bad always
 * fails; /good installs PKG as bin/PKG at version 2.5.0. `download PKG`
 * writes PKG-2.5.0.tar in the current directory; `from-file FILE...`
 * installs what the files name. Every call is logged in calls.
 */
static const char installer[] =
    "#!/bin/sh\n"
    "echo \"$*\" >> @DIR@/calls\n"
    "make() { printf '#!/bin/sh\\necho \"%s 2.5.0\"\\n' \"$1\" > @DIR@/bin/$1;"
    " chmod +x @DIR@/bin/$1; }\n"
    "case \"$1\" in\n"
    "download) echo \"$2\" > \"$2-2.5.0.tar\"; exit 0;;\n"
    "from-file) shift; for f in \"$@\"; do make \"$(cat \"$f\")\"; done; exit 0;;\n"
    "esac\n"
    "case \"$3\" in\n"
    "*/bad-once)\n"
    "  if [ ! -e @DIR@/dns-failed ]; then touch @DIR@/dns-failed;\n"
    "    echo \"get-thing: $3: Temporary failure in name resolution\" >&2; exit 1; fi\n"
    "  echo \"get-thing: $3: 503 Service Unavailable\" >&2; exit 1;;\n"
    "*/bad) echo \"get-thing: $3: 404 Not Found\" >&2; exit 1;;\n"
    "esac\n"
    "make \"$2\"\n";

static void
deps_check_lists_each_dependency_with_its_state(void **state)
{
	json_t *doc, *d;
	char *out;

	put_tools();
	harness_write_config(&t,
	    "checks:\n"
	    "  tools:\n"
	    "    type: deps\n"
	    "    executables:\n"
	    "      /bin/sh: ''\n"
	    "      @DIR@/bin/gizmo: { version: '>= 2', install: { installer: mine, package: gizmo } }\n"
	    "      @DIR@/bin/widget: { install: { installer: mine, package: widget } }\n"
	    "    paths: [@DIR@/bin]\n"
	    "installers:\n"
	    "  mine: { command: [@DIR@/bin/get-thing, install, '{package}', '{mirror}'],\n"
	    "          mirrors: [http://127.0.0.1:@PORT1@/good] }\n");
	assert_int_equal(TEND(&out, "deps", "check", "-c", t.config), 1);
	contains(out, "DEPENDENCY");
	contains(out, "too old");
	contains(out, "missing");
	contains(out, "1.2.0");
	contains(out, "mine: widget");
	contains(out, "2 of 4 dependencies missing");
	free(out);

	assert_int_equal(TEND(&out, "deps", "check", "-c", t.config, "--format", "json"), 1);
	assert_non_null(doc = json_loads(out, 0, NULL));
	assert_false(json_is_true(json_object_get(doc, "ok")));
	d = json_object_get(doc, "dependencies");
	assert_int_equal(json_array_size(d), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "status")),
	    "ok");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 1), "status")),
	    "too-old");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 1), "version")),
	    "1.2.0");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 1),
	    "constraint")), ">= 2");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 2), "status")),
	    "missing");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 2),
	    "installer")), "mine");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 3), "kind")),
	    "path");
	json_decref(doc);
	free(out);

	/* A config error is exit 2, with its position. */
	harness_write_config(&t, "checks:\n  tools: { type: deps, executables: { x: { install: "
	    "nope } } }\n");
	assert_int_equal(TEND(&out, "deps", "check", "-c", t.config), 2);
	contains(out, "@DIR@/tend.yaml:2:");
	contains(out, "installer 'nope'");
	free(out);
}

static void
install_retries_a_dns_failure_then_falls_back_to_the_next_mirror(void **state)
{
	char *out, *calls;

	put_tools();
	put("bin/get-thing", installer, 0755);
	harness_write_config(&t,
	    "checks:\n"
	    "  tools:\n"
	    "    type: deps\n"
	    "    installer: mine\n"
	    "    executables:\n"
	    "      @DIR@/bin/widget: { install: { installer: mine, package: widget } }\n"
	    "      @DIR@/bin/gizmo: { version: '>= 2', install: { installer: mine, package: gizmo } }\n"
	    "installers:\n"
	    "  mine:\n"
	    "    command: [@DIR@/bin/get-thing, install, '{package}', '{mirror}']\n"
	    "    mirrors: [http://127.0.0.1:@PORT1@/bad-once, http://127.0.0.1:@PORT2@/good]\n"
	    "    retry: { retries: 1, initial: 10ms, max: 50ms }\n");

	/* A dry run shows the commands and runs none. */
	assert_int_equal(TEND(&out, "deps", "install", "-c", t.config, "--state-dir", t.state,
	    "--dry-run"), 0);
	contains(out, "@DIR@/bin/get-thing install widget http://127.0.0.1:@PORT1@/bad-once");
	contains(out, "or, with the next mirror: @DIR@/bin/get-thing install widget "
	    "http://127.0.0.1:@PORT2@/good");
	contains(out, "@DIR@/bin/get-thing install gizmo");
	assert_false(exists("calls"));
	free(out);

	assert_int_equal(TEND(&out, "deps", "install", "-c", t.config, "--state-dir",
	    t.state), 0);
	contains(out, "all 2 dependencies present");
	free(out);
	calls = slurp("calls");
	/* DNS failure retried, the server's failure with the retries spent: the next mirror. */
	contains(calls,
	    "install widget http://127.0.0.1:@PORT1@/bad-once\n"
	    "install widget http://127.0.0.1:@PORT1@/bad-once\n"
	    "install widget http://127.0.0.1:@PORT2@/good\n"
	    "install gizmo http://127.0.0.1:@PORT1@/bad-once\n");
	contains(calls, "install gizmo http://127.0.0.1:@PORT2@/good\n");
	free(calls);
	assert_int_equal(TEND(&out, "deps", "check", "-c", t.config), 0);
	contains(out, "2 of 2 dependencies present");
	free(out);
	/* Nothing left to do. */
	assert_int_equal(TEND(&out, "deps", "install", "-c", t.config, "--state-dir",
	    t.state), 0);
	contains(out, "nothing to install");
	free(out);
}

static void
cache_warmup_fills_the_cache_and_an_offline_install_uses_it(void **state)
{
	char *out, *calls;

	put("bin/get-thing", installer, 0755);
	harness_write_config(&t,
	    "checks:\n"
	    "  tools:\n"
	    "    type: deps\n"
	    "    installer: mine\n"
	    "    executables: { @DIR@/bin/widget: { install: { installer: mine, package: widget } },\n"
	    "                   @DIR@/bin/gadget: { install: { installer: mine, package: gadget } } }\n"
	    "installers:\n"
	    "  mine:\n"
	    "    command: [@DIR@/bin/get-thing, install, '{package}', '{mirror}']\n"
	    "    download: [@DIR@/bin/get-thing, download, '{package}']\n"
	    "    offline: [@DIR@/bin/get-thing, from-file, '{files}']\n"
	    "    mirrors: [http://127.0.0.1:@PORT1@/bad]\n"
	    "    cache: pkgcache\n"
	    "    retry: { retries: 0 }\n");
	mkdir(t.state, 0755);

	assert_int_equal(TEND(&out, "deps", "cache-warmup", "-c", t.config, "--state-dir",
	    t.state, "--dry-run"), 0);
	contains(out, "in the cache: @DIR@/bin/get-thing download widget");
	assert_false(exists("pkgcache"));
	free(out);
	assert_int_equal(TEND(&out, "deps", "cache-warmup", "-c", t.config, "--state-dir",
	    t.state), 0);
	contains(out, "2 of 2 downloads done");
	free(out);
	assert_true(exists("pkgcache/widget-2.5.0.tar"));
	assert_true(exists("pkgcache/gadget-2.5.0.tar"));
	assert_int_equal(TEND(&out, "deps", "cache-warmup", "-c", t.config, "--state-dir",
	    t.state), 0);
	contains(out, "cached already: mine: widget (@DIR@/pkgcache/widget-2.5.0.tar)");
	contains(out, "nothing to download");
	free(out);

	/* --offline: straight from the cache, no mirror asked. */
	forget("calls");
	assert_int_equal(TEND(&out, "deps", "install", "-c", t.config, "--state-dir",
	    t.state, "--offline", "--only", "tools"), 0);
	contains(out, "from the cache: @DIR@/bin/get-thing from-file "
	    "@DIR@/pkgcache/widget-2.5.0.tar");
	contains(out, "all 2 dependencies present");
	free(out);
	calls = slurp("calls");
	assert_null(strstr(calls, "install widget"));
	contains(calls, "from-file @DIR@/pkgcache/widget-2.5.0.tar\n");
	free(calls);

	/* Online, with the only mirror failing: the cache takes over. */
	forget("bin/gadget");
	assert_int_equal(TEND(&out, "deps", "install", "-c", t.config, "--state-dir",
	    t.state), 0);
	contains(out, "online install failed; from the cache:");
	contains(out, "all 2 dependencies present");
	free(out);
	calls = slurp("calls");
	contains(calls, "install gadget http://127.0.0.1:@PORT1@/bad\n"
	    "from-file @DIR@/pkgcache/gadget-2.5.0.tar\n");
	free(calls);
}

/* A port that accepts connections for as long as the test runs. */
static int
listen_on(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	return fd;
}

static void
validate_environment_judges_the_machine(void **state)
{
	char *out, bad_state[400], path[450], *gh_actions = getenv("GITHUB_ACTIONS");
	json_t *doc;
	int fd = listen_on(t.ports[0]);

	gh_actions = gh_actions ? strdup(gh_actions) : NULL;
	harness_write_config(&t,
	    "checks:\n"
	    "  tools: { type: deps, executables: { sh: '' } }\n"
	    "environment: { probe: ['127.0.0.1:@PORT1@'], probe_timeout: 2s, min_free: 1B,\n"
	    "               warn_free: 1B }\n");
	unsetenv("GITHUB_ACTIONS");
	unsetenv("CI");
	assert_int_equal(TEND(&out, "validate", "--environment", "-c", t.config,
	    "--state-dir", t.state), 0);
	contains(out, "ok\n");
	contains(out, "ok       state dir  @DIR@/state: does not exist yet; tend would "
	    "create it (mode 0750");
	contains(out, "ok       free space @DIR@/state:");
	contains(out, "ok       program    sh: ");
	contains(out, "ok       dns        127.0.0.1: resolves to 127.0.0.1");
	contains(out, "ok       network    127.0.0.1:@PORT1@: connected in");
	contains(out, "ok       ci         CI: not under CI");
	contains(out, "environment: 0 errors, 0 warnings");
	free(out);

	/* A state dir under a regular file cannot be made, even by root. */
	put("afile", "", 0644);
	snprintf(bad_state, sizeof(bad_state), "%s/afile/state", t.dir);
	assert_int_equal(TEND(&out, "validate", "--environment", "-c", t.config,
	    "--state-dir", bad_state), 1);
	contains(out, "error    state dir  @DIR@/afile: is not a directory");
	free(out);
	if (geteuid() != 0) {
		mkdir(t.state, 0500);
		chmod(t.state, 0500);
		assert_int_equal(TEND(&out, "validate", "--environment", "-c", t.config,
		    "--state-dir", t.state), 1);
		contains(out, "error    state dir  @DIR@/state: not writable");
		free(out);
		chmod(t.state, 0700);
	}

	/* With a notify service, the runtime dir its socket would go in is judged too. */
	harness_write_config(&t,
	    "services:\n"
	    "  a: { run: [/bin/sleep, '100'], ready: notify }\n"
	    "environment: { min_free: 1B, warn_free: 1B }\n");
	snprintf(bad_state, sizeof(bad_state), "%s/runtime", t.dir);
	assert_int_equal(mkdir(bad_state, 0777), 0);
	assert_int_equal(chmod(bad_state, 0777), 0);
	setenv("TEND_RUNTIME_DIR", bad_state, 1);
	assert_int_equal(TEND(&out, "validate", "--environment", "-c", t.config,
	    "--state-dir", t.state), 1);
	unsetenv("TEND_RUNTIME_DIR");
	contains(out, "error    runtime dir @DIR@/runtime: is writable by others");
	free(out);

	/*
	 * A sound one holds other users' entries (their sockets' dirs): those
	 * are not judged. A missing one would be made 0711, not the state
	 * dir's 0750.
	 */
	assert_int_equal(chmod(bad_state, 0711), 0);
	snprintf(path, sizeof(path), "%s/theirs", bad_state);
	assert_int_equal(mkdir(path, 0777), 0);
	assert_int_equal(chmod(path, 0777), 0);
	setenv("TEND_RUNTIME_DIR", bad_state, 1);
	assert_int_equal(TEND(&out, "validate", "--environment", "-c", t.config,
	    "--state-dir", t.state), 0);
	contains(out, "ok       runtime dir @DIR@/runtime: is owned by");
	free(out);
	snprintf(path, sizeof(path), "%s/runtime/new", t.dir);
	setenv("TEND_RUNTIME_DIR", path, 1);
	assert_int_equal(TEND(&out, "validate", "--environment", "-c", t.config,
	    "--state-dir", t.state), 0);
	unsetenv("TEND_RUNTIME_DIR");
	contains(out, "@DIR@/runtime/new: does not exist yet; tend would create it (mode 0711");
	free(out);

	/* A missing tool is an error; an installer's is a warning; no network is a warning. */
	harness_write_config(&t,
	    "checks:\n"
	    "  tools: { type: deps, executables: { no-such-tool-here: '' } }\n"
	    "installers:\n"
	    "  mine: { command: [no-such-installer, '{package}'] }\n"
	    "environment: { probe: ['127.0.0.1:@PORT2@'], probe_timeout: 2s, min_free: 1B,\n"
	    "               warn_free: 1B }\n");
	setenv("GITHUB_ACTIONS", "true", 1);
	assert_int_equal(TEND(&out, "validate", "--environment", "-c", t.config,
	    "--state-dir", t.state, "--format", "json"), 1);
	assert_non_null(doc = json_loads(out, 0, NULL));
	assert_int_equal(json_integer_value(json_object_get(doc, "errors")), 1);
	assert_int_equal(json_integer_value(json_object_get(doc, "warnings")), 2);
	json_decref(doc);
	contains(out, "\"subject\": \"no-such-tool-here\",\n      \"status\": \"error\"");
	contains(out, "\"subject\": \"no-such-installer\",\n      \"status\": \"warning\"");
	contains(out, "\"subject\": \"127.0.0.1:@PORT2@\",\n      \"status\": \"warning\"");
	contains(out, "running under GitHub Actions (GITHUB_ACTIONS=true)");
	free(out);
	if (gh_actions != NULL)
		setenv("GITHUB_ACTIONS", gh_actions, 1);
	else
		unsetenv("GITHUB_ACTIONS");
	free(gh_actions);
	close(fd);
}

/* No outside host unless the config names it: its checks' hosts, its mirrors. */
static void
validate_environment_probes_only_what_the_config_names(void **state)
{
	char *out;
	int fd = listen_on(t.ports[0]);

	harness_write_config(&t,
	    "checks:\n"
	    "  api: { type: http, url: 'http://127.0.0.1:@PORT1@/health' }\n"
	    "  db: { type: tcp, port: @PORT1@ }\n"
	    "environment: { probe_timeout: 2s, min_free: 1B, warn_free: 1B }\n");
	assert_int_equal(TEND(&out, "validate", "--environment", "-c", t.config,
	    "--state-dir", t.state), 0);
	contains(out, "ok       network    http://127.0.0.1:@PORT1@/health: connected in");
	contains(out, "ok       network    127.0.0.1:@PORT1@: connected in");
	assert_null(strstr(out, "debian"));
	free(out);
	/* Nothing named, nothing probed. */
	harness_write_config(&t, "environment: { min_free: 1B, warn_free: 1B }\n");
	assert_int_equal(TEND(&out, "validate", "--environment", "-c", t.config,
	    "--state-dir", t.state), 0);
	assert_null(strstr(out, "network "));
	assert_null(strstr(out, "dns "));
	free(out);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(scan_finds_what_the_code_uses_and_fix_declares_it),
		TEND_TEST(deps_check_lists_each_dependency_with_its_state),
		TEND_TEST(install_retries_a_dns_failure_then_falls_back_to_the_next_mirror),
		TEND_TEST(cache_warmup_fills_the_cache_and_an_offline_install_uses_it),
		TEND_TEST(validate_environment_judges_the_machine),
		TEND_TEST(validate_environment_probes_only_what_the_config_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
