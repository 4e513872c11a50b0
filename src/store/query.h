/*
 * Read-only queries of alert deliveries, on a connection of the caller's
 * own (the web server's thread, the CLI): they never touch the daemon's
 * writing connection, and WAL lets them read while it writes.
 */
#ifndef TEND_STORE_QUERY_H
#define TEND_STORE_QUERY_H

#include <jansson.h>
#include <sqlite3.h>

#include "store/store.h"

/*
 * The ALERT object of docs/api.md: {"id", "at", "event", "target", "state",
 * "message", "incident", "channel", "outcome", "tries", "detail"}, with
 * incident null when there is none. The alerter builds the same object for
 * its observers, so the API and the event stream say the same thing.
 */
json_t	*store_alert_json(const struct store_alert *a);

/* The last `limit` alert deliveries, newest first; NULL on a database error. */
json_t	*store_query_alerts(sqlite3 *db, int limit);

#endif
