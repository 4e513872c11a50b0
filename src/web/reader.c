/*
 * Reads of the store, off the web thread. A request that reads history
 * (incidents, a metric's series, a report, ...) has its arguments checked
 * on the web thread, which then suspends its connection and queues the
 * read here; one reader thread, started by the first read, runs it on its
 * own read-only connection (WAL: it reads while the daemon writes), writes
 * the answer and resumes the connection, and libmicrohttpd calls the
 * request handler again to send it. The web thread thus answers the
 * status, /healthz and /metrics from memory while a report takes 0.2 s.
 * (Not libuv's pool: only the loop may queue work there, and its four
 * threads run the checks' work, which a report must not hold up.)
 */
#include "web/web_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/read.h"

struct web_read {
	struct web_read *next;
	struct MHD_Connection *conn;
	web_read_fn	 fn;
	struct web_query q;
	bool		 done;		/* answered: the connection is the web thread's */
	bool		 abandoned;	/* its request ended first: the reader frees it */
	unsigned	 status;
	char		*answer;	/* JSON */
};

struct web_reader {
	pthread_mutex_t	 lock;		/* guards what follows */
	pthread_cond_t	 more;
	pthread_t	 thread;
	bool		 running;
	bool		 stopping;
	struct web_read	*head, *tail;
	struct web_server *ws;
	sqlite3		*db;		/* the reader thread's alone */
};

static void
web_read_free(struct web_read *rd)
{
	free(rd->q.name);
	if (rd->q.arg_free != NULL)
		rd->q.arg_free(rd->q.arg);
	free(rd->answer);
	free(rd);
}

/* With r->lock held: the answer is there; the connection goes back to the web thread. */
static void
web_read_answer_locked(struct web_read *rd, unsigned status, char *answer)
{
	rd->status = status;
	rd->answer = answer;
	rd->done = true;
	MHD_resume_connection(rd->conn);
}

/* The store, once it exists (NULL before anything is recorded, or unreadable). */
static sqlite3 *
web_reader_db(struct web_reader *r)
{
	struct stat sb;
	char err[256];

	if (r->db != NULL || (stat(r->ws->db_path, &sb) < 0 && errno == ENOENT))
		return r->db;
	if ((r->db = store_read_open(r->ws->db_path, err, sizeof(err))) == NULL)
		log_debug(NULL, "web: the store: %s", err);
	return r->db;
}

static char *
web_read_run(struct web_reader *r, struct web_read *rd, unsigned *status)
{
	char err[512] = "", *text;
	json_t *doc;

	*status = MHD_HTTP_OK;
	doc = rd->fn(r->ws, web_reader_db(r), &rd->q, status, err, sizeof(err));
	if (doc == NULL)
		return web_error_text(*status, err);
	text = json_dumps(doc, WEB_JSON_FLAGS);
	json_decref(doc);
	if (text == NULL) {
		*status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		return web_error_text(*status, "cannot encode the answer");
	}
	return text;
}

static void *
web_reader_main(void *arg)
{
	struct web_reader *r = arg;
	struct web_read *rd;
	unsigned status;
	char *answer;

	web_thread_yield_to_loop();
	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (r->head == NULL && !r->stopping)
			pthread_cond_wait(&r->more, &r->lock);
		if ((rd = r->head) == NULL)
			break;
		if ((r->head = rd->next) == NULL)
			r->tail = NULL;
		pthread_mutex_unlock(&r->lock);
		answer = web_read_run(r, rd, &status);
		pthread_mutex_lock(&r->lock);
		if (rd->abandoned) {
			free(answer);
			web_read_free(rd);
		} else
			web_read_answer_locked(rd, status, answer);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* With r->lock held. */
static int
web_reader_spawn_locked(struct web_reader *r)
{
	pthread_attr_t attr;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WEB_THREAD_STACK);
	err = pthread_create(&r->thread, &attr, web_reader_main, r);
	pthread_attr_destroy(&attr);
	if (err != 0) {
		log_error(NULL, "web: cannot start the store's reader thread: %s",
		    strerror(err));
		return -1;
	}
	r->running = true;
	return 0;
}

struct web_reader *
web_reader_new(struct web_server *ws)
{
	struct web_reader *r = xcalloc(1, sizeof(*r));

	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->more, NULL);
	r->ws = ws;
	return r;
}

enum MHD_Result
web_read(struct web_server *ws, struct MHD_Connection *conn, struct web_request *req,
    web_read_fn fn, struct web_query *q)
{
	struct web_reader *r = ws->reader;
	struct web_read *rd = xcalloc(1, sizeof(*rd));

	rd->conn = conn;
	rd->fn = fn;
	rd->q = *q;
	q->name = NULL;
	q->arg = NULL;
	pthread_mutex_lock(&r->lock);
	if (r->stopping || (!r->running && web_reader_spawn_locked(r) < 0)) {
		pthread_mutex_unlock(&r->lock);
		web_read_free(rd);
		return web_send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "%s",
		    r->stopping ? "tend is stopping" : "the store cannot be read now");
	}
	if (r->tail != NULL)
		r->tail->next = rd;
	else
		r->head = rd;
	r->tail = rd;
	req->read = rd;
	/* Under the lock: the reader cannot answer (and resume) before this. */
	MHD_suspend_connection(conn);
	pthread_cond_signal(&r->more);
	pthread_mutex_unlock(&r->lock);
	return MHD_YES;
}

enum MHD_Result
web_read_answer(struct MHD_Connection *conn, struct web_request *req)
{
	struct web_read *rd = req->read;
	enum MHD_Result ret;

	req->read = NULL;
	/* Sent as the reader wrote it; the response frees it. */
	ret = web_send_json_text(conn, rd->status, rd->answer);
	rd->answer = NULL;
	web_read_free(rd);
	return ret;
}

void
web_read_done(struct web_server *ws, struct web_request *req)
{
	struct web_reader *r = ws->reader;
	struct web_read *rd = req->read;

	if (rd == NULL)
		return;
	req->read = NULL;
	pthread_mutex_lock(&r->lock);
	if (rd->done)
		web_read_free(rd);
	else
		rd->abandoned = true;
	pthread_mutex_unlock(&r->lock);
}

void
web_reader_stop(struct web_reader *r)
{
	struct web_read *rd;

	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	while ((rd = r->head) != NULL) {
		r->head = rd->next;
		if (rd->abandoned)
			web_read_free(rd);
		else
			web_read_answer_locked(rd, MHD_HTTP_SERVICE_UNAVAILABLE,
			    web_error_text(MHD_HTTP_SERVICE_UNAVAILABLE, "tend is stopping"));
	}
	r->tail = NULL;
	pthread_cond_signal(&r->more);
	pthread_mutex_unlock(&r->lock);
	/* The read under way ends and is answered first. */
	if (r->running)
		pthread_join(r->thread, NULL);
	r->running = false;
}

void
web_reader_free(struct web_reader *r)
{
	if (r == NULL)
		return;
	sqlite3_close(r->db);
	pthread_cond_destroy(&r->more);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
