/*
 * tend report --import-json with the real binary: what a CI job's `tend
 * chaos run --standalone --format json` printed (in a state dir of its
 * own) is imported into another store once — the report's chaos section
 * and tend chaos history show it, marked with its file — and importing it
 * again, or into the store that recorded it, adds nothing; a file from an
 * older tend without times is dated by the file; files that are missing,
 * not JSON, of another shape or a tend report are refused by name and
 * import nothing, even beside a good one.
 */
#include "harness.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

static const char config[] =
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, web, --http, --listen, '@PORT1@']\n"
    "    ready: { tcp: @PORT1@ }\n"
    "    checks:\n"
    "      health: { type: http, url: 'http://127.0.0.1:@PORT1@/health', every: 100ms,\n"
    "                timeout: 300ms, fail_after: 2 }\n"
    "chaos:\n"
    "  experiments:\n"
    "    crash: { fault: kill, target: web, expect: { healed_within: 5s } }\n";

/* A chaos run of an older tend: no started_at, no ended_at. */
static const char undated[] =
    "{\"ok\": true, \"experiments\": [{\"experiment\": \"old\", \"fault\": \"kill\",\n"
    "  \"target\": \"web\",\n"
    "  \"runs\": [{\"mttd_ms\": 1.5, \"mttr_ms\": 6.25, \"incident\": 0}],\n"
    "  \"failed\": [], \"ok\": true}]}\n";

/* tend report --import-json A [B] into state, the report to DIR/report.json: its exit. */
static int
import(char **out, const char *state, const char *a, const char *b)
{
	return harness_cli(&t, out, "report", "--since", "30d", "--format", "json", "--output",
	    harness_at(&t, "report.json"), "--state-dir", state, "--import-json", a,
	    b != NULL ? "--import-json" : NULL, b, NULL);
}

/* tend chaos history --format json of state. */
static json_t *
history(const char *state)
{
	json_t *runs;
	char *out;

	assert_int_equal(harness_cli(&t, &out, "chaos", "history", "--since", "30d",
	    "--format", "json", "--state-dir", state, NULL), 0);
	runs = json_loads(out, 0, NULL);
	if (runs == NULL)
		fail_msg("tend chaos history: not JSON:\n%s", out);
	free(out);
	return runs;
}

static json_t *
report_chaos(void)
{
	json_t *doc = json_load_file(harness_at(&t, "report.json"), 0, NULL), *chaos;

	assert_non_null(doc);
	chaos = json_incref(json_object_get(doc, "chaos"));
	json_decref(doc);
	return chaos;
}

/* What a real standalone chaos run printed, as a CI job would keep it: DIR/ci.json. */
static void
ci_run(void)
{
	char *out, *doc;

	harness_write_config(&t, config);
	assert_int_equal(harness_cli(&t, &out, "chaos", "run", "crash", "--standalone",
	    "--format", "json", "-c", t.config, "--state-dir", harness_at(&t, "ci-state"),
	    NULL), 0);
	doc = strstr(out, "{\n  \"ok\": true,");
	if (doc == NULL)
		fail_msg("tend chaos run --format json printed:\n%s", out);
	harness_write_file(&t, harness_at(&t, "ci.json"), doc);
	free(out);
}

static void
a_ci_run_is_imported_once(void **state)
{
	char real[PATH_MAX], *out;
	json_t *runs, *run, *chaos, *x;

	(void)state;
	ci_run();
	assert_int_equal(import(&out, t.state, harness_at(&t, "ci.json"), NULL), 0);
	harness_contains(out, "tend report: imported 1 chaos run from 1 file\n");
	free(out);
	/* The report's chaos section, with the file it came from. */
	chaos = report_chaos();
	x = json_array_get(json_object_get(chaos, "experiments"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "action")), "crash");
	assert_int_equal(json_integer_value(json_object_get(x, "attempts")), 1);
	assert_int_equal(json_integer_value(json_object_get(x, "healed")), 1);
	assert_non_null(realpath(harness_at(&t, "ci.json"), real));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(chaos,
	    "imported"), real)), 1);
	json_decref(chaos);
	/* tend chaos history: the run, its measurements, where it came from. */
	runs = history(t.state);
	assert_int_equal(json_array_size(runs), 1);
	run = json_array_get(runs, 0);
	assert_string_equal(json_string_value(json_object_get(run, "source")), real);
	assert_true(json_is_true(json_object_get(run, "ok")));
	assert_true(json_number_value(json_object_get(json_array_get(json_object_get(run,
	    "results"), 0), "mttr_ms")) > 0);
	assert_true(json_integer_value(json_object_get(run, "started_at")) > 0);
	json_decref(runs);
	/* Again: nothing more; nor where it was recorded; nor from the history's JSON. */
	assert_int_equal(import(&out, t.state, harness_at(&t, "ci.json"), NULL), 0);
	harness_contains(out, "imported 0 chaos runs from 1 file (1 recorded already)\n");
	free(out);
	assert_int_equal(import(&out, harness_at(&t, "ci-state"), harness_at(&t, "ci.json"),
	    NULL), 0);
	harness_contains(out, "imported 0 chaos runs from 1 file (1 recorded already)\n");
	free(out);
	runs = history(t.state);
	assert_int_equal(json_dump_file(runs, harness_at(&t, "history.json"), 0), 0);
	json_decref(runs);
	assert_int_equal(import(&out, t.state, harness_at(&t, "history.json"), NULL), 0);
	harness_contains(out, "imported 0 chaos runs from 1 file (1 recorded already)\n");
	free(out);
	runs = history(t.state);
	assert_int_equal(json_array_size(runs), 1);
	json_decref(runs);
	runs = history(harness_at(&t, "ci-state"));
	assert_int_equal(json_array_size(runs), 1);
	assert_true(json_is_null(json_object_get(json_array_get(runs, 0), "source")));
	json_decref(runs);
}

static void
a_run_without_times_is_dated_by_its_file(void **state)
{
	struct timeval tv[2] = { { 1700000000, 0 }, { 1700000000, 0 } };
	char *out;
	json_t *runs;

	(void)state;
	harness_write_file(&t, harness_at(&t, "old.json"), undated);
	assert_int_equal(utimes(harness_at(&t, "old.json"), tv), 0);
	/* Twice in one go: once. */
	assert_int_equal(import(&out, t.state, harness_at(&t, "old.json"),
	    harness_at(&t, "old.json")), 0);
	harness_contains(out, "imported 1 chaos run from 2 files (1 recorded already)\n");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "chaos", "history", "--since", "10000d",
	    "--format", "json", "--state-dir", t.state, NULL), 0);
	runs = json_loads(out, 0, NULL);
	free(out);
	assert_int_equal(json_array_size(runs), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(runs, 0),
	    "started_at")), 1700000000000LL);
	json_decref(runs);
}

/* A bad file, alone or after a good one: exit 1, its name, and nothing imported. */
static void
refused(const char *name, const char *text, const char *says)
{
	char *out;
	json_t *runs;

	if (text != NULL)
		harness_write_file(&t, harness_at(&t, name), text);
	harness_write_file(&t, harness_at(&t, "good.json"), undated);
	assert_int_equal(import(&out, t.state, harness_at(&t, "good.json"),
	    harness_at(&t, name)), 1);
	harness_contains(out, harness_at(&t, name));
	harness_contains(out, says);
	free(out);
	runs = history(t.state);
	assert_int_equal(json_array_size(runs), 0);
	json_decref(runs);
}

static void
bad_files_are_named_and_import_nothing(void **state)
{
	(void)state;
	refused("missing.json", NULL, "missing.json: No such file or directory");
	refused("broken.json", "{\"ok\": true,\n  \"experiments\": [1 2]}\n",
	    "broken.json:2:21: not JSON: ");
	refused("other.json", "{\"services\": {}}\n", "other.json: expected what `tend "
	    "chaos run --format json` prints");
	refused("weekly.json", "{\"summary\": {}, \"chaos\": {}, \"recommendations\": []}\n",
	    "weekly.json: this is a tend report, whose chaos section holds totals");
	refused("shape.json", "{\"ok\": true, \"experiments\": [{\"experiment\": \"x\", "
	    "\"fault\": \"kill\", \"target\": \"web\", \"ok\": true, \"failed\": [],\n"
	    "  \"runs\": [{\"mttd_ms\": 1}, {\"mttd_ms\": \"fast\"}]}]}\n",
	    "shape.json: experiments[0]: runs[1].mttd_ms: expected a time in ms");
	refused("fields.json", "[{\"experiment\": \"x\", \"fault\": 7}]\n",
	    "fields.json: [0]: fault: expected a string");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_ci_run_is_imported_once),
		TEND_TEST(a_run_without_times_is_dated_by_its_file),
		TEND_TEST(bad_files_are_named_and_import_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
