/*
 * What a channel is sent (internal to src/alert): tend's JSON object, a
 * Slack message, Alertmanager API v2 alerts, or a command's environment.
 */
#ifndef TEND_ALERT_FORMAT_H
#define TEND_ALERT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "alert/book.h"

/* "2025-11-30T10:00:00.123Z": RFC 3339 in UTC, to the millisecond. */
void	 alert_rfc3339(int64_t wall_ms, char *buf, size_t len);

/*
 * {"source": "tend", "host", "id", "event", "target", "state", "severity",
 * "message", "incident", "at", "time", "started_at", "repeat"}, and
 * "labels" {name: value} when there are labels (the config's metrics.labels).
 */
json_t	*alert_format_json(const struct alert_msg *m, const char *host, int64_t id,
	    char *const *labels);
/* {"text": a one-line summary, "attachments": [{color, text: the message, ...}]}. */
json_t	*alert_format_slack(const struct alert_msg *m, const char *host);
/*
 * One alert of API v2 (a postableAlert): labels that stay the same for the
 * alert's whole life (alertname, instance, target, severity, incident or
 * series, and the channel's labels), annotations, startsAt, and endsAt:
 * when it ended, or now + the lease while it fires.
 */
json_t	*alert_format_alertmanager(const struct alert_msg *m,
	    const struct alert_channel_conf *ch, const char *host, int64_t now_wall);

/* The request body for a webhook channel, as text; free() it. */
char	*alert_format_body(const struct alert_channel_conf *ch, const struct alert_msg *m,
	    const char *host, int64_t id, int64_t now_wall);
/* One POST of several alerts to an Alertmanager (the keep-alive); free() it. */
char	*alert_format_am_batch(const struct alert_channel_conf *ch,
	    const struct alert_msg *v, size_t n, const char *host, int64_t now_wall);

/*
 * A scheduled report for a webhook: tend's JSON {"source": "tend", "host",
 * "id", "event": "report", "name", "title", "at", "time", "summary": its
 * numbers, "text": its lines, "files": {"html", "markdown", "json"}}, or a
 * Slack message of the title, the lines and the HTML file's path.
 */
json_t	*alert_format_report_json(const struct alert_report *rep, const char *host,
	    int64_t id);
json_t	*alert_format_report_slack(const struct alert_report *rep, const char *host);
/* The request body for a webhook channel (Slack, else tend's JSON); free() it. */
char	*alert_format_report_body(const struct alert_channel_conf *ch,
	    const struct alert_report *rep, const char *host, int64_t id);
/*
 * A report for a command channel: TEND_EVENT=report, TEND_TARGET (its
 * name), TEND_MESSAGE (the title and the lines), TEND_HOST, TEND_TIME, and
 * the files' paths in TEND_REPORT_HTML, TEND_REPORT_MARKDOWN and
 * TEND_REPORT_JSON. Free with strv_free.
 */
char	**alert_report_command_env(const struct alert_report *rep, const char *host);

/*
 * The variables a command channel gets: TEND_EVENT, TEND_TARGET,
 * TEND_STATE, TEND_MESSAGE, TEND_INCIDENT (empty when none), TEND_SEVERITY,
 * TEND_HOST, TEND_TIME. Free with strv_free.
 */
char	**alert_command_env(const struct alert_msg *m, const char *host);

#endif
