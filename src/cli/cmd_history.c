/*
 * tend history CHECK: one check's results and state changes over a window
 * (the last 24h unless --since says otherwise), read from the daemon's
 * store, and a summary of the whole window: runs, the share of them that
 * were healthy, state changes, latency p50 and p95.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "cli/table.h"
#include "core/mem.h"
#include "store/read.h"

#define HISTORY_LIMIT		500
#define HISTORY_WINDOW		"24h"

static const char results_sql[] =
    "SELECT ts, state, latency_ms, message FROM check_results"
    " WHERE check_name = ?1 AND ts >= ?2 ORDER BY ts DESC";
static const char changes_sql[] =
    "SELECT ts, from_state, to_state, message FROM state_changes"
    " WHERE kind = 'check' AND target = ?1 AND ts >= ?2 ORDER BY ts DESC, id DESC";

struct history {
	const char	*check;
	const char	*window;	/* as given: "24h" */
	char		*db_path;
	bool		 no_db;		/* the daemon has not made it yet */
	json_t		*results;	/* the newest HISTORY_LIMIT */
	json_t		*changes;
	long long	 runs;		/* in the whole window */
	long long	 healthy;
	double		*latency;	/* of every run in the window that has one */
	size_t		 n_latency;
	size_t		 cap_latency;
};

static void
history_add_latency(struct history *h, double ms)
{
	if (h->n_latency == h->cap_latency) {
		h->cap_latency = h->cap_latency ? h->cap_latency * 2 : 256;
		h->latency = xrealloc(h->latency, h->cap_latency * sizeof(*h->latency));
	}
	h->latency[h->n_latency++] = ms;
}

/* Every row counts in the summary; only the newest are listed. */
static void
history_add_result(struct history *h, sqlite3_stmt *stmt)
{
	const char *state = (const char *)sqlite3_column_text(stmt, 1);

	h->runs++;
	if (state != NULL && strcmp(state, "healthy") == 0)
		h->healthy++;
	if (sqlite3_column_type(stmt, 2) != SQLITE_NULL)
		history_add_latency(h, sqlite3_column_double(stmt, 2));
	if (json_array_size(h->results) < HISTORY_LIMIT)
		json_array_append_new(h->results, json_pack("{s:o, s:o, s:o, s:o}",
		    "ts", store_json_column(stmt, 0), "state", store_json_column(stmt, 1),
		    "latency_ms", store_json_column(stmt, 2),
		    "message", store_json_column(stmt, 3)));
}

static void
history_add_change(struct history *h, sqlite3_stmt *stmt)
{
	json_array_append_new(h->changes, json_pack("{s:o, s:o, s:o, s:o}",
	    "ts", store_json_column(stmt, 0), "from", store_json_column(stmt, 1),
	    "to", store_json_column(stmt, 2), "message", store_json_column(stmt, 3)));
}

static int
history_query(struct history *h, sqlite3 *db, const char *sql, int64_t since,
    void (*add)(struct history *, sqlite3_stmt *))
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(stmt, 1, h->check, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, since);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		add(h, stmt);
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
history_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest latency with pct% of them at or below it. */
static double
history_percentile(const struct history *h, size_t pct)
{
	size_t rank = (h->n_latency * pct + 99) / 100;

	return h->latency[rank > 0 ? rank - 1 : 0];
}

static int
history_load(struct history *h, const struct cli_options *opts, int64_t since)
{
	sqlite3 *db;
	int rc;

	rc = cli_store_open(opts, &db, &h->db_path);
	h->no_db = rc == 1;
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (history_query(h, db, results_sql, since, history_add_result) < 0 ||
	    history_query(h, db, changes_sql, since, history_add_change) < 0) {
		fprintf(stderr, "tend history: %s: %s\n", h->db_path, sqlite3_errmsg(db));
		rc = -1;
	}
	sqlite3_close(db);
	if (h->n_latency > 0)
		qsort(h->latency, h->n_latency, sizeof(*h->latency), history_cmp_double);
	return rc;
}

static json_t *
history_summary_json(const struct history *h)
{
	json_t *pct = json_null(), *p50 = json_null(), *p95 = json_null();

	if (h->runs > 0)
		pct = json_real(100.0 * (double)h->healthy / (double)h->runs);
	if (h->n_latency > 0) {
		p50 = json_real(history_percentile(h, 50));
		p95 = json_real(history_percentile(h, 95));
	}
	return json_pack("{s:I, s:o, s:o, s:o}", "runs", (json_int_t)h->runs,
	    "healthy_pct", pct, "p50_ms", p50, "p95_ms", p95);
}

static int
history_print_json(const struct history *h)
{
	json_t *doc;
	int rc;

	doc = json_pack("{s:s, s:O, s:O, s:o}", "check", h->check,
	    "results", h->results, "changes", h->changes,
	    "summary", history_summary_json(h));
	rc = cli_print_json(doc);
	json_decref(doc);
	return rc;
}

static void
history_add_row(struct table *t, json_t *r)
{
	json_t *latency = json_object_get(r, "latency_ms");
	char when[32], took[32];

	cli_format_time(json_integer_value(json_object_get(r, "ts")), true, when,
	    sizeof(when));
	if (json_is_number(latency))
		snprintf(took, sizeof(took), "%.1fms", json_number_value(latency));
	else
		snprintf(took, sizeof(took), "-");
	table_row(t, (const char *const[]){ when,
	    json_string_value(json_object_get(r, "state")), took,
	    json_string_value(json_object_get(r, "message")) ?: "" });
}

static void
history_print_text(const struct history *h)
{
	static const struct table_column cols[] = {
		{ .head = "TIME", .min = 19 },
		{ .head = "STATE", .min = 9, .lead = 1 },
		{ .head = "LATENCY", .min = 9, .right = true },
		{ .head = "MESSAGE", .lead = 1 },
	};
	struct table *t;
	json_t *r;
	size_t i;

	if (h->no_db) {
		printf("no history for check '");
		cli_put(stdout, h->check);
		printf("' (no database at %s)\n", h->db_path);
		return;
	}
	if (h->runs == 0 && json_array_size(h->changes) == 0) {
		printf("no history for check '");
		cli_put(stdout, h->check);
		printf("' in the last %s\n", h->window);
		return;
	}
	t = table_new(cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(h->results, i, r)
		history_add_row(t, r);
	table_print(t, stdout);
	table_free(t);
	printf("\n");
	cli_put(stdout, h->check);
	printf(": %lld runs in the last %s", h->runs, h->window);
	if ((long long)json_array_size(h->results) < h->runs)
		printf(" (newest %zu shown)", json_array_size(h->results));
	if (h->runs > 0)
		printf(", %.1f%% healthy", 100.0 * (double)h->healthy / (double)h->runs);
	printf(", %zu state change%s", json_array_size(h->changes),
	    json_array_size(h->changes) == 1 ? "" : "s");
	if (h->n_latency > 0)
		printf(", latency p50 %.1fms p95 %.1fms", history_percentile(h, 50),
		    history_percentile(h, 95));
	printf("\n");
}

int
cmd_history(struct cli_options *opts)
{
	struct history h = { 0 };
	int64_t since;
	int rc = 0;

	if (opts->n_args != 1) {
		fprintf(stderr, "usage: tend history CHECK [--since DURATION] "
		    "[--format text|json]\n");
		return 2;
	}
	if (cli_since("history", opts, HISTORY_WINDOW, &since) != 0)
		return 2;
	h.check = opts->args[0];
	h.window = opts->since ? opts->since : HISTORY_WINDOW;
	h.results = json_array();
	h.changes = json_array();
	if (history_load(&h, opts, since) < 0)
		rc = 1;
	else if (opts->format == OUTPUT_JSON)
		rc = history_print_json(&h);
	else
		history_print_text(&h);
	json_decref(h.results);
	json_decref(h.changes);
	free(h.latency);
	free(h.db_path);
	return rc;
}
