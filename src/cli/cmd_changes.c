/*
 * tend changes [--since DURATION]: the recorded changes, newest first,
 * with the snapshot after each and the incidents blamed on it; and
 * tend change mark [--set SET] [--label TEXT]: a deploy tool's change,
 * told to the running daemon, which correlates what follows with it.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "cli/table.h"
#include "store/read.h"

#define CHANGES_LIMIT	1000

static void
changes_row(struct table *t, json_t *c)
{
	char id[24], when[32], snap[24], incidents[64] = "", *p = incidents;
	json_t *inc;
	size_t i;

	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(c, "id")));
	cli_format_time(json_integer_value(json_object_get(c, "at")), true, when, sizeof(when));
	snprintf(snap, sizeof(snap), "%lld",
	    (long long)json_integer_value(json_object_get(c, "snapshot_id")));
	json_array_foreach(json_object_get(c, "incidents"), i, inc)
		if (p < incidents + sizeof(incidents) - 24)
			p += sprintf(p, "%s#%lld", i ? " " : "", (long long)json_integer_value(inc));
	table_row(t, (const char *const[]){ id, when,
	    json_string_value(json_object_get(c, "kind")),
	    json_string_value(json_object_get(c, "set_name")),
	    json_is_integer(json_object_get(c, "snapshot_id")) ? snap : NULL,
	    json_is_true(json_object_get(c, "bad")) ? "rolled back" : NULL,
	    incidents[0] ? incidents : NULL,
	    json_string_value(json_object_get(c, "label")) });
}

static void
changes_print(json_t *list)
{
	static const struct table_column cols[] = {
		{ .head = "ID", .right = true },
		{ .head = "AT", .lead = 1 },
		{ .head = "KIND", .lead = 1 },
		{ .head = "SET", .lead = 1 },
		{ .head = "SNAPSHOT", .right = true, .lead = 1 },
		{ .head = "OUTCOME", .lead = 1 },
		{ .head = "INCIDENTS", .lead = 1 },
		{ .head = "WHAT", .lead = 1 },
	};
	struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_t *c;
	size_t i;

	json_array_foreach(list, i, c)
		changes_row(t, c);
	table_print(t, stdout);
	table_free(t);
}

int
cmd_changes(struct cli_options *opts)
{
	int64_t since;
	json_t *list;
	sqlite3 *db;
	char *path;
	int rc;

	if (opts->n_args != 0) {
		fprintf(stderr, "usage: tend changes [--since DURATION] [--format text|json]\n");
		return 2;
	}
	if (cli_since("changes", opts, NULL, &since) != 0)
		return 2;
	if ((rc = cli_store_open(opts, &db, &path)) != 0) {
		if (rc == 1)
			printf(opts->format == OUTPUT_JSON ? "[]\n" : "no changes recorded\n");
		free(path);
		return rc < 0 ? 1 : 0;
	}
	list = store_read_changes(db, since, CHANGES_LIMIT);
	if (list == NULL)
		fprintf(stderr, "tend changes: %s: %s\n", path, sqlite3_errmsg(db));
	sqlite3_close(db);
	free(path);
	if (list == NULL)
		return 1;
	if (opts->format == OUTPUT_JSON)
		rc = cli_print_json(list);
	else if (json_array_size(list) == 0)
		printf("no changes recorded\n");
	else
		changes_print(list);
	json_decref(list);
	return rc;
}

int
cmd_change(struct cli_options *opts)
{
	json_t *answer;

	if (opts->n_args != 1 || strcmp(opts->args[0], "mark") != 0) {
		fprintf(stderr, "usage: tend change mark [--set SET] [--label TEXT]\n");
		return 2;
	}
	answer = cli_call(opts, json_pack("{s:s, s:s?, s:s?}", "cmd", "change", "set",
	    opts->set, "label", opts->label));
	if (answer == NULL)
		return 1;
	printf("change %lld recorded\n", (long long)json_integer_value(json_object_get(answer,
	    "id")));
	json_decref(answer);
	return 0;
}
