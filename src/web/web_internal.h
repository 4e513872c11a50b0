/* The web server's insides, shared by its files (not by the rest of tend). */
#ifndef TEND_WEB_INTERNAL_H
#define TEND_WEB_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/dl_mhd.h"
#include <sqlite3.h>

#include "web/request.h"
#include "web/token.h"
#include "web/web.h"

#define WEB_SSE_RING		256	/* events a stream may fall behind */
/*
 * Each web thread's stack (the reader's too); libmicrohttpd's default is
 * glibc's, RLIMIT_STACK (8 MB). The deepest a busy run touched (every
 * endpoint, reports and history from the store) was 28 KB: bench/README.md,
 * `footprint`.
 */
#define WEB_THREAD_STACK	(256 * 1024)
#define WEB_BODY_MAX		(64 * 1024)

struct sse_client;
struct web_read;
struct web_reader;
struct web_log_stream;
struct web_ping_check;
struct web_ping;

/* A POSTed action, from the web thread that suspended its connection to the loop. */
struct web_action {
	struct web_action *next;
	struct MHD_Connection *conn;
	char		 verb[16];
	char		*name;
	json_t		*body;		/* POST /api/changes's, or NULL */
	bool		 done;
	unsigned	 status;
	char		*answer;	/* JSON */
};

/* One request's state across MHD's calls (req_cls). */
struct web_request {
	bool		 keep_body;	/* POST /api/changes, /api/ping/: body is kept */
	char		*body;		/* NUL-terminated; NULL when empty */
	size_t		 body_len;
	struct web_action *action;
	struct web_read	*read;		/* a read of the store (reader.c) */
	struct web_snapshot *held;	/* until the answer is sent (web_send_shared) */
};

/* What a read of the store asks, checked on the web thread (api.c). */
struct web_query {
	int64_t		 since, until, step_ms;
	int		 limit;
	int64_t		 from_id, to_id;	/* a diff's snapshots (to: 0, the files) */
	bool		 flag;		/* incidents: open; report: compare; metric: listed */
	char		*name;		/* a series, a snapshot set, a job, a service; or NULL */
	void		*arg;		/* anything else, freed by arg_free */
	void		(*arg_free)(void *arg);
};

/*
 * A read, on the reader thread: db is NULL before anything is recorded.
 * The body of a 200, or NULL with *status and err saying what failed.
 */
typedef json_t	*(*web_read_fn)(struct web_server *ws, sqlite3 *db,
		    const struct web_query *q, unsigned *status, char *err, size_t errlen);

struct sse_event {
	uint64_t	 seq;
	char		*text;
	size_t		 len;
};

/* conns.c: every connection held, for the limits per client and the request deadline. */
struct web_conn;
struct web_conns {
	pthread_mutex_t	 lock;		/* guards everything below; taken alone */
	struct web_conn	*head, *tail;
	int		 live;		/* not being closed */
	int		 max_total;	/* web.max_connections */
	int		 max_client;	/* web.per_ip_connections */
	int64_t		 deadline_ms;	/* web.connection_timeout */
	unsigned long	 shed, refused, timed_out;	/* since reported_at */
	int64_t		 reported_at;
};

struct web_server {
	struct MHD_Daemon *mhd;
	struct web_ops	 ops;
	char		*db_path;
	char		*url;
	struct web_token token;
	struct statedir	*sd;
	int		 sse_max;

	/* lock guards everything below it; the loop and the web threads share it. */
	pthread_mutex_t	 lock;
	bool		 stopping;
	struct web_snapshot *snap;
	uint64_t	 status_gen;		/* counts the statuses published */
	struct sse_event ring[WEB_SSE_RING];
	uint64_t	 ring_next;		/* seq of the next event */
	struct sse_client *clients;
	int		 n_clients;
	struct web_action *queue;		/* oldest first */
	struct web_ping_check *ping_checks;	/* by name: web_set_ping_checks */
	size_t		 n_ping_checks;
	struct web_ping	*pings;			/* for the loop, newest first */
	size_t		 n_pings;
	struct web_log_stream *log_streams;
	int		 n_log_streams;
	int		 logs_fd;		/* STATE/logs, -1 until opened */

	struct web_reader *reader;		/* reads of the store */
	struct web_conns conns;
	struct web_hosts hosts;

	uv_async_t	 wake;			/* the queue has actions */
	uv_timer_t	 keepalive;
	uv_timer_t	 sweep;			/* web_conns_sweep */
	uv_timer_t	 logs_tick;		/* web_logs_tick */
	int		 open_handles;
};

/* respond.c */
/* doc is taken; so is text, a JSON body already written. */
enum MHD_Result	web_send_json(struct MHD_Connection *conn, unsigned status, json_t *doc);
enum MHD_Result	web_send_json_text(struct MHD_Connection *conn, unsigned status,
		    char *text);
enum MHD_Result	web_send_error(struct MHD_Connection *conn, unsigned status,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An error's body, {"ok": false, "status": N, "error": msg}: as a document, as text. */
json_t		*web_error_doc(unsigned status, const char *msg);
char		*web_error_text(unsigned status, const char *msg);
enum MHD_Result	web_send_method_not_allowed(struct MHD_Connection *conn, const char *allow);
/* A body of snap (its reference taken by the response), sent without a copy. */
enum MHD_Result	web_send_snapshot(struct MHD_Connection *conn, struct web_snapshot *snap,
		    const struct web_body *body, const char *type);
/* snap's /api/status, /healthz or /readyz (its reference held by req until sent). */
enum MHD_Result	web_send_shared(struct MHD_Connection *conn, struct web_request *req,
		    struct web_snapshot *snap, enum web_shared which);
/* A file of the embedded dashboard, or 304 for the ETag asked with; 404 when none. */
enum MHD_Result	web_get_asset(struct MHD_Connection *conn, const char *url);

/* server.c */
/* The current snapshot, referenced; NULL before the first publish. */
struct web_snapshot *web_current(struct web_server *ws);

/* route.c: libmicrohttpd's access handler and its request-completed callback. */
enum MHD_Result	web_handle(void *cls, struct MHD_Connection *conn, const char *url,
		    const char *method, const char *version, const char *upload_data,
		    size_t *upload_size, void **req_cls);
void		web_request_done(void *cls, struct MHD_Connection *conn, void **req_cls,
		    enum MHD_RequestTerminationCode toe);
/* The calling thread yields to the loop (a higher nice value), once. */
void		web_thread_yield_to_loop(void);
/* What follows "Authorization: Bearer ", or NULL. */
const char	*web_bearer(struct MHD_Connection *conn);

/* published.c: GET url (a route of the snapshot's) from the published snapshot. */
enum MHD_Result	web_get_published(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req, const char *url);

/* ping.c: POST /api/ping/NAME[/KIND], kind "ping", "fail" or "start". */
enum MHD_Result	web_post_ping(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req, const char *name, const char *kind);
/* On the loop: hands the queued pings to ops->ping. */
void		web_ping_drain(struct web_server *ws);
/* The table and the pings not drained, freed with the server. */
void		web_ping_fini(struct web_server *ws);

/* api.c: what is read from the store. */
/* ?name=N with lo <= N <= hi, else fallback; 0, or -1 after answering 400. */
int		web_arg_number(struct MHD_Connection *conn, const char *name, long lo,
		    long hi, long fallback, long *out, enum MHD_Result *ret);
enum MHD_Result	web_get_incidents(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req);
enum MHD_Result	web_get_metric(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req, const char *series);
enum MHD_Result	web_get_alerts(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req);
enum MHD_Result	web_get_changes(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req);
enum MHD_Result	web_get_snapshots(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req);
enum MHD_Result	web_get_report(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req);
enum MHD_Result	web_get_jobs(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req);
/* reader.c: reads of the store, on a thread of their own. */
struct web_reader *web_reader_new(struct web_server *ws);
/*
 * Queues fn's read of q (its name and arg taken) and suspends the connection
 * until it is answered; then MHD calls the handler again, which sends it
 * (web_read_answer). Answers 503 itself when no read can be made.
 */
enum MHD_Result	web_read(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req, web_read_fn fn, struct web_query *q);
enum MHD_Result	web_read_answer(struct MHD_Connection *conn, struct web_request *req);
/* The request ended (req->read may be NULL, or not yet answered). */
void		web_read_done(struct web_server *ws, struct web_request *req);
/* Answers what is queued 503, waits for the read under way: before MHD stops. */
void		web_reader_stop(struct web_reader *r);
void		web_reader_free(struct web_reader *r);

/* diff.c: GET /api/snapshots/ID/diff (authorized by the caller). */
enum MHD_Result	web_get_diff(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req, const char *url);

/* logs.c: GET /api/logs/NAME and its stream, read from the files. */
enum MHD_Result	web_get_logs(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req, const char *name);
enum MHD_Result	web_logs_stream(struct web_server *ws, struct MHD_Connection *conn,
		    const char *name);
void		web_logs_wake_all_locked(struct web_server *ws);
/* On the loop, a few times a second: suspended log streams look at their files again. */
void		web_logs_tick(uv_timer_t *timer);

/* sse.c */
enum MHD_Result	sse_open(struct web_server *ws, struct MHD_Connection *conn);
/* With ws->lock held; text (len bytes and a NUL) is taken. */
void		sse_push_locked(struct web_server *ws, char *text, size_t len);
void		sse_wake_all_locked(struct web_server *ws, bool keepalive);
/* A stream's answer (text/event-stream, not cached) read from read(cls); cls freed with it. */
enum MHD_Result	sse_respond(struct MHD_Connection *conn, MHD_ContentReaderCallback read,
		    void *cls, MHD_ContentReaderFreeCallback free_cls);
/* Up to max bytes of pending (len) from *off on into buf; how many. */
size_t		sse_copy(const char *pending, size_t len, size_t *off, char *buf, size_t max);

/* conns.c */
void		web_conns_init(struct web_conns *cs, int max_total, int max_client,
		    int64_t deadline_ms);
void		web_conns_fini(struct web_conns *cs);
/* MHD_OPTION_NOTIFY_CONNECTION, with cls the web_conns: counts, sheds, refuses. */
void		web_conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		    enum MHD_ConnectionNotificationCode code);
/*
 * The whole request is in and is being answered: no deadline while it is.
 * A lasting one (a live stream, an action) is never closed to make way.
 */
void		web_conns_answering(struct web_conns *cs, struct MHD_Connection *conn,
		    bool lasting);
/* The answer is sent: the next request's deadline runs from now. */
void		web_conns_answered(struct web_conns *cs, struct MHD_Connection *conn);
/* Closes the connections whose request is late at now (mono ms); how many. */
int		web_conns_sweep(struct web_conns *cs, int64_t now);

/* action.c */
enum MHD_Result	web_post_action(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req, const char *verb, const char *name, json_t *body);
void		web_action_drain(uv_async_t *async);
void		web_action_free(struct web_action *a);
/* With ws->lock held: answers every queued action 503. */
void		web_action_abort_locked(struct web_server *ws);

#endif
