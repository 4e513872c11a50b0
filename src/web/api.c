/*
 * The endpoints that read history from the store, on the web thread that
 * asks, through a read-only connection from a small pool: WAL lets them read
 * while the daemon writes, and the loop never waits for them.
 */
#include "web/web_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/units.h"
#include "core/clock.h"
#include "report/report.h"
#include "store/jobs.h"
#include "store/query.h"
#include "store/read.h"

#define INCIDENTS_DEFAULT_LIMIT	100
#define ALERTS_DEFAULT_LIMIT	50
#define CHANGES_DEFAULT_LIMIT	100
#define CHANGES_DEFAULT_SINCE	(30LL * 24 * 3600 * 1000)
#define SNAPSHOTS_DEFAULT_LIMIT	100
#define JOBS_DEFAULT_LIMIT	100
#define JOBS_DEFAULT_SINCE	(7LL * 24 * 3600 * 1000)
#define LIMIT_MAX		1000
#define METRIC_POINTS		300	/* default step: since / this */
#define REPORT_DEFAULT_SINCE	(7LL * 24 * 3600 * 1000)
#define REPORT_SINCE_MAX	(400LL * 24 * 3600 * 1000)

/* A pooled connection; NULL when there is no database yet (nothing recorded). */
static sqlite3 *
web_db_acquire(struct web_server *ws)
{
	struct stat sb;
	sqlite3 *db = NULL;
	char err[256];

	pthread_mutex_lock(&ws->lock);
	if (ws->n_dbs > 0)
		db = ws->dbs[--ws->n_dbs];
	pthread_mutex_unlock(&ws->lock);
	if (db != NULL || (stat(ws->db_path, &sb) < 0 && errno == ENOENT))
		return db;
	return store_read_open(ws->db_path, err, sizeof(err));
}

static void
web_db_release(struct web_server *ws, sqlite3 *db)
{
	if (db == NULL)
		return;
	pthread_mutex_lock(&ws->lock);
	if (ws->n_dbs < WEB_DB_POOL) {
		ws->dbs[ws->n_dbs++] = db;
		db = NULL;
	}
	pthread_mutex_unlock(&ws->lock);
	sqlite3_close(db);
}

void
web_db_close_all(struct web_server *ws)
{
	while (ws->n_dbs > 0)
		sqlite3_close(ws->dbs[--ws->n_dbs]);
}

/* ?name=DURATION, at most max_ms; 0, or -1 after answering 400. */
static int
web_arg_duration(struct MHD_Connection *conn, const char *name, int64_t fallback_ms,
    int64_t max_ms, int64_t *out_ms, enum MHD_Result *ret)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
	const char *expected;
	int64_t ms = fallback_ms;

	if (v != NULL && (units_parse_duration(v, &ms, &expected) < 0 || ms <= 0)) {
		*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST,
		    "'%s': expected a duration like 90s, 1h or 7d, got '%s'", name, v);
		return -1;
	}
	if (ms > max_ms) {
		*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST,
		    "'%s': at most %lldd, got '%s'", name, (long long)(max_ms / 86400000), v);
		return -1;
	}
	*out_ms = ms;
	return 0;
}

/* ?name=DURATION counted back from now; 0, or -1 after answering 400. */
static int
web_arg_since(struct MHD_Connection *conn, const char *name, int64_t fallback_ms,
    int64_t *since_ms, enum MHD_Result *ret)
{
	int64_t ms;

	if (web_arg_duration(conn, name, fallback_ms, INT64_MAX / 2, &ms, ret) < 0)
		return -1;
	*since_ms = clock_wall_ms() - ms;
	return 0;
}

/* ?name=N with lo <= N <= hi, else fallback; 0, or -1 after answering 400. */
int
web_arg_number(struct MHD_Connection *conn, const char *name, long lo, long hi,
    long fallback, long *out, enum MHD_Result *ret)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
	char *end;
	long n;

	*out = fallback;
	if (v == NULL)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi) {
		*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST,
		    "'%s': expected a number from %ld to %ld, got '%s'", name, lo, hi, v);
		return -1;
	}
	*out = n;
	return 0;
}

/* ?limit=N with 1 <= N <= LIMIT_MAX; 0, or -1 after answering 400. */
static int
web_arg_limit(struct MHD_Connection *conn, int fallback, int *limit, enum MHD_Result *ret)
{
	long n;

	if (web_arg_number(conn, "limit", 1, LIMIT_MAX, fallback, &n, ret) < 0)
		return -1;
	*limit = (int)n;
	return 0;
}

/* ?open=1|true|0|false */
static int
web_arg_bool(struct MHD_Connection *conn, const char *name, bool *out, enum MHD_Result *ret)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);

	*out = false;
	if (v == NULL || strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
		return 0;
	if (*v == '\0' || strcmp(v, "1") == 0 || strcmp(v, "true") == 0) {
		*out = true;
		return 0;
	}
	*ret = web_send_error(conn, MHD_HTTP_BAD_REQUEST,
	    "'%s': expected 1, 0, true or false, got '%s'", name, v);
	return -1;
}

static enum MHD_Result
web_db_failed(struct MHD_Connection *conn, sqlite3 *db)
{
	return web_send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s",
	    db != NULL ? sqlite3_errmsg(db) : "not readable");
}

/* A list read from the store, answered as {key: [...]}; NULL read means a database error. */
static enum MHD_Result
web_send_list(struct MHD_Connection *conn, sqlite3 *db, const char *key, json_t *list)
{
	if (list == NULL)
		return web_db_failed(conn, db);
	return web_send_json(conn, MHD_HTTP_OK, json_pack("{s:o}", key, list));
}

enum MHD_Result
web_get_incidents(struct web_server *ws, struct MHD_Connection *conn)
{
	enum MHD_Result ret = MHD_NO;
	int64_t since;
	bool open;
	int limit;
	sqlite3 *db;

	if (web_arg_bool(conn, "open", &open, &ret) < 0 ||
	    web_arg_limit(conn, INCIDENTS_DEFAULT_LIMIT, &limit, &ret) < 0 ||
	    web_arg_since(conn, "since", 3650LL * 24 * 3600 * 1000, &since, &ret) < 0)
		return ret;
	db = web_db_acquire(ws);
	ret = web_send_list(conn, db, "incidents", db != NULL ?
	    store_read_incidents(db, open, since, limit) : json_array());
	web_db_release(ws, db);
	return ret;
}

/*
 * Listed now. A series no longer listed (a check removed) is still served
 * while the store has points of it in the range asked for.
 */
static bool
web_series_known(struct web_server *ws, const char *series)
{
	struct web_snapshot *snap = web_current(ws);
	bool known = snap != NULL && web_snapshot_has_series(snap, series);

	web_snapshot_unref(snap);
	return known;
}

enum MHD_Result
web_get_metric(struct web_server *ws, struct MHD_Connection *conn, const char *series)
{
	enum MHD_Result ret = MHD_NO;
	int64_t since, now = clock_wall_ms(), step = 0;
	const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "step");
	const char *expected;
	json_t *points;
	sqlite3 *db;

	if (web_arg_since(conn, "since", 3600 * 1000, &since, &ret) < 0)
		return ret;
	if (v != NULL && (units_parse_duration(v, &step, &expected) < 0 || step < 1000))
		return web_send_error(conn, MHD_HTTP_BAD_REQUEST,
		    "'step': expected a duration of at least 1s, got '%s'", v);
	if (step == 0)
		step = (now - since) / METRIC_POINTS > 1000 ? (now - since) / METRIC_POINTS : 1000;
	db = web_db_acquire(ws);
	points = db != NULL ? store_read_metric(db, series, since, now, step) : json_array();
	if (points == NULL)
		ret = web_db_failed(conn, db);
	else if (json_array_size(points) == 0 && !web_series_known(ws, series)) {
		json_decref(points);
		ret = web_send_error(conn, MHD_HTTP_NOT_FOUND, "no series named '%s' "
		    "(GET /api/metrics lists them), and none of that name recorded in "
		    "this range", series);
	} else
		ret = web_send_json(conn, MHD_HTTP_OK, json_pack("{s:s, s:I, s:I, s:o}",
		    "series", series, "since", (json_int_t)since, "step_ms", (json_int_t)step,
		    "points", points));
	web_db_release(ws, db);
	return ret;
}

enum MHD_Result
web_get_alerts(struct web_server *ws, struct MHD_Connection *conn)
{
	enum MHD_Result ret = MHD_NO;
	sqlite3 *db;
	int limit;

	if (web_arg_limit(conn, ALERTS_DEFAULT_LIMIT, &limit, &ret) < 0)
		return ret;
	db = web_db_acquire(ws);
	ret = web_send_list(conn, db, "alerts", db != NULL ? store_query_alerts(db, limit) :
	    json_array());
	web_db_release(ws, db);
	return ret;
}

enum MHD_Result
web_get_changes(struct web_server *ws, struct MHD_Connection *conn)
{
	enum MHD_Result ret = MHD_NO;
	int64_t since;
	sqlite3 *db;
	int limit;

	if (web_arg_limit(conn, CHANGES_DEFAULT_LIMIT, &limit, &ret) < 0 ||
	    web_arg_since(conn, "since", CHANGES_DEFAULT_SINCE, &since, &ret) < 0)
		return ret;
	db = web_db_acquire(ws);
	ret = web_send_list(conn, db, "changes", db != NULL ?
	    store_read_changes(db, since, limit) : json_array());
	web_db_release(ws, db);
	return ret;
}

enum MHD_Result
web_get_snapshots(struct web_server *ws, struct MHD_Connection *conn)
{
	const char *set = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "set");
	enum MHD_Result ret = MHD_NO;
	sqlite3 *db;
	int limit;

	if (web_arg_limit(conn, SNAPSHOTS_DEFAULT_LIMIT, &limit, &ret) < 0)
		return ret;
	if (set != NULL && *set == '\0')
		return web_send_error(conn, MHD_HTTP_BAD_REQUEST,
		    "'set': expected the name of a snapshot set");
	db = web_db_acquire(ws);
	ret = web_send_list(conn, db, "snapshots", db != NULL ?
	    store_read_snapshots(db, set, limit) : json_array());
	web_db_release(ws, db);
	return ret;
}

/* GET /api/jobs?name=NAME&since=7d&limit=100: the runs of tend job, newest first. */
enum MHD_Result
web_get_jobs(struct web_server *ws, struct MHD_Connection *conn)
{
	const char *name = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "name");
	enum MHD_Result ret = MHD_NO;
	int64_t since;
	sqlite3 *db;
	int limit;

	if (web_arg_limit(conn, JOBS_DEFAULT_LIMIT, &limit, &ret) < 0 ||
	    web_arg_since(conn, "since", JOBS_DEFAULT_SINCE, &since, &ret) < 0)
		return ret;
	db = web_db_acquire(ws);
	ret = web_send_list(conn, db, "runs", db != NULL ?
	    store_read_jobs(db, name != NULL && *name != '\0' ? name : NULL, since, limit) :
	    json_array());
	web_db_release(ws, db);
	return ret;
}

/*
 * GET /api/report?since=7d&compare=1: tend report's JSON of the period
 * ending now. It reads a bounded period (at most REPORT_SINCE_MAX, a year
 * in about 0.2 s) on this web thread, like every other history read.
 */
enum MHD_Result
web_get_report(struct web_server *ws, struct MHD_Connection *conn)
{
	enum MHD_Result ret = MHD_NO;
	int64_t span, now;
	struct report *r;
	bool compare;
	char err[256];
	sqlite3 *db;

	if (web_arg_duration(conn, "since", REPORT_DEFAULT_SINCE, REPORT_SINCE_MAX, &span,
	    &ret) < 0 || web_arg_bool(conn, "compare", &compare, &ret) < 0)
		return ret;
	if ((db = web_db_acquire(ws)) == NULL)
		return web_send_error(conn, MHD_HTTP_NOT_FOUND,
		    "no database yet: nothing recorded");
	now = clock_wall_ms();
	r = report_collect(db, now - span, now, compare, err, sizeof(err));
	if (r == NULL)
		ret = web_send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", err);
	else
		ret = web_send_json(conn, MHD_HTTP_OK, report_json(r));
	report_free(r);
	web_db_release(ws, db);
	return ret;
}
