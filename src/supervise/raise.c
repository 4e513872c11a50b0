#include "supervise/raise.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "config/units.h"
#include "supervise/cgtree.h"
#include "supervise/service.h"
#include "supervise/svc_cgroup.h"

static uint64_t
pick(uint64_t raised, uint64_t conf)
{
	return raised != 0 ? raised : conf;
}

void
svc_limits_effective(const struct service *svc, struct svc_limits *out)
{
	const struct service_cgroup_conf *cg = &svc->conf->cgroup;
	const struct svc_raised *r = &svc->raised;
	int i;

	memset(out, 0, sizeof(*out));
	if (cg->enabled) {
		out->memory_max = pick(r->memory_max, cg->memory_max);
		out->memory_high = pick(r->memory_high, cg->memory_high);
		out->cpu_quota_us = pick(r->cpu_quota_us, cg->cpu_quota_us);
		out->cpu_period_us = cg->cpu_period_us;
		out->pids_max = pick(r->pids_max, cg->pids_max);
	}
	for (i = 0; i < svc->conf->n_rlimits; i++) {
		if (svc->conf->rlimits[i].resource != RLIMIT_AS ||
		    svc->conf->rlimits[i].soft == SERVICE_RLIMIT_UNLIMITED)
			continue;
		out->rlimit_as = pick(r->rlimit_as, svc->conf->rlimits[i].soft);
		out->rlimit_as_hard = svc->conf->rlimits[i].hard;
		/* A soft limit raised past the hard one takes the hard one along. */
		if (out->rlimit_as_hard != SERVICE_RLIMIT_UNLIMITED &&
		    out->rlimit_as_hard < out->rlimit_as)
			out->rlimit_as_hard = out->rlimit_as;
	}
}

void
svc_limit_text(uint64_t v, char *buf, size_t len)
{
	if (v == SERVICE_CGROUP_MAX)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

void
svc_cpu_max_text(uint64_t quota, uint64_t period, char *buf, size_t len)
{
	char q[24];

	svc_limit_text(quota, q, sizeof(q));
	snprintf(buf, len, "%s %" PRIu64, q, period);
}

uint64_t
raise_value(uint64_t cur, const struct heal_raise *r)
{
	double v = (double)cur * (1.0 + r->pct / 100.0) + r->add;

	if (r->cap > 0 && v > r->cap)
		v = r->cap;
	if (v <= (double)cur || cur == SERVICE_CGROUP_MAX)
		return cur;
	return v >= 18446744073709549568.0 ? SERVICE_CGROUP_MAX - 1 : (uint64_t)llround(v);
}

static bool
raise_wanted(const struct heal_raise *r)
{
	return r->pct > 0 || r->add > 0;
}

static bool
is_finite(uint64_t v)
{
	return v != 0 && v != SERVICE_CGROUP_MAX;
}

static void
say(char *detail, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
say(char *detail, size_t len, const char *fmt, ...)
{
	size_t used = strlen(detail);
	va_list ap;

	if (used > 0 && used + 2 < len) {
		memcpy(detail + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(detail + used, len - used, fmt, ap);
	va_end(ap);
}

/* How a cgroup limit can be raised: live, at the next start, or not at all. */
static enum raise_result
raise_cgroup_way(const struct service *svc, const char *controller)
{
	const struct cgtree *t = svc->ctx->cgroups;
	bool now = svc_cgroup_has(svc, controller);

	if (now && svc->pid > 0)
		return RAISE_LIVE;
	/* Not yet started: the tree is found at its first start, assume it will be. */
	if (now || t == NULL || cgtree_has(t, controller))
		return RAISE_AT_START;
	return RAISE_FAILED;
}

/* One cgroup file raised: *raised set, written now when live; the way it went. */
static enum raise_result
raise_one(struct service *svc, const char *key, const char *file, const char *controller,
    uint64_t cur, const struct heal_raise *r, uint64_t *raised, const char *unit,
    char *detail, size_t len)
{
	enum raise_result way = raise_cgroup_way(svc, controller);
	uint64_t v = raise_value(cur, r);
	char a[32], b[32], text[32];
	int rc;

	if (strcmp(unit, "B") == 0) {
		units_format_size((double)cur, a, sizeof(a));
		units_format_size((double)v, b, sizeof(b));
	} else {
		snprintf(a, sizeof(a), "%" PRIu64 "%s", cur, unit);
		snprintf(b, sizeof(b), "%" PRIu64 "%s", v, unit);
	}
	if (v == cur) {
		say(detail, len, "%s already at its cap (%s)", key, a);
		return RAISE_FAILED;
	}
	*raised = v;
	if (way == RAISE_LIVE) {
		if (strcmp(file, "cpu.max") == 0)
			svc_cpu_max_text(v, svc->conf->cgroup.cpu_period_us, text, sizeof(text));
		else
			svc_limit_text(v, text, sizeof(text));
		if ((rc = svc_cgroup_set(svc, file, text)) != 0) {
			say(detail, len, "%s %s -> %s at the next start (%s: %s)", key, a, b,
			    file, strerror(rc));
			return RAISE_AT_START;
		}
		say(detail, len, "%s %s -> %s", key, a, b);
		return RAISE_LIVE;
	}
	say(detail, len, "%s %s -> %s at the next start", key, a, b);
	return RAISE_AT_START;
}

/* The worse of two ways for the caller: failed < at start < live, but any done wins. */
static enum raise_result
raise_merge(enum raise_result acc, enum raise_result one)
{
	if (acc == RAISE_FAILED)
		return one;
	if (one == RAISE_FAILED)
		return acc;
	return acc == RAISE_AT_START || one == RAISE_AT_START ? RAISE_AT_START : RAISE_LIVE;
}

static enum raise_result
raise_memory(struct service *svc, const struct heal_raise *r, char *detail, size_t len)
{
	struct svc_limits l;
	enum raise_result res = RAISE_FAILED;
	char a[32], b[32];
	uint64_t v;

	svc_limits_effective(svc, &l);
	if ((is_finite(l.memory_max) || is_finite(l.memory_high)) &&
	    raise_cgroup_way(svc, "memory") != RAISE_FAILED) {
		/* max before high: high may not pass the old max on the way up. */
		if (is_finite(l.memory_max))
			res = raise_merge(res, raise_one(svc, "memory_max", "memory.max", "memory",
			    l.memory_max, r, &svc->raised.memory_max, "B", detail, len));
		if (is_finite(l.memory_high))
			res = raise_merge(res, raise_one(svc, "memory_high", "memory.high",
			    "memory", l.memory_high, r, &svc->raised.memory_high, "B", detail,
			    len));
		return res;
	}
	if (l.rlimit_as == 0) {
		say(detail, len, "%s has no memory limit to raise (cgroup memory_max or "
		    "memory_high where the memory controller is enabled, or rlimits as)%s%s",
		    svc->name, svc->cg.dir >= 0 || svc->ctx->cgroups == NULL ? "" : ": ",
		    svc->cg.dir >= 0 || svc->ctx->cgroups == NULL ? "" :
		    cgtree_missing(svc->ctx->cgroups, "memory"));
		return RAISE_FAILED;
	}
	if ((v = raise_value(l.rlimit_as, r)) == l.rlimit_as) {
		units_format_size((double)l.rlimit_as, a, sizeof(a));
		say(detail, len, "rlimit as already at its cap (%s)", a);
		return RAISE_FAILED;
	}
	svc->raised.rlimit_as = v;
	units_format_size((double)l.rlimit_as, a, sizeof(a));
	units_format_size((double)v, b, sizeof(b));
	say(detail, len, "rlimit as %s -> %s at the next start%s", a, b,
	    is_finite(l.memory_max) || is_finite(l.memory_high) ?
	    " (no memory controller for memory_max)" : "");
	return RAISE_AT_START;
}

/* Whether a cgroup limit (key, of controller) is there to raise; else detail says why not. */
static bool
raise_possible(struct service *svc, const char *key, const char *controller,
    uint64_t value, char *detail, size_t len)
{
	if (!is_finite(value)) {
		say(detail, len, "%s has no cgroup %s to raise", svc->name, key);
		return false;
	}
	if (raise_cgroup_way(svc, controller) == RAISE_FAILED) {
		say(detail, len, "%s cannot be raised: the %s controller is not enabled: %s",
		    key, controller, cgtree_missing(svc->ctx->cgroups, controller));
		return false;
	}
	return true;
}

/* cpu: a share of a CPU, so the cap (a percentage) becomes a quota per period. */
static enum raise_result
raise_cpu(struct service *svc, const struct heal_raise *r, char *detail, size_t len)
{
	struct heal_raise q = *r;
	struct svc_limits l;

	svc_limits_effective(svc, &l);
	if (!raise_possible(svc, "cpu_max", "cpu", l.cpu_quota_us, detail, len))
		return RAISE_FAILED;
	q.add = 0;
	q.cap = r->cap > 0 ? r->cap / 100.0 * (double)l.cpu_period_us : 0;
	return raise_one(svc, "cpu_max", "cpu.max", "cpu", l.cpu_quota_us, &q,
	    &svc->raised.cpu_quota_us, "us", detail, len);
}

static enum raise_result
raise_pids(struct service *svc, const struct heal_raise *r, char *detail, size_t len)
{
	struct svc_limits l;

	svc_limits_effective(svc, &l);
	if (!raise_possible(svc, "pids_max", "pids", l.pids_max, detail, len))
		return RAISE_FAILED;
	return raise_one(svc, "pids_max", "pids.max", "pids", l.pids_max, r,
	    &svc->raised.pids_max, "", detail, len);
}

enum raise_result
svc_increase_resources(struct service *svc, const struct heal_action *a, char *detail,
    size_t len)
{
	enum raise_result res = RAISE_FAILED;

	*detail = '\0';
	if (raise_wanted(&a->raise_memory))
		res = raise_merge(res, raise_memory(svc, &a->raise_memory, detail, len));
	if (raise_wanted(&a->raise_cpu))
		res = raise_merge(res, raise_cpu(svc, &a->raise_cpu, detail, len));
	if (raise_wanted(&a->raise_pids))
		res = raise_merge(res, raise_pids(svc, &a->raise_pids, detail, len));
	return res;
}

static json_t *
limit_json(uint64_t v)
{
	return v == SERVICE_CGROUP_MAX ? json_string("max") : json_integer((json_int_t)v);
}

json_t *
svc_limits_json(const struct service *svc)
{
	const struct svc_raised *r = &svc->raised;
	json_t *o = json_object(), *raised = json_array();
	struct svc_limits l;
	char cpu[48];

	svc_limits_effective(svc, &l);
	if (l.memory_max != 0)
		json_object_set_new(o, "memory_max", limit_json(l.memory_max));
	if (l.memory_high != 0)
		json_object_set_new(o, "memory_high", limit_json(l.memory_high));
	if (l.cpu_quota_us != 0) {
		svc_cpu_max_text(l.cpu_quota_us, l.cpu_period_us, cpu, sizeof(cpu));
		json_object_set_new(o, "cpu_max", json_string(cpu));
	}
	if (l.pids_max != 0)
		json_object_set_new(o, "pids_max", limit_json(l.pids_max));
	if (l.rlimit_as != 0)
		json_object_set_new(o, "rlimit_as", json_integer((json_int_t)l.rlimit_as));
	if (r->memory_max)
		json_array_append_new(raised, json_string("memory_max"));
	if (r->memory_high)
		json_array_append_new(raised, json_string("memory_high"));
	if (r->cpu_quota_us)
		json_array_append_new(raised, json_string("cpu_max"));
	if (r->pids_max)
		json_array_append_new(raised, json_string("pids_max"));
	if (r->rlimit_as)
		json_array_append_new(raised, json_string("rlimit_as"));
	json_object_set_new(o, "raised", raised);
	return o;
}
