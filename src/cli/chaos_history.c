/*
 * What tend chaos reports beyond its run: tend chaos history [--since
 * DURATION] [--format text|json] — the runs recorded in the store, newest
 * first, with each run's median MTTD and MTTR, what failed and, for a run
 * imported (tend report --import-json), the file it came from — and,
 * under GitHub Actions, a run's step summary and ::error:: lines.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>
#include <sqlite3.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "core/github.h"
#include "store/chaos.h"

/* The median of the results' key, or < 0 when none was measured. */
static double
median_of(json_t *results, const char *key)
{
	double v[256], t;
	size_t n = 0, i, j;
	json_t *r;

	json_array_foreach(results, i, r)
		if (n < 256 && json_is_number(json_object_get(r, key)))
			v[n++] = json_number_value(json_object_get(r, key));
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n > 0 ? v[n / 2] : -1;
}

static void
history_print(json_t *runs)
{
	char when[32], mttd[24], mttr[24], *failed;
	const char *source;
	double d, r;
	json_t *run;
	size_t i;

	if (json_array_size(runs) == 0) {
		printf("no chaos runs recorded (tend chaos run NAME)\n");
		return;
	}
	printf("%-19s  %-20s %-5s %-12s %4s %10s %10s  %s\n", "WHEN", "EXPERIMENT", "FAULT",
	    "TARGET", "RUNS", "MTTD p50", "MTTR p50", "RESULT");
	json_array_foreach(runs, i, run) {
		cli_format_time(json_integer_value(json_object_get(run, "started_at")), true,
		    when, sizeof(when));
		d = median_of(json_object_get(run, "results"), "mttd_ms");
		r = median_of(json_object_get(run, "results"), "mttr_ms");
		snprintf(mttd, sizeof(mttd), d >= 0 ? "%.1f ms" : "-", d);
		snprintf(mttr, sizeof(mttr), r >= 0 ? "%.1f ms" : "-", r);
		failed = json_dumps(json_object_get(run, "failed"), JSON_COMPACT);
		source = json_string_value(json_object_get(run, "source"));
		cli_printf(stdout, "%-19s  %-20s %-5s %-12s %4zu %10s %10s  %s%s%s%s%s%s\n",
		    when, json_string_value(json_object_get(run, "experiment")),
		    json_string_value(json_object_get(run, "fault")),
		    json_string_value(json_object_get(run, "target")),
		    json_array_size(json_object_get(run, "results")), mttd, mttr,
		    json_is_true(json_object_get(run, "ok")) ? "ok" : "FAILED",
		    json_is_true(json_object_get(run, "ok")) ? "" : " ",
		    json_is_true(json_object_get(run, "ok")) ? "" : failed,
		    source != NULL ? "  (imported from " : "", source != NULL ? source : "",
		    source != NULL ? ")" : "");
		free(failed);
	}
}

int
cli_chaos_history(struct cli_options *opts)
{
	struct sqlite3 *db;
	int64_t since;
	json_t *runs;
	char *path;
	int rc;

	if (cli_since("chaos history", opts, "30d", &since) != 0)
		return 2;
	if ((rc = cli_store_open(opts, &db, &path)) != 0) {
		free(path);
		if (rc == 1)
			printf(opts->format == OUTPUT_JSON ? "[]\n" :
			    "no chaos runs recorded (no store yet)\n");
		return rc == 1 ? 0 : 1;
	}
	free(path);
	runs = store_read_chaos(db, since, 1000);
	sqlite3_close(db);
	if (runs == NULL) {
		fprintf(stderr, "tend chaos history: the store cannot be read\n");
		return 1;
	}
	if (opts->format == OUTPUT_JSON)
		cli_print_json(runs);
	else
		history_print(runs);
	json_decref(runs);
	return 0;
}


/* A measured time as a table cell: "5.2 ms", or "-". */
static void
summary_ms(FILE *f, json_t *v)
{
	if (json_is_number(v))
		fprintf(f, "%.1f ms", json_number_value(v));
	else
		fputs("-", f);
}

void
cli_chaos_github(json_t *experiments)
{
	const char *path = github_step_summary();
	json_t *x, *run, *failed;
	char *text, *esc;
	size_t i, k;
	FILE *f;

	json_array_foreach(experiments, i, x) {
		if (!github_actions() || json_is_true(json_object_get(x, "ok")))
			continue;
		failed = json_object_get(x, "refused") != NULL ? json_object_get(x, "refused") :
		    json_object_get(x, "failed");
		text = json_dumps(failed, JSON_COMPACT | JSON_ENCODE_ANY);
		esc = github_escape(text != NULL ? text : "");
		printf("::error::tend chaos %s: %s\n", json_string_value(json_object_get(x,
		    "experiment")), esc);
		free(esc);
		free(text);
	}
	if (path == NULL || (f = fopen(path, "a")) == NULL)
		return;
	fputs("### tend chaos\n\n| experiment | fault | target | run | MTTD | MTTR | "
	    "result |\n| --- | --- | --- | ---: | ---: | ---: | --- |\n", f);
	json_array_foreach(experiments, i, x) {
		json_array_foreach(json_object_get(x, "runs"), k, run) {
			fputs("| ", f);
			github_cell(f, json_string_value(json_object_get(x, "experiment")));
			fputs(" | ", f);
			github_cell(f, json_string_value(json_object_get(x, "fault")));
			fputs(" | ", f);
			github_cell(f, json_string_value(json_object_get(x, "target")));
			fprintf(f, " | %zu | ", k + 1);
			summary_ms(f, json_object_get(run, "mttd_ms"));
			fputs(" | ", f);
			summary_ms(f, json_object_get(run, "mttr_ms"));
			fprintf(f, " | %s |\n", k + 1 < json_array_size(json_object_get(x,
			    "runs")) ? "" : json_is_true(json_object_get(x, "ok")) ? "passed" :
			    "**failed**");
		}
	}
	fputc('\n', f);
	fclose(f);
}
