/* The GETs answered from the published snapshot, without touching the loop. */
#include "web/web_internal.h"

#include <string.h>

enum MHD_Result
web_get_published(struct web_server *ws, struct MHD_Connection *conn, const char *url)
{
	static const char json[] = "application/json";
	struct web_snapshot *snap = web_current(ws);
	const struct web_service_page *page;

	if (snap == NULL)
		return web_send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "tend is starting; no status yet");
	if (strcmp(url, "/api/status") == 0)
		return web_send_snapshot(conn, snap, &snap->status, json);
	if (strcmp(url, "/api/services") == 0)
		return web_send_snapshot(conn, snap, &snap->services, json);
	if (strcmp(url, "/api/checks") == 0)
		return web_send_snapshot(conn, snap, &snap->checks, json);
	if (strcmp(url, "/api/metrics") == 0)
		return web_send_snapshot(conn, snap, &snap->series, json);
	if (strcmp(url, "/healthz") == 0)
		return web_send_snapshot(conn, snap, &snap->healthz, json);
	if (strcmp(url, "/metrics") == 0)
		return web_send_snapshot(conn, snap, &snap->metrics,
		    "text/plain; version=0.0.4; charset=utf-8");
	page = web_snapshot_page(snap, url + strlen("/api/services/"));
	if (page != NULL)
		return web_send_snapshot(conn, snap, &page->body, json);
	web_snapshot_unref(snap);
	return web_send_error(conn, MHD_HTTP_NOT_FOUND, "no service named '%s'",
	    url + strlen("/api/services/"));
}
