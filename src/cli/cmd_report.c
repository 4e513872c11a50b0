/*
 * tend report: what the store says about a period (docs/report.md) — as
 * text tables for a terminal, markdown, JSON or one HTML file. It only
 * reads the store, so it answers the same whether the daemon runs or not;
 * --import-json first writes chaos runs recorded elsewhere into it
 * (report_import.c).
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "cli/report_import.h"
#include "cli/table.h"
#include "config/units.h"
#include "core/clock.h"
#include "core/fdio.h"
#include "core/mem.h"
#include "report/report.h"

enum report_format { FMT_TEXT, FMT_MARKDOWN, FMT_JSON, FMT_HTML };

static const char *const format_names[] = {
	[FMT_TEXT] = "text", [FMT_MARKDOWN] = "markdown", [FMT_JSON] = "json",
	[FMT_HTML] = "html",
};

struct report_args {
	struct cli_options opts;	/* -c and --state-dir, for cli_store_open */
	int64_t		 since_ms;
	bool		 compare;
	enum report_format format;
	const char	*output;
	char		**imports;	/* --import-json FILE, in order; may be NULL */
	size_t		 n_imports;
};

static void
report_usage(FILE *out)
{
	fputs("usage: tend report [--since DURATION] [--compare] "
	    "[--format text|markdown|json|html]\n"
	    "                   [--output FILE] [--import-json FILE]... [-c FILE] "
	    "[--state-dir DIR]\n"
	    "  what the store says about the last DURATION (default 7d): availability,\n"
	    "  incidents, MTTD/MTTR, healing, patterns, restarts, anomalies, changes,\n"
	    "  alerts and recommendations; --compare: against the period before;\n"
	    "  --import-json: first record the chaos runs of FILE (what tend chaos run\n"
	    "  or tend chaos history printed with --format json), each once\n", out);
}

enum { OPT_STATE_DIR = 256, OPT_SINCE, OPT_COMPARE, OPT_OUTPUT, OPT_IMPORT_JSON };

static const struct option report_long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "compare", no_argument, NULL, OPT_COMPARE },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "import-json", required_argument, NULL, OPT_IMPORT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
report_parse_format(const char *v, enum report_format *f)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(v, format_names[i]) == 0) {
			*f = (enum report_format)i;
			return 0;
		}
	fprintf(stderr, "tend report: --format '%s': expected text, markdown, json or html\n",
	    v);
	return 2;
}

/* 0, 2 after a usage error, or -1 for --help. */
static int
report_parse(int argc, char **argv, struct report_args *a)
{
	const char *since = "7d", *expected;
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:f:o:h", report_long_options, NULL)) != -1) {
		switch (c) {
		case 'c': a->opts.config_path = optarg; break;
		case OPT_STATE_DIR: a->opts.state_dir = optarg; break;
		case OPT_SINCE: since = optarg; break;
		case OPT_COMPARE: a->compare = true; break;
		case 'o':
		case OPT_OUTPUT: a->output = optarg; break;
		case OPT_IMPORT_JSON:
			a->imports = xgrow(a->imports, a->n_imports, sizeof(*a->imports));
			a->imports[a->n_imports++] = optarg;
			break;
		case 'f':
			if (report_parse_format(optarg, &a->format) != 0)
				return 2;
			break;
		case 'h':
			report_usage(stdout);
			return -1;
		default:
			report_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tend report: unexpected '%s'\n", argv[optind]);
		return 2;
	}
	if (units_parse_duration(since, &a->since_ms, &expected) < 0 || a->since_ms <= 0) {
		fprintf(stderr, "tend report: --since '%s': expected a duration like 24h, "
		    "7d or 365d\n", since);
		return 2;
	}
	if (a->output != NULL && a->output[0] == '\0') {
		fprintf(stderr, "tend report: --output: expected a file name\n");
		return 2;
	}
	return 0;
}

/* The document as the terminal shows it: sections, lines, tables. */
static void
report_text(const struct report_doc *d, FILE *out)
{
	char spark[REPORT_BUCKETS * 3 + 1];
	struct table_column cols[REPORT_COLS_MAX];
	const struct report_section *s;
	const struct report_table *rt;
	struct table *t;
	size_t i, j, k;

	cli_printf(out, "%s\n", d->title);
	for (i = 0; i < d->n; i++) {
		s = &d->v[i];
		fputc('\n', out);
		cli_printf(out, "== %s ==\n", s->title);
		for (j = 0; j < s->n_lines; j++)
			cli_printf(out, "%s\n", s->lines[j]);
		if (s->spark_label != NULL) {
			report_sparkline(s->spark, s->n_spark, spark, sizeof(spark));
			cli_printf(out, "%s: %s\n", s->spark_label, spark);
		}
		for (j = 0; j < s->n_tables; j++) {
			rt = &s->tables[j];
			if (rt->caption != NULL)
				cli_printf(out, "%s:\n", rt->caption);
			if (rt->n_rows == 0) {
				cli_printf(out, "  none\n");
				continue;
			}
			memset(cols, 0, sizeof(cols));
			for (k = 0; k < rt->n_cols; k++) {
				cols[k].head = rt->heads[k];
				cols[k].right = (rt->right & (1u << k)) != 0;
			}
			t = table_new(cols, rt->n_cols);
			for (k = 0; k < rt->n_rows; k++)
				table_row(t, (const char *const *)rt->cells + k * rt->n_cols);
			table_print(t, out);
			table_free(t);
		}
	}
}

/* The report in the chosen format into a buffer; NULL after saying why. */
static char *
report_to_buffer(const struct report *r, enum report_format f, size_t *len)
{
	struct report_doc *d;
	char *buf = NULL;
	FILE *out;

	if (f != FMT_TEXT)
		buf = report_render(r, format_names[f], len);
	else if ((out = open_memstream(&buf, len)) != NULL) {
		d = report_doc(r);
		report_text(d, out);
		report_doc_free(d);
		fclose(out);
	}
	if (buf == NULL)
		perror("tend report");
	return buf;
}

static int
report_write(const struct report_args *a, const char *buf, size_t len)
{
	if (a->output == NULL) {
		fwrite(buf, 1, len, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (file_replace(a->output, buf, len, 0644) != 0) {
		fprintf(stderr, "tend report: %s: %s\n", a->output, strerror(errno));
		return 1;
	}
	return 0;
}

int
cmd_report(int argc, char **argv)
{
	struct report_args a;
	struct report *r;
	char *path, *buf, err[256];
	int64_t now;
	sqlite3 *db;
	size_t len;
	int rc;

	rc = report_parse(argc, argv, &a);
	if (rc == 0 && a.n_imports > 0)
		rc = report_import_json(&a.opts, a.imports, a.n_imports);
	free(a.imports);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	rc = cli_store_open(&a.opts, &db, &path);
	if (rc != 0) {
		if (rc == 1)
			fprintf(stderr, "tend report: no database at %s: nothing recorded yet\n",
			    path);
		free(path);
		return 1;
	}
	now = clock_wall_ms();
	r = report_collect(db, now - a.since_ms, now, a.compare, err, sizeof(err));
	sqlite3_close(db);
	if (r == NULL) {
		fprintf(stderr, "tend report: %s: %s\n", path, err);
		free(path);
		return 1;
	}
	free(path);
	buf = report_to_buffer(r, a.format, &len);
	report_free(r);
	if (buf == NULL)
		return 1;
	rc = report_write(&a, buf, len);
	free(buf);
	return rc;
}
