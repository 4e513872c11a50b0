/*
 * A month of history as tend holds it after its roll-ups and retention, for
 * CHECKS checks run every EVERY seconds, each with SERIES metric series
 * (check.cN.latency_ms, then check.cN.m1, ...; a tcp or http check has two:
 * latency_ms and time). The schema is made by tend's store_open; the rows
 * go into the same tables the daemon writes (check_names, check_runs,
 * metric_series, metric_samples, state_changes, error_incidents,
 * healing_attempts, store_meta), written in the key's order for speed:
 *   check runs and raw samples   the last 24 h (+ BACKLOG minutes)
 *   1-minute averages            the last 7 d (+ BACKLOG) up to the watermark
 *   1-hour averages              DAYS days up to the watermark
 *   incidents                    INCIDENTS a day over DAYS days, each with
 *                                1 or 2 healing attempts and its check's
 *                                state changes (its runs critical meanwhile)
 * The watermarks stand BACKLOG minutes back, and the oldest BACKLOG
 * minutes of each level are past their retention: the daemon's first pass
 * has that much to roll up and delete, as after BACKLOG minutes down.
 * A minute's average is that of its raw runs, as the roll-up makes it; an
 * hour's, of one run a minute.
 *
 * usage: genhistory DB [CHECKS [EVERY [SERIES [DAYS [INCIDENTS [BACKLOG]]]]]]
 *        (10000 10 2 30 1000 10); prints what it wrote.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/clock.h"
#include "store/store.h"

#define MIN_MS	60000LL
#define HOUR_MS	3600000LL
#define DAY_MS	(24 * HOUR_MS)

struct gen {
	sqlite3		*db;
	sqlite3_stmt	*run, *sample;
	int		 checks, every_ms, series, days, per_day, backlog_ms;
	int64_t		 now, minute_mark, hour_mark;
	int64_t		*inc_from, *inc_to;	/* per check, its incident in the raw window */
	long long	 runs, samples;
};

static void
die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "genhistory: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
	exit(1);
}

static void
exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(db, sql);
}

static void
step(sqlite3 *db, sqlite3_stmt *stmt)
{
	if (sqlite3_step(stmt) != SQLITE_DONE)
		die(db, "insert");
	sqlite3_reset(stmt);
}

/* A latency that wanders a little, the same for the same check and time. */
static double
latency(int check, int64_t ts)
{
	uint64_t x = (uint64_t)check * 0x9e3779b97f4a7c15ULL ^ (uint64_t)ts * 0xbf58476d1ce4e5b9ULL;

	x ^= x >> 31;
	return 0.3 + (double)(x % 1000) / 1000.0 + 0.2 * sin((double)ts / 3.6e6);
}

static double
value(int check, int s, int64_t ts)
{
	return s == 0 ? latency(check, ts) : latency(check, ts) / 1000.0 * s;
}

static void
sample(struct gen *g, int64_t series, int64_t resolution, int64_t ts, double v)
{
	sqlite3_bind_int64(g->sample, 1, series);
	sqlite3_bind_int64(g->sample, 2, resolution);
	sqlite3_bind_int64(g->sample, 3, ts);
	sqlite3_bind_double(g->sample, 4, v);
	step(g->db, g->sample);
	g->samples++;
}

/* The time of check c's first run at or after t. */
static int64_t
first_run(const struct gen *g, int c, int64_t t)
{
	int64_t offset = (int64_t)c * 997 % g->every_ms;

	return (t - offset + g->every_ms - 1) / g->every_ms * g->every_ms + offset;
}

/* Average of check c's series s over [from, to) at raw resolution. */
static double
raw_avg(const struct gen *g, int c, int s, int64_t from, int64_t to, int *n)
{
	double sum = 0;
	int64_t t;

	*n = 0;
	for (t = first_run(g, c, from); t < to; t += g->every_ms, (*n)++)
		sum += value(c, s, t);
	return *n ? sum / *n : 0;
}

static void
one_series(struct gen *g, int c, int s, int64_t id)
{
	int64_t raw_from = g->now - DAY_MS - g->backlog_ms;
	int64_t minute_from = (g->now - 7 * DAY_MS - g->backlog_ms) / MIN_MS * MIN_MS;
	int64_t hour_from = (g->now - g->days * DAY_MS) / HOUR_MS * HOUR_MS, t, m;
	double sum;
	int n, k;

	for (t = first_run(g, c, raw_from); t <= g->now; t += g->every_ms)
		sample(g, id, 0, t, value(c, s, t));
	for (t = minute_from; t < g->minute_mark; t += MIN_MS)
		if ((sum = raw_avg(g, c, s, t, t + MIN_MS, &n)), n > 0)
			sample(g, id, MIN_MS, t, sum);
	/* An hour: its minutes' values, one run each (a month of every run is slow to make). */
	for (t = hour_from; t < g->hour_mark; t += HOUR_MS) {
		for (sum = 0, k = 0, m = t; m < t + HOUR_MS; m += MIN_MS, k++)
			sum += value(c, s, first_run(g, c, m));
		sample(g, id, HOUR_MS, t, sum / k);
	}
}

static void
one_check(struct gen *g, int c)
{
	int64_t t;
	char msg[64];
	bool down;
	int s;

	for (t = first_run(g, c, g->now - DAY_MS - g->backlog_ms); t <= g->now;
	    t += g->every_ms) {
		down = t >= g->inc_from[c] && t < g->inc_to[c];
		if (down)
			snprintf(msg, sizeof(msg), "127.0.0.1:%d: connection refused", 20000 + c);
		else
			snprintf(msg, sizeof(msg), "127.0.0.1:%d accepted in 0ms", 20000 + c);
		sqlite3_bind_int64(g->run, 1, c + 1);
		sqlite3_bind_int64(g->run, 2, t);
		sqlite3_bind_text(g->run, 3, down ? "critical" : "healthy", -1, SQLITE_STATIC);
		sqlite3_bind_double(g->run, 4, latency(c, t));
		sqlite3_bind_text(g->run, 5, msg, -1, SQLITE_TRANSIENT);
		step(g->db, g->run);
		g->runs++;
	}
	for (s = 0; s < g->series; s++)
		one_series(g, c, s, (int64_t)c * g->series + s + 1);
}

static int
by_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Incidents, oldest first, as the healer writes them: a check critical for
 * 30 s to 10 min, a restart (and a second one for every fourth), healed.
 */
static long long
incidents(struct gen *g)
{
	long long n = (long long)g->per_day * g->days, i;
	int64_t *at = malloc((size_t)n * 2 * sizeof(*at)), d, mttr;
	sqlite3_stmt *inc, *att, *chg;
	char name[32], svc[32];
	int c, tries, k;

	srand(16);
	for (i = 0; i < n; i++) {
		at[2 * i] = g->now - g->days * DAY_MS + (int64_t)((double)rand() / RAND_MAX *
		    (g->days * DAY_MS - 15 * MIN_MS));
		at[2 * i + 1] = rand() % g->checks;
	}
	qsort(at, (size_t)n, 2 * sizeof(*at), by_time);
	if (sqlite3_prepare_v2(g->db, "INSERT INTO error_incidents (id, target, service, "
	    "error_type, category, severity, detected_at, resolved_at, root_cause, diagnosis, "
	    "actions_taken, effectiveness_score, mttd_ms, mttr_ms, phase, symptoms, attempts, "
	    "resolution, updated_at) VALUES (?1, ?2, NULL, 'check', 'network', 'critical', ?3, "
	    "?4, 'connection refused', 'the port did not answer', ?5, 1.0, 2000, ?6, "
	    "'resolved', ?7, ?8, 'healed', ?4)", -1, &inc, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(g->db, "INSERT INTO healing_attempts (incident_id, action, "
	    "started_at, ended_at, outcome, detail) VALUES (?1, 'restart', ?2, ?3, ?4, ?5)",
	    -1, &att, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(g->db, "INSERT INTO state_changes (ts, kind, target, service, "
	    "from_state, to_state, message) VALUES (?1, 'check', ?2, NULL, ?3, ?4, ?5)", -1,
	    &chg, NULL) != SQLITE_OK)
		die(g->db, "prepare incidents");
	for (i = 0; i < n; i++) {
		d = at[2 * i];
		c = (int)at[2 * i + 1];
		tries = i % 4 == 0 ? 2 : 1;
		mttr = 30000 + (int64_t)(rand() % 570) * 1000;
		snprintf(name, sizeof(name), "c%d", c);
		snprintf(svc, sizeof(svc), "[\"c%d\"]", c);
		if (d + mttr > g->now - DAY_MS - g->backlog_ms) {
			g->inc_from[c] = d;
			g->inc_to[c] = d + mttr;
		}
		sqlite3_bind_int64(inc, 1, i + 1);
		sqlite3_bind_text(inc, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(inc, 3, d);
		sqlite3_bind_int64(inc, 4, d + mttr);
		sqlite3_bind_text(inc, 5, tries == 2 ? "[\"restart\",\"restart\"]" :
		    "[\"restart\"]", -1, SQLITE_STATIC);
		sqlite3_bind_int64(inc, 6, mttr);
		sqlite3_bind_text(inc, 7, svc, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(inc, 8, tries);
		step(g->db, inc);
		for (k = 0; k < tries; k++) {
			sqlite3_bind_int64(att, 1, i + 1);
			sqlite3_bind_int64(att, 2, d + 2000 + k * mttr / 2);
			sqlite3_bind_int64(att, 3, d + 4000 + k * mttr / 2);
			sqlite3_bind_text(att, 4, k + 1 < tries ? "not verified" : "healed", -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(att, 5, "restart", -1, SQLITE_STATIC);
			step(g->db, att);
		}
		for (k = 0; k < 2; k++) {
			sqlite3_bind_int64(chg, 1, k == 0 ? d : d + mttr);
			sqlite3_bind_text(chg, 2, name, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(chg, 3, k == 0 ? "healthy" : "critical", -1, SQLITE_STATIC);
			sqlite3_bind_text(chg, 4, k == 0 ? "critical" : "healthy", -1, SQLITE_STATIC);
			sqlite3_bind_text(chg, 5, k == 0 ? "connection refused" : "accepted", -1,
			    SQLITE_STATIC);
			step(g->db, chg);
		}
	}
	sqlite3_finalize(inc);
	sqlite3_finalize(att);
	sqlite3_finalize(chg);
	free(at);
	return n;
}

static void
names(struct gen *g)
{
	sqlite3_stmt *ck, *se;
	char name[64];
	int c, s;

	if (sqlite3_prepare_v2(g->db, "INSERT INTO check_names (id, name, service) "
	    "VALUES (?1, ?2, NULL)", -1, &ck, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(g->db, "INSERT INTO metric_series (id, name) VALUES (?1, ?2)",
	    -1, &se, NULL) != SQLITE_OK)
		die(g->db, "prepare names");
	for (c = 0; c < g->checks; c++) {
		snprintf(name, sizeof(name), "c%d", c);
		sqlite3_bind_int(ck, 1, c + 1);
		sqlite3_bind_text(ck, 2, name, -1, SQLITE_TRANSIENT);
		step(g->db, ck);
		for (s = 0; s < g->series; s++) {
			if (s == 0)
				snprintf(name, sizeof(name), "check.c%d.latency_ms", c);
			else
				snprintf(name, sizeof(name), "check.c%d.m%d", c, s);
			sqlite3_bind_int64(se, 1, (int64_t)c * g->series + s + 1);
			sqlite3_bind_text(se, 2, name, -1, SQLITE_TRANSIENT);
			step(g->db, se);
		}
	}
	sqlite3_finalize(ck);
	sqlite3_finalize(se);
}

int
main(int argc, char **argv)
{
	struct gen g = { 0 };
	struct store *st;
	char err[512], sql[256];
	long long incs;
	int c;

	if (argc < 2) {
		fprintf(stderr, "usage: genhistory DB [CHECKS [EVERY [SERIES [DAYS "
		    "[INCIDENTS [BACKLOG]]]]]]\n");
		return 2;
	}
	g.checks = argc > 2 ? atoi(argv[2]) : 10000;
	g.every_ms = (argc > 3 ? atoi(argv[3]) : 10) * 1000;
	g.series = argc > 4 ? atoi(argv[4]) : 2;
	g.days = argc > 5 ? atoi(argv[5]) : 30;
	g.per_day = argc > 6 ? atoi(argv[6]) : 1000;
	g.backlog_ms = (argc > 7 ? atoi(argv[7]) : 10) * (int)MIN_MS;
	g.now = clock_wall_ms();
	g.minute_mark = (g.now - g.backlog_ms) / MIN_MS * MIN_MS;
	g.hour_mark = g.minute_mark / HOUR_MS * HOUR_MS;
	/* The schema as tend makes it. */
	if ((st = store_open(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, "genhistory: %s\n", err);
		return 1;
	}
	store_close(st);
	if (sqlite3_open(argv[1], &g.db) != SQLITE_OK)
		die(g.db, argv[1]);
	/* Bulk: no journal while writing; WAL again, as tend has it, at the end. */
	exec(g.db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
	    "PRAGMA cache_size = -262144; BEGIN");
	g.inc_from = calloc((size_t)g.checks, sizeof(*g.inc_from));
	g.inc_to = calloc((size_t)g.checks, sizeof(*g.inc_to));
	names(&g);
	incs = incidents(&g);
	if (sqlite3_prepare_v2(g.db, "INSERT INTO check_runs (check_id, ts, state, latency_ms, "
	    "message) VALUES (?1, ?2, ?3, ?4, ?5)", -1, &g.run, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(g.db, "INSERT INTO metric_samples (series, resolution, ts, "
	    "value) VALUES (?1, ?2, ?3, ?4)", -1, &g.sample, NULL) != SQLITE_OK)
		die(g.db, "prepare");
	for (c = 0; c < g.checks; c++) {
		one_check(&g, c);
		if (c % 500 == 499) {
			exec(g.db, "COMMIT; BEGIN");
			fprintf(stderr, "\r%d checks", c + 1);
		}
	}
	sqlite3_finalize(g.run);
	sqlite3_finalize(g.sample);
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO store_meta (key, value) VALUES "
	    "('rollup.minute', %lld), ('rollup.hour', %lld)", (long long)g.minute_mark,
	    (long long)g.hour_mark);
	exec(g.db, sql);
	exec(g.db, "COMMIT; PRAGMA journal_mode = WAL");
	sqlite3_close(g.db);
	fprintf(stderr, "\n");
	printf("checks %d every %d s, series %d, days %d: %lld check runs, %lld samples, "
	    "%lld incidents; now %lld, watermarks minute %lld hour %lld\n", g.checks,
	    g.every_ms / 1000, g.series, g.days, g.runs, g.samples, incs, (long long)g.now,
	    (long long)g.minute_mark, (long long)g.hour_mark);
	free(g.inc_from);
	free(g.inc_to);
	return 0;
}
