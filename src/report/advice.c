/*
 * Recommendations: a table of rules, each reading the numbers and saying
 * what an operator would do about them. The thresholds are here, named,
 * and in docs/report.md.
 */
#include "report/report.h"

#include <stdarg.h>
#include <stdlib.h>

#include "core/mem.h"

#define REPEAT_HEALS		3	/* one action healed one target this often */
#define FLAPS			5	/* a check went critical this often */
#define CRASH_BACKOFFS		3	/* a service went into backoff this often */
#define WEAK_ATTEMPTS		3	/* an action tried at least this often ... */
#define WEAK_RATE		0.5	/* ... healed less than this share */
#define AVAILABILITY_GOAL	0.99
#define RISE_MIN		3	/* a category rose to at least this ... */
#define RISE_FACTOR		2	/* ... and to this many times the period before */

static void
advise(struct report *r, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
advise(struct report *r, const char *rule, const char *fmt, ...)
{
	va_list ap;

	r->advice = xgrow(r->advice, r->n_advice, sizeof(*r->advice));
	r->advice[r->n_advice].rule = rule;
	va_start(ap, fmt);
	r->advice[r->n_advice++].text = xvasprintf(fmt, ap);
	va_end(ap);
}

static void
rule_repeat_heal(struct report *r)
{
	const struct report_actions *a = &r->cur.per_target;
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].healed >= REPEAT_HEALS)
			advise(r, "repeat_heal", "%s fixed %s %lld times: the same failure keeps "
			    "coming back; find its cause (a leak? raise its memory) rather than "
			    "healing it again", a->v[i].action, a->v[i].target,
			    (long long)a->v[i].healed);
}

static void
rule_flapping(struct report *r)
{
	const struct report_target *t;
	size_t i;

	for (i = 0; i < r->cur.n_targets; i++) {
		t = &r->cur.targets[i];
		if (t->kind[0] == 'c' && t->failures >= FLAPS)
			advise(r, "flapping", "check %s flapped %d times: raise its fail_after "
			    "(or fail: {n, of}) if it recovers by itself", t->name, t->failures);
	}
}

static void
rule_crash_loop(struct report *r)
{
	const struct report_target *t;
	size_t i;

	for (i = 0; i < r->cur.n_targets; i++) {
		t = &r->cur.targets[i];
		if (t->kind[0] == 's' && (t->backoffs >= CRASH_BACKOFFS || t->gave_up > 0))
			advise(r, "crash_loop", "service %s crashed into backoff %d times and gave "
			    "up %d times: read its log and fix the crash; restarts only hide it",
			    t->name, t->backoffs, t->gave_up);
	}
}

static void
rule_weak_action(struct report *r)
{
	const struct report_actions *a = &r->cur.per_action;
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].attempts >= WEAK_ATTEMPTS && a->v[i].rate < WEAK_RATE)
			advise(r, "weak_action", "%s healed %lld of %lld attempts (%.0f%%): put "
			    "a better action before it in the plans that use it", a->v[i].action,
			    (long long)a->v[i].healed, (long long)a->v[i].attempts,
			    a->v[i].rate * 100);
}

static void
rule_availability(struct report *r)
{
	const struct report_target *t;
	size_t i;

	for (i = 0; i < r->cur.n_targets; i++) {
		t = &r->cur.targets[i];
		if (t->availability >= 0 && t->availability < AVAILABILITY_GOAL)
			advise(r, "availability", "%s %s was available %.2f%% of the time, below "
			    "%.0f%%", t->kind, t->name, t->availability * 100,
			    AVAILABILITY_GOAL * 100);
	}
}

static void
rule_alert_failed(struct report *r)
{
	const struct report_counts *c = &r->cur.alert_failures;
	size_t i;

	for (i = 0; i < c->n; i++)
		advise(r, "alert_failed", "%lld alert deliveries to %s failed: check the "
		    "channel's URL or command (tend validate)", (long long)c->v[i].n,
		    c->v[i].name);
}

static void
rule_rising(struct report *r)
{
	const struct report_counts *c = &r->cur.by_category;
	int64_t before;
	size_t i;

	if (r->prev == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		before = report_count_of(&r->prev->by_category, c->v[i].name);
		if (c->v[i].n >= RISE_MIN && c->v[i].n >= RISE_FACTOR * before)
			advise(r, "rising", "%s incidents rose from %lld to %lld",
			    c->v[i].name, (long long)before, (long long)c->v[i].n);
	}
}

static void
rule_no_history(struct report *r)
{
	if (r->cur.n_targets == 0 && r->cur.opened == 0)
		advise(r, "no_history", "nothing was recorded in this period: is the daemon "
		    "running with this state dir?");
}

static void (*const rules[])(struct report *) = {
	rule_no_history, rule_repeat_heal, rule_flapping, rule_crash_loop,
	rule_weak_action, rule_availability, rule_rising, rule_alert_failed,
};

void
report_advise(struct report *r)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		rules[i](r);
}
