/*
 * The alerter on the loop: the book decides what goes where; this file
 * turns each decision into a delivery, tries it, retries it with backoff,
 * and writes down every outcome.
 *
 * A delivery is one alert (or one scheduled report) for one channel.
 * Deliveries of one group go one at a time, in the order they were
 * raised, so a receiver never hears of the end of an alert before its
 * beginning: the group is the alert and the channel, the whole channel for
 * an Alertmanager (whose keep-alives carry every open alert), or the
 * channel's reports. One timer serves retries, repeats and keep-alives: it
 * is set for whichever comes first.
 */
#include "alert/alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert/book.h"
#include "alert/deliver.h"
#include "alert/format.h"
#include "core/clock.h"
#include "core/jitter.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/strv.h"
#include "core/text.h"
#include "store/query.h"
#include "store/store.h"
#include "supervise/backoff.h"

/* What the alerter keeps of a channel across reloads. */
struct channel {
	char		*name;
	const struct alert_channel_conf *conf;
	int64_t		 next_refresh;	/* mono: Alertmanager keep-alive; 0 when none is due */
};

struct delivery {
	struct delivery	*next;
	struct alerter	*al;
	char		*channel;	/* by name: a reload may give it new settings */
	char		*group;		/* one delivery of a group at a time, in order */
	struct alert_msg *msg;		/* an alert; or */
	struct alert_report *report;	/* a report; neither: a keep-alive */
	char		*body;		/* a keep-alive's, built when it was queued */
	int64_t		 id;		/* its row in alert_deliveries */
	int		 tries;
	int64_t		 due;		/* mono: when it may be tried (again) */
	struct webhook_call *web;	/* a try in flight */
	struct command_call *cmd;
};

struct alerter {
	uv_loop_t	*loop;
	const struct alerts_conf *conf;
	struct store	*store;
	struct http_engine *http;
	struct alert_book *book;
	struct channel	*channels;
	size_t		 n_channels;
	struct delivery	*deliveries;	/* oldest first */
	uv_timer_t	*timer;
	char		 host[256];
	int64_t		 next_id;	/* ids when there is no store */
	uint64_t	 jitter;	/* state of the retry delays' jitter */
	void		(*observer)(void *arg, json_t *alert);
	void		*observer_arg;
};

static void	alerter_schedule(struct alerter *al);

static struct channel *
alerter_channel(const struct alerter *al, const char *name)
{
	size_t i;

	for (i = 0; i < al->n_channels; i++)
		if (strcmp(al->channels[i].name, name) == 0)
			return &al->channels[i];
	return NULL;
}

static bool
delivery_running(const struct delivery *d)
{
	return d->web != NULL || d->cmd != NULL;
}

/* An earlier delivery of its group has not ended yet. */
static bool
delivery_blocked(const struct alerter *al, const struct delivery *d)
{
	const struct delivery *e;

	for (e = al->deliveries; e != NULL && e != d; e = e->next)
		if (strcmp(e->group, d->group) == 0)
			return true;
	return false;
}

static void
delivery_append(struct alerter *al, struct delivery *d)
{
	struct delivery **p;

	for (p = &al->deliveries; *p != NULL; p = &(*p)->next)
		;
	*p = d;
}

static void
delivery_unlink(struct alerter *al, struct delivery *d)
{
	struct delivery **p;

	for (p = &al->deliveries; *p != NULL; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			break;
		}
}

/* Stops a try in flight; its done will not be called. */
static void
delivery_cancel(struct delivery *d)
{
	if (d->web != NULL)
		webhook_cancel(d->web);
	if (d->cmd != NULL)
		command_deliver_cancel(d->cmd);
	d->web = NULL;
	d->cmd = NULL;
}

/* A copy of what a report's deliveries send, freed with the last of them. */
static struct alert_report *
alert_report_copy(const struct alert_report *rep)
{
	struct alert_report *c = xcalloc(1, sizeof(*c));

	c->name = xstrdup(rep->name);
	c->title = xstrdup(rep->title);
	/* What the world wrote (a target's name) may hold a URL with its credentials. */
	c->summary = text_redact(rep->summary);
	c->numbers = json_deep_copy(rep->numbers);
	c->html = xstrdup(rep->html);
	c->markdown = xstrdup(rep->markdown);
	c->json = xstrdup(rep->json);
	c->at = rep->at;
	return c;
}

static void
alert_report_drop(struct alert_report *c)
{
	if (c == NULL)
		return;
	free((char *)c->name);
	free((char *)c->title);
	free((char *)c->summary);
	json_decref(c->numbers);
	free((char *)c->html);
	free((char *)c->markdown);
	free((char *)c->json);
	free(c);
}

/* Neither an alert nor a report: an Alertmanager's keep-alive, not recorded. */
static bool
delivery_is_keepalive(const struct delivery *d)
{
	return d->msg == NULL && d->report == NULL;
}

static void
delivery_free(struct delivery *d)
{
	free(d->channel);
	free(d->group);
	free(d->msg);
	alert_report_drop(d->report);
	free(d->body);
	free(d);
}

/* The delivery as a row of alert_deliveries: a report's event is "report". */
static struct store_alert
delivery_row(const struct delivery *d)
{
	const struct alert_msg *m = d->msg;
	const struct alert_report *r = d->report;

	if (r != NULL)
		return (struct store_alert){ .id = d->id, .at = r->at, .event = "report",
		    .target = r->name, .message = r->summary, .channel = d->channel,
		    .tries = d->tries };
	return (struct store_alert){ .id = d->id, .at = m->at,
	    .event = alert_event_names[m->event], .target = m->target, .state = m->state,
	    .message = m->message, .incident = m->incident, .channel = d->channel,
	    .tries = d->tries };
}

/* "alert critical of web to ops", "report-20261202-0300 to ops". */
static void
delivery_what(const struct delivery *d, char *buf, size_t len)
{
	const struct alert_msg *m = d->msg;

	if (d->report != NULL)
		snprintf(buf, len, "%s to %s", d->report->name, d->channel);
	else
		snprintf(buf, len, "alert %s of %s%s to %s", alert_event_names[m->event],
		    m->target, m->repeat ? " (repeat)" : "", d->channel);
}

/* The outcome to the store, the observer and the log. */
static void
alerter_record(struct alerter *al, const struct delivery *d, const char *outcome,
    const char *detail)
{
	struct store_alert row = delivery_row(d);
	json_t *alert;

	row.outcome = outcome;
	row.detail = detail;
	row.updated_at = clock_wall_ms();
	if (al->store != NULL)
		store_put_alert(al->store, &row);
	if (al->observer != NULL) {
		alert = store_alert_json(&row);
		al->observer(al->observer_arg, alert);
		json_decref(alert);
	}
}

/* A delivery that will not be tried again: stopped, recorded as failed, unlinked and freed. */
static void
delivery_abandon(struct alerter *al, struct delivery *d, const char *detail,
    const char *why)
{
	char what[600];

	delivery_cancel(d);
	if (!delivery_is_keepalive(d)) {
		alerter_record(al, d, "failed", detail);
		delivery_what(d, what, sizeof(what));
		log_warn(NULL, "%s %s", what, why);
	}
	delivery_unlink(al, d);
	delivery_free(d);
}

static void
delivery_log(const struct delivery *d, const char *outcome, const char *detail,
    int64_t retry_in)
{
	char what[600];

	delivery_what(d, what, sizeof(what));
	if (strcmp(outcome, "delivered") == 0)
		log_info(NULL, "%s: delivered (%s, try %d)", what, detail, d->tries);
	else if (strcmp(outcome, "retrying") == 0)
		log_warn(NULL, "%s: try %d failed (%s); again in %lld ms", what, d->tries,
		    detail, (long long)retry_in);
	else
		log_error(NULL, "%s: failed after %d %s: %s", what, d->tries,
		    d->tries == 1 ? "try" : "tries", detail);
}

static void
delivery_outcome(struct delivery *d, bool ok, bool retry, const char *detail)
{
	struct alerter *al = d->al;
	const char *outcome = "failed";
	int attempts = al->conf->retry_attempts > 0 ? al->conf->retry_attempts : 1;
	int64_t delay = 0;

	if (delivery_is_keepalive(d)) {
		/* A keep-alive: the next one is as good as a retry. */
		if (!ok)
			log_warn(NULL, "alerts: keep-alive to %s failed: %s", d->channel, detail);
		delivery_unlink(al, d);
		delivery_free(d);
		alerter_schedule(al);
		return;
	}
	if (ok)
		outcome = "delivered";
	else if (retry && d->tries < attempts) {
		outcome = "retrying";
		/* Try n + 1 waits initial * multiplier^(n - 1), +- jitter. */
		delay = supervise_restart_delay(&al->conf->retry, d->tries + 1,
		    jitter_next(&al->jitter));
		d->due = clock_mono_ms() + delay;
	}
	alerter_record(al, d, outcome, detail);
	delivery_log(d, outcome, detail, delay);
	if (strcmp(outcome, "retrying") != 0) {
		delivery_unlink(al, d);
		delivery_free(d);
	}
	alerter_schedule(al);
}

static void
delivery_done(void *arg, bool ok, bool retry, const char *detail)
{
	struct delivery *d = arg;

	d->web = NULL;
	d->cmd = NULL;
	delivery_outcome(d, ok, retry, detail);
}

/* One try; its outcome comes through delivery_done (or at once, if it cannot start). */
static void
delivery_start(struct delivery *d)
{
	struct alerter *al = d->al;
	struct channel *c = alerter_channel(al, d->channel);
	const struct alert_channel_conf *conf;
	char err[256], *body, **env;

	d->tries++;
	if (c == NULL) {
		delivery_outcome(d, false, false, "no such channel");
		return;
	}
	conf = c->conf;
	if (conf->command != NULL) {
		env = d->report != NULL ? alert_report_command_env(d->report, al->host) :
		    alert_command_env(d->msg, al->host);
		d->cmd = command_deliver(al->loop, conf->command, env, conf->timeout_ms,
		    delivery_done, d, err, sizeof(err));
		strv_free(env);
		if (d->cmd == NULL)
			delivery_outcome(d, false, true, err);
		return;
	}
	if (d->body != NULL)
		body = xstrdup(d->body);
	else if (d->report != NULL)
		body = alert_format_report_body(conf, d->report, al->host, d->id);
	else
		body = alert_format_body(conf, d->msg, al->host, d->id, clock_wall_ms());
	d->web = webhook_post(al->http, conf->webhook, conf->headers, body,
	    conf->timeout_ms, delivery_done, d, err, sizeof(err));
	if (d->web == NULL)
		delivery_outcome(d, false, true, err);
}

/* A delivery to channel, queued: to be tried at once, after its group's earlier ones. */
static struct delivery *
delivery_queue(struct alerter *al, const char *channel, char *group)
{
	struct delivery *d = xcalloc(1, sizeof(*d));

	d->al = al;
	d->channel = xstrdup(channel);
	d->group = group;
	d->id = al->store != NULL ? store_alert_new_id(al->store) : ++al->next_id;
	d->due = clock_mono_ms();
	delivery_append(al, d);
	return d;
}

/* The book's decision: one message for one channel becomes a delivery. */
static void
alerter_send(void *arg, const struct alert_channel_conf *conf, const struct alert_msg *m)
{
	struct alerter *al = arg;
	struct delivery *d;
	struct channel *c;

	d = delivery_queue(al, conf->name, alert_channel_is_alertmanager(conf) ?
	    xstrdup(conf->name) : xasprintf("%s\n%s", conf->name, m->key));
	d->msg = alert_msg_dup(m);
	/* From its first alert on, an Alertmanager is kept informed. */
	c = alerter_channel(al, conf->name);
	if (c != NULL && alert_channel_is_alertmanager(conf) && c->next_refresh == 0)
		c->next_refresh = d->due + conf->resend_ms;
}

static bool
channel_busy(const struct alerter *al, const char *name)
{
	const struct delivery *d;

	for (d = al->deliveries; d != NULL; d = d->next)
		if (strcmp(d->channel, name) == 0)
			return true;
	return false;
}

/*
 * Alertmanager forgets a firing alert at its endsAt: every resend, each
 * Alertmanager channel is sent all its open alerts again (one POST), so
 * they fire while tend is there and end by themselves if it is not.
 */
static void
alerter_refresh(struct alerter *al, int64_t now_mono, int64_t now_wall)
{
	struct channel *c;
	struct alert_msg *v;
	struct delivery *d;
	size_t i, n;

	for (i = 0; i < al->n_channels; i++) {
		c = &al->channels[i];
		if (!alert_channel_is_alertmanager(c->conf))
			continue;
		n = alert_book_open_for(al->book, c->name, now_wall, &v);
		if (n == 0)
			c->next_refresh = 0;
		else if (c->next_refresh == 0)
			c->next_refresh = now_mono + c->conf->resend_ms;
		else if (now_mono >= c->next_refresh) {
			c->next_refresh = now_mono + c->conf->resend_ms;
			if (!channel_busy(al, c->name)) {
				d = xcalloc(1, sizeof(*d));
				d->al = al;
				d->channel = xstrdup(c->name);
				d->group = xstrdup(c->name);
				d->body = alert_format_am_batch(c->conf, v, n, al->host, now_wall);
				d->due = now_mono;
				delivery_append(al, d);
			}
		}
		free(v);
	}
}

static void
alerter_tick(uv_timer_t *timer)
{
	struct alerter *al = timer->data;
	int64_t now = clock_mono_ms(), wall = clock_wall_ms();
	struct delivery *d, *next;

	alert_book_repeat(al->book, al->conf, wall, now, alerter_send, al);
	alerter_refresh(al, now, wall);
	for (d = al->deliveries; d != NULL; d = next) {
		next = d->next;
		if (!delivery_running(d) && d->due <= now && !delivery_blocked(al, d))
			delivery_start(d);
	}
	alerter_schedule(al);
}

static void
earliest(int64_t *next, int64_t t)
{
	if (t >= 0 && (*next < 0 || t < *next))
		*next = t;
}

/* The timer for whatever comes first: a try, a repeat, a keep-alive. */
static void
alerter_schedule(struct alerter *al)
{
	const struct delivery *d;
	int64_t next = -1, now = clock_mono_ms();
	size_t i;

	for (d = al->deliveries; d != NULL; d = d->next)
		if (!delivery_running(d) && !delivery_blocked(al, d))
			earliest(&next, d->due);
	earliest(&next, alert_book_next_repeat(al->book, al->conf));
	for (i = 0; i < al->n_channels; i++)
		if (al->channels[i].next_refresh > 0)
			earliest(&next, al->channels[i].next_refresh);
	if (next < 0)
		uv_timer_stop(al->timer);
	else
		uv_timer_start(al->timer, alerter_tick,
		    (uint64_t)(next > now ? next - now : 0), 0);
}

static void
alerter_free_channels(struct alerter *al)
{
	size_t i;

	for (i = 0; i < al->n_channels; i++)
		free(al->channels[i].name);
	free(al->channels);
}

static void
alerter_set_channels(struct alerter *al, const struct alerts_conf *conf)
{
	struct channel *v = xcalloc(conf->n_channels + 1, sizeof(*v)), *old;
	size_t i;

	for (i = 0; i < conf->n_channels; i++) {
		v[i].name = xstrdup(conf->channels[i].name);
		v[i].conf = &conf->channels[i];
		old = alerter_channel(al, v[i].name);
		if (old != NULL && alert_channel_is_alertmanager(v[i].conf))
			v[i].next_refresh = old->next_refresh;
	}
	alerter_free_channels(al);
	al->channels = v;
	al->n_channels = conf->n_channels;
}

struct alerter *
alerter_new(uv_loop_t *loop, const struct alerts_conf *conf, struct store *st,
    struct http_engine *http)
{
	struct alerter *al = xcalloc(1, sizeof(*al));

	al->loop = loop;
	al->conf = conf;
	al->store = st;
	al->http = http;
	al->jitter = jitter_seed();
	al->book = alert_book_new();
	if (gethostname(al->host, sizeof(al->host) - 1) != 0)
		snprintf(al->host, sizeof(al->host), "localhost");
	al->timer = xcalloc(1, sizeof(*al->timer));
	uv_timer_init(loop, al->timer);
	al->timer->data = al;
	alerter_set_channels(al, conf);
	if (conf->n_channels > 0)
		log_info(NULL, "alerts: %zu channel%s", conf->n_channels,
		    conf->n_channels == 1 ? "" : "s");
	return al;
}

void
alerter_set_config(struct alerter *al, const struct alerts_conf *conf)
{
	struct delivery *d, *next;

	al->conf = conf;
	alerter_set_channels(al, conf);
	for (d = al->deliveries; d != NULL; d = next) {
		next = d->next;
		if (alerter_channel(al, d->channel) == NULL)
			delivery_abandon(al, d, "its channel was removed by a reload",
			    "dropped: the channel was removed");
	}
	alerter_schedule(al);
}

static void
alerter_timer_closed(uv_handle_t *handle)
{
	free(handle);
}

void
alerter_free(struct alerter *al)
{
	if (al == NULL)
		return;
	al->observer = NULL;
	while (al->deliveries != NULL)
		delivery_abandon(al, al->deliveries, "tend stopped before it was delivered",
		    "not delivered: tend is stopping");
	uv_timer_stop(al->timer);
	uv_close((uv_handle_t *)al->timer, alerter_timer_closed);
	alert_book_free(al->book);
	alerter_free_channels(al);
	free(al);
}

/* An event; nothing is sent when dedup or routing says so. al may be NULL. */
static void
alerter_raise(struct alerter *al, const struct alert_input *in)
{
	if (al == NULL)
		return;
	alert_book_raise(al->book, al->conf, in, clock_wall_ms(), clock_mono_ms(),
	    alerter_send, al);
	/* Tried from the timer, at once: never from inside the caller's callback. */
	alerter_schedule(al);
}

void
alerter_incident(struct alerter *al, const char *heal_event, const char *target,
    const char *state, const char *message, int64_t incident)
{
	struct alert_input in = { .source = ALERT_SOURCE_INCIDENT, .target = target,
	    .state = state, .message = message, .incident = incident };
	bool warning = state != NULL && strcmp(state, "warning") == 0;

	if (al == NULL)
		return;
	if (strncmp(heal_event, "rejoined", 8) == 0) {
		/* Alerted by a previous run: kept open, not sent again. */
		in.event = strcmp(heal_event, "rejoined-escalated") == 0 ? ALERT_ESCALATED :
		    warning ? ALERT_WARNING : ALERT_CRITICAL;
		alert_book_adopt(al->book, al->conf, &in, clock_wall_ms(), clock_mono_ms());
		alerter_schedule(al);
		return;
	}
	if (strcmp(heal_event, "incident") == 0)
		in.event = warning ? ALERT_WARNING : ALERT_CRITICAL;
	else if (strcmp(heal_event, "escalated") == 0)
		in.event = ALERT_ESCALATED;
	else
		in.event = ALERT_RESOLVED;	/* resolved, or closed some other way */
	alerter_raise(al, &in);
}

void
alerter_anomaly(struct alerter *al, const char *series, bool started, const char *message)
{
	struct alert_input in = { .event = started ? ALERT_ANOMALY : ALERT_RESOLVED,
	    .source = ALERT_SOURCE_ANOMALY, .target = series,
	    .state = started ? "warning" : "healthy", .message = message };

	alerter_raise(al, &in);
}

void
alerter_gave_up(struct alerter *al, const char *service, const char *why)
{
	struct alert_input in = { .event = ALERT_CRITICAL, .source = ALERT_SOURCE_SERVICE,
	    .target = service, .state = "critical", .message = why };

	alerter_raise(al, &in);
}

void
alerter_on_delivery(struct alerter *al, void (*fn)(void *arg, json_t *alert), void *arg)
{
	al->observer = fn;
	al->observer_arg = arg;
}

void
alerter_post_report(struct alerter *al, const struct alert_report *rep,
    char *const *channels)
{
	struct delivery *d;
	size_t i;

	if (al == NULL)
		return;
	for (i = 0; channels != NULL && channels[i] != NULL; i++) {
		/* Reports to a channel go in the order they were written. */
		d = delivery_queue(al, channels[i], xasprintf("%s\nreport", channels[i]));
		d->report = alert_report_copy(rep);
	}
	alerter_schedule(al);
}
