/*
 * What the web threads serve: an immutable picture of the daemon's status,
 * built on the loop thread whenever something changed and handed over
 * whole. Readers take a reference and let go when the response is sent;
 * the loop never waits for them and they never see a half-built state.
 *
 * A snapshot holds the status document (small however many checks there
 * are: past WEB_STATUS_ALL_CHECKS only the checks that are not healthy)
 * and the table of every check, whose entries are made once per result
 * and shared by the snapshots that follow until the check's next result.
 * What is read rarely (/metrics, /api/metrics, /api/services) is made from
 * those on its first request and kept with the snapshot; what is asked
 * with arguments (/api/checks, /api/services/NAME) is made per request.
 */
#ifndef TEND_WEB_SNAPSHOT_H
#define TEND_WEB_SNAPSHOT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* How the web server writes JSON: compact, reals to 10 significant digits. */
#define WEB_JSON_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(10))
/* /api/status lists every check up to this many, past it those not healthy. */
#define WEB_STATUS_ALL_CHECKS	200

/* A ready response body. */
struct web_body {
	char	*data;
	size_t	 len;
};

/* One check as published: immutable once made; its strings are in its block. */
struct web_check {
	atomic_int	 refs;
	const char	*name;
	const char	*service;	/* NULL: a check of no service */
	const char	*type;
	const char	*state;		/* "healthy", ..., "unknown" or "paused" */
	double		 latency_ms;	/* NAN: none */
	const char	*labels;	/* its metrics' labels, each NUL-ended, then "" */
	const char	*words;		/* "name\nservice\nmessage" in lower case: what ?q= finds */
	struct web_body	 json;		/* the CHECK object (docs/api.md) */
};

/* Every check of a config, in its order, as published together. */
struct web_checks {
	atomic_int	 refs;
	size_t		 n;
	struct web_check **v;
};

struct MHD_Response;

/* The answers made once per status and sent to every request for it (respond.c). */
enum web_shared { WEB_SHARED_STATUS, WEB_SHARED_HEALTHZ, WEB_SHARED_READYZ,
	WEB_SHARED_COUNT };

/* The status part of a snapshot: made again only when the status changed. */
struct web_status {
	atomic_int	 refs;
	int64_t		 generated_at;
	json_t		*doc;		/* read-only from now on */
	struct web_body	 healthz;	/* /healthz */
	struct web_body	 readyz;	/* /readyz */
	bool		 ready;		/* every service up, every check healthy */
	pthread_mutex_t	 shared_lock;	/* guards what follows */
	struct web_body	 status;	/* /api/status: web_status_text */
	struct MHD_Response *shared[WEB_SHARED_COUNT];	/* made on first request */
};

struct web_snapshot {
	atomic_int	 refs;
	struct web_status *st;
	struct web_checks *checks;

	/* Made on first request (web_snapshot_lazy), under lazy_lock. */
	pthread_mutex_t	 lazy_lock;
	struct web_body	 lazy[3];
};

/* The bodies made on their first request. */
enum web_lazy { WEB_LAZY_SERVICES, WEB_LAZY_SERIES, WEB_LAZY_METRICS };

/* A CHECK object's entry (one reference, the caller's); NULL when it has no name. */
struct web_check *web_check_new(const json_t *check);
void		 web_check_unref(struct web_check *c);
/* A table of n entries, each referenced here (v is copied; NULLs are left out). */
struct web_checks *web_checks_new(struct web_check *const *v, size_t n);
void		 web_checks_ref(struct web_checks *t);
void		 web_checks_unref(struct web_checks *t);

/*
 * From a STATUS object (docs/api.md; referenced, and never to be changed
 * again: web threads read it) and the table of every check (its reference
 * taken), or NULL to make one of the status's own "checks". One reference,
 * the caller's.
 */
struct web_snapshot *web_snapshot_build(json_t *status, struct web_checks *checks);
/* /api/status's text, written on the first call (takes st->shared_lock). */
const struct web_body *web_status_text(struct web_status *st);
/* prev's status with a new table of checks (its reference taken). */
struct web_snapshot *web_snapshot_with_checks(const struct web_snapshot *prev,
		    struct web_checks *checks);
void		 web_snapshot_ref(struct web_snapshot *snap);
void		 web_snapshot_unref(struct web_snapshot *snap);
/* /api/services, /api/metrics or /metrics: made by the first to ask, then kept. */
const struct web_body *web_snapshot_lazy(struct web_snapshot *snap, enum web_lazy which);
/* The service's object in the status, or NULL. */
const json_t	*web_snapshot_service(const struct web_snapshot *snap, const char *name);
/* Whether /api/metrics lists the series. */
bool		 web_snapshot_has_series(const struct web_snapshot *snap, const char *name);

#endif
