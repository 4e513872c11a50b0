/*
 * The endpoints that read history from the store: their arguments checked
 * on the web thread, their reads run by the reader thread (reader.c), on a
 * read-only connection: WAL lets it read while the daemon writes, and
 * neither the loop nor the web thread waits for it.
 */
#include "web/web_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/units.h"
#include "core/clock.h"
#include "core/mem.h"
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

/* The database's error as a read's answer: a 500 saying it; NULL. */
static json_t *
web_store_failed(sqlite3 *db, unsigned *status, char *err, size_t errlen)
{
	*status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	snprintf(err, errlen, "store: %s", sqlite3_errmsg(db));
	return NULL;
}

/* A list read from the store, {key: [...]}; a NULL list is the database's error. */
static json_t *
web_list_answer(sqlite3 *db, const char *key, json_t *list, unsigned *status, char *err,
    size_t errlen)
{
	if (db == NULL)
		return json_pack("{s:[]}", key);
	if (list == NULL)
		return web_store_failed(db, status, err, errlen);
	return json_pack("{s:o}", key, list);
}

static json_t *
read_incidents(struct web_server *ws, sqlite3 *db, const struct web_query *q,
    unsigned *status, char *err, size_t errlen)
{
	return web_list_answer(db, "incidents", db != NULL ? store_read_incidents(db, q->flag,
	    q->since, q->limit) : NULL, status, err, errlen);
}

enum MHD_Result
web_get_incidents(struct web_server *ws, struct MHD_Connection *conn,
    struct web_request *req)
{
	enum MHD_Result ret = MHD_NO;
	struct web_query q = { 0 };

	if (web_arg_bool(conn, "open", &q.flag, &ret) < 0 ||
	    web_arg_limit(conn, INCIDENTS_DEFAULT_LIMIT, &q.limit, &ret) < 0 ||
	    web_arg_since(conn, "since", 3650LL * 24 * 3600 * 1000, &q.since, &ret) < 0)
		return ret;
	return web_read(ws, conn, req, read_incidents, &q);
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

static json_t *
read_metric(struct web_server *ws, sqlite3 *db, const struct web_query *q,
    unsigned *status, char *err, size_t errlen)
{
	json_t *points = db != NULL ? store_read_metric(db, q->name, q->since, q->until,
	    q->step_ms) : json_array();

	if (points == NULL)
		return web_store_failed(db, status, err, errlen);
	if (json_array_size(points) == 0 && !q->flag) {
		json_decref(points);
		*status = MHD_HTTP_NOT_FOUND;
		snprintf(err, errlen, "no series named '%s' (GET /api/metrics lists them), and "
		    "none of that name recorded in this range", q->name);
		return NULL;
	}
	return json_pack("{s:s, s:I, s:I, s:o}", "series", q->name, "since",
	    (json_int_t)q->since, "step_ms", (json_int_t)q->step_ms, "points", points);
}

enum MHD_Result
web_get_metric(struct web_server *ws, struct MHD_Connection *conn, struct web_request *req,
    const char *series)
{
	enum MHD_Result ret = MHD_NO;
	const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "step");
	const char *expected;
	struct web_query q = { 0 };

	q.until = clock_wall_ms();
	if (web_arg_since(conn, "since", 3600 * 1000, &q.since, &ret) < 0)
		return ret;
	if (v != NULL && (units_parse_duration(v, &q.step_ms, &expected) < 0 ||
	    q.step_ms < 1000))
		return web_send_error(conn, MHD_HTTP_BAD_REQUEST,
		    "'step': expected a duration of at least 1s, got '%s'", v);
	if (q.step_ms == 0)
		q.step_ms = (q.until - q.since) / METRIC_POINTS > 1000 ?
		    (q.until - q.since) / METRIC_POINTS : 1000;
	q.flag = web_series_known(ws, series);
	q.name = xstrdup(series);
	return web_read(ws, conn, req, read_metric, &q);
}

static json_t *
read_alerts(struct web_server *ws, sqlite3 *db, const struct web_query *q,
    unsigned *status, char *err, size_t errlen)
{
	return web_list_answer(db, "alerts", db != NULL ? store_query_alerts(db, q->limit) :
	    NULL, status, err, errlen);
}

enum MHD_Result
web_get_alerts(struct web_server *ws, struct MHD_Connection *conn,
    struct web_request *req)
{
	enum MHD_Result ret = MHD_NO;
	struct web_query q = { 0 };

	if (web_arg_limit(conn, ALERTS_DEFAULT_LIMIT, &q.limit, &ret) < 0)
		return ret;
	return web_read(ws, conn, req, read_alerts, &q);
}

static json_t *
read_changes(struct web_server *ws, sqlite3 *db, const struct web_query *q,
    unsigned *status, char *err, size_t errlen)
{
	return web_list_answer(db, "changes", db != NULL ? store_read_changes(db, q->since,
	    q->limit) : NULL, status, err, errlen);
}

enum MHD_Result
web_get_changes(struct web_server *ws, struct MHD_Connection *conn,
    struct web_request *req)
{
	enum MHD_Result ret = MHD_NO;
	struct web_query q = { 0 };

	if (web_arg_limit(conn, CHANGES_DEFAULT_LIMIT, &q.limit, &ret) < 0 ||
	    web_arg_since(conn, "since", CHANGES_DEFAULT_SINCE, &q.since, &ret) < 0)
		return ret;
	return web_read(ws, conn, req, read_changes, &q);
}

static json_t *
read_snapshots(struct web_server *ws, sqlite3 *db, const struct web_query *q,
    unsigned *status, char *err, size_t errlen)
{
	return web_list_answer(db, "snapshots", db != NULL ? store_read_snapshots(db, q->name,
	    q->limit) : NULL, status, err, errlen);
}

enum MHD_Result
web_get_snapshots(struct web_server *ws, struct MHD_Connection *conn,
    struct web_request *req)
{
	const char *set = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "set");
	enum MHD_Result ret = MHD_NO;
	struct web_query q = { 0 };

	if (web_arg_limit(conn, SNAPSHOTS_DEFAULT_LIMIT, &q.limit, &ret) < 0)
		return ret;
	if (set != NULL && *set == '\0')
		return web_send_error(conn, MHD_HTTP_BAD_REQUEST,
		    "'set': expected the name of a snapshot set");
	q.name = set != NULL ? xstrdup(set) : NULL;
	return web_read(ws, conn, req, read_snapshots, &q);
}

static json_t *
read_jobs(struct web_server *ws, sqlite3 *db, const struct web_query *q,
    unsigned *status, char *err, size_t errlen)
{
	return web_list_answer(db, "runs", db != NULL ? store_read_jobs(db, q->name, q->since,
	    q->limit) : NULL, status, err, errlen);
}

/* GET /api/jobs?name=NAME&since=7d&limit=100: the runs of tend job, newest first. */
enum MHD_Result
web_get_jobs(struct web_server *ws, struct MHD_Connection *conn,
    struct web_request *req)
{
	const char *name = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "name");
	enum MHD_Result ret = MHD_NO;
	struct web_query q = { 0 };

	if (web_arg_limit(conn, JOBS_DEFAULT_LIMIT, &q.limit, &ret) < 0 ||
	    web_arg_since(conn, "since", JOBS_DEFAULT_SINCE, &q.since, &ret) < 0)
		return ret;
	q.name = name != NULL && *name != '\0' ? xstrdup(name) : NULL;
	return web_read(ws, conn, req, read_jobs, &q);
}

static json_t *
read_report(struct web_server *ws, sqlite3 *db, const struct web_query *q,
    unsigned *status, char *err, size_t errlen)
{
	struct report *r;
	json_t *doc;

	if (db == NULL) {
		*status = MHD_HTTP_NOT_FOUND;
		snprintf(err, errlen, "no database yet: nothing recorded");
		return NULL;
	}
	if ((r = report_collect(db, q->since, q->until, q->flag, err, errlen)) == NULL) {
		*status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		return NULL;
	}
	doc = report_json(r);
	report_free(r);
	return doc;
}

/*
 * GET /api/report?since=7d&compare=1: tend report's JSON of the period
 * ending now, a bounded period (at most REPORT_SINCE_MAX, a year in about
 * 0.2 s) read on the reader thread.
 */
enum MHD_Result
web_get_report(struct web_server *ws, struct MHD_Connection *conn,
    struct web_request *req)
{
	enum MHD_Result ret = MHD_NO;
	struct web_query q = { 0 };
	int64_t span;

	if (web_arg_duration(conn, "since", REPORT_DEFAULT_SINCE, REPORT_SINCE_MAX, &span,
	    &ret) < 0 || web_arg_bool(conn, "compare", &q.flag, &ret) < 0)
		return ret;
	q.until = clock_wall_ms();
	q.since = q.until - span;
	return web_read(ws, conn, req, read_report, &q);
}
