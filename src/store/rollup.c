/*
 * Metric roll-ups and retention, in passes (every 5 minutes) done a slice
 * at a time. A watermark per resolution (store_meta) says up to where raw
 * samples have been averaged into minutes and minutes into hours; a pass
 * rolls up the complete buckets past it and deletes what is past its
 * retention (raw samples and check runs, minutes, hours), one metric series
 * or check at a time, each a few seeks in the key's order. A slice does
 * series and checks until its time is spent and commits, so that the loop
 * is never held longer than that, however many there are; the watermarks
 * move when the pass ends. A roll-up never replaces a bucket already
 * written: a pass cut short (tend killed) is simply done again.
 */
#include <stdbool.h>
#include <stdio.h>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"
#include "store/store_internal.h"

#define MINUTE_MS	60000LL
#define HOUR_MS		3600000LL
/*
 * Between the starts of two passes. Each pass rewrites a page or two of
 * every series (its newest minutes, its oldest raw samples): five minutes'
 * rows at once cost what one minute's would, and the minutes a chart of
 * more than a day reads are at most that late.
 */
#define PASS_EVERY_MS	(5 * 60000)
/* Rows one statement deletes at most: a series far behind takes several slices. */
#define PASS_DELETE_MAX	5000

const struct store_retention store_default_retention = {
	.raw_ms = 24 * HOUR_MS,
	.minute_ms = 7 * 24 * HOUR_MS,
	.hour_ms = 90 * 24 * HOUR_MS,
};

enum pass_stmt {
	PASS_ROLL,
	PASS_EXPIRE_SAMPLES,
	PASS_EXPIRE_RUNS,
	PASS_STMTS,
};

static const char *const pass_sql[PASS_STMTS] = {
	/* ?1 series, ?2 the resolution made, ?3 the one read, [?4, ?5) the time. */
	[PASS_ROLL] = "INSERT OR IGNORE INTO metric_samples (series, resolution, ts, value) "
	    "SELECT ?1, ?2, ts / ?2 * ?2, avg(value) FROM metric_samples "
	    "WHERE series = ?1 AND resolution = ?3 AND ts >= ?4 AND ts < ?5 GROUP BY ts / ?2",
	/* ?1 series, ?2 resolution: at most ?4 rows older than ?3, the oldest. */
	[PASS_EXPIRE_SAMPLES] = "DELETE FROM metric_samples WHERE series = ?1 AND "
	    "resolution = ?2 AND ts IN (SELECT ts FROM metric_samples WHERE series = ?1 AND "
	    "resolution = ?2 AND ts < ?3 ORDER BY ts LIMIT ?4)",
	/* ?1 check: at most ?3 runs older than ?2. */
	[PASS_EXPIRE_RUNS] = "DELETE FROM check_runs WHERE check_id = ?1 AND ts IN "
	    "(SELECT ts FROM check_runs WHERE check_id = ?1 AND ts < ?2 ORDER BY ts LIMIT ?3)",
};

/* A slice's statements, prepared for it. */
struct slice {
	struct store	*st;
	sqlite3		*db;
	sqlite3_stmt	*stmt[PASS_STMTS];
};

static int64_t
pass_read_int(sqlite3 *db, const char *sql, const char *key)
{
	sqlite3_stmt *stmt;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (key != NULL)
		sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static int64_t
pass_watermark(sqlite3 *db, const char *key)
{
	return pass_read_int(db, "SELECT value FROM store_meta WHERE key = ?1", key);
}

static int
pass_set_watermark(sqlite3 *db, const char *key, int64_t value)
{
	char sql[160];

	/* Built from a fixed key and an integer only. */
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO store_meta (key, value) "
	    "VALUES ('%s', %lld)", key, (long long)value);
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/*
 * Sets up a pass to now_ms; chunk > 0 bounds the rows each table loses in
 * the whole pass. Its roll-ups must see every sample before now_ms: its
 * slices wait until the rows queued by then are written (pass_read).
 */
static int
pass_begin(struct store *st, int64_t now_ms, const struct store_retention *keep,
    int64_t chunk)
{
	struct store_pass *p = &st->pass;
	int i;

	if (!store_ready(st))
		return -1;
	*p = (struct store_pass){ .running = true, .due = p->due, .began = clock_mono_ms(),
	    .after = st->added, .now = now_ms, .keep = *keep,
	    .minute_end = now_ms / MINUTE_MS * MINUTE_MS, .hour_end = now_ms / HOUR_MS * HOUR_MS };
	for (i = 0; i < PASS_TABLES; i++)
		p->left[i] = chunk > 0 ? chunk : -1;
	return 0;
}

/*
 * At its first slice, once those rows are in: the watermarks, and the
 * series and checks there are (those made later wait for the next pass:
 * their samples are all newer than now_ms).
 */
static int
pass_read(struct store *st)
{
	struct store_pass *p = &st->pass;
	sqlite3 *db = store_db(st);

	p->next_id = 1;
	p->minute_mark = pass_watermark(db, "rollup.minute");
	p->hour_mark = pass_watermark(db, "rollup.hour");
	p->last_series = pass_read_int(db, "SELECT coalesce(max(id), 0) FROM metric_series",
	    NULL);
	p->last_check = pass_read_int(db, "SELECT coalesce(max(id), 0) FROM check_names",
	    NULL);
	if (p->minute_mark < 0 || p->hour_mark < 0 || p->last_series < 0 || p->last_check < 0) {
		log_error(NULL, "store maintenance: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static int
slice_step(sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Averages [from, to) of resolution `of` into buckets of `into`. */
static int
slice_roll(struct slice *s, int64_t series, int64_t into, int64_t of, int64_t from,
    int64_t to)
{
	sqlite3_stmt *stmt = s->stmt[PASS_ROLL];

	if (to <= from)
		return 0;
	sqlite3_bind_int64(stmt, 1, series);
	sqlite3_bind_int64(stmt, 2, into);
	sqlite3_bind_int64(stmt, 3, of);
	sqlite3_bind_int64(stmt, 4, from);
	sqlite3_bind_int64(stmt, 5, to);
	return slice_step(stmt);
}

/*
 * Deletes rows of one series or check older than before, as many as the
 * table may still lose and PASS_DELETE_MAX at most: 1 when that bound cut
 * it short (there may be more), 0 when done, -1 on error.
 */
static int
slice_expire(struct slice *s, enum pass_table t, int64_t id, int64_t before)
{
	struct store_pass *p = &s->st->pass;
	int64_t limit = PASS_DELETE_MAX, n;
	sqlite3_stmt *stmt;
	int i = 1;

	if (p->left[t] == 0)
		return 0;
	if (p->left[t] > 0 && p->left[t] < limit)
		limit = p->left[t];
	if (t == PASS_RUNS) {
		stmt = s->stmt[PASS_EXPIRE_RUNS];
	} else {
		stmt = s->stmt[PASS_EXPIRE_SAMPLES];
		sqlite3_bind_int64(stmt, 2, t == PASS_RAW ? 0 : t == PASS_MINUTE ? MINUTE_MS :
		    HOUR_MS);
		i = 2;
	}
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, i + 1, before);
	sqlite3_bind_int64(stmt, i + 2, limit);
	if (slice_step(stmt) < 0)
		return -1;
	n = sqlite3_changes(s->db);
	p->deleted += n;
	if (p->left[t] > 0)
		p->left[t] -= n;
	return n == limit && limit == PASS_DELETE_MAX ? 1 : 0;
}

/* One series: its roll-ups, then its expiry. 1 when it is not done yet. */
static int
slice_series(struct slice *s, int64_t id)
{
	struct store_pass *p = &s->st->pass;
	int more = 0, rc;

	if (slice_roll(s, id, MINUTE_MS, 0, p->minute_mark, p->minute_end) < 0 ||
	    slice_roll(s, id, HOUR_MS, MINUTE_MS, p->hour_mark, p->hour_end) < 0)
		return -1;
	if ((rc = slice_expire(s, PASS_RAW, id, p->now - p->keep.raw_ms)) < 0)
		return -1;
	more |= rc;
	if ((rc = slice_expire(s, PASS_MINUTE, id, p->now - p->keep.minute_ms)) < 0)
		return -1;
	more |= rc;
	/* Hours go an hour at a time: in the pass that makes one. */
	rc = p->hour_end > p->hour_mark ? slice_expire(s, PASS_HOUR, id,
	    p->now - p->keep.hour_ms) : 0;
	return rc < 0 ? -1 : more | rc;
}

/* The series, then the checks, until the pass ends or the deadline passes. */
static int
slice_run(struct slice *s, int64_t deadline_ns)
{
	struct store_pass *p = &s->st->pass;
	bool one = false;
	int rc;

	for (;;) {
		if (!p->checks && p->next_id > p->last_series) {
			p->checks = true;
			p->next_id = 1;
		}
		if (p->checks && p->next_id > p->last_check) {
			p->running = false;
			return pass_set_watermark(s->db, "rollup.minute", p->minute_end) < 0 ||
			    pass_set_watermark(s->db, "rollup.hour", p->hour_end) < 0 ? -1 : 0;
		}
		/* At least one a slice, however short its time. */
		if (one && clock_mono_ns() >= deadline_ns)
			return 0;
		rc = p->checks ? slice_expire(s, PASS_RUNS, p->next_id,
		    p->now - p->keep.raw_ms) : slice_series(s, p->next_id);
		if (rc < 0)
			return -1;
		if (rc == 0)
			p->next_id++;
		one = true;
	}
}

/*
 * One slice in its own transaction: 0, or -1 (the pass is given up). A
 * slice with a budget (the loop's) is not done while another connection
 * holds the write lock: the next step tries again.
 */
static int
pass_slice(struct store *st, int64_t budget_ns, bool wait)
{
	struct slice s = { .st = st };
	int64_t start = clock_mono_ns();
	int i, rc = -1, busy;

	if (!store_ready(st) || (st->pass.next_id == 0 && pass_read(st) < 0))
		goto done;
	s.db = store_db(st);
	for (i = 0; i < PASS_STMTS; i++)
		if (sqlite3_prepare_v2(s.db, pass_sql[i], -1, &s.stmt[i], NULL) != SQLITE_OK)
			goto done;
	if (!wait) {
		if ((busy = store_begin_nowait(st)) != 0) {
			rc = busy > 0 ? 0 : -1;
			goto done;
		}
	} else if (sqlite3_exec(s.db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto done;
	if (slice_run(&s, start + budget_ns) < 0 ||
	    sqlite3_exec(s.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		log_error(NULL, "store maintenance: %s", sqlite3_errmsg(s.db));
		sqlite3_exec(s.db, "ROLLBACK", NULL, NULL, NULL);
		goto done;
	}
	rc = 0;
done:
	for (i = 0; i < PASS_STMTS; i++)
		sqlite3_finalize(s.stmt[i]);
	st->pass.work_ns += clock_mono_ns() - start;
	st->pass.slices++;
	if (rc < 0)
		st->pass.running = false;
	return rc;
}

/* Said when a pass ends; at info when it took a good part of the time between passes. */
static void
pass_ended(struct store *st)
{
	struct store_pass *p = &st->pass;
	int64_t took = clock_mono_ms() - p->began;

	log_msg(took >= PASS_EVERY_MS / 6 ? LOG_INFO : LOG_DEBUG, NULL, "store maintenance: "
	    "%lld series, %lld checks, %lld rows deleted in %d slices, %.1f ms of work over "
	    "%.1f s", (long long)p->last_series, (long long)p->last_check,
	    (long long)p->deleted, p->slices, (double)p->work_ns / 1e6, (double)took / 1000.0);
}

int
store_maintain_step(struct store *st, int64_t now_ms, const struct store_retention *keep,
    int budget_ms)
{
	struct store_pass *p = &st->pass;
	int64_t mono = clock_mono_ms();

	/* The writer thread's own store does the passes, off the loop. */
	if (st->writer != NULL)
		return 0;
	if (!p->running) {
		/* The first pass a period after the store is first asked. */
		if (p->due == 0)
			p->due = mono + PASS_EVERY_MS;
		if (mono < p->due)
			return 0;
		p->due = mono + PASS_EVERY_MS;
		if (pass_begin(st, now_ms, keep, 0) < 0)
			return -1;
	}
	if (st->taken < p->after)
		return 1;
	if (pass_slice(st, (int64_t)budget_ms * 1000000, st->waits) < 0)
		return -1;
	if (p->running)
		return 1;
	pass_ended(st);
	return 0;
}

int
store_maintain(struct store *st, int64_t now_ms, const struct store_retention *keep,
    int chunk)
{
	/* A pass the daemon had under way starts over, whole, here. */
	if (store_flush(st) < 0 || pass_begin(st, now_ms, keep, chunk) < 0)
		return -1;
	while (st->pass.running)
		if (pass_slice(st, INT64_MAX / 2, true) < 0)
			return -1;
	return (int)st->pass.deleted;
}
