#include "checks/scheduler.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check_run.h"
#include "checks/http_engine.h"
#include "checks/resource.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/name_index.h"
#include "health/tracker.h"

/*
 * First runs are spread over a second, or a millisecond per check when there
 * are more (never past a check's own interval): results come at once, and a
 * thousand checks still do not fire in the same millisecond.
 */
#define SCHEDULER_FIRST_SPREAD_MS	1000
/*
 * ... on a grid of this many milliseconds for checks every second or less
 * often. libuv sets a repeating timer's next time from the loop's time when
 * it fires, so checks that fire in one turn of the loop stay together:
 * 10,000 checks every 10 s wake the loop 100 times a second, ten checks a
 * time, rather than once every millisecond (a wakeup costs more than a
 * process check's sample).
 */
#define SCHEDULER_GRID_MS		10
#define SCHEDULER_GRID_FROM_MS		1000
/*
 * Every kind ends its run at its timeout. One still going this long after
 * it has lost its way (an HTTP transfer that was never ended, once in a
 * few hundred restarts of its target under load): it is cancelled, said,
 * and the next tick starts another, so that a check never falls silent.
 */
#define SCHEDULER_OVERRUN_MS		1000
/*
 * The host summary ("host: cpu 3.1% memory 41.0% ...") is context, not
 * news: logged once the first results are in, after a host metric's check
 * changed state, and otherwise every ten minutes. Logged every interval, it
 * was 43 % of a day's log.
 */
#define SCHEDULER_SUMMARY_MS		(10 * 60 * 1000)
#define SCHEDULER_MAX_SUBSCRIBERS	8
/*
 * A sample's metrics are compared with the last sample's, the first this
 * many of them; and all are given as new at least this often, so that
 * every minute the store rolls up holds one of each.
 */
#define SAMPLE_PERF_MAX		8
#define SAMPLE_FULL_EVERY_MS	30000
/*
 * A clock (an uptime, an age) is compared as the time it counts from, to
 * this many seconds: a process's uptime comes from a reading of /proc up to
 * 5 s old (check_process.c).
 */
#define SAMPLE_CLOCK_SLACK_S	6.0f

struct scheduled {
	struct scheduler *s;
	const struct check_conf *conf;
	/* What runs once the healer raised its timeout: conf's copy; NULL: conf. */
	struct check_conf *raised;
	uv_timer_t	 timer;
	struct check_run *run;		/* in flight, or NULL */
	int64_t		 run_started_ms;	/* monotonic */
	bool		 again;		/* a tick or a run now came while one was in flight */
	bool		 paused;	/* its service is a copy scaled down: not run */
	bool		 stale;		/* the run in flight began before its service restarted */
	int64_t		 monitor_every;	/* enable_monitoring: this interval ... */
	int64_t		 monitor_until;	/* ... until then (monotonic ms); 0: none */
	struct health_tracker tracker;
	struct check_memory memory;
	struct check_kept last;
	bool		 has_result;
	int64_t		 checked_at;	/* wall ms of the last result */
	int64_t		 sampled_at;	/* monotonic ms of the last sample; 0: none */
	enum health_state sampled_state;
	/* The last sample's metrics (scheduled_mark_repeats), as floats: 10,000 checks. */
	float		 sampled_perf[SAMPLE_PERF_MAX];
	uint32_t	 sampled_layout;	/* a hash of their labels */
	int64_t		 sampled_full_at;	/* monotonic ms: when all were given as new */
};

/* Who hears a check's results (scheduler_on_result, scheduler_on_sample). */
struct result_subscribers {
	struct {
		check_result_fn fn;
		void	*arg;
	} v[SCHEDULER_MAX_SUBSCRIBERS];
	size_t	 n;
};

struct scheduler {
	struct check_env env;
	const struct tend_config *cfg;	/* its checks are v's, in order */
	struct scheduled *v;
	size_t		 n;
	/* cfg's checks by service: status walks a thousand services' checks. */
	struct name_index by_service;
	/* How many running checks are in each tracked state: the overall, at once. */
	size_t		 n_state[HEALTH_STATE_COUNT];
	uv_timer_t	 summary;
	struct check_soon soon;		/* results its runs have at once (env.soon) */
	int64_t		 interval_ms;
	int		 open_handles;
	uint64_t	 runs;
	struct {
		check_change_fn fn;
		void	*arg;
	} subs[SCHEDULER_MAX_SUBSCRIBERS];
	size_t		 n_subs;
	struct result_subscribers results;	/* every result */
	struct result_subscribers samples;	/* the results that are samples */
};

static void
scheduler_log_summary(struct scheduler *s)
{
	char line[1024] = "host:";
	const struct scheduled *c;
	size_t i, len;

	for (i = 0; i < s->n; i++) {
		c = &s->v[i];
		if (c->conf->type != CHECK_RESOURCE || !c->has_result ||
		    c->last.n_perf == 0)
			continue;
		len = strlen(line);
		if (c->conf->metric == RESOURCE_DISK || c->conf->metric == RESOURCE_INODES)
			snprintf(line + len, sizeof(line) - len, " %s %s %.1f%%",
			    resource_metric_name(c->conf->metric), c->conf->path,
			    c->last.perf[0].value);
		else
			snprintf(line + len, sizeof(line) - len, " %s %.*f%s",
			    resource_metric_name(c->conf->metric),
			    c->conf->metric == RESOURCE_LOAD ? 2 : 1, c->last.perf[0].value,
			    c->conf->metric == RESOURCE_LOAD ? "/core" : "%");
	}
	if (strcmp(line, "host:") != 0)
		log_info(NULL, "%s", line);
}

static void
scheduler_summary_due(uv_timer_t *timer)
{
	scheduler_log_summary(timer->data);
}

/* After a host metric's change: the summary now, the next one in ten minutes. */
static void
scheduler_summary_now(struct scheduler *s)
{
	scheduler_log_summary(s);
	uv_timer_start(&s->summary, scheduler_summary_due, SCHEDULER_SUMMARY_MS,
	    SCHEDULER_SUMMARY_MS);
}

static void
scheduled_log(const struct scheduled *c, enum health_state from, bool changed,
    const struct check_result *r)
{
	enum health_state to = c->tracker.state;

	/* A service's checks log under its name: "[web] check health: ..." */
	if (!changed) {
		log_debug(c->conf->service, "check %s: %s: %s", c->conf->name,
		    health_state_name(r->state), r->message);
		return;
	}
	log_msg(to == HEALTH_HEALTHY ? LOG_INFO : LOG_WARN, c->conf->service,
	    "check %s: %s -> %s: %s", c->conf->name, health_state_name(from),
	    health_state_name(to), r->message);
}

static void	scheduled_fire(uv_timer_t *timer);

/* What the check runs with: the healer's raised copy, else its own. */
static const struct check_conf *
scheduled_conf(const struct scheduled *c)
{
	return c->raised ? c->raised : c->conf;
}

/* The check's interval now: enable_monitoring's while it lasts, else its own. */
static uint64_t
scheduled_every(const struct scheduled *c)
{
	if (c->monitor_until > 0)
		return (uint64_t)c->monitor_every;
	return (uint64_t)(c->conf->every_ms ? c->conf->every_ms : c->s->interval_ms);
}

static void
result_subscribers_call(const struct result_subscribers *l, const struct check_conf *conf,
    const struct check_result *r, enum health_state tracked)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		l->v[i].fn(l->v[i].arg, conf, r, tracked);
}

/*
 * Whether a result is a sample (scheduler_on_sample): a check asked for
 * 50 runs a second keeps one a second in the store, not 50 rows, and its
 * anomaly baseline spans a minute, not a second.
 */
static bool
scheduled_sample(struct scheduled *c, const struct check_result *r)
{
	int64_t every = c->s->cfg->sample_every_ms, now;

	if (every > 0 && (int64_t)scheduled_every(c) < every) {
		now = clock_mono_ms();
		if (c->sampled_at != 0 && now - c->sampled_at < every &&
		    r->state == c->sampled_state)
			return false;
		c->sampled_at = now;
	}
	c->sampled_state = r->state;
	return true;
}

static uint32_t
perf_layout(const struct check_result *r)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	const char *p;
	size_t i;

	for (i = 0; i < r->n_perf; i++)
		for (p = r->perf[i].label; ; p++) {
			h = (h ^ (unsigned char)*p) * 16777619u;
			if (*p == '\0')
				break;
		}
	return h;
}

/*
 * A sample's metrics that say what the last sample's said, to a float's
 * precision, marked in r->perf_repeated: the recorder writes only the
 * others. A process check's RSS, threads, fds and processes rarely move,
 * and were four of its eight rows a run; its uptime, a clock, moved by
 * the time between the samples and was a fifth of them. All are new at
 * least every SAMPLE_FULL_EVERY_MS, and when the metrics are not the last
 * sample's (their labels differ). sample_every 0 keeps every run's every
 * metric.
 */
static void
scheduled_mark_repeats(struct scheduled *c, struct check_result *r)
{
	int64_t now;
	uint32_t layout;
	bool full, clock;
	size_t i;
	float v;

	r->perf_repeated = 0;
	if (c->s->cfg->sample_every_ms <= 0 || r->n_perf == 0)
		return;
	now = clock_mono_ms();
	layout = perf_layout(r);
	full = c->sampled_full_at == 0 || now - c->sampled_full_at >= SAMPLE_FULL_EVERY_MS ||
	    layout != c->sampled_layout;
	if (full) {
		c->sampled_full_at = now;
		c->sampled_layout = layout;
	}
	for (i = 0; i < r->n_perf && i < SAMPLE_PERF_MAX; i++) {
		clock = check_result_metric_is_clock(r, i);
		v = (float)(clock ? r->perf[i].value - (double)now / 1000.0 : r->perf[i].value);
		/* A NaN is never equal, nor near: a gap is not repeated. */
		if (!full && (clock ? fabsf(v - c->sampled_perf[i]) <= SAMPLE_CLOCK_SLACK_S :
		    v == c->sampled_perf[i]))
			r->perf_repeated |= 1u << i;
		c->sampled_perf[i] = v;
	}
}

static void
scheduled_done(void *arg, const struct check_conf *conf, struct check_result *r)
{
	struct scheduled *c = arg;
	struct scheduler *s = c->s;
	enum health_state from = c->tracker.state;
	bool changed;
	size_t i;

	c->run = NULL;
	s->runs++;
	/*
	 * Measured across a restart of its service (an operator's restart while
	 * a process check sampled the old pid): it says nothing of the new
	 * process. Dropped, and the check runs again at once.
	 */
	if (c->stale) {
		check_result_clear(r);
		c->stale = false;
		c->again = false;
		uv_timer_start(&c->timer, scheduled_fire, 0, scheduled_every(c));
		return;
	}
	/*
	 * A tick came, or a run now was asked for (a restart being verified),
	 * while this run was going: another one follows at once, on the next
	 * loop turn.
	 */
	if (c->again) {
		c->again = false;
		uv_timer_start(&c->timer, scheduled_fire, 0, scheduled_every(c));
	}
	c->has_result = true;
	c->checked_at = clock_wall_ms();
	changed = health_tracker_feed(&c->tracker, r->state);
	if (!c->paused) {
		s->n_state[from]--;
		s->n_state[c->tracker.state]++;
	}
	result_subscribers_call(&s->results, c->conf, r, c->tracker.state);
	if (scheduled_sample(c, r)) {
		scheduled_mark_repeats(c, r);
		result_subscribers_call(&s->samples, c->conf, r, c->tracker.state);
	}
	scheduled_log(c, from, changed, r);
	for (i = 0; changed && i < s->n_subs; i++)
		s->subs[i].fn(s->subs[i].arg, c->conf, from, c->tracker.state, r);
	check_kept_take(&c->last, r);
	/* A first result is no change of the host; the summary after start says it. */
	if (changed && from != HEALTH_UNKNOWN && c->conf->type == CHECK_RESOURCE)
		scheduler_summary_now(s);
}

static void
scheduled_fire(uv_timer_t *timer)
{
	struct scheduled *c = timer->data;
	int64_t now;

	/* enable_monitoring is over: the check's own interval again. */
	if (c->monitor_until > 0 && clock_mono_ms() >= c->monitor_until) {
		c->monitor_until = 0;
		uv_timer_set_repeat(&c->timer, scheduled_every(c));
		log_info(c->conf->service, "check %s: back to its own interval",
		    c->conf->name);
	}
	/*
	 * A run still going (a slow target, a hung one waiting out its
	 * timeout) is not doubled up, and the tick is not lost either: the
	 * next run follows it at once, so a target is checked every interval
	 * or every timeout, whichever is longer — not every other interval.
	 */
	if (c->paused)
		return;
	now = clock_mono_ms();
	if (c->run != NULL && now - c->run_started_ms > scheduled_conf(c)->timeout_ms +
	    SCHEDULER_OVERRUN_MS) {
		log_warn(c->conf->service, "check %s: its run did not end %lld ms after it "
		    "began (timeout %lld ms): cancelled, and another begun", c->conf->name,
		    (long long)(now - c->run_started_ms), (long long)scheduled_conf(c)->timeout_ms);
		check_run_cancel(c->run);
		c->run = NULL;
		c->again = false;
	}
	if (c->run == NULL) {
		c->run_started_ms = now;
		c->run = check_run_start(&c->s->env, scheduled_conf(c), &c->memory,
		    scheduled_done, c);
	} else {
		c->again = true;
	}
}

struct scheduler *
scheduler_start(const struct check_env *env, const struct tend_config *cfg)
{
	struct scheduler *s = xcalloc(1, sizeof(*s));
	struct scheduled *c;
	int64_t every, spread, first;
	size_t i, n_http = 0;

	s->env = *env;
	check_soon_init(env->loop, &s->soon);
	s->env.soon = &s->soon;
	s->cfg = cfg;
	s->interval_ms = cfg->interval_ms;
	s->n = cfg->n_checks;
	s->v = xcalloc(s->n + 1, sizeof(*s->v));
	name_index_build(&s->by_service, cfg->checks, cfg->n_checks, sizeof(*cfg->checks),
	    offsetof(struct check_conf, service));
	for (i = 0; i < s->n; i++) {
		c = &s->v[i];
		c->s = s;
		c->conf = &cfg->checks[i];
		check_kept_clear(&c->last);
		health_tracker_init(&c->tracker, c->conf->fail_after, c->conf->fail_n,
		    c->conf->fail_of, c->conf->recover_after);
		s->n_state[c->tracker.state]++;
		every = c->conf->every_ms ? c->conf->every_ms : cfg->interval_ms;
		spread = (int64_t)s->n > SCHEDULER_FIRST_SPREAD_MS ? (int64_t)s->n :
		    SCHEDULER_FIRST_SPREAD_MS;
		if (spread > every)
			spread = every;
		first = spread * (int64_t)i / (int64_t)s->n;
		if (every >= SCHEDULER_GRID_FROM_MS)
			first -= first % SCHEDULER_GRID_MS;
		uv_timer_init(env->loop, &c->timer);
		c->timer.data = c;
		uv_timer_start(&c->timer, scheduled_fire, (uint64_t)first, (uint64_t)every);
		if (c->conf->type == CHECK_HTTP)
			n_http++;
	}
	/* A connection kept open per HTTP check (an upper bound of its targets). */
	if (env->http != NULL)
		http_engine_expect(env->http, n_http);
	uv_timer_init(env->loop, &s->summary);
	s->summary.data = s;
	uv_timer_start(&s->summary, scheduler_summary_due,
	    SCHEDULER_FIRST_SPREAD_MS + 500, SCHEDULER_SUMMARY_MS);
	return s;
}

void
scheduler_subscribe(struct scheduler *s, check_change_fn fn, void *arg)
{
	if (s == NULL || s->n_subs == SCHEDULER_MAX_SUBSCRIBERS)
		return;
	s->subs[s->n_subs].fn = fn;
	s->subs[s->n_subs].arg = arg;
	s->n_subs++;
}

static void
result_subscribers_add(struct result_subscribers *l, check_result_fn fn, void *arg)
{
	if (l->n == SCHEDULER_MAX_SUBSCRIBERS)
		return;
	l->v[l->n].fn = fn;
	l->v[l->n].arg = arg;
	l->n++;
}

void
scheduler_on_result(struct scheduler *s, check_result_fn fn, void *arg)
{
	if (s != NULL)
		result_subscribers_add(&s->results, fn, arg);
}

void
scheduler_on_sample(struct scheduler *s, check_result_fn fn, void *arg)
{
	if (s != NULL)
		result_subscribers_add(&s->samples, fn, arg);
}

/* By the config's name index: a ping per check of ten thousand is no scan. */
static struct scheduled *
scheduler_find(struct scheduler *s, const char *check)
{
	const struct check_conf *c;

	if (s == NULL || (c = config_find_check(s->cfg, check)) == NULL)
		return NULL;
	return &s->v[c - s->cfg->checks];
}

/* The checks of a service: *first is the position of the first in by_service. */
static size_t
scheduler_service_range(const struct scheduler *s, const char *service, size_t *first)
{
	return s != NULL ? name_index_range(&s->by_service, service, first) : 0;
}

static struct scheduled *
scheduler_service_nth(const struct scheduler *s, size_t at)
{
	const struct check_conf *c = s->by_service.v[at];

	return &s->v[c - s->cfg->checks];
}

int
scheduler_run_now(struct scheduler *s, const char *check)
{
	struct scheduled *c = scheduler_find(s, check);

	if (c == NULL)
		return -1;
	/*
	 * On the next loop turn, never inside the caller: a result may come
	 * back at once, and the caller (the healer) must not be re-entered.
	 * The schedule then goes on from now.
	 */
	uv_timer_start(&c->timer, scheduled_fire, 0, scheduled_every(c));
	return 0;
}

int
scheduler_monitor(struct scheduler *s, const char *check, int64_t every_ms, int64_t for_ms)
{
	struct scheduled *c = scheduler_find(s, check);
	int64_t own;

	if (c == NULL || every_ms <= 0)
		return -1;
	/* Never slower than the check's own interval. */
	own = c->conf->every_ms ? c->conf->every_ms : s->interval_ms;
	c->monitor_every = every_ms < own ? every_ms : own;
	c->monitor_until = clock_mono_ms() + for_ms;
	log_info(c->conf->service, "check %s: every %lld ms for %lld s (enable_monitoring)",
	    c->conf->name, (long long)c->monitor_every, (long long)(for_ms / 1000));
	uv_timer_start(&c->timer, scheduled_fire, 0, scheduled_every(c));
	return 0;
}

int
scheduler_ping(struct scheduler *s, const char *check, enum heartbeat_ping kind,
    const char *message)
{
	struct scheduled *c = scheduler_find(s, check);
	int64_t now = clock_wall_ms();

	if (c == NULL)
		return -1;
	if (c->conf->type != CHECK_HEARTBEAT)
		return -2;
	heartbeat_record(heartbeat_state(&c->memory, now), kind, message, now);
	/* The check says so at once: a resumed heartbeat closes its incident. */
	return scheduler_run_now(s, check);
}

void
scheduler_service_started(struct scheduler *s, const char *service)
{
	int64_t now = clock_wall_ms();
	struct scheduled *c;
	size_t first, n;

	for (n = scheduler_service_range(s, service, &first); n > 0; n--, first++) {
		c = scheduler_service_nth(s, first);
		if (c->conf->type == CHECK_HEARTBEAT)
			heartbeat_service_started(heartbeat_state(&c->memory, now), now);
		if (c->run != NULL)
			c->stale = true;
	}
}

int64_t
scheduler_adjust_timeout(struct scheduler *s, const char *check, double factor,
    int64_t max_ms)
{
	struct scheduled *c = scheduler_find(s, check);
	int64_t t, now;

	if (c == NULL)
		return -1;
	now = scheduled_conf(c)->timeout_ms;
	t = (int64_t)((double)now * factor);
	if (t > max_ms)
		t = max_ms;
	if (t <= now)
		return now;
	log_info(c->conf->service, "check %s: timeout raised from %lld to %lld ms",
	    c->conf->name, (long long)now, (long long)t);
	/* A shallow copy: the rest of it is the config's, which outlives it. */
	if (c->raised == NULL) {
		c->raised = xmalloc(sizeof(*c->raised));
		*c->raised = *c->conf;
	}
	c->raised->timeout_ms = t;
	return t;
}

static void
scheduler_handle_closed(uv_handle_t *handle)
{
	struct scheduler *s = handle->data;
	size_t i;

	if (--s->open_handles > 0)
		return;
	check_soon_clear(&s->soon);
	for (i = 0; i < s->n; i++) {
		check_kept_clear(&s->v[i].last);
		check_memory_clear(&s->v[i].memory);
		free(s->v[i].raised);
	}
	free(s->v);
	name_index_free(&s->by_service);
	free(s);
}

void
scheduler_close(struct scheduler *s)
{
	size_t i;

	if (s == NULL)
		return;
	s->open_handles = (int)s->n + 2;
	for (i = 0; i < s->n; i++) {
		if (s->v[i].run != NULL)
			check_run_cancel(s->v[i].run);
		s->v[i].run = NULL;
		s->v[i].timer.data = s;
		uv_close((uv_handle_t *)&s->v[i].timer, scheduler_handle_closed);
	}
	uv_close((uv_handle_t *)&s->summary, scheduler_handle_closed);
	s->soon.prepare.data = s;
	check_soon_close(&s->soon, scheduler_handle_closed);
}

/* Pausing starts the check afresh: what it said before is no news after. */
static void
scheduled_pause(struct scheduled *c, bool paused)
{
	if (c->paused == paused)
		return;
	c->paused = paused;
	if (!paused) {
		c->s->n_state[c->tracker.state]++;
		uv_timer_start(&c->timer, scheduled_fire, 0, scheduled_every(c));
		return;
	}
	c->s->n_state[c->tracker.state]--;
	if (c->run != NULL)
		check_run_cancel(c->run);
	c->run = NULL;
	c->again = false;
	check_kept_clear(&c->last);
	c->has_result = false;
	health_tracker_init(&c->tracker, c->conf->fail_after, c->conf->fail_n,
	    c->conf->fail_of, c->conf->recover_after);
}

void
scheduler_pause_service(struct scheduler *s, const char *service, bool paused)
{
	size_t first, n;

	for (n = scheduler_service_range(s, service, &first); n > 0; n--, first++)
		scheduled_pause(scheduler_service_nth(s, first), paused);
}

enum health_state
scheduler_check_state(struct scheduler *s, const char *check)
{
	const struct scheduled *c = scheduler_find(s, check);

	return c == NULL || c->paused ? HEALTH_UNKNOWN : c->tracker.state;
}

static json_t *
scheduled_json(const struct scheduled *c)
{
	struct check_result view;
	json_t *o;

	check_kept_view(&c->last, &view);
	o = c->has_result ? check_result_json(&view) : json_pack("{s:s, s:s, s:n, s:[]}",
	    "state", "unknown", "message", "not run yet", "latency_ms", "metrics");

	/* The tracked state is the one that counts; the last run's is "raw". */
	json_object_set_new(o, "raw_state", json_string(c->has_result ?
	    health_state_name(c->last.state) : "unknown"));
	json_object_set_new(o, "state", json_string(health_state_name(c->tracker.state)));
	json_object_set_new(o, "name", json_string(c->conf->name));
	json_object_set_new(o, "type", json_string(check_type_name(c->conf->type)));
	json_object_set_new(o, "service", c->conf->service ?
	    json_string(c->conf->service) : json_null());
	json_object_set_new(o, "checked_at", c->has_result ? json_integer(c->checked_at) :
	    json_null());
	if (c->paused) {
		json_object_set_new(o, "state", json_string("paused"));
		json_object_set_new(o, "paused", json_true());
		json_object_set_new(o, "message", json_string("paused: its service is "
		    "scaled down"));
	}
	if (c->conf->type == CHECK_RESOURCE) {
		json_object_set_new(o, "metric",
		    json_string(resource_metric_name(c->conf->metric)));
		json_object_set_new(o, "value", c->has_result && c->last.n_perf > 0 &&
		    !isnan(c->last.perf[0].value) ? json_real(c->last.perf[0].value) :
		    json_null());
		if (c->conf->metric == RESOURCE_DISK || c->conf->metric == RESOURCE_INODES)
			json_object_set_new(o, "path", json_string(c->conf->path));
	}
	return o;
}

json_t *
scheduler_status(const struct scheduler *s)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		json_array_append_new(arr, scheduled_json(&s->v[i]));
	return arr;
}

json_t *
scheduler_status_problems(const struct scheduler *s)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (!s->v[i].paused && s->v[i].tracker.state != HEALTH_HEALTHY)
			json_array_append_new(arr, scheduled_json(&s->v[i]));
	return arr;
}

json_t *
scheduler_counts(const struct scheduler *s)
{
	size_t n[HEALTH_STATE_COUNT + 1] = { 0 }, i;
	json_t *counts = json_object();
	enum health_state st;

	for (i = 0; s != NULL && i < s->n; i++)
		n[s->v[i].paused ? HEALTH_STATE_COUNT : s->v[i].tracker.state]++;
	for (st = 0; st < HEALTH_STATE_COUNT; st++)
		if (n[st] > 0)
			json_object_set_new(counts, health_state_name(st), json_integer(
			    (json_int_t)n[st]));
	if (n[HEALTH_STATE_COUNT] > 0)
		json_object_set_new(counts, "paused", json_integer(
		    (json_int_t)n[HEALTH_STATE_COUNT]));
	return counts;
}

enum health_state
scheduler_service_health(const struct scheduler *s, const char *service)
{
	enum health_state worst = HEALTH_HEALTHY;
	const struct scheduled *c;
	size_t first, n;

	for (n = scheduler_service_range(s, service, &first); n > 0; n--, first++) {
		c = scheduler_service_nth(s, first);
		if (!c->paused)
			worst = health_state_worst(worst, c->tracker.state);
	}
	return worst;
}

size_t
scheduler_service_count(const struct scheduler *s, const char *service)
{
	size_t first;

	return scheduler_service_range(s, service, &first);
}

json_t *
scheduler_service_checks(const struct scheduler *s, const char *service)
{
	json_t *names = json_array();
	size_t first, n;

	for (n = scheduler_service_range(s, service, &first); n > 0; n--, first++)
		json_array_append_new(names,
		    json_string(scheduler_service_nth(s, first)->conf->name));
	return names;
}

enum health_state
scheduler_overall(const struct scheduler *s)
{
	enum health_state worst = HEALTH_HEALTHY, st;

	for (st = 0; s != NULL && st < HEALTH_STATE_COUNT; st++)
		if (s->n_state[st] > 0)
			worst = health_state_worst(worst, st);
	return worst;
}

uint64_t
scheduler_runs(const struct scheduler *s)
{
	return s != NULL ? s->runs : 0;
}
