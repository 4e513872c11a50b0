/*
 * tend preflight with the real binary: a good config passes every step, a
 * broken one fails naming the step, --skip, --fix taking a state dir's
 * mode back (and nothing else) and installing a missing dependency with a
 * local installer, the JSON report, and the pre-push hook in a temporary
 * git repository: written, a foreign hook refused, replaced with --force.
 */
#include "harness.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The tend CLI; its output must carry no sanitizer report. */
static int
tend(char **out, char *a0, char *a1, char *a2, char *a3, char *a4, char *a5, char *a6,
    char *a7)
{
	int rc = harness_cli(&t, out, "preflight", a0, a1, a2, a3, a4, a5, a6, a7, NULL);

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

static const char good[] =
    "services:\n"
    "  web: { run: [/bin/sleep, '100'] }\n"
    "checks:\n"
    "  alive: { type: command, run: [/bin/true] }\n"
    "  tools: { type: deps, executables: { /bin/sh: '' } }\n"
    "environment: { probe: [] }\n"
    "chaos:\n"
    "  experiments:\n"
    "    crash: { fault: kill, target: web, expect: { healed_within: 2s } }\n";

/* The step's object in a JSON report. */
static json_t *
step_of(json_t *doc, const char *name)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(doc, "steps"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0)
			return s;
	fail_msg("no step %s", name);
	return NULL;
}

static const char *
status_of(json_t *doc, const char *name)
{
	return json_string_value(json_object_get(step_of(doc, name), "status"));
}

static void
a_good_config_passes_every_step(void **state)
{
	json_t *doc;
	char *out;

	harness_write_config(&t, good);
	assert_int_equal(tend(&out, "-c", t.config, "--state-dir", t.state,
	    "--source", t.dir, NULL, NULL), 0);
	contains(out, "ok       config");
	contains(out, "ok       environment");
	contains(out, "ok       deps");
	contains(out, "ok       scan");
	contains(out, "ok       checks");
	contains(out, "ok       permissions");
	contains(out, "ok       chaos");
	contains(out, "crash: kill of web (SIGKILL)");
	contains(out, "7 ok, 0 warnings, 0 failed, 0 skipped");
	free(out);

	assert_int_equal(tend(&out, "-c", t.config, "--state-dir", t.state,
	    "--format", "json", NULL, NULL), 0);
	assert_non_null(doc = json_loads(out, 0, NULL));
	assert_true(json_is_true(json_object_get(doc, "ok")));
	assert_int_equal(json_array_size(json_object_get(doc, "steps")), 7);
	assert_string_equal(status_of(doc, "chaos"), "ok");
	assert_string_equal(status_of(doc, "checks"), "ok");
	assert_string_equal(status_of(doc, "scan"), "skipped");
	assert_true(json_integer_value(json_object_get(doc, "duration_ms")) < 30000);
	json_decref(doc);
	free(out);
}

static void
a_failing_step_is_named_and_skip_leaves_it_out(void **state)
{
	json_t *doc;
	char *out, report[400];

	harness_write_config(&t, "checks:\n  broken: { type: command, run: [/bin/sh, -c, 'exit 2'] }\n"
	    "environment: { probe: [] }\n");
	assert_int_equal(tend(&out, "-c", t.config, "--state-dir", t.state,
	    "--format", "json", NULL, NULL), 1);
	assert_non_null(doc = json_loads(out, 0, NULL));
	assert_false(json_is_true(json_object_get(doc, "ok")));
	assert_string_equal(status_of(doc, "checks"), "failed");
	assert_string_equal(status_of(doc, "config"), "ok");
	contains(json_string_value(json_array_get(json_object_get(step_of(doc, "checks"),
	    "details"), 0)), "broken");
	json_decref(doc);
	free(out);

	/* The markdown report: a table and what to do. */
	snprintf(report, sizeof(report), "%s/report.md", t.dir);
	assert_int_equal(tend(&out, "-c", t.config, "--state-dir", t.state,
	    "--format", "markdown", "--output", report), 1);
	contains(out, "preflight: failed; report in");
	free(out);
	out = harness_read_file(report);
	contains(out, "| checks | failed |");
	contains(out, "### checks: failed");
	contains(out, "tend check -v");
	free(out);

	assert_int_equal(tend(&out, "-c", t.config, "--state-dir", t.state,
	    "--skip", "checks", NULL, NULL), 0);
	contains(out, "skipped  checks");
	free(out);

	/* A config that does not load: the config step fails, the rest is skipped. */
	harness_write_config(&t, "checks:\n  x: { type: command, nope: 1 }\n");
	assert_int_equal(tend(&out, "-c", t.config, NULL, NULL,
	    NULL, NULL, NULL, NULL), 1);
	contains(out, "failed   config");
	contains(out, "@DIR@/tend.yaml:2:");
	contains(out, "skipped  checks");
	free(out);

	assert_int_equal(tend(&out, "--skip", "config", NULL, NULL,
	    NULL, NULL, NULL, NULL), 2);
	free(out);
	assert_int_equal(tend(&out, "--format", "yaml", NULL, NULL,
	    NULL, NULL, NULL, NULL), 2);
	free(out);
}

static void
fix_takes_the_modes_back_and_installs_what_is_missing(void **state)
{
	char path[400], *out;
	struct stat sb;

	/* A state dir tend run would refuse, a file in it left alone. */
	assert_int_equal(mkdir(t.state, 0777), 0);
	assert_int_equal(chmod(t.state, 0777), 0);
	snprintf(path, sizeof(path), "%s/notes", t.state);
	harness_write_file(&t, path, "mine\n");
	assert_int_equal(chmod(path, 0644), 0);
	snprintf(path, sizeof(path), "%s/get", t.dir);
	harness_write_file(&t, path, "#!/bin/sh\nprintf '#!/bin/sh\\necho 1.0\\n' > "
	    "@DIR@/$1\nchmod 755 @DIR@/$1\n");
	assert_int_equal(chmod(path, 0755), 0);
	harness_write_config(&t,
	    "checks:\n"
	    "  tools: { type: deps, executables: { @DIR@/gizmo: { install: { installer: mine,"
	    " package: gizmo } } } }\n"
	    "installers:\n"
	    "  mine: { command: [@DIR@/get, '{package}'] }\n"
	    "environment: { probe: [] }\n");

	assert_int_equal(tend(&out, "-c", t.config, "--state-dir", t.state,
	    NULL, NULL, NULL, NULL), 1);
	contains(out, "failed   permissions");
	contains(out, "mode 0777 is more open than the 0750 tend makes");
	contains(out, "failed   deps");
	free(out);

	assert_int_equal(tend(&out, "-c", t.config, "--state-dir", t.state,
	    "--fix", NULL, NULL, NULL), 0);
	contains(out, "fixed: @DIR@/state: mode 0777 -> 0750");
	contains(out, "fixed: ran installer mine for gizmo");
	contains(out, "ok       environment");
	free(out);
	assert_int_equal(stat(t.state, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0750);
	assert_int_equal(stat(path, &sb), 0);
	snprintf(path, sizeof(path), "%s/notes", t.state);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);	/* not tend's to set */
}

static void
install_hook_writes_refuses_a_foreign_hook_and_forces(void **state)
{
	char repo[400], hook[450], cwd[PATH_MAX], *out, *text;
	struct stat sb;

	snprintf(repo, sizeof(repo), "%s/repo", t.dir);
	snprintf(hook, sizeof(hook), "%s/.git/hooks/pre-push", repo);
	harness_write_config(&t, good);
	assert_int_equal(harness_run_tool((char *[]){ "git", "init", "-q", repo, NULL }), 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(repo), 0);

	assert_int_equal(tend(&out, "--install-hook", "-c", t.config, NULL,
	    NULL, NULL, NULL, NULL), 0);
	free(out);
	assert_int_equal(stat(hook, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	text = harness_read_file(hook);
	contains(text, "# tend preflight hook");
	contains(text, "preflight -c '@DIR@/tend.yaml'");
	free(text);
	/* Its own hook it replaces. */
	assert_int_equal(tend(&out, "--install-hook", "-c", t.config, NULL,
	    NULL, NULL, NULL, NULL), 0);
	free(out);

	harness_write_file(&t, hook, "#!/bin/sh\necho theirs\n");
	assert_int_equal(tend(&out, "--install-hook", "-c", t.config, NULL,
	    NULL, NULL, NULL, NULL), 1);
	contains(out, "a hook tend did not write");
	free(out);
	text = harness_read_file(hook);
	contains(text, "echo theirs");
	free(text);

	assert_int_equal(tend(&out, "--install-hook", "--force", "-c", t.config,
	    NULL, NULL, NULL, NULL), 0);
	free(out);
	text = harness_read_file(hook);
	contains(text, "# tend preflight hook");
	free(text);

	/* A hooks directory that is a link is refused. */
	assert_int_equal(harness_run_tool((char *[]){ "rm", "-rf", ".git/hooks", NULL }), 0);
	assert_int_equal(symlink(t.dir, ".git/hooks"), 0);
	assert_int_equal(tend(&out, "--install-hook", "--force", "-c", t.config,
	    NULL, NULL, NULL, NULL), 1);
	contains(out, "symbolic link");
	free(out);
	assert_int_equal(chdir(cwd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_good_config_passes_every_step),
		TEND_TEST(a_failing_step_is_named_and_skip_leaves_it_out),
		TEND_TEST(fix_takes_the_modes_back_and_installs_what_is_missing),
		TEND_TEST(install_hook_writes_refuses_a_foreign_hook_and_forces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
