/*
 * The report's numbers, read from the store by SQL aggregates. Every query
 * is bounded by the period and reaches its rows through an index where the
 * table grows with time (state_changes by target, changes by time,
 * incidents by their end), so a year reads as fast as the rows it holds.
 */
#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "report/report_internal.h"

#define DAY_MS			(24 * 3600 * 1000LL)
#define PATTERNS_MAX		10
#define DEP_CHANGES_MAX		20

struct collect {
	sqlite3		*db;
	struct report_period *p;
	int		 rc;		/* the first error's SQLite code, else SQLITE_OK */
};

/* stmt prepared with the period bound as ?1 and ?2; NULL after noting the error. */
static sqlite3_stmt *
collect_prepare(struct collect *c, const char *sql)
{
	sqlite3_stmt *stmt = NULL;

	if (c->rc != SQLITE_OK)
		return NULL;
	if ((c->rc = sqlite3_prepare_v2(c->db, sql, -1, &stmt, NULL)) != SQLITE_OK)
		return NULL;
	if (sqlite3_bind_parameter_count(stmt) >= 2) {
		sqlite3_bind_int64(stmt, 1, c->p->start_ms);
		sqlite3_bind_int64(stmt, 2, c->p->end_ms);
	}
	return stmt;
}

/* Finalizes stmt, noting an error its last step returned. */
static void
collect_done(struct collect *c, sqlite3_stmt *stmt, int rc)
{
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && c->rc == SQLITE_OK)
		c->rc = rc;
	sqlite3_finalize(stmt);
}

static char *
collect_text(sqlite3_stmt *stmt, int i)
{
	const unsigned char *s = sqlite3_column_text(stmt, i);

	return s != NULL ? xstrdup((const char *)s) : NULL;
}

/* The first column of the first row, 0 when there is none. */
static int64_t
collect_int(struct collect *c, const char *sql)
{
	sqlite3_stmt *stmt = collect_prepare(c, sql);
	int64_t v = 0;
	int rc;

	if (stmt == NULL)
		return 0;
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	collect_done(c, stmt, rc);
	return v;
}

static void
collect_count_add(struct report_counts *c, const char *name, int64_t n)
{
	c->v = xgrow(c->v, c->n, sizeof(*c->v));
	c->v[c->n].name = xstrdup(name);
	c->v[c->n++].n = n;
}

/* Rows of (name, count); a NULL name is "-". */
static void
collect_counts(struct collect *c, const char *sql, struct report_counts *out)
{
	sqlite3_stmt *stmt = collect_prepare(c, sql);
	const char *name;
	int rc;

	if (stmt == NULL)
		return;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(stmt, 0);
		collect_count_add(out, name != NULL ? name : "-", sqlite3_column_int64(stmt, 1));
	}
	collect_done(c, stmt, rc);
}

/*
 * The nearest-rank percentiles p50 and p90 of a column that the query
 * returns in ascending order: the value at rank ceil(p * n).
 */
static void
collect_percentiles(struct collect *c, const char *sql, int64_t *p50, int64_t *p90)
{
	sqlite3_stmt *stmt = collect_prepare(c, sql);
	int64_t *v = NULL;
	size_t n = 0;
	int rc;

	*p50 = *p90 = -1;
	if (stmt == NULL)
		return;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xgrow(v, n, sizeof(*v));
		v[n++] = sqlite3_column_int64(stmt, 0);
	}
	collect_done(c, stmt, rc);
	if (n > 0) {
		*p50 = v[(n * 50 + 99) / 100 - 1];
		*p90 = v[(n * 90 + 99) / 100 - 1];
	}
	free(v);
}

/* Incidents detected in the period; a merged one counts with its root. */
#define INCIDENTS_IN	"FROM error_incidents WHERE detected_at >= ?1 AND detected_at < ?2" \
			" AND coalesce(phase, '') <> 'merged'"

static void
collect_incidents(struct collect *c)
{
	struct report_period *p = c->p;
	sqlite3_stmt *stmt;
	int64_t b;
	int rc;

	p->opened = collect_int(c, "SELECT count(*) " INCIDENTS_IN);
	p->resolved = collect_int(c, "SELECT count(*) FROM error_incidents WHERE "
	    "resolved_at >= ?1 AND resolved_at < ?2 AND coalesce(phase, '') NOT IN "
	    "('merged', 'interrupted')");
	p->still_open = collect_int(c, "SELECT count(*) FROM error_incidents WHERE "
	    "resolved_at IS NULL AND detected_at < ?2 AND coalesce(phase, '') NOT IN "
	    "('merged', 'interrupted')");
	p->acted = collect_int(c, "SELECT count(*) " INCIDENTS_IN " AND attempts > 0");
	p->healed = collect_int(c, "SELECT count(*) " INCIDENTS_IN
	    " AND attempts > 0 AND resolution LIKE 'healed%'");
	p->heal_rate = p->acted > 0 ? (double)p->healed / (double)p->acted : -1;
	collect_percentiles(c, "SELECT mttd_ms " INCIDENTS_IN " AND mttd_ms IS NOT NULL "
	    "ORDER BY mttd_ms", &p->mttd_p50, &p->mttd_p90);
	collect_percentiles(c, "SELECT mttr_ms " INCIDENTS_IN " AND mttr_ms IS NOT NULL "
	    "ORDER BY mttr_ms", &p->mttr_p50, &p->mttr_p90);
	collect_counts(c, "SELECT coalesce(category, 'unknown'), count(*) " INCIDENTS_IN
	    " GROUP BY 1 ORDER BY 2 DESC, 1", &p->by_category);
	collect_counts(c, "SELECT coalesce(severity, 'unknown'), count(*) " INCIDENTS_IN
	    " GROUP BY 1 ORDER BY 2 DESC, 1", &p->by_severity);
	collect_counts(c, "SELECT coalesce(resolution, 'open'), count(*) " INCIDENTS_IN
	    " GROUP BY 1 ORDER BY 2 DESC, 1", &p->by_resolution);
	if ((stmt = collect_prepare(c, "SELECT (detected_at - ?1) / ?3, count(*) "
	    INCIDENTS_IN " GROUP BY 1")) == NULL)
		return;
	sqlite3_bind_int64(stmt, 3, p->bucket_ms);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		b = sqlite3_column_int64(stmt, 0);
		if (b >= 0 && (size_t)b < p->n_buckets)
			p->opened_per_bucket[b] = sqlite3_column_int64(stmt, 1);
	}
	collect_done(c, stmt, rc);
}

static void
collect_patterns(struct collect *c)
{
	struct report_period *p = c->p;
	struct report_pattern *pat;
	sqlite3_stmt *stmt;
	int rc;

	if ((stmt = collect_prepare(c, "SELECT target, root_cause, count(*), sum(recurring) "
	    INCIDENTS_IN " GROUP BY target, root_cause ORDER BY 3 DESC, 1, 2 LIMIT ?3")) == NULL)
		return;
	sqlite3_bind_int(stmt, 3, PATTERNS_MAX);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		p->patterns = xgrow(p->patterns, p->n_patterns, sizeof(*p->patterns));
		pat = &p->patterns[p->n_patterns++];
		pat->target = collect_text(stmt, 0);
		pat->root_cause = collect_text(stmt, 1);
		pat->n = sqlite3_column_int64(stmt, 2);
		pat->recurring = sqlite3_column_int64(stmt, 3);
	}
	collect_done(c, stmt, rc);
}

/* Rows of (category, action, target, attempts, healed[, estimate]). */
static void
collect_actions(struct collect *c, const char *sql, struct report_actions *out)
{
	sqlite3_stmt *stmt = collect_prepare(c, sql);
	struct report_action *a;
	int rc;

	if (stmt == NULL)
		return;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		out->v = xgrow(out->v, out->n, sizeof(*out->v));
		a = &out->v[out->n++];
		a->category = collect_text(stmt, 0);
		a->action = collect_text(stmt, 1);
		a->target = collect_text(stmt, 2);
		a->attempts = sqlite3_column_int64(stmt, 3);
		a->healed = sqlite3_column_int64(stmt, 4);
		a->rate = a->attempts > 0 ? (double)a->healed / (double)a->attempts : -1;
		a->estimate = sqlite3_column_count(stmt) > 5 ?
		    sqlite3_column_double(stmt, 5) : -1;
	}
	collect_done(c, stmt, rc);
}

/*
 * Attempts that started in the period and ended with an outcome; skipped
 * ones (the action did not apply) are no attempt. Only "healed" is a
 * success: the checks passed again after it.
 */
#define ATTEMPTS_IN	" count(*), sum(a.outcome = 'healed') FROM healing_attempts a" \
			" JOIN error_incidents i ON i.id = a.incident_id" \
			" WHERE a.started_at >= ?1 AND a.started_at < ?2" \
			" AND a.outcome IS NOT NULL AND a.outcome <> 'skipped'"

static void
collect_healing(struct collect *c)
{
	struct report_period *p = c->p;

	collect_actions(c, "SELECT NULL, a.action, NULL," ATTEMPTS_IN
	    " GROUP BY a.action ORDER BY 4 DESC, 2", &p->per_action);
	collect_actions(c, "SELECT coalesce(i.category, 'unknown'), a.action, NULL,"
	    ATTEMPTS_IN " GROUP BY 1, 2 ORDER BY 1, 4 DESC, 2", &p->per_category);
	collect_actions(c, "SELECT NULL, a.action, i.target," ATTEMPTS_IN
	    " GROUP BY 2, 3 ORDER BY 5 DESC, 4 DESC, 3, 2", &p->per_target);
	/*
	 * What learning keeps, over all time: its estimate is the mean of the
	 * Beta(1 + successes, 1 + failures) posterior, as heal/learning.h.
	 */
	collect_actions(c, "SELECT category, action, NULL, attempts, successes, "
	    "(1.0 + successes) / (2.0 + attempts) FROM recovery_procedures "
	    "ORDER BY category, 6 DESC, action", &p->procedures);
}

static void
collect_history(struct collect *c)
{
	struct report_period *p = c->p;
	struct report_dep_change *d;
	sqlite3_stmt *stmt;
	int rc;

	collect_counts(c, "SELECT kind, count(*) FROM changes WHERE at >= ?1 AND at < ?2 "
	    "GROUP BY kind ORDER BY 2 DESC, 1", &p->changes);
	p->changes_rolled_back = collect_int(c, "SELECT count(*) FROM changes WHERE "
	    "rolled_back_at >= ?1 AND rolled_back_at < ?2");
	collect_counts(c, "SELECT coalesce(reason, 'manual'), count(*) FROM snapshots "
	    "WHERE created_at >= ?1 AND created_at < ?2 GROUP BY 1 ORDER BY 2 DESC, 1",
	    &p->snapshots);
	p->dep_changes_total = collect_int(c, "SELECT count(*) FROM dependency_changes "
	    "WHERE ts >= ?1 AND ts < ?2");
	if ((stmt = collect_prepare(c, "SELECT ts, check_name, dependency, old_version, "
	    "new_version FROM dependency_changes WHERE ts >= ?1 AND ts < ?2 "
	    "ORDER BY ts DESC, id DESC LIMIT ?3")) == NULL)
		return;
	sqlite3_bind_int(stmt, 3, DEP_CHANGES_MAX);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		p->dep_changes = xgrow(p->dep_changes, p->n_dep_changes,
		    sizeof(*p->dep_changes));
		d = &p->dep_changes[p->n_dep_changes++];
		d->ts = sqlite3_column_int64(stmt, 0);
		d->check = collect_text(stmt, 1);
		d->dependency = collect_text(stmt, 2);
		d->old_version = collect_text(stmt, 3);
		d->new_version = collect_text(stmt, 4);
	}
	collect_done(c, stmt, rc);
	collect_counts(c, "SELECT outcome, count(*) FROM alert_deliveries WHERE at >= ?1 "
	    "AND at < ?2 GROUP BY outcome ORDER BY 2 DESC, 1", &p->alerts);
	collect_counts(c, "SELECT channel, count(*) FROM alert_deliveries WHERE at >= ?1 "
	    "AND at < ?2 AND outcome = 'failed' GROUP BY channel ORDER BY 2 DESC, 1",
	    &p->alert_failures);
}

static void
collect_period_init(struct report_period *p, int64_t start, int64_t end)
{
	int64_t len = end - start;

	memset(p, 0, sizeof(*p));
	p->start_ms = start;
	p->end_ms = end;
	/* A day a bucket, or as many days as keep a year within the buckets. */
	p->bucket_ms = DAY_MS;
	while ((len + p->bucket_ms - 1) / p->bucket_ms > REPORT_BUCKETS)
		p->bucket_ms += DAY_MS;
	p->n_buckets = (size_t)((len + p->bucket_ms - 1) / p->bucket_ms);
	if (p->n_buckets == 0)
		p->n_buckets = 1;
}

/* The chaos runs of the period, and what their faults took to heal. */
static void
collect_chaos(struct collect *c)
{
	struct report_period *p = c->p;

	collect_actions(c, "SELECT fault, experiment, target, count(*), sum(ok) FROM "
	    "chaos_runs WHERE started_at >= ?1 AND started_at < ?2 GROUP BY experiment, "
	    "fault, target ORDER BY 4 DESC, 2", &p->chaos);
	collect_percentiles(c, "SELECT CAST(r.mttr_ms AS INTEGER) FROM chaos_results r JOIN "
	    "chaos_runs x ON x.id = r.run_id WHERE x.started_at >= ?1 AND x.started_at < ?2 "
	    "AND r.mttr_ms IS NOT NULL ORDER BY 1", &p->chaos_mttr_p50, &p->chaos_mttr_p90);
	collect_counts(c, "SELECT source, count(*) FROM chaos_runs WHERE started_at >= ?1 AND "
	    "started_at < ?2 AND source IS NOT NULL GROUP BY source ORDER BY 2 DESC, 1",
	    &p->chaos_imported);
}

static int
collect_period(sqlite3 *db, struct report_period *p, int64_t start, int64_t end)
{
	struct collect c = { .db = db, .p = p, .rc = SQLITE_OK };

	collect_period_init(p, start, end);
	collect_incidents(&c);
	collect_patterns(&c);
	collect_healing(&c);
	collect_history(&c);
	collect_chaos(&c);
	if (c.rc == SQLITE_OK)
		c.rc = report_collect_targets(db, p);
	return c.rc;
}

static void
report_counts_free(struct report_counts *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
}

static void
report_actions_free(struct report_actions *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->v[i].category);
		free(a->v[i].action);
		free(a->v[i].target);
	}
	free(a->v);
}

static void
report_period_free(struct report_period *p)
{
	size_t i;

	for (i = 0; i < p->n_targets; i++) {
		free(p->targets[i].kind);
		free(p->targets[i].name);
	}
	free(p->targets);
	for (i = 0; i < p->n_patterns; i++) {
		free(p->patterns[i].target);
		free(p->patterns[i].root_cause);
	}
	free(p->patterns);
	for (i = 0; i < p->n_dep_changes; i++) {
		free(p->dep_changes[i].check);
		free(p->dep_changes[i].dependency);
		free(p->dep_changes[i].old_version);
		free(p->dep_changes[i].new_version);
	}
	free(p->dep_changes);
	report_counts_free(&p->by_category);
	report_counts_free(&p->by_severity);
	report_counts_free(&p->by_resolution);
	report_counts_free(&p->anomalies);
	report_counts_free(&p->changes);
	report_counts_free(&p->snapshots);
	report_counts_free(&p->alerts);
	report_counts_free(&p->alert_failures);
	report_actions_free(&p->per_action);
	report_actions_free(&p->per_category);
	report_actions_free(&p->per_target);
	report_actions_free(&p->procedures);
	report_actions_free(&p->chaos);
	report_counts_free(&p->chaos_imported);
}

void
report_free(struct report *r)
{
	size_t i;

	if (r == NULL)
		return;
	report_period_free(&r->cur);
	if (r->prev != NULL)
		report_period_free(r->prev);
	free(r->prev);
	for (i = 0; i < r->n_advice; i++)
		free(r->advice[i].text);
	free(r->advice);
	free(r);
}

/*
 * One read transaction for both periods, so that a daemon writing
 * meanwhile cannot make them disagree.
 */
struct report *
report_collect(sqlite3 *db, int64_t start_ms, int64_t end_ms, bool compare, char *err,
    size_t errlen)
{
	struct report *r = xcalloc(1, sizeof(*r));
	int rc;

	r->generated_ms = end_ms;
	if ((rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK)
		goto fail;
	rc = collect_period(db, &r->cur, start_ms, end_ms);
	if (rc == SQLITE_OK && compare) {
		r->prev = xcalloc(1, sizeof(*r->prev));
		rc = collect_period(db, r->prev, start_ms - (end_ms - start_ms), start_ms);
	}
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	report_advise(r);
	return r;
fail:
	snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	report_free(r);
	return NULL;
}

int64_t
report_count_of(const struct report_counts *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return c->v[i].n;
	return 0;
}
