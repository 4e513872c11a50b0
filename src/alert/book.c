#include "alert/book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/strv.h"

struct open_alert {
	char		*key;
	enum alert_source source;
	enum alert_event firing;	/* critical, warning, anomaly, or escalated */
	char		*target;
	char		*state;
	char		*severity;
	char		*message;
	int64_t		 incident;
	int64_t		 started_at;	/* wall */
	int64_t		 last_sent;	/* mono: the repeat interval counts from here */
	char		**channels;	/* names of the channels it was sent to */
};

struct alert_book {
	struct open_alert **v;
	size_t		 n;
};

struct alert_msg *
alert_msg_dup(const struct alert_msg *m)
{
	const char *const src[] = { m->key, m->target, m->state, m->severity, m->message };
	const char **dst[5];
	struct alert_msg *c;
	size_t len = sizeof(*c), i, n;
	char *p;

	for (i = 0; i < 5; i++)
		len += src[i] != NULL ? strlen(src[i]) + 1 : 0;
	c = xmalloc(len);
	*c = *m;
	dst[0] = &c->key;
	dst[1] = &c->target;
	dst[2] = &c->state;
	dst[3] = &c->severity;
	dst[4] = &c->message;
	p = (char *)(c + 1);
	for (i = 0; i < 5; i++) {
		if (src[i] == NULL)
			continue;
		n = strlen(src[i]) + 1;
		memcpy(p, src[i], n);
		*dst[i] = p;
		p += n;
	}
	return c;
}

struct alert_book *
alert_book_new(void)
{
	return xcalloc(1, sizeof(struct alert_book));
}

static void
open_alert_free(struct open_alert *a)
{
	free(a->key);
	free(a->target);
	free(a->state);
	free(a->severity);
	free(a->message);
	strv_free(a->channels);
	free(a);
}

void
alert_book_free(struct alert_book *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		open_alert_free(b->v[i]);
	free(b->v);
	free(b);
}

bool
alert_channel_routes(const struct alert_channel_conf *ch, enum alert_event event)
{
	return (ch->on & (1u << event)) != 0;
}

bool
alert_channel_is_alertmanager(const struct alert_channel_conf *ch)
{
	return ch->webhook != NULL && ch->format == ALERT_FORMAT_ALERTMANAGER;
}

/* "incident:12", "anomaly:check.web.latency_ms", "service:web". */
static char *
alert_key(const struct alert_input *in)
{
	switch (in->source) {
	case ALERT_SOURCE_INCIDENT:
		return xasprintf("incident:%lld", (long long)in->incident);
	case ALERT_SOURCE_ANOMALY:
		return xasprintf("anomaly:%s", in->target);
	default:
		return xasprintf("service:%s", in->target);
	}
}

static struct open_alert *
book_find(const struct alert_book *b, const char *key)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (strcmp(b->v[i]->key, key) == 0)
			return b->v[i];
	return NULL;
}

static struct open_alert *
book_find_target(const struct alert_book *b, const char *target)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (strcmp(b->v[i]->target, target) == 0)
			return b->v[i];
	return NULL;
}

static void
book_remove(struct alert_book *b, struct open_alert *a)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->v[i] == a) {
			memmove(b->v + i, b->v + i + 1, (b->n - i - 1) * sizeof(*b->v));
			b->n--;
			break;
		}
	open_alert_free(a);
}

static void
set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = xstrdup(src != NULL ? src : "");
}

static struct open_alert *
book_open(struct alert_book *b, const char *key, const struct alert_input *in,
    int64_t now_wall)
{
	struct open_alert *a = xcalloc(1, sizeof(*a));

	a->key = xstrdup(key);
	a->source = in->source;
	a->incident = in->incident;
	a->started_at = now_wall;
	set_str(&a->target, in->target);
	/* The severity names the alert for good (Alertmanager's labels). */
	set_str(&a->severity, in->event == ALERT_WARNING || in->event == ALERT_ANOMALY ||
	    (in->state != NULL && strcmp(in->state, "warning") == 0) ? "warning" :
	    "critical");
	b->v = xrealloc(b->v, (b->n + 1) * sizeof(*b->v));
	b->v[b->n++] = a;
	return a;
}

static struct alert_msg
book_msg(const struct open_alert *a, enum alert_event event, int64_t now_wall)
{
	return (struct alert_msg){ .event = event, .source = a->source, .key = a->key,
	    .target = a->target, .state = a->state, .severity = a->severity,
	    .message = a->message, .incident = a->incident, .at = now_wall,
	    .started_at = a->started_at };
}

/* The alert's current event to every channel that routes it. */
static int
book_send_firing(const struct alerts_conf *conf, struct open_alert *a, bool repeat,
    int64_t now_wall, int64_t now_mono, alert_send_fn fn, void *arg)
{
	struct alert_msg m = book_msg(a, a->firing, now_wall);
	const struct alert_channel_conf *ch;
	size_t i;
	int n = 0;

	m.repeat = repeat;
	a->last_sent = now_mono;
	for (i = 0; i < conf->n_channels; i++) {
		ch = &conf->channels[i];
		if (!alert_channel_routes(ch, a->firing))
			continue;
		if (!strv_contains(a->channels, ch->name))
			a->channels = strv_push(a->channels, ch->name);
		fn(arg, ch, &m);
		n++;
	}
	return n;
}

/*
 * The end goes where the alert went: to the channels that heard of it and
 * route `resolved`, and always to an Alertmanager, whose alert otherwise
 * fires on until its endsAt.
 */
static int
book_send_resolved(struct alert_book *b, const struct alerts_conf *conf,
    struct open_alert *a, const struct alert_input *in, int64_t now_wall,
    alert_send_fn fn, void *arg)
{
	const struct alert_channel_conf *ch;
	struct alert_msg m;
	size_t i;
	int n = 0;

	set_str(&a->state, in->state != NULL ? in->state : "healthy");
	set_str(&a->message, in->message);
	m = book_msg(a, ALERT_RESOLVED, now_wall);
	m.ended_at = now_wall;
	for (i = 0; i < conf->n_channels; i++) {
		ch = &conf->channels[i];
		if (!strv_contains(a->channels, ch->name) ||
		    !(alert_channel_routes(ch, ALERT_RESOLVED) ||
		    alert_channel_is_alertmanager(ch)))
			continue;
		fn(arg, ch, &m);
		n++;
	}
	book_remove(b, a);
	return n;
}

static int
book_resolve(struct alert_book *b, const struct alerts_conf *conf,
    const struct alert_input *in, const char *key, int64_t now_wall,
    alert_send_fn fn, void *arg)
{
	struct open_alert *a = book_find(b, key);
	char *service_key;
	int n = 0;

	if (a != NULL)
		n += book_send_resolved(b, conf, a, in, now_wall, fn, arg);
	else
		log_debug(NULL, "alerts: %s of %s: nothing open to resolve",
		    alert_event_names[in->event], key);
	/* A service that gave up is over when an incident of it is. */
	if (in->source == ALERT_SOURCE_INCIDENT) {
		service_key = xasprintf("service:%s", in->target);
		if ((a = book_find(b, service_key)) != NULL)
			n += book_send_resolved(b, conf, a, in, now_wall, fn, arg);
		free(service_key);
	}
	return n;
}

int
alert_book_raise(struct alert_book *b, const struct alerts_conf *conf,
    const struct alert_input *in, int64_t now_wall, int64_t now_mono,
    alert_send_fn fn, void *arg)
{
	struct open_alert *a, *same;
	char *key = alert_key(in);
	int n = 0;

	a = book_find(b, key);
	switch (in->event) {
	case ALERT_CRITICAL:
	case ALERT_WARNING:
	case ALERT_ANOMALY:
		if (a != NULL) {
			log_debug(NULL, "alerts: %s already alerted", key);
			break;
		}
		if (in->source == ALERT_SOURCE_SERVICE &&
		    (same = book_find_target(b, in->target)) != NULL) {
			log_debug(NULL, "alerts: %s already alerted as %s", key, same->key);
			break;
		}
		a = book_open(b, key, in, now_wall);
		a->firing = in->event;
		set_str(&a->state, in->state);
		set_str(&a->message, in->message);
		n = book_send_firing(conf, a, false, now_wall, now_mono, fn, arg);
		break;
	case ALERT_ESCALATED:
		if (a == NULL)
			a = book_open(b, key, in, now_wall);
		a->firing = ALERT_ESCALATED;
		set_str(&a->state, in->state);
		set_str(&a->message, in->message);
		n = book_send_firing(conf, a, false, now_wall, now_mono, fn, arg);
		break;
	case ALERT_RESOLVED:
		n = book_resolve(b, conf, in, key, now_wall, fn, arg);
		break;
	default:
		break;
	}
	free(key);
	return n;
}

void
alert_book_adopt(struct alert_book *b, const struct alerts_conf *conf,
    const struct alert_input *in, int64_t now_wall, int64_t now_mono)
{
	char *key = alert_key(in);
	struct open_alert *a = book_find(b, key);
	size_t i;

	if (a == NULL) {
		a = book_open(b, key, in, now_wall);
		a->firing = in->event;
		set_str(&a->state, in->state);
		set_str(&a->message, in->message);
		a->last_sent = now_mono;
		for (i = 0; i < conf->n_channels; i++)
			if (alert_channel_routes(&conf->channels[i], in->event))
				a->channels = strv_push(a->channels, conf->channels[i].name);
	}
	free(key);
}

int
alert_book_repeat(struct alert_book *b, const struct alerts_conf *conf,
    int64_t now_wall, int64_t now_mono, alert_send_fn fn, void *arg)
{
	size_t i;
	int n = 0;

	if (conf->repeat_interval_ms <= 0)
		return 0;
	for (i = 0; i < b->n; i++)
		if (now_mono - b->v[i]->last_sent >= conf->repeat_interval_ms)
			n += book_send_firing(conf, b->v[i], true, now_wall, now_mono, fn,
			    arg);
	return n;
}

int64_t
alert_book_next_repeat(const struct alert_book *b, const struct alerts_conf *conf)
{
	int64_t next = -1, due;
	size_t i;

	if (conf->repeat_interval_ms <= 0)
		return -1;
	for (i = 0; i < b->n; i++) {
		due = b->v[i]->last_sent + conf->repeat_interval_ms;
		if (next < 0 || due < next)
			next = due;
	}
	return next;
}

size_t
alert_book_open_for(const struct alert_book *b, const char *channel, int64_t now_wall,
    struct alert_msg **out)
{
	size_t i, n = 0;

	*out = xcalloc(b->n + 1, sizeof(**out));
	for (i = 0; i < b->n; i++)
		if (strv_contains(b->v[i]->channels, channel))
			(*out)[n++] = book_msg(b->v[i], b->v[i]->firing, now_wall);
	return n;
}

size_t
alert_book_open_count(const struct alert_book *b)
{
	return b->n;
}
