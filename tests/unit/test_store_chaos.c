/*
 * The record of chaos runs: its tables from schema 8, the source and key
 * of schema 10 (runs recorded before keep none), a run recorded once by
 * its key however it arrives (run here, imported, imported again), an
 * import that fails writing nothing, and the JSON a run is read from with
 * every mistake named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "store/chaos.h"
#include "store/store.h"

#include "store_fixture.h"

/* 8 -> 9: chaos runs and their results, a run written and read back. */
static void
schema_8_is_migrated_forward_with_chaos_runs(void **state)
{
	struct store_chaos_result res[2] = { { 1.5, 5.25, 0 }, { 2.0, -1, 7 } };
	struct store_chaos_run run = { .experiment = "crash", .fault = "kill", .target = "web",
	    .started_at = 1000, .ended_at = 2000, .ok = 0, .failed = "[\"healed_within 1 ms\"]",
	    .results = res, .n_results = 2 };
	char err[256];
	struct store *st;
	json_t *runs, *r;
	sqlite3 *db;
	int64_t id = 0;

	old_database(8, "PRAGMA user_version = 8");
	st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_chaos_insert(st, &run, &id, err, sizeof(err)), 0);
	assert_int_equal(id, 1);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	runs = store_read_chaos(db, 0, 10);
	sqlite3_close(db);
	assert_int_equal(json_array_size(runs), 1);
	r = json_array_get(runs, 0);
	assert_string_equal(json_string_value(json_object_get(r, "experiment")), "crash");
	assert_true(json_is_false(json_object_get(r, "ok")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "failed"), 0)),
	    "healed_within 1 ms");
	assert_int_equal(json_array_size(json_object_get(r, "results")), 2);
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(r, "results"),
	    1), "mttr_ms")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(r,
	    "results"), 1), "incident")), 7);
	json_decref(runs);
}

/* 9 -> 10: where a run came from and its key; the runs before keep neither. */
static void
schema_9_is_migrated_forward_with_sources_and_keys(void **state)
{
	char err[256];
	struct store *st;
	json_t *runs, *r;
	sqlite3 *db;

	old_database(9, "PRAGMA user_version = 9; INSERT INTO chaos_runs (experiment, fault, "
	    "target, started_at, ended_at, ok, failed) VALUES ('crash', 'kill', 'web', 1000, "
	    "2000, 1, '[]')");
	st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM chaos_runs WHERE source IS NULL AND "
	    "run_key IS NULL"), 1);
	assert_int_equal(count("SELECT count(*) FROM sqlite_master WHERE name = "
	    "'chaos_runs_by_key'"), 1);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	runs = store_read_chaos(db, 0, 10);
	sqlite3_close(db);
	r = json_array_get(runs, 0);
	assert_true(json_is_null(json_object_get(r, "source")));
	assert_true(json_is_null(json_object_get(r, "key")));
	json_decref(runs);
}

static const struct store_chaos_result faults[2] = { { 1.5, 5.2, 0 }, { 2.0, -1, 7 } };
static const struct store_chaos_run crash = { .experiment = "crash", .fault = "kill",
    .target = "web", .started_at = 1000, .ended_at = 2000, .ok = 0,
    .failed = "[\"healed_within 1 ms\"]", .results = faults, .n_results = 2 };

/* The run as tend chaos history prints it (the JSON of its row), read back. */
static void
a_run_is_recorded_once_whichever_way_it_comes(void **state)
{
	struct store_chaos_run again, other = crash, both[2];
	char err[256], key[SHA256_HEX_LEN + 1], *text;
	struct store *st = store_open(path, err, sizeof(err));
	json_t *runs, *r;
	int64_t id;
	size_t added;
	sqlite3 *db;

	assert_non_null(st);
	assert_int_equal(store_chaos_insert(st, &crash, &id, err, sizeof(err)), 0);
	assert_int_equal(id, 1);
	/* Again: nothing written, id 0. */
	assert_int_equal(store_chaos_insert(st, &crash, &id, err, sizeof(err)), 0);
	assert_int_equal(id, 0);
	/* Read back as JSON (printed and parsed, as a file would be): the same key. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	runs = store_read_chaos(db, 0, 10);
	sqlite3_close(db);
	text = json_dumps(json_array_get(runs, 0), JSON_REAL_PRECISION(15));
	json_decref(runs);
	r = json_loads(text, 0, NULL);
	free(text);
	json_object_del(r, "key");
	assert_int_equal(store_chaos_from_json(r, &again, err, sizeof(err)), 0);
	store_chaos_key(&crash, key);
	store_chaos_key(&again, err);
	assert_string_equal(err, key);
	/* An import of it and of another run: one added, the other there already. */
	other.started_at = 5000;
	other.ended_at = 6000;
	other.source = "/ci/chaos.json";
	both[0] = again;
	both[1] = other;
	assert_int_equal(store_chaos_import(st, both, 2, &added, err, sizeof(err)), 0);
	assert_int_equal(added, 1);
	store_chaos_run_clear(&again);
	json_decref(r);
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM chaos_runs"), 2);
	assert_int_equal(count("SELECT count(*) FROM chaos_results"), 4);
	assert_int_equal(count("SELECT count(*) FROM chaos_runs WHERE source = "
	    "'/ci/chaos.json' AND started_at = 5000"), 1);
	/* What differs makes another run: a time, a fault's measurement. */
	store_chaos_key(&crash, key);
	store_chaos_key(&other, err);
	assert_string_not_equal(err, key);
}

static void
an_import_that_fails_writes_nothing(void **state)
{
	struct store_chaos_run v[2] = { crash, crash };
	struct store *st;
	char err[256];
	size_t added;

	st = store_open(path, err, sizeof(err));
	v[1].started_at = 7000;
	v[1].experiment = NULL;		/* NOT NULL: the second row cannot be written */
	assert_int_equal(store_chaos_import(st, v, 2, &added, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "store: chaos: "));
	store_close(st);
	assert_int_equal(count("SELECT count(*) FROM chaos_runs"), 0);
	assert_int_equal(count("SELECT count(*) FROM chaos_results"), 0);
}

/* from_json on text: 0, or -1 with the message wanted in err. */
static int
from_text(const char *text, struct store_chaos_run *r, char *err, size_t errlen)
{
	json_t *x = json_loads(text, 0, NULL);
	int rc;

	assert_non_null(x);
	rc = store_chaos_from_json(x, r, err, errlen);
	json_decref(x);		/* r's strings were x's: only err is read */
	return rc;
}

static void
assert_refused(const char *text, const char *says)
{
	struct store_chaos_run r;
	char err[256] = "";

	assert_int_equal(from_text(text, &r, err, sizeof(err)), -1);
	if (strstr(err, says) == NULL)
		fail_msg("'%s' not in '%s'", says, err);
	store_chaos_run_clear(&r);
}

static void
runs_are_read_from_json_and_mistakes_named(void **state)
{
	json_t *x = json_loads("{\"experiment\": \"hang\", \"fault\": \"hang\", \"target\": "
	    "\"web\", \"ok\": false, \"refused\": \"db is critical\", \"runs\": [], "
	    "\"started_at\": 10, \"ended_at\": 12}", 0, NULL);
	struct store_chaos_run r;
	char err[256];

	/* A refusal is what failed; a run of history's shape (results) the same. */
	assert_int_equal(store_chaos_from_json(x, &r, err, sizeof(err)), 0);
	assert_string_equal(r.experiment, "hang");
	assert_string_equal(r.failed, "[\"refused: db is critical\"]");
	assert_int_equal(r.ok, 0);
	assert_int_equal(r.started_at, 10);
	assert_int_equal(r.n_results, 0);
	store_chaos_run_clear(&r);
	json_decref(x);
	x = json_loads("{\"experiment\": \"c\", \"fault\": \"kill\", \"target\": \"web\", "
	    "\"ok\": true, \"failed\": [], \"results\": [{\"mttd_ms\": null, \"mttr_ms\": 4, "
	    "\"incident\": 3}]}", 0, NULL);
	assert_int_equal(store_chaos_from_json(x, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_results, 1);
	assert_true(r.results[0].mttd_ms == -1);
	assert_true(r.results[0].mttr_ms == 4);
	assert_int_equal(r.results[0].incident, 3);
	assert_int_equal(r.started_at, 0);	/* no time: the importer dates it */
	store_chaos_run_clear(&r);
	json_decref(x);
	assert_refused("[1]", "expected a chaos run (an object)");
	assert_refused("{\"fault\": \"kill\"}", "experiment: expected a string");
	assert_refused("{\"experiment\": \"c\", \"fault\": \"kill\", \"target\": \"web\"}",
	    "ok: expected true or false");
	assert_refused("{\"experiment\": \"c\", \"fault\": \"kill\", \"target\": \"web\", "
	    "\"ok\": true, \"started_at\": 9, \"ended_at\": 8}",
	    "the end not before the start");
	assert_refused("{\"experiment\": \"c\", \"fault\": \"kill\", \"target\": \"web\", "
	    "\"ok\": true, \"runs\": {}}", "runs: expected a list");
	assert_refused("{\"experiment\": \"c\", \"fault\": \"kill\", \"target\": \"web\", "
	    "\"ok\": true, \"runs\": [{\"mttr_ms\": -3}]}", "runs[0].mttr_ms: expected a time");
	assert_refused("{\"experiment\": \"c\", \"fault\": \"kill\", \"target\": \"web\", "
	    "\"ok\": true, \"runs\": [{\"incident\": \"7\"}]}", "runs[0]: expected {");
	assert_refused("{\"experiment\": \"c\", \"fault\": \"kill\", \"target\": \"web\", "
	    "\"ok\": true, \"runs\": [], \"failed\": [1]}", "failed: expected a list");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(schema_8_is_migrated_forward_with_chaos_runs,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    schema_9_is_migrated_forward_with_sources_and_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(a_run_is_recorded_once_whichever_way_it_comes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(an_import_that_fails_writes_nothing, setup,
		    teardown),
		cmocka_unit_test(runs_are_read_from_json_and_mistakes_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
