/*
 * The report as a document of sections: what each section shows, decided
 * once, for the terminal, markdown and HTML alike (JSON reads the numbers).
 */
#include "report/report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"

static struct report_section *
doc_section(struct report_doc *d, const char *title)
{
	struct report_section *s;

	d->v = xgrow(d->v, d->n, sizeof(*d->v));
	s = &d->v[d->n++];
	memset(s, 0, sizeof(*s));
	s->title = title;
	return s;
}

static void
doc_line(struct report_section *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
doc_line(struct report_section *s, const char *fmt, ...)
{
	va_list ap;

	s->lines = xgrow(s->lines, s->n_lines, sizeof(*s->lines));
	va_start(ap, fmt);
	s->lines[s->n_lines++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* A table of the NULL-ended heads; a head starting with '#' is a number's. */
static struct report_table *
doc_table(struct report_section *s, const char *caption, ...)
{
	struct report_table *t;
	const char *head;
	va_list ap;

	s->tables = xgrow(s->tables, s->n_tables, sizeof(*s->tables));
	t = &s->tables[s->n_tables++];
	memset(t, 0, sizeof(*t));
	t->caption = caption;
	va_start(ap, caption);
	while ((head = va_arg(ap, const char *)) != NULL && t->n_cols < REPORT_COLS_MAX) {
		if (head[0] == '#') {
			t->right |= 1u << t->n_cols;
			head++;
		}
		t->heads[t->n_cols++] = head;
	}
	va_end(ap);
	return t;
}

/* A row of n_cols cells, each a string the table takes. */
static void
doc_row(struct report_table *t, ...)
{
	va_list ap;
	size_t i;

	t->cells = xrealloc(t->cells, (t->n_rows + 1) * t->n_cols * sizeof(*t->cells));
	va_start(ap, t);
	for (i = 0; i < t->n_cols; i++)
		t->cells[t->n_rows * t->n_cols + i] = va_arg(ap, char *);
	va_end(ap);
	t->n_rows++;
}

static char *
num(int64_t n)
{
	return xasprintf("%lld", (long long)n);
}

static char *
pct(double v)
{
	return v < 0 ? xstrdup("-") : xasprintf("%.2f%%", v * 100);
}

static char *
dur(int64_t ms)
{
	char buf[32];

	report_duration(ms, buf, sizeof(buf));
	return xstrdup(buf);
}

/* now against before: +3, -2, =; "new" when there was nothing before. */
static char *
trend(int64_t now, int64_t before)
{
	if (now == before)
		return xstrdup("=");
	return xasprintf("%+lld", (long long)(now - before));
}

static char *
str(const char *s)
{
	return xstrdup(s != NULL ? s : "-");
}

static void
doc_summary(struct report_doc *d, const struct report *r)
{
	const struct report_period *p = &r->cur, *q = r->prev;
	struct report_section *s = doc_section(d, "Summary");
	struct report_table *t;

	if (q != NULL)
		t = doc_table(s, NULL, "", "#this period", "#previous", "#trend", NULL);
	else
		t = doc_table(s, NULL, "", "#this period", NULL);
#define ROW_N(label, f)	(q != NULL ? doc_row(t, xstrdup(label), num(p->f), num(q->f), \
			    trend(p->f, q->f)) : doc_row(t, xstrdup(label), num(p->f)))
#define ROW_D(label, f)	(q != NULL ? doc_row(t, xstrdup(label), dur(p->f), dur(q->f), \
			    xstrdup("")) : doc_row(t, xstrdup(label), dur(p->f)))
	ROW_N("incidents opened", opened);
	ROW_N("incidents resolved", resolved);
	ROW_N("open at the end", still_open);
	ROW_D("MTTD p50", mttd_p50);
	ROW_D("MTTD p90", mttd_p90);
	ROW_D("MTTR p50", mttr_p50);
	ROW_D("MTTR p90", mttr_p90);
	ROW_N("incidents tend acted on", acted);
	ROW_N("healed by an action", healed);
	if (q != NULL)
		doc_row(t, xstrdup("auto-heal success rate"), pct(p->heal_rate),
		    pct(q->heal_rate), xstrdup(""));
	else
		doc_row(t, xstrdup("auto-heal success rate"), pct(p->heal_rate));
#undef ROW_N
#undef ROW_D
	s->spark_label = p->bucket_ms == 24 * 3600 * 1000LL ? "incidents per day" :
	    "incidents per bucket";
	memcpy(s->spark, p->opened_per_bucket, sizeof(s->spark));
	s->n_spark = p->n_buckets;
}

static void
doc_availability(struct report_doc *d, const struct report *r)
{
	struct report_section *s = doc_section(d, "Availability");
	const struct report_target *x;
	struct report_table *t;
	size_t i;

	doc_line(s, "Time up (a check healthy or warning, a service up) of the time its state "
	    "was known.");
	t = doc_table(s, NULL, "kind", "name", "#availability", "#down", "#changes", "#flaps",
	    NULL);
	for (i = 0; i < r->cur.n_targets; i++) {
		x = &r->cur.targets[i];
		doc_row(t, xstrdup(x->kind), xstrdup(x->name), pct(x->availability),
		    dur(x->observed_ms - x->up_ms), num(x->changes), num(x->failures));
	}
}

static void
doc_counts(struct report_section *s, const char *caption, const char *what,
    const struct report_counts *c, const struct report_counts *before)
{
	struct report_table *t;
	int64_t b;
	size_t i;

	if (before != NULL)
		t = doc_table(s, caption, what, "#this period", "#previous", "#trend", NULL);
	else
		t = doc_table(s, caption, what, "#count", NULL);
	for (i = 0; i < c->n; i++) {
		if (before == NULL) {
			doc_row(t, xstrdup(c->v[i].name), num(c->v[i].n));
			continue;
		}
		b = report_count_of(before, c->v[i].name);
		doc_row(t, xstrdup(c->v[i].name), num(c->v[i].n), num(b), trend(c->v[i].n, b));
	}
	/* What went away since the period before is a trend too. */
	for (i = 0; before != NULL && i < before->n; i++)
		if (report_count_of(c, before->v[i].name) == 0)
			doc_row(t, xstrdup(before->v[i].name), num(0), num(before->v[i].n),
			    trend(0, before->v[i].n));
}

static void
doc_incidents(struct report_doc *d, const struct report *r)
{
	struct report_section *s = doc_section(d, "Incidents");
	const struct report_period *q = r->prev;

	doc_counts(s, "by category", "category", &r->cur.by_category,
	    q != NULL ? &q->by_category : NULL);
	doc_counts(s, "by severity", "severity", &r->cur.by_severity,
	    q != NULL ? &q->by_severity : NULL);
	doc_counts(s, "how they ended", "resolution", &r->cur.by_resolution, NULL);
}

static void
doc_actions(struct report_section *s, const char *caption, const struct report_actions *a,
    bool category, bool estimate)
{
	struct report_table *t;
	size_t i;

	if (estimate)
		t = doc_table(s, caption, "category", "action", "#attempts", "#healed", "#rate",
		    "#estimate", NULL);
	else if (category)
		t = doc_table(s, caption, "category", "action", "#attempts", "#healed", "#rate",
		    NULL);
	else
		t = doc_table(s, caption, "action", "#attempts", "#healed", "#rate", NULL);
	for (i = 0; i < a->n; i++) {
		if (estimate)
			doc_row(t, str(a->v[i].category), str(a->v[i].action),
			    num(a->v[i].attempts), num(a->v[i].healed), pct(a->v[i].rate),
			    pct(a->v[i].estimate));
		else if (category)
			doc_row(t, str(a->v[i].category), str(a->v[i].action),
			    num(a->v[i].attempts), num(a->v[i].healed), pct(a->v[i].rate));
		else
			doc_row(t, str(a->v[i].action), num(a->v[i].attempts),
			    num(a->v[i].healed), pct(a->v[i].rate));
	}
}

static void
doc_healing(struct report_doc *d, const struct report *r)
{
	struct report_section *s = doc_section(d, "Healing effectiveness");

	doc_actions(s, "per action", &r->cur.per_action, false, false);
	doc_actions(s, "per category", &r->cur.per_category, true, false);
	doc_actions(s, "what learning knows (all time; estimate: Beta posterior mean)",
	    &r->cur.procedures, true, true);
}

static void
doc_patterns(struct report_doc *d, const struct report *r)
{
	struct report_section *s = doc_section(d, "Recurring failure patterns");
	const struct report_pattern *pt;
	struct report_table *t;
	size_t i;

	t = doc_table(s, NULL, "target", "root cause", "#incidents", "#recurring", NULL);
	for (i = 0; i < r->cur.n_patterns; i++) {
		pt = &r->cur.patterns[i];
		doc_row(t, str(pt->target), str(pt->root_cause), num(pt->n), num(pt->recurring));
	}
}

static void
doc_restarts(struct report_doc *d, const struct report *r)
{
	struct report_section *s = doc_section(d, "Restarts and crash loops");
	const struct report_target *x;
	struct report_table *t;
	size_t i;

	t = doc_table(s, NULL, "service", "#starts", "#backoffs", "#gave up", NULL);
	for (i = 0; i < r->cur.n_targets; i++) {
		x = &r->cur.targets[i];
		if (strcmp(x->kind, "service") == 0)
			doc_row(t, xstrdup(x->name), num(x->starts), num(x->backoffs),
			    num(x->gave_up));
	}
}

/* tend chaos's runs: per experiment, how many passed, and the MTTR of their faults. */
static void
doc_chaos(struct report_section *s, const struct report_period *p)
{
	struct report_table *t;
	size_t i;

	if (p->chaos.n == 0) {
		doc_line(s, "No chaos experiment ran in the period (tend chaos run).");
		return;
	}
	if (p->chaos_mttr_p50 >= 0)
		doc_line(s, "MTTR of the injected faults: p50 %lld ms, p90 %lld ms.",
		    (long long)p->chaos_mttr_p50, (long long)p->chaos_mttr_p90);
	t = doc_table(s, NULL, "experiment", "fault", "target", "#runs", "#passed", "#rate",
	    NULL);
	for (i = 0; i < p->chaos.n; i++)
		doc_row(t, str(p->chaos.v[i].action), str(p->chaos.v[i].category),
		    str(p->chaos.v[i].target), num(p->chaos.v[i].attempts),
		    num(p->chaos.v[i].healed), pct(p->chaos.v[i].rate));
	if (p->chaos_imported.n > 0)
		doc_counts(s, "runs imported (tend report --import-json)", "from",
		    &p->chaos_imported, NULL);
}

static void
doc_history(struct report_doc *d, const struct report *r)
{
	const struct report_period *p = &r->cur;
	const struct report_dep_change *dc;
	struct report_section *s;
	struct report_table *t;
	char when[32];
	struct tm tm;
	time_t secs;
	size_t i;

	s = doc_section(d, "Anomalies");
	doc_counts(s, NULL, "series", &p->anomalies, NULL);
	s = doc_section(d, "Chaos results");
	doc_chaos(s, p);
	s = doc_section(d, "Changes, snapshots and rollbacks");
	doc_line(s, "%lld changes rolled back in the period.", (long long)p->changes_rolled_back);
	doc_counts(s, "changes", "kind", &p->changes, NULL);
	doc_counts(s, "snapshots", "reason", &p->snapshots, NULL);
	s = doc_section(d, "Dependency changes");
	doc_line(s, "%lld in the period%s.", (long long)p->dep_changes_total,
	    p->dep_changes_total > (int64_t)p->n_dep_changes ? "; the newest below" : "");
	t = doc_table(s, NULL, "when", "check", "dependency", "from", "to", NULL);
	for (i = 0; i < p->n_dep_changes; i++) {
		dc = &p->dep_changes[i];
		secs = (time_t)(dc->ts / 1000);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", gmtime_r(&secs, &tm));
		doc_row(t, xstrdup(when), str(dc->check), str(dc->dependency),
		    str(dc->old_version), str(dc->new_version));
	}
	s = doc_section(d, "Alert deliveries");
	doc_counts(s, "by outcome", "outcome", &p->alerts, NULL);
	doc_counts(s, "failed, by channel", "channel", &p->alert_failures, NULL);
}

static void
doc_advice(struct report_doc *d, const struct report *r)
{
	struct report_section *s = doc_section(d, "Recommendations");
	size_t i;

	if (r->n_advice == 0)
		doc_line(s, "None: nothing in this period calls for a change.");
	for (i = 0; i < r->n_advice; i++)
		doc_line(s, "%s", r->advice[i].text);
}

struct report_doc *
report_doc(const struct report *r)
{
	struct report_doc *d = xcalloc(1, sizeof(*d));
	char title[128];

	report_title(r, title, sizeof(title));
	d->title = xstrdup(title);
	doc_summary(d, r);
	doc_availability(d, r);
	doc_incidents(d, r);
	doc_healing(d, r);
	doc_patterns(d, r);
	doc_restarts(d, r);
	doc_history(d, r);
	doc_advice(d, r);
	return d;
}

void
report_doc_free(struct report_doc *d)
{
	struct report_section *s;
	size_t i, j, k;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		s = &d->v[i];
		for (j = 0; j < s->n_lines; j++)
			free(s->lines[j]);
		free(s->lines);
		for (j = 0; j < s->n_tables; j++) {
			for (k = 0; k < s->tables[j].n_rows * s->tables[j].n_cols; k++)
				free(s->tables[j].cells[k]);
			free(s->tables[j].cells);
		}
		free(s->tables);
	}
	free(d->v);
	free(d->title);
	free(d);
}
