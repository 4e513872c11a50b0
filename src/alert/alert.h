/*
 * The alerter: what the healer, the supervisor and the anomaly watch raise
 * goes out on the channels of `alerts:` (webhooks in tend's JSON, Slack's
 * or Alertmanager's format, and commands), asynchronously on the loop.
 *
 * One alert per incident (or per anomalous series): its opening event is
 * sent once, again only after the repeat interval while it stays open, and
 * its end as `resolved` to the channels that heard of it. A failed delivery
 * is tried again with backoff; every try's outcome is written to the store
 * (alert_deliveries) and handed to the delivery observer.
 */
#ifndef TEND_ALERT_ALERT_H
#define TEND_ALERT_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "config/model.h"

struct alerter;
struct http_engine;
struct store;

/* What an alert is about; it decides how alerts are told apart. */
enum alert_source {
	ALERT_SOURCE_INCIDENT,	/* one alert per incident id */
	ALERT_SOURCE_ANOMALY,	/* one per metric series (target) */
	ALERT_SOURCE_SERVICE,	/* a service gave up: one per service, unless an
				   incident of it already alerted */
};

struct alert_input {
	enum alert_event event;
	enum alert_source source;
	const char	*target;	/* a check, a service or a series */
	const char	*state;		/* the target's state: critical, warning, healthy */
	const char	*message;
	int64_t		 incident;	/* 0: none */
};

/*
 * conf must outlive the alerter (or the next alerter_set_config); st may
 * be NULL (no history); http is the loop's HTTP engine, which must outlive
 * the alerter.
 */
struct alerter	*alerter_new(uv_loop_t *loop, const struct alerts_conf *conf,
		    struct store *st, struct http_engine *http);
/*
 * A reload: channels are matched by name. Deliveries waiting for a retry
 * keep waiting when their channel is still there (with its new settings);
 * those of a channel that is gone are recorded as failed.
 */
void		 alerter_set_config(struct alerter *al, const struct alerts_conf *conf);
/* Stops every delivery (recorded as failed: tend stopped) and frees. */
void		 alerter_free(struct alerter *al);

/*
 * The healer's events: "incident" (critical or warning by state),
 * "escalated", "resolved", and "closed" (merged or interrupted: the alert
 * ends as resolved); "rejoined" and "rejoined-escalated" for an incident a
 * previous run alerted: its alert is open again, nothing is sent.
 */
void		 alerter_incident(struct alerter *al, const char *heal_event,
		    const char *target, const char *state, const char *message,
		    int64_t incident);
/* An anomaly started or ended on a series. */
void		 alerter_anomaly(struct alerter *al, const char *series, bool started,
		    const char *message);
/* The supervisor gave up on a crash-looping service. */
void		 alerter_gave_up(struct alerter *al, const char *service, const char *why);

/*
 * A scheduled report, written (docs/report.md): what the channels of
 * `report: to:` are sent. alerter_post_report copies it.
 */
struct alert_report {
	const char	*name;		/* report-YYYYMMDD-HHMM: the files' stem */
	const char	*title;		/* "tend report, FROM to TO UTC" */
	const char	*summary;	/* the executive summary, a few lines */
	json_t		*numbers;	/* its numbers (report_summary_json) */
	const char	*html;		/* the files written, absolute paths */
	const char	*markdown;
	const char	*json;
	int64_t		 at;		/* wall ms it was written */
};

/*
 * Posts a report to each channel named (a NULL-terminated list): a webhook
 * is sent the summary and the HTML file's path, a command the paths in its
 * environment. Each is a delivery like an alert's, whatever the channel's
 * `on:` — tried again with backoff, recorded in alert_deliveries as event
 * "report" — and a name that is no channel (a reload removed it) is
 * recorded as failed.
 */
void		 alerter_post_report(struct alerter *al, const struct alert_report *rep,
		    char *const *channels);

/*
 * fn is called on the loop thread after each delivery outcome (delivered,
 * retrying, failed) with the ALERT object of docs/api.md, borrowed for the
 * call. One observer; NULL removes it.
 */
void		 alerter_on_delivery(struct alerter *al,
		    void (*fn)(void *arg, json_t *alert), void *arg);

#endif
