/*
 * What the web threads serve: an immutable picture of the daemon's status,
 * built on the loop thread whenever something changed and handed over
 * whole. Readers take a reference and let go when the response is sent;
 * the loop never waits for them and they never see a half-built state.
 */
#ifndef TEND_WEB_SNAPSHOT_H
#define TEND_WEB_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* How the web server writes JSON: compact, reals to 10 significant digits. */
#define WEB_JSON_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(10))

/* A ready response body. */
struct web_body {
	char	*data;
	size_t	 len;
};

struct web_service_page {
	char		*name;
	struct web_body	 body;		/* {"service": ..., "checks": [...]} */
};

struct web_snapshot {
	atomic_int	 refs;
	int64_t		 generated_at;
	struct web_body	 status;	/* /api/status */
	struct web_body	 services;	/* /api/services */
	struct web_body	 checks;	/* /api/checks */
	struct web_body	 series;	/* /api/metrics: the series there are */
	struct web_body	 metrics;	/* /metrics */
	struct web_body	 healthz;	/* /healthz */
	struct web_body	 sse_status;	/* "event: status\ndata: {...}\n\n" */
	struct web_service_page *pages;	/* sorted by name */
	size_t		 n_pages;
	char		**series_names;	/* what /api/metrics lists, sorted */
	size_t		 n_series;
};

/* From a STATUS object (docs/api.md); one reference, the caller's. */
struct web_snapshot *web_snapshot_build(const json_t *status);
void		 web_snapshot_ref(struct web_snapshot *snap);
void		 web_snapshot_unref(struct web_snapshot *snap);
/* The page of one service, or NULL. */
const struct web_service_page *web_snapshot_page(const struct web_snapshot *snap,
		    const char *name);
/* Whether /api/metrics lists the series. */
bool		 web_snapshot_has_series(const struct web_snapshot *snap, const char *name);

#endif
