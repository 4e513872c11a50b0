/* The web server's insides, shared by its files (not by the rest of tend). */
#ifndef TEND_WEB_INTERNAL_H
#define TEND_WEB_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/dl_mhd.h"
#include <sqlite3.h>

#include "web/token.h"
#include "web/web.h"

#define WEB_SSE_RING		256	/* events a stream may fall behind */
#define WEB_DB_POOL		8	/* idle read connections kept */
#define WEB_BODY_MAX		(64 * 1024)

struct sse_client;

/* A POSTed action, from the web thread that suspended its connection to the loop. */
struct web_action {
	struct web_action *next;
	struct MHD_Connection *conn;
	char		 verb[16];
	char		*name;
	bool		 done;
	unsigned	 status;
	char		*answer;	/* JSON */
};

/* One request's state across MHD's calls (req_cls). */
struct web_request {
	size_t		 body_len;
	struct web_action *action;
};

struct sse_event {
	uint64_t	 seq;
	char		*text;
	size_t		 len;
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
	struct sse_event ring[WEB_SSE_RING];
	uint64_t	 ring_next;		/* seq of the next event */
	struct sse_client *clients;
	int		 n_clients;
	struct web_action *queue;		/* oldest first */
	sqlite3		*dbs[WEB_DB_POOL];
	int		 n_dbs;

	uv_async_t	 wake;			/* the queue has actions */
	uv_timer_t	 keepalive;
	int		 open_handles;
};

/* server.c */
/* doc is taken; so is text, a JSON body already written. */
enum MHD_Result	web_send_json(struct MHD_Connection *conn, unsigned status, json_t *doc);
enum MHD_Result	web_send_json_text(struct MHD_Connection *conn, unsigned status,
		    char *text);
enum MHD_Result	web_send_error(struct MHD_Connection *conn, unsigned status,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The current snapshot, referenced; NULL before the first publish. */
struct web_snapshot *web_current(struct web_server *ws);

/* api.c: what is read from the store. */
enum MHD_Result	web_get_incidents(struct web_server *ws, struct MHD_Connection *conn);
enum MHD_Result	web_get_metric(struct web_server *ws, struct MHD_Connection *conn,
		    const char *series);
enum MHD_Result	web_get_alerts(struct web_server *ws, struct MHD_Connection *conn);
void		web_db_close_all(struct web_server *ws);

/* sse.c */
enum MHD_Result	sse_open(struct web_server *ws, struct MHD_Connection *conn);
/* With ws->lock held; text (len bytes and a NUL) is taken. */
void		sse_push_locked(struct web_server *ws, char *text, size_t len);
void		sse_wake_all_locked(struct web_server *ws, bool keepalive);

/* action.c */
enum MHD_Result	web_post_action(struct web_server *ws, struct MHD_Connection *conn,
		    struct web_request *req, const char *verb, const char *name);
void		web_action_drain(uv_async_t *async);
void		web_action_free(struct web_action *a);
/* With ws->lock held: answers every queued action 503. */
void		web_action_abort_locked(struct web_server *ws);

#endif
