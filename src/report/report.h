/*
 * The report: what the store says about a period (docs/report.md). The
 * numbers are collected once, by SQL aggregates over a read-only
 * connection, into plain structs; each format (JSON, markdown, HTML, and
 * the CLI's text tables) only renders them. Times are wall-clock ms.
 */
#ifndef TEND_REPORT_REPORT_H
#define TEND_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <sqlite3.h>

/* How many buckets a period's sparklines have, at most. */
#define REPORT_BUCKETS		31

/* A count under a name (a category, an outcome, a reason). */
struct report_count {
	char		*name;
	int64_t		 n;
};

struct report_counts {
	struct report_count *v;
	size_t		 n;
};

/*
 * A check's or a service's time in the period: up_ms of observed_ms, the
 * time from the period's start (or the first state tend recorded of it)
 * to its end, less the time its state was unknown.
 */
struct report_target {
	char		*kind;		/* check, service */
	char		*name;
	int64_t		 up_ms;
	int64_t		 observed_ms;
	double		 availability;	/* up_ms / observed_ms; -1 when never observed */
	int		 changes;	/* state changes in the period */
	int		 failures;	/* of them into a failing state: a flap */
	int		 starts;	/* a service's: into starting */
	int		 backoffs;	/* a service's: into backoff */
	int		 gave_up;	/* a service's: into failed */
};

/* An action's attempts and the ones verified healed, over some scope. */
struct report_action {
	char		*category;	/* NULL: every category */
	char		*action;
	char		*target;	/* NULL: every target */
	int64_t		 attempts;	/* ended, not skipped */
	int64_t		 healed;
	double		 rate;		/* healed / attempts; -1 with no attempt */
	double		 estimate;	/* learning's Beta posterior mean; -1 when not kept */
};

struct report_actions {
	struct report_action *v;
	size_t		 n;
};

/* A failure seen again and again: the same target and root cause. */
struct report_pattern {
	char		*target;
	char		*root_cause;	/* NULL: not diagnosed */
	int64_t		 n;
	int64_t		 recurring;	/* of them marked recurring by the healer */
};

struct report_dep_change {
	int64_t		 ts;
	char		*check;
	char		*dependency;
	char		*old_version;
	char		*new_version;
};

/* One period's numbers. Durations are -1 when there is nothing to measure. */
struct report_period {
	int64_t		 start_ms, end_ms;
	int64_t		 bucket_ms;
	size_t		 n_buckets;
	int64_t		 opened_per_bucket[REPORT_BUCKETS];

	int64_t		 opened, resolved, still_open;
	int64_t		 mttd_p50, mttd_p90, mttr_p50, mttr_p90;
	int64_t		 acted;		/* incidents tend tried an action on */
	int64_t		 healed;	/* of them healed by an action */
	double		 heal_rate;	/* healed / acted; -1 when it never acted */

	struct report_target *targets;
	size_t		 n_targets;
	struct report_counts by_category, by_severity, by_resolution;
	struct report_actions per_action, per_category, per_target, procedures;
	struct report_pattern *patterns;
	size_t		 n_patterns;
	struct report_counts anomalies;		/* per series */
	struct report_counts changes;		/* per kind */
	int64_t		 changes_rolled_back;
	struct report_counts snapshots;		/* per reason */
	struct report_dep_change *dep_changes;
	size_t		 n_dep_changes;
	int64_t		 dep_changes_total;
	struct report_counts alerts;		/* per outcome */
	struct report_counts alert_failures;	/* per channel, failed only */
	/* tend chaos runs: per experiment (category: the fault, attempts: runs, healed: passed) */
	struct report_actions chaos;
	int64_t		 chaos_mttr_p50, chaos_mttr_p90;	/* over every fault; -1: none */
	struct report_counts chaos_imported;	/* runs per file they were imported from */
};

/* A recommendation: the rule that fired and what it says. */
struct report_advice {
	const char	*rule;
	char		*text;
};

struct report {
	int64_t		 generated_ms;
	struct report_period cur;
	struct report_period *prev;	/* --compare: the period before, as long */
	struct report_advice *advice;
	size_t		 n_advice;
};

/*
 * The report of [start_ms, end_ms), and with compare of the period of the
 * same length before it too; NULL with the database's error in err.
 */
struct report	*report_collect(sqlite3 *db, int64_t start_ms, int64_t end_ms,
		    bool compare, char *err, size_t errlen);
void		 report_free(struct report *r);

/* The count named in c; 0 when it is not there. */
int64_t		 report_count_of(const struct report_counts *c, const char *name);
/* Fills r->advice from the numbers by the rule table (advice.c). */
void		 report_advise(struct report *r);

/*
 * The report as a document every text format renders the same way:
 * sections of lines, a sparkline and tables of cells already formatted.
 */
#define REPORT_COLS_MAX		8

struct report_table {
	const char	*caption;		/* NULL: none */
	const char	*heads[REPORT_COLS_MAX];
	size_t		 n_cols;
	unsigned	 right;			/* bit i: column i holds numbers */
	char		**cells;		/* n_rows * n_cols */
	size_t		 n_rows;
};

struct report_section {
	const char	*title;
	char		**lines;
	size_t		 n_lines;
	const char	*spark_label;		/* NULL: no sparkline */
	int64_t		 spark[REPORT_BUCKETS];
	size_t		 n_spark;
	struct report_table *tables;
	size_t		 n_tables;
};

struct report_doc {
	char		*title;
	struct report_section *v;
	size_t		 n;
};

struct report_doc *report_doc(const struct report *r);
void		 report_doc_free(struct report_doc *d);

/* Every number, as JSON. */
json_t		*report_json(const struct report *r);
/* Markdown with tables and unicode sparklines. */
void		 report_markdown(const struct report_doc *d, FILE *out);
/* One standalone HTML file: inline CSS and SVG, nothing fetched. */
void		 report_html(const struct report_doc *d, FILE *out);

/*
 * "markdown", "html" or "json" into a new buffer of *len bytes; NULL for
 * another format or ENOMEM.
 */
char		*report_render(const struct report *r, const char *format, size_t *len);

/*
 * The executive summary (summary.c), what a posted report says (docs/
 * report.md): "tend report, FROM to TO UTC"; the availability of every
 * target together (up time over observed time, -1 when nothing was
 * observed) and the least available one (*lowest, NULL when none); a few
 * lines of text (NULL on ENOMEM; free it); and its numbers as JSON.
 */
void		 report_title(const struct report *r, char *buf, size_t len);
double		 report_availability(const struct report_period *p,
		    const struct report_target **lowest);
char		*report_summary_text(const struct report *r);
json_t		*report_summary_json(const struct report *r);

/* Eight-level unicode sparkline of v[0..n-1] into buf (3 bytes a value). */
void		 report_sparkline(const int64_t *v, size_t n, char *buf, size_t len);
/* A duration as 850ms, 4.2s, 3m05s, 2h10m, 3d4h; "-" for a negative one. */
void		 report_duration(int64_t ms, char *buf, size_t len);

#endif
