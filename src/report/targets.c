/*
 * Availability, flaps, restarts and anomalies from state_changes. The
 * table's only index is (target, ts), so the targets are found by a skip
 * scan (the next name after the last one, each a seek), and each target's
 * rows are read by a range on that index: the state it was in when the
 * period began, then its changes in the period, in order.
 */
#include "report/report_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static const char next_target_sql[] =
    "SELECT min(target) FROM state_changes WHERE target > ?1";
static const char before_sql[] =
    "SELECT to_state FROM state_changes WHERE target = ?1 AND kind = ?2 AND ts < ?3"
    " ORDER BY ts DESC, id DESC LIMIT 1";
static const char window_sql[] =
    "SELECT kind, ts, from_state, to_state FROM state_changes"
    " WHERE target = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts, id";

enum { KIND_CHECK, KIND_SERVICE, KIND_N };
static const char *const kind_names[KIND_N] = { "check", "service" };

/* One kind of a target while its rows are read. */
struct walk {
	struct report_target t;
	char		*state;		/* NULL: not known yet */
	int64_t		 since;		/* when it took that state */
	bool		 seen;
};

struct targets {
	sqlite3		*db;
	struct report_period *p;
	sqlite3_stmt	*next, *before, *window;
};

/* A check answers while healthy or warning; a service while up. */
static bool
state_up(int kind, const char *s)
{
	if (kind == KIND_CHECK)
		return strcmp(s, "healthy") == 0 || strcmp(s, "warning") == 0;
	return strcmp(s, "up") == 0;
}

static bool
state_failing(int kind, const char *s)
{
	if (s == NULL)
		return false;
	if (kind == KIND_CHECK)
		return strcmp(s, "critical") == 0;
	return strcmp(s, "backoff") == 0 || strcmp(s, "failed") == 0;
}

/* The time from w->since to until in w's state; unknown is not observed. */
static void
walk_account(struct walk *w, int kind, int64_t until)
{
	int64_t d = until - w->since;

	if (w->state == NULL || d <= 0 || strcmp(w->state, "unknown") == 0)
		return;
	w->t.observed_ms += d;
	if (state_up(kind, w->state))
		w->t.up_ms += d;
}

static void
walk_change(struct walk *w, int kind, int64_t ts, const char *from, const char *to)
{
	walk_account(w, kind, ts);
	w->seen = true;
	w->t.changes++;
	if (state_failing(kind, to) && !state_failing(kind, from))
		w->t.failures++;
	if (kind == KIND_SERVICE) {
		w->t.starts += strcmp(to, "starting") == 0;
		w->t.backoffs += strcmp(to, "backoff") == 0;
		w->t.gave_up += strcmp(to, "failed") == 0;
	}
	free(w->state);
	w->state = xstrdup(to);
	w->since = ts;
}

/* The state target's kind had when the period began, if tend knew it. */
static int
targets_before(struct targets *ts, const char *target, int kind, struct walk *w)
{
	const unsigned char *s;
	int rc;

	sqlite3_reset(ts->before);
	sqlite3_bind_text(ts->before, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(ts->before, 2, kind_names[kind], -1, SQLITE_STATIC);
	sqlite3_bind_int64(ts->before, 3, ts->p->start_ms);
	rc = sqlite3_step(ts->before);
	if (rc == SQLITE_ROW && (s = sqlite3_column_text(ts->before, 0)) != NULL) {
		w->state = xstrdup((const char *)s);
		w->since = ts->p->start_ms;
		w->seen = true;
	}
	sqlite3_reset(ts->before);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void
targets_anomaly(struct report_period *p, const char *series)
{
	size_t i;

	for (i = 0; i < p->anomalies.n; i++)
		if (strcmp(p->anomalies.v[i].name, series) == 0) {
			p->anomalies.v[i].n++;
			return;
		}
	p->anomalies.v = xgrow(p->anomalies.v, p->anomalies.n, sizeof(*p->anomalies.v));
	p->anomalies.v[p->anomalies.n].name = xstrdup(series);
	p->anomalies.v[p->anomalies.n++].n = 1;
}

static int
targets_window(struct targets *ts, const char *target, struct walk *w)
{
	const char *kind, *from, *to;
	int k, rc;

	sqlite3_reset(ts->window);
	sqlite3_bind_text(ts->window, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ts->window, 2, ts->p->start_ms);
	sqlite3_bind_int64(ts->window, 3, ts->p->end_ms);
	while ((rc = sqlite3_step(ts->window)) == SQLITE_ROW) {
		kind = (const char *)sqlite3_column_text(ts->window, 0);
		from = (const char *)sqlite3_column_text(ts->window, 2);
		to = (const char *)sqlite3_column_text(ts->window, 3);
		if (kind == NULL || to == NULL)
			continue;
		if (strcmp(kind, "anomaly") == 0) {
			if (strcmp(to, "anomaly") == 0)
				targets_anomaly(ts->p, target);
			continue;
		}
		for (k = 0; k < KIND_N && strcmp(kind, kind_names[k]) != 0; k++)
			;
		if (k < KIND_N)
			walk_change(&w[k], k, sqlite3_column_int64(ts->window, 1), from, to);
	}
	sqlite3_reset(ts->window);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void
targets_keep(struct report_period *p, const char *target, int kind, struct walk *w)
{
	struct report_target *t;

	walk_account(w, kind, p->end_ms);
	free(w->state);
	if (!w->seen)
		return;
	p->targets = xgrow(p->targets, p->n_targets, sizeof(*p->targets));
	t = &p->targets[p->n_targets++];
	*t = w->t;
	t->kind = xstrdup(kind_names[kind]);
	t->name = xstrdup(target);
	t->availability = t->observed_ms > 0 ? (double)t->up_ms / (double)t->observed_ms : -1;
}

static int
targets_one(struct targets *ts, const char *target)
{
	struct walk w[KIND_N];
	int k, rc = SQLITE_OK;

	memset(w, 0, sizeof(w));
	for (k = 0; k < KIND_N && rc == SQLITE_OK; k++)
		rc = targets_before(ts, target, k, &w[k]);
	if (rc == SQLITE_OK)
		rc = targets_window(ts, target, w);
	for (k = 0; k < KIND_N; k++)
		targets_keep(ts->p, target, k, &w[k]);
	return rc;
}

/* Services first, then checks, each by name: the order every format shows. */
static int
targets_cmp(const void *a, const void *b)
{
	const struct report_target *x = a, *y = b;
	int c = strcmp(y->kind, x->kind);

	return c != 0 ? c : strcmp(x->name, y->name);
}

int
report_collect_targets(sqlite3 *db, struct report_period *p)
{
	struct targets ts = { .db = db, .p = p };
	char *target = NULL;
	const unsigned char *s;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, next_target_sql, -1, &ts.next, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(db, before_sql, -1, &ts.before, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(db, window_sql, -1, &ts.window, NULL)) != SQLITE_OK)
		goto done;
	/* '' sorts before every other text: the first seek finds the first name. */
	target = xstrdup("");
	for (;;) {
		sqlite3_bind_text(ts.next, 1, target, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(ts.next);
		if (rc != SQLITE_ROW || (s = sqlite3_column_text(ts.next, 0)) == NULL)
			break;
		free(target);
		target = xstrdup((const char *)s);
		sqlite3_reset(ts.next);
		if ((rc = targets_one(&ts, target)) != SQLITE_OK)
			goto done;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	/* An empty store has no array: qsort must not be given NULL. */
	if (p->n_targets > 0)
		qsort(p->targets, p->n_targets, sizeof(*p->targets), targets_cmp);
done:
	free(target);
	sqlite3_finalize(ts.next);
	sqlite3_finalize(ts.before);
	sqlite3_finalize(ts.window);
	return rc;
}
