/*
 * GET /api/snapshots/ID/diff[?to=ID2]: a snapshot against the live files,
 * or against another snapshot of its set. Made on the reader thread
 * (reader.c), one read at a time (a diff walks the set and runs diff(1)
 * per changed text file), with a store connection and a snapshot engine of
 * its own:
 * a diff writes nothing and takes no lock. What files hold is shown, so
 * the router lets only the token's holder in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "snapshot/snapshot.h"
#include "store/store.h"
#include "web/web_internal.h"

#define DIFF_MAX_CHANGES	500		/* listed; the rest counted */
#define DIFF_MAX_TEXT		(128 * 1024)	/* of one file's unified diff */

/* A snapshot id: digits, > 0; 0 when s is not one. */
static int64_t
diff_id(const char *s, const char *end)
{
	int64_t id = 0;

	if (s == end || end - s > 18)
		return 0;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		id = id * 10 + (*s - '0');
	}
	return id;
}

/* The set's missing paths are the snapshots' business, not the log's on every view. */
static void
diff_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* A long unified text cut at a line, and said so. */
static void
diff_trim(struct snapshot_diff *d)
{
	static const char cut[] = "\n... (cut: the whole diff is `tend snapshot diff`)\n";
	char *text, *nl;
	size_t i;

	for (i = 0; i < d->n; i++) {
		text = d->v[i].unified;
		if (text == NULL || strlen(text) <= DIFF_MAX_TEXT)
			continue;
		text[DIFF_MAX_TEXT] = '\0';
		if ((nl = strrchr(text, '\n')) != NULL)
			nl[0] = '\0';
		d->v[i].unified = xasprintf("%s%s", text, cut);
		free(text);
	}
}

struct diff_job {
	int64_t		 from, to;
	struct snapshot_info info;
	struct snapshot_diff d;
	unsigned	 status;	/* 200, or what went wrong */
	char		 err[512];
};

static void
diff_make(struct web_server *ws, struct diff_job *j)
{
	struct snapshot_engine *eng = NULL;
	struct snapshot_info other;
	struct store *st;
	int rc;

	j->status = MHD_HTTP_SERVICE_UNAVAILABLE;
	if ((st = store_open(ws->db_path, j->err, sizeof(j->err))) == NULL ||
	    (eng = snapshot_engine_open(ws->sd, st, diff_quiet, NULL, j->err,
	    sizeof(j->err))) == NULL)
		goto out;
	j->status = MHD_HTTP_NOT_FOUND;
	if (snapshot_get(eng, j->from, &j->info, NULL, NULL, j->err, sizeof(j->err)) != 0)
		goto out;
	if (j->to > 0) {
		rc = snapshot_get(eng, j->to, &other, NULL, NULL, j->err, sizeof(j->err));
		if (rc != 0)
			goto out;
		rc = strcmp(other.set_name, j->info.set_name);
		snapshot_info_clear(&other);
		if (rc != 0) {
			j->status = MHD_HTTP_BAD_REQUEST;
			snprintf(j->err, sizeof(j->err), "snapshots %lld and %lld are of two "
			    "sets: only snapshots of one set compare", (long long)j->from,
			    (long long)j->to);
			goto out;
		}
	}
	j->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	if (snapshot_diff(eng, j->from, j->to, true, &j->d, j->err, sizeof(j->err)) < 0)
		goto out;
	diff_trim(&j->d);
	j->status = MHD_HTTP_OK;
out:
	snapshot_engine_close(eng);
	store_close(st);
}

static json_t *
diff_answer(const struct diff_job *j)
{
	struct snapshot_diff shown = j->d;
	json_t *doc;

	if (shown.n > DIFF_MAX_CHANGES)
		shown.n = DIFF_MAX_CHANGES;
	doc = json_pack("{sI so ss so sI}", "from", (json_int_t)j->from, "to",
	    j->to > 0 ? json_integer(j->to) : json_null(), "set", j->info.set_name,
	    "changes", snapshot_diff_json(&shown), "more",
	    (json_int_t)(j->d.n - shown.n));
	return doc;
}

/* On the reader thread, which makes one read at a time: one diff at a time. */
static json_t *
read_diff(struct web_server *ws, sqlite3 *db, const struct web_query *q, unsigned *status,
    char *err, size_t errlen)
{
	struct diff_job j = { .from = q->from_id, .to = q->to_id };
	json_t *doc = NULL;

	diff_make(ws, &j);
	if (j.status == MHD_HTTP_OK)
		doc = diff_answer(&j);
	else {
		*status = j.status;
		snprintf(err, errlen, "%s", j.err);
	}
	snapshot_diff_free(&j.d);
	snapshot_info_clear(&j.info);
	return doc;
}

enum MHD_Result
web_get_diff(struct web_server *ws, struct MHD_Connection *conn, struct web_request *req,
    const char *url)
{
	const char *rest = url + strlen("/api/snapshots/"), *slash = strchr(rest, '/');
	const char *to = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "to");
	struct web_query q = { .from_id = diff_id(rest, slash) };

	if (q.from_id == 0)
		return web_send_error(conn, MHD_HTTP_NOT_FOUND, "no snapshot '%.*s': an id is "
		    "a number", (int)(slash - rest), rest);
	if (to != NULL && (q.to_id = diff_id(to, to + strlen(to))) == 0)
		return web_send_error(conn, MHD_HTTP_BAD_REQUEST, "'to': expected a snapshot "
		    "id (leave it out to compare with the live files)");
	return web_read(ws, conn, req, read_diff, &q);
}
