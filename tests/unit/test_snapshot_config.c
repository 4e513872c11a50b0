/*
 * Change safety in the config: `snapshots:` sets with their defaults, the
 * implicit set `tend`, `rebuild:` entries, the heal actions rollback: SET
 * and rebuild: NAME, and every mistake reported at its file:line:col,
 * above all the clear paths a rebuild must never delete.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/abspath.h"
#include "core/strv.h"

#include "config_asserts.h"

static int
reset(void **state)
{
	config_errors_clear(&errs);
	setenv("TEND_STATE_DIR", "/var/lib/tend-test", 1);
	return 0;
}

#define SERVICES \
	"services:\n" \
	"  web: { run: [sleep, '60'] }\n" \
	"  worker: { run: [sleep, '60'] }\n"

static void
every_key_of_a_set_is_kept(void **state)
{
	struct tend_config *cfg = load_ok(SERVICES
	    "snapshots:\n"
	    "  app:\n"
	    "    paths: [/srv/app/config/, '/etc/nginx//sites-enabled/./app.conf']\n"
	    "    exclude: ['*.log', 'cache/', '.git/']\n"
	    "    symlinks: [/srv/app/current]\n"
	    "    restart: [web, worker]\n"
	    "    keep: 7\n"
	    "    watch: false\n"
	    "    guard_window: 30s\n"
	    "    auto_rollback: true\n"
	    "    lkg_after: 10m\n");
	const struct snapshot_set_conf *s = config_find_snapshot_set(cfg, "app");

	assert_non_null(s);
	assert_false(s->implicit);
	assert_int_equal(strv_len(s->paths), 2);
	assert_string_equal(s->paths[0], "/srv/app/config");
	assert_string_equal(s->paths[1], "/etc/nginx/sites-enabled/app.conf");
	assert_int_equal(strv_len(s->exclude), 3);
	assert_string_equal(s->exclude[1], "cache/");
	assert_string_equal(s->symlinks[0], "/srv/app/current");
	assert_string_equal(s->restart[1], "worker");
	assert_int_equal(s->keep, 7);
	assert_false(s->watch);
	assert_int_equal(s->guard_window_ms, 30000);
	assert_true(s->auto_rollback);
	assert_int_equal(s->lkg_after_ms, 600000);
	assert_int_equal(s->pos.line, 5);
	assert_int_equal(s->pos.col, 3);
	/* Loaded from a string: there is no config file to snapshot. */
	assert_null(config_find_snapshot_set(cfg, "tend"));
	config_free(cfg);
}

static void
a_set_has_defaults(void **state)
{
	struct tend_config *cfg = load_ok(
	    "snapshots:\n"
	    "  etc: { paths: [/etc/app] }\n");
	const struct snapshot_set_conf *s = config_find_snapshot_set(cfg, "etc");

	assert_int_equal(s->keep, 20);
	assert_true(s->watch);
	assert_int_equal(s->guard_window_ms, 120000);
	assert_false(s->auto_rollback);
	assert_int_equal(s->lkg_after_ms, 300000);
	assert_null(s->exclude);
	assert_null(s->symlinks);
	assert_null(s->restart);
	config_free(cfg);
}

/* A file in a fresh directory; *dir and the file's path to free. */
static char *
write_config(char **dir, const char *text)
{
	char tmpl[] = "/tmp/tend-snapconf-XXXXXX", *path;
	FILE *f;

	assert_non_null(mkdtemp(tmpl));
	*dir = strdup(tmpl);
	if (asprintf(&path, "%s/tend.yaml", tmpl) < 0)
		fail();
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

static void
remove_config(char *dir, char *path)
{
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

static void
the_config_file_is_the_implicit_set_tend(void **state)
{
	char *dir, *path = write_config(&dir, "snapshots:\n  app: { paths: [/srv/app] }\n");
	char cwd[4096], *rel;
	struct tend_config *cfg;
	const struct snapshot_set_conf *s;

	cfg = config_load_file(path, &errs);
	assert_non_null(cfg);
	assert_int_equal(cfg->n_snapshots, 2);
	s = config_find_snapshot_set(cfg, "tend");
	assert_non_null(s);
	assert_true(s->implicit);
	assert_int_equal(strv_len(s->paths), 1);
	assert_string_equal(s->paths[0], path);
	assert_int_equal(s->keep, 20);
	assert_true(s->watch);
	assert_false(s->auto_rollback);
	assert_null(s->restart);
	config_free(cfg);

	/* A relative path is made absolute from where tend was started. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	rel = "./tend.yaml";
	cfg = config_load_file(rel, &errs);
	assert_int_equal(chdir(cwd), 0);
	assert_non_null(cfg);
	assert_string_equal(config_find_snapshot_set(cfg, "tend")->paths[0], path);
	config_free(cfg);
	remove_config(dir, path);
}

static void
a_declared_set_tend_replaces_the_implicit_one(void **state)
{
	char *dir, *path = write_config(&dir,
	    "snapshots:\n  tend: { paths: [/etc/tend], auto_rollback: true }\n");
	struct tend_config *cfg = config_load_file(path, &errs);
	const struct snapshot_set_conf *s;

	assert_non_null(cfg);
	assert_int_equal(cfg->n_snapshots, 1);
	s = config_find_snapshot_set(cfg, "tend");
	assert_false(s->implicit);
	assert_string_equal(s->paths[0], "/etc/tend");
	assert_true(s->auto_rollback);
	config_free(cfg);
	remove_config(dir, path);
}

static void
a_rebuild_keeps_every_key(void **state)
{
	struct tend_config *cfg = load_ok(
	    "services:\n"
	    "  api: { run: [sleep, '60'] }\n"
	    "snapshots:\n"
	    "  app: { paths: [/srv/api/app] }\n"
	    "rebuild:\n"
	    "  venv:\n"
	    "    service: api\n"
	    "    clear: [/srv/api/.venv, /var/cache/api/pip]\n"
	    "    steps:\n"
	    "      - [python3, -m, venv, /srv/api/.venv]\n"
	    "      - [/srv/api/.venv/bin/pip, install, -r, /srv/api/requirements.txt]\n"
	    "    retry: { attempts: 3, initial: 2s }\n"
	    "    snapshot: app\n"
	    "  cache:\n"
	    "    steps: [[true]]\n");
	const struct rebuild_conf *rb = config_find_rebuild(cfg, "venv");

	assert_non_null(rb);
	assert_string_equal(rb->service, "api");
	assert_int_equal(strv_len(rb->clear), 2);
	assert_string_equal(rb->clear[0], "/srv/api/.venv");
	assert_int_equal(rb->n_steps, 2);
	assert_string_equal(rb->steps[0].argv[0], "python3");
	assert_string_equal(rb->steps[1].argv[3], "/srv/api/requirements.txt");
	assert_int_equal(rb->steps[1].pos.line, 11);
	assert_int_equal(rb->retry.attempts, 3);
	assert_int_equal(rb->retry.backoff.initial_ms, 2000);
	assert_int_equal(rb->retry.backoff.max_ms, 60000);
	assert_string_equal(rb->snapshot, "app");
	rb = config_find_rebuild(cfg, "cache");
	assert_null(rb->service);
	assert_null(rb->clear);
	assert_null(rb->snapshot);
	assert_int_equal(rb->retry.attempts, 1);
	config_free(cfg);
}

static void
heal_actions_name_sets_and_rebuilds(void **state)
{
	struct tend_config *cfg = load_ok(
	    "services:\n"
	    "  api:\n"
	    "    run: [sleep, '60']\n"
	    "    heal: [{ rebuild: venv }, { rollback: app }, rollback]\n"
	    "snapshots:\n"
	    "  app: { paths: [/srv/api/app] }\n"
	    "rebuild:\n"
	    "  venv: { steps: [[true]] }\n"
	    "actions:\n"
	    "  fresh: { rebuild: venv }\n"
	    "checks:\n"
	    "  up: { type: tcp, port: 1, heal: [fresh, { rollback: }] }\n");
	const struct heal_plan *p = &config_find_service(cfg, "api")->heal;
	const struct heal_action *named = config_find_action(cfg, "fresh");

	assert_int_equal(p->n, 3);
	assert_int_equal(p->v[0].kind, HEAL_REBUILD);
	assert_string_equal(p->v[0].rebuild, "venv");
	assert_string_equal(p->v[0].name, "rebuild-venv");
	assert_int_equal(p->v[1].kind, HEAL_ROLLBACK);
	assert_string_equal(p->v[1].snapshot, "app");
	assert_int_equal(p->v[2].kind, HEAL_ROLLBACK);
	assert_null(p->v[2].snapshot);
	assert_non_null(named);
	assert_int_equal(named->kind, HEAL_REBUILD);
	assert_string_equal(heal_action_kind_name(HEAL_REBUILD), "rebuild");
	p = &config_find_check(cfg, "up")->heal;
	assert_ptr_equal(p->v[0].named, named);
	assert_int_equal(p->v[1].kind, HEAL_ROLLBACK);
	assert_null(p->v[1].snapshot);
	config_free(cfg);
}

static void
set_mistakes_are_reported_where_they_are(void **state)
{
	assert_error("snapshots:\n  app: { paths: [srv/app] }\n", 2, 18,
	    "not an absolute path");
	assert_error("snapshots:\n  app: { paths: [/srv/../etc] }\n", 2, 18, "'..'");
	assert_error("snapshots:\n  app: { paths: [/srv/app, /srv/app/] }\n", 2, 28,
	    "repeats '/srv/app'");
	assert_error("snapshots:\n  app: { paths: [/srv/app, /srv/app/config] }\n", 2, 28,
	    "overlaps '/srv/app'");
	assert_error("snapshots:\n  app: { paths: [/a], exclude: ['..'] }\n", 2, 33,
	    "'..': '..' is not allowed");
	assert_error("snapshots:\n  app: { paths: [/a], exclude: [''] }\n", 2, 33, "empty");
	assert_error("snapshots:\n  app: { paths: [/a], exclude: [/] }\n", 2, 33, "empty");
	assert_error("snapshots:\n  app: { paths: [/a], exclude: [logs/*.gz] }\n", 2, 33,
	    "holds no other '/'");
	assert_error("snapshots:\n  app: { paths: [/a], exclude: [/a/secret] }\n", 2, 33,
	    "a name or a glob of one");
	assert_error("snapshots:\n  app: { keep: 3 }\n", 2, 3, "expected 'paths'");
	assert_error("snapshots:\n  app: { paths: [/a], keep: 0 }\n", 2, 29, "keep");
	assert_error("snapshots:\n  app: { paths: [/a], guard_window: soon }\n", 2, 37,
	    "guard_window");
	assert_error("snapshots:\n  app: { paths: [/a], watch: maybe }\n", 2, 30, "watch");
	assert_error("snapshots:\n  app: { paths: [/a], lkg: 5m }\n", 2, 23, "unknown key 'lkg'");
	assert_error("snapshots:\n  app: { paths: [/a], restart: [nope] }\n", 2, 23,
	    "'nope', which is not a service");
	assert_error("snapshots:\n  app: { paths: [/a/b], symlinks: [/a/b] }\n", 2, 10,
	    "both");
	assert_error("snapshots:\n  app: { paths: [/a] }\n  app: { paths: [/b] }\n", 3, 3,
	    "declared twice");
	assert_error("snapshots: [/a]\n", 1, 12, "expected a mapping");
}

static void
a_set_may_not_touch_the_state_dir(void **state)
{
	assert_error("snapshots:\n  app:\n    paths: [/var/lib/tend-test/db]\n", 3, 5,
	    "lies in tend's state dir");
	assert_error("snapshots:\n  app:\n    paths: [/var/lib]\n", 3, 5,
	    "holds tend's state dir");
	unsetenv("TEND_STATE_DIR");
	assert_error("state_dir: /srv/app/state\nsnapshots:\n  app:\n    paths: [/srv/app]\n",
	    4, 5, "holds tend's state dir /srv/app/state");
}

static void
the_state_dir_of_a_command_is_checked_too(void **state)
{
	struct tend_config *cfg = load_ok(
	    "snapshots:\n  app:\n    paths: [/srv/app]\n"
	    "rebuild:\n  venv:\n    clear: [/srv/app/x/.venv]\n    snapshot: app\n"
	    "    steps: [[true]]\n");

	config_validate_state_dir(cfg, "/srv/app/x", &errs);
	assert_int_equal(errs.n, 2);
	assert_int_equal(errs.v[0].line, 3);
	assert_non_null(strstr(errs.v[0].msg, "holds tend's state dir /srv/app/x"));
	assert_int_equal(errs.v[1].line, 6);
	assert_non_null(strstr(errs.v[1].msg, "rebuild 'venv': 'clear'"));
	config_free(cfg);
}

#define REBUILD(clear) \
	"rebuild:\n  r:\n    clear: [" clear "]\n    steps: [[true]]\n"

static void
dangerous_clear_paths_are_refused(void **state)
{
	assert_error(REBUILD("/"), 3, 5, "is / or a top-level directory");
	assert_error(REBUILD("/etc"), 3, 5, "top-level");
	assert_error(REBUILD("//usr/"), 3, 5, "top-level");
	assert_error(REBUILD("/usr/lib"), 3, 5, "system directory");
	assert_error(REBUILD("/home/alice"), 3, 5, "system directory");
	assert_error(REBUILD("/srv/api"), 3, 5, "system directory");
	assert_error(REBUILD("/proc/1/cwd"), 3, 5, "system tree");
	assert_error(REBUILD("/srv/api/../../etc"), 3, 13, "'..'");
	assert_error(REBUILD("srv/api/.venv"), 3, 13, "not an absolute path");
	assert_error(REBUILD("/var/lib/tend-test/x"), 3, 5, "lies in tend's state dir");
	assert_error(REBUILD("/var/lib/tend-test"), 3, 5, "state dir");
	/* A directory holding a set's files: only when the rebuild snapshots it. */
	assert_error("snapshots:\n  app: { paths: [/srv/api/app/config] }\n"
	    REBUILD("/srv/api/app"), 5, 5, "add 'snapshot: app'");
	assert_error("snapshots:\n  app: { symlinks: [/srv/api/app/current] }\n"
	    REBUILD("/srv/api/app"), 5, 5, "holds files of snapshot set 'app'");
	config_free(load_ok("snapshots:\n  app: { paths: [/srv/api/app/config] }\n"
	    "rebuild:\n  r:\n    clear: [/srv/api/app]\n    snapshot: app\n"
	    "    steps: [[true]]\n"));
	/* Inside a set's path is not dangerous: the set is still there. */
	config_free(load_ok("snapshots:\n  app: { paths: [/srv/api] }\n"
	    REBUILD("/srv/api/.venv")));
}

static void
the_config_file_is_never_cleared(void **state)
{
	char *dir, *path, *text;
	struct tend_config *cfg;
	FILE *f;

	path = write_config(&dir, "");
	if (asprintf(&text, "rebuild:\n  r:\n    clear: [%s]\n    steps: [[true]]\n", dir) < 0)
		fail();
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	cfg = config_load_file(path, &errs);
	/* The temp dir is /tmp/x: a top-level directory's child, allowed by itself. */
	assert_null(cfg);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.v[0].line, 3);
	assert_non_null(strstr(errs.v[0].msg, "holds tend's own config"));
	config_errors_clear(&errs);
	free(text);
	remove_config(dir, path);
}

static void
rebuild_mistakes_are_reported_where_they_are(void **state)
{
	assert_error("rebuild:\n  r: { clear: [/srv/a/.venv] }\n", 2, 3, "'steps' is required");
	assert_error("rebuild:\n  r: { steps: [] }\n", 2, 15, "expected a list of commands");
	assert_error("rebuild:\n  r: { steps: [true] }\n", 2, 16, "a list of words");
	assert_error("rebuild:\n  r: { steps: [[]] }\n", 2, 16, "steps");
	assert_error("rebuild:\n  r: { steps: [[true]], service: nope }\n", 2, 25,
	    "'nope', which is not a service");
	assert_error("rebuild:\n  r: { steps: [[true]], snapshot: nope }\n", 2, 25,
	    "'nope', which is not a snapshot set");
	assert_error("rebuild:\n  r: { steps: [[true]], retry: { attempts: 0 } }\n", 2, 44,
	    "attempts");
	assert_error("rebuild:\n  r: { steps: [[true]], retry: { initial: 5s, max: 1s } }\n",
	    2, 32, "'max' must not be below");
	assert_error("rebuild:\n  r: { steps: [[true]], retry: { tries: 2 } }\n", 2, 34,
	    "unknown key 'tries'");
	assert_error("checks:\n  c: { type: tcp, port: 1, heal: [{ rebuild: nope }] }\n",
	    2, 35, "not under 'rebuild:'");
	assert_error("checks:\n  c: { type: tcp, port: 1, heal: [{ rollback: nope }] }\n",
	    2, 35, "not a snapshot set");
	/* The bare word is a named action's reference, as configs wrote it before. */
	assert_error("checks:\n  c: { type: tcp, port: 1, heal: [rebuild] }\n", 2, 35,
	    "run as {rebuild: NAME}");
	assert_error("checks:\n  c: { type: tcp, port: 1, heal: [{ rebuild: '' }] }\n",
	    2, 46, "expected the name");
}

static void
abspath_normalizes_and_compares(void **state)
{
	char out[64], err[128];

	assert_int_equal(abspath_normalize("/a//b/./c/", out, sizeof(out), err,
	    sizeof(err)), 0);
	assert_string_equal(out, "/a/b/c");
	assert_int_equal(abspath_normalize("///", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "/");
	assert_int_equal(abspath_normalize("/a/../b", out, sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(abspath_normalize("", out, sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(abspath_normalize("/abcdef", out, 4, err, sizeof(err)), -1);
	assert_true(abspath_within("/a/b", "/a"));
	assert_true(abspath_within("/a", "/a"));
	assert_true(abspath_within("/a", "/"));
	assert_false(abspath_within("/ab", "/a"));
	assert_false(abspath_within("/a", "/a/b"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(every_key_of_a_set_is_kept, reset),
		cmocka_unit_test_setup(a_set_has_defaults, reset),
		cmocka_unit_test_setup(the_config_file_is_the_implicit_set_tend, reset),
		cmocka_unit_test_setup(a_declared_set_tend_replaces_the_implicit_one, reset),
		cmocka_unit_test_setup(a_rebuild_keeps_every_key, reset),
		cmocka_unit_test_setup(heal_actions_name_sets_and_rebuilds, reset),
		cmocka_unit_test_setup(set_mistakes_are_reported_where_they_are, reset),
		cmocka_unit_test_setup(a_set_may_not_touch_the_state_dir, reset),
		cmocka_unit_test_setup(the_state_dir_of_a_command_is_checked_too, reset),
		cmocka_unit_test_setup(dangerous_clear_paths_are_refused, reset),
		cmocka_unit_test_setup(the_config_file_is_never_cleared, reset),
		cmocka_unit_test_setup(rebuild_mistakes_are_reported_where_they_are, reset),
		cmocka_unit_test_setup(abspath_normalizes_and_compares, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
