/*
 * The report's executive summary: what a chat message or a script is told
 * when a scheduled report is posted to its channels (docs/report.md) —
 * the period, availability, incidents, MTTD and MTTR, healing and the
 * first recommendation — in a few lines of text (JSON: json.c).
 */
#include "report/report.h"

#include <stdlib.h>
#include <time.h>

void
report_title(const struct report *r, char *buf, size_t len)
{
	time_t a = (time_t)(r->cur.start_ms / 1000), b = (time_t)(r->cur.end_ms / 1000);
	char from[32], to[32];
	struct tm tm;

	strftime(from, sizeof(from), "%Y-%m-%d %H:%M", gmtime_r(&a, &tm));
	strftime(to, sizeof(to), "%Y-%m-%d %H:%M", gmtime_r(&b, &tm));
	snprintf(buf, len, "tend report, %s to %s UTC", from, to);
}

double
report_availability(const struct report_period *p, const struct report_target **lowest)
{
	const struct report_target *t;
	int64_t up = 0, observed = 0;
	size_t i;

	*lowest = NULL;
	for (i = 0; i < p->n_targets; i++) {
		t = &p->targets[i];
		if (t->availability < 0)
			continue;
		up += t->up_ms;
		observed += t->observed_ms;
		if (*lowest == NULL || t->availability < (*lowest)->availability)
			*lowest = t;
	}
	return observed > 0 ? (double)up / (double)observed : -1;
}

static void
summary_availability(FILE *f, const struct report_period *p)
{
	const struct report_target *low;
	double a = report_availability(p, &low);

	if (a < 0) {
		fputs("availability: nothing observed in the period\n", f);
		return;
	}
	fprintf(f, "availability %.2f%%", a * 100);
	if (low != NULL && low->availability < 1)
		fprintf(f, " (lowest: %s %s, %.2f%%)", low->kind, low->name,
		    low->availability * 100);
	fputc('\n', f);
}

char *
report_summary_text(const struct report *r)
{
	const struct report_period *p = &r->cur;
	char mttd[32], mttr[32], *text = NULL;
	size_t len;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return NULL;
	summary_availability(f, p);
	fprintf(f, "incidents: %lld opened, %lld resolved, %lld open at the end\n",
	    (long long)p->opened, (long long)p->resolved, (long long)p->still_open);
	report_duration(p->mttd_p50, mttd, sizeof(mttd));
	report_duration(p->mttr_p50, mttr, sizeof(mttr));
	fprintf(f, "MTTD p50 %s, MTTR p50 %s\n", mttd, mttr);
	if (p->heal_rate < 0)
		fputs("auto-heal: tend acted on no incident\n", f);
	else
		fprintf(f, "auto-heal: %lld of the %lld incidents tend acted on healed "
		    "(%.2f%%)\n", (long long)p->healed, (long long)p->acted,
		    p->heal_rate * 100);
	if (r->n_advice > 0)
		fprintf(f, "top recommendation: %s", r->advice[0].text);
	else
		fputs("recommendations: none", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
