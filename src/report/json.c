/* The report as JSON: every number the other formats show, and the rest. */
#include "report/report.h"

static json_t *
json_ms(int64_t ms)
{
	return ms < 0 ? json_null() : json_integer(ms);
}

static json_t *
json_rate(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

static json_t *
json_counts(const struct report_counts *c)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < c->n; i++)
		json_object_set_new(o, c->v[i].name, json_integer(c->v[i].n));
	return o;
}

static json_t *
json_opt_string(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
json_actions(const struct report_actions *a)
{
	json_t *list = json_array(), *o;
	size_t i;

	for (i = 0; i < a->n; i++) {
		o = json_pack("{s:o, s:I, s:I, s:o}", "action", json_opt_string(a->v[i].action),
		    "attempts", (json_int_t)a->v[i].attempts, "healed",
		    (json_int_t)a->v[i].healed, "rate", json_rate(a->v[i].rate));
		if (a->v[i].category != NULL)
			json_object_set_new(o, "category", json_string(a->v[i].category));
		if (a->v[i].target != NULL)
			json_object_set_new(o, "target", json_string(a->v[i].target));
		if (a->v[i].estimate >= 0)
			json_object_set_new(o, "estimate", json_real(a->v[i].estimate));
		json_array_append_new(list, o);
	}
	return list;
}

static json_t *
json_targets(const struct report_period *p)
{
	const struct report_target *t;
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < p->n_targets; i++) {
		t = &p->targets[i];
		json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:I, s:o, s:i, s:i, "
		    "s:i, s:i, s:i}", "kind", t->kind, "name", t->name, "up_ms",
		    (json_int_t)t->up_ms, "observed_ms", (json_int_t)t->observed_ms,
		    "availability", json_rate(t->availability), "changes", t->changes,
		    "flaps", t->failures, "starts", t->starts, "backoffs", t->backoffs,
		    "gave_up", t->gave_up));
	}
	return list;
}

static json_t *
json_rest(const struct report_period *p)
{
	json_t *patterns = json_array(), *deps = json_array();
	size_t i;

	for (i = 0; i < p->n_patterns; i++)
		json_array_append_new(patterns, json_pack("{s:o, s:o, s:I, s:I}", "target",
		    json_opt_string(p->patterns[i].target), "root_cause",
		    json_opt_string(p->patterns[i].root_cause), "incidents",
		    (json_int_t)p->patterns[i].n, "recurring",
		    (json_int_t)p->patterns[i].recurring));
	for (i = 0; i < p->n_dep_changes; i++)
		json_array_append_new(deps, json_pack("{s:I, s:o, s:o, s:o, s:o}", "ts",
		    (json_int_t)p->dep_changes[i].ts, "check",
		    json_opt_string(p->dep_changes[i].check), "dependency",
		    json_opt_string(p->dep_changes[i].dependency), "from",
		    json_opt_string(p->dep_changes[i].old_version), "to",
		    json_opt_string(p->dep_changes[i].new_version)));
	return json_pack("{s:o, s:o, s:{s:o, s:I, s:o}, s:{s:I, s:o}, s:{s:o, s:o}}",
	    "patterns", patterns, "anomalies", json_counts(&p->anomalies),
	    "changes", "by_kind", json_counts(&p->changes), "rolled_back",
	    (json_int_t)p->changes_rolled_back, "snapshots", json_counts(&p->snapshots),
	    "dependency_changes", "total", (json_int_t)p->dep_changes_total, "recent", deps,
	    "alerts", "by_outcome", json_counts(&p->alerts), "failed_by_channel",
	    json_counts(&p->alert_failures));
}

static json_t *
json_period(const struct report_period *p)
{
	json_t *buckets = json_array(), *o;
	size_t i;

	for (i = 0; i < p->n_buckets; i++)
		json_array_append_new(buckets, json_integer(p->opened_per_bucket[i]));
	o = json_pack("{s:I, s:I, s:{s:I, s:I, s:I, s:{s:o, s:o}, s:{s:o, s:o}, s:I, s:I, "
	    "s:o}, s:{s:I, s:o}, s:o, s:{s:o, s:o, s:o}, s:{s:o, s:o, s:o, s:o}}",
	    "start", (json_int_t)p->start_ms, "end", (json_int_t)p->end_ms,
	    "summary", "incidents_opened", (json_int_t)p->opened, "incidents_resolved",
	    (json_int_t)p->resolved, "incidents_open", (json_int_t)p->still_open,
	    "mttd_ms", "p50", json_ms(p->mttd_p50), "p90", json_ms(p->mttd_p90),
	    "mttr_ms", "p50", json_ms(p->mttr_p50), "p90", json_ms(p->mttr_p90),
	    "incidents_acted_on", (json_int_t)p->acted, "incidents_healed",
	    (json_int_t)p->healed, "heal_rate", json_rate(p->heal_rate),
	    "opened_per_bucket", "bucket_ms", (json_int_t)p->bucket_ms, "counts", buckets,
	    "availability", json_targets(p),
	    "incidents", "by_category", json_counts(&p->by_category), "by_severity",
	    json_counts(&p->by_severity), "by_resolution", json_counts(&p->by_resolution),
	    "healing", "per_action", json_actions(&p->per_action), "per_category",
	    json_actions(&p->per_category), "per_target", json_actions(&p->per_target),
	    "learning", json_actions(&p->procedures));
	json_object_update_new(o, json_rest(p));
	return o;
}

json_t *
report_json(const struct report *r)
{
	json_t *doc = json_period(&r->cur), *advice = json_array();
	size_t i;

	json_object_set_new(doc, "generated_at", json_integer(r->generated_ms));
	json_object_set_new(doc, "chaos", json_pack("{s:o, s:o, s:o, s:o}", "experiments",
	    json_actions(&r->cur.chaos), "mttr_p50_ms", r->cur.chaos_mttr_p50 >= 0 ?
	    json_integer(r->cur.chaos_mttr_p50) : json_null(), "mttr_p90_ms",
	    r->cur.chaos_mttr_p90 >= 0 ? json_integer(r->cur.chaos_mttr_p90) : json_null(),
	    "imported", json_counts(&r->cur.chaos_imported)));
	for (i = 0; i < r->n_advice; i++)
		json_array_append_new(advice, json_pack("{s:s, s:s}", "rule",
		    r->advice[i].rule, "text", r->advice[i].text));
	json_object_set_new(doc, "recommendations", advice);
	if (r->prev != NULL)
		json_object_set_new(doc, "previous", json_period(r->prev));
	return doc;
}

json_t *
report_summary_json(const struct report *r)
{
	const struct report_period *p = &r->cur;
	const struct report_target *low;
	double a = report_availability(p, &low);
	char title[128];

	report_title(r, title, sizeof(title));
	return json_pack("{s:s, s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:o, s:o, s:I, s:I, s:o, "
	    "s:o}", "title", title, "start", (json_int_t)p->start_ms, "end",
	    (json_int_t)p->end_ms, "availability", json_rate(a), "lowest", low == NULL ?
	    json_null() : json_pack("{s:s, s:s, s:f}", "kind", low->kind, "name", low->name,
	    "availability", low->availability), "incidents_opened", (json_int_t)p->opened,
	    "incidents_resolved", (json_int_t)p->resolved, "incidents_open",
	    (json_int_t)p->still_open, "mttd_p50_ms", json_ms(p->mttd_p50), "mttr_p50_ms",
	    json_ms(p->mttr_p50), "incidents_acted_on", (json_int_t)p->acted,
	    "incidents_healed", (json_int_t)p->healed, "heal_rate", json_rate(p->heal_rate),
	    "recommendation", r->n_advice > 0 ? json_string(r->advice[0].text) : json_null());
}
