/*
 * tend incidents: the errors the daemon recorded in STATE_DIR/tend.db and
 * what it did about each, newest first. It only reads the store, so it
 * answers the same whether the daemon is running or not.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "cli/table.h"
#include "report/report.h"
#include "store/read.h"

#define INCIDENTS_LIMIT		200

/* The incidents as a JSON array, or NULL after printing why. */
static json_t *
incidents_load(sqlite3 *db, const char *path, bool open_only, int64_t since)
{
	json_t *list = store_read_incidents(db, open_only, since, INCIDENTS_LIMIT);

	if (list == NULL)
		fprintf(stderr, "tend incidents: %s: %s\n", path, sqlite3_errmsg(db));
	return list;
}

static const char *
incidents_text(json_t *obj, const char *key, const char *none)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL && *s != '\0' ? s : none;
}

/* A database from before schema 3 has no phase: resolved_at tells. */
static const char *
incidents_phase(json_t *inc)
{
	if (json_is_string(json_object_get(inc, "phase")))
		return incidents_text(inc, "phase", "-");
	return json_is_integer(json_object_get(inc, "resolved_at")) ? "resolved" : "open";
}

static void
incidents_add_attempt(struct table *t, json_t *a)
{
	json_t *start = json_object_get(a, "started_at"), *end = json_object_get(a, "ended_at");
	const char *detail = incidents_text(a, "detail", NULL);
	char when[32], took[32];

	cli_format_time(json_integer_value(start), false, when, sizeof(when));
	if (json_is_integer(end))
		report_duration(json_integer_value(end) -
		    json_integer_value(start), took, sizeof(took));
	else
		snprintf(took, sizeof(took), "-");
	table_line(t, "  %s %s -> %s (%s)%s%s", when, incidents_text(a, "action", "-"),
	    incidents_text(a, "outcome", "pending"), took, detail ? " " : "",
	    detail ? detail : "");
}

static void
incidents_add_one(struct table *t, json_t *inc)
{
	json_t *count = json_object_get(inc, "attempt_count");
	json_t *attempts = json_object_get(inc, "attempts"), *mttr, *a;
	char id[24], detected[32], tries[16], took[32];
	size_t i;

	cli_format_time(json_integer_value(json_object_get(inc, "detected_at")), true,
	    detected, sizeof(detected));
	snprintf(tries, sizeof(tries), "%lld", json_is_integer(count) ?
	    (long long)json_integer_value(count) : (long long)json_array_size(attempts));
	mttr = json_object_get(inc, "mttr_ms");
	if (json_is_integer(mttr))
		report_duration(json_integer_value(mttr), took, sizeof(took));
	else
		snprintf(took, sizeof(took), "-");
	snprintf(id, sizeof(id), "%lld",
	    (long long)json_integer_value(json_object_get(inc, "id")));
	table_row(t, (const char *const[]){ id, detected,
	    incidents_text(inc, "target", "-"), incidents_text(inc, "category", "-"),
	    incidents_text(inc, "severity", "-"), incidents_phase(inc), tries, took,
	    incidents_text(inc, "root_cause", "-") });
	json_array_foreach(attempts, i, a)
		incidents_add_attempt(t, a);
}

static void
incidents_print_text(json_t *list, const struct cli_options *opts)
{
	static const struct table_column cols[] = {
		{ .head = "ID", .min = 5 },
		{ .head = "DETECTED", .min = 19 },
		{ .head = "TARGET", .min = 20, .lead = 1 },
		{ .head = "CATEGORY", .min = 12 },
		{ .head = "SEVERITY", .min = 9 },
		{ .head = "PHASE", .min = 10 },
		{ .head = "ATTEMPTS", .min = 8 },
		{ .head = "MTTR", .min = 8 },
		{ .head = "ROOT CAUSE" },
	};
	struct table *t;
	json_t *inc;
	size_t i;

	if (json_array_size(list) == 0) {
		printf("no %sincidents%s%s\n", opts->open_only ? "open " : "",
		    opts->since ? " in the last " : "", opts->since ? opts->since : "");
		return;
	}
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(list, i, inc)
		incidents_add_one(t, inc);
	table_print(t, stdout);
	table_free(t);
}

int
cmd_incidents(struct cli_options *opts)
{
	sqlite3 *db;
	json_t *list;
	int64_t since;
	char *path;
	int rc;

	if (opts->n_args != 0) {
		fprintf(stderr, "usage: tend incidents [--open] [--since DURATION] "
		    "[--format text|json]\n");
		return 2;
	}
	if (cli_since("incidents", opts, NULL, &since) != 0)
		return 2;
	rc = cli_store_open(opts, &db, &path);
	if (rc == 1) {
		if (opts->format == OUTPUT_JSON)
			printf("[]\n");
		else
			printf("no incidents recorded (no database at %s)\n", path);
	}
	if (rc != 0) {
		free(path);
		return rc < 0 ? 1 : 0;
	}
	list = incidents_load(db, path, opts->open_only, since);
	sqlite3_close(db);
	free(path);
	if (list == NULL)
		return 1;
	rc = 0;
	if (opts->format == OUTPUT_JSON)
		rc = cli_print_json(list);
	else
		incidents_print_text(list, opts);
	json_decref(list);
	return rc;
}
