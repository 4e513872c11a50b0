#include "checks/result.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/text.h"

void
check_result_init(struct check_result *r)
{
	memset(r, 0, sizeof(*r));
	r->state = HEALTH_UNKNOWN;
}

void
perf_metric_clear(struct perf_metric *m)
{
	if (!m->label_static)
		free(m->label);
	free(m->warn);
	free(m->crit);
	memset(m, 0, sizeof(*m));
}

void
check_result_clear(struct check_result *r)
{
	size_t i;

	for (i = 0; i < r->n_perf; i++)
		perf_metric_clear(&r->perf[i]);
	free(r->perf);
	json_decref(r->versions);
	json_decref(r->dependencies);
	json_decref(r->events);
	check_result_init(r);
}

void
check_kept_clear(struct check_kept *k)
{
	struct check_result r;

	check_kept_view(k, &r);
	free(k->message);
	memset(k, 0, sizeof(*k));
	k->state = HEALTH_UNKNOWN;
	r.events = NULL;
	check_result_clear(&r);		/* the parts the view borrowed */
}

void
check_kept_take(struct check_kept *k, struct check_result *r)
{
	check_kept_clear(k);
	k->state = r->state;
	k->latency_ms = r->latency_ms;
	k->message = xstrdup(r->message);
	/* Kept until the next run: at its size, not the doubled capacity it grew in. */
	k->perf = r->n_perf > 0 ? xrealloc(r->perf, r->n_perf * sizeof(*r->perf)) : r->perf;
	k->n_perf = r->n_perf;
	k->versions = r->versions;
	k->dependencies = r->dependencies;
	r->perf = NULL;
	r->n_perf = 0;
	r->versions = NULL;
	r->dependencies = NULL;
	check_result_clear(r);
}

void
check_kept_view(const struct check_kept *k, struct check_result *view)
{
	check_result_init(view);
	view->state = k->state;
	view->latency_ms = k->latency_ms;
	snprintf(view->message, sizeof(view->message), "%s", k->message ? k->message : "");
	view->perf = k->perf;
	view->n_perf = k->n_perf;
	view->versions = k->versions;
	view->dependencies = k->dependencies;
}

void
check_result_move(struct check_result *dst, struct check_result *src)
{
	*dst = *src;
	check_result_init(src);
}

void
check_result_set_version(struct check_result *r, const char *name, const char *version)
{
	char *v = text_utf8(version);

	if (r->versions == NULL)
		r->versions = json_object();
	json_object_set_new(r->versions, name, json_string(v));
	free(v);
}

void
check_result_set(struct check_result *r, enum health_state state,
    const char *fmt, ...)
{
	va_list ap;

	r->state = state;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
}

static struct perf_metric *
check_result_new_metric(struct check_result *r)
{
	r->perf = xrealloc(r->perf, (r->n_perf + 1) * sizeof(*r->perf));
	return &r->perf[r->n_perf++];
}

void
check_result_add_metric(struct check_result *r, const char *label, double value,
    const char *uom)
{
	struct perf_metric *m = check_result_new_metric(r);

	memset(m, 0, sizeof(*m));
	m->label = (char *)label;
	m->label_static = true;
	m->value = value;
	snprintf(m->uom, sizeof(m->uom), "%s", uom ? uom : "");
	m->min = m->max = NAN;
}

void
check_result_add_clock(struct check_result *r, const char *label, double seconds)
{
	check_result_add_metric(r, label, seconds, "s");
	if (r->n_perf <= 32)
		r->perf_clock |= 1u << (r->n_perf - 1);
}

bool
check_result_metric_is_clock(const struct check_result *r, size_t i)
{
	return i < 32 && (r->perf_clock & (1u << i)) != 0;
}

bool
check_result_metric_is_latency(const struct check_result *r, size_t i)
{
	const struct perf_metric *m = &r->perf[i];

	return strcmp(m->uom, "s") == 0 &&
	    fabs(m->value * 1000 - r->latency_ms) <= 1e-9 * fmax(1, r->latency_ms);
}

bool
check_result_metric_is_repeated(const struct check_result *r, size_t i)
{
	return i < 32 && (r->perf_repeated & (1u << i)) != 0;
}

static void
check_result_clean_str(char **s)
{
	char *valid;

	/* Every result's labels pass here: only one that is not valid is copied. */
	if (*s == NULL || text_utf8_valid(*s, strlen(*s)))
		return;
	valid = text_utf8(*s);
	free(*s);
	*s = valid;
}

void
check_result_sanitize(struct check_result *r)
{
	struct perf_metric *m;
	size_t i;

	text_sanitize(r->message, sizeof(r->message));
	for (i = 0; i < r->n_perf; i++) {
		m = &r->perf[i];
		if (!m->label_static)
			check_result_clean_str(&m->label);
		check_result_clean_str(&m->warn);
		check_result_clean_str(&m->crit);
		text_utf8_fix(m->uom, sizeof(m->uom));
		/* Unknown (Nagios's U) is NaN; so is whatever is not a number. */
		if (!isfinite(m->value))
			m->value = NAN;
		if (!isfinite(m->min))
			m->min = NAN;
		if (!isfinite(m->max))
			m->max = NAN;
	}
}

static json_t *
json_number_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *
check_result_json(const struct check_result *r)
{
	json_t *metrics = json_array(), *m;
	size_t i;

	for (i = 0; i < r->n_perf; i++) {
		m = json_pack("{s:s, s:o, s:s}", "label", r->perf[i].label,
		    "value", json_number_or_null(r->perf[i].value), "uom", r->perf[i].uom);
		if (r->perf[i].warn)
			json_object_set_new(m, "warn", json_string(r->perf[i].warn));
		if (r->perf[i].crit)
			json_object_set_new(m, "crit", json_string(r->perf[i].crit));
		json_object_set_new(m, "min", json_number_or_null(r->perf[i].min));
		json_object_set_new(m, "max", json_number_or_null(r->perf[i].max));
		json_array_append_new(metrics, m);
	}
	m = json_pack("{s:s, s:s, s:f, s:o}", "state", health_state_name(r->state),
	    "message", r->message, "latency_ms", r->latency_ms, "metrics", metrics);
	if (r->versions != NULL)
		json_object_set(m, "versions", r->versions);
	if (r->dependencies != NULL)
		json_object_set(m, "dependencies", r->dependencies);
	return m;
}
