/* Memory-leak detection: a least-squares fit of RSS over time (checks/leak.h). */
#include "checks/leak.h"

#include <string.h>

/* The i-th oldest sample's index in the ring. */
static int
leak_at(const struct leak_series *s, int i)
{
	return (s->head - s->n + i + LEAK_SAMPLES_MAX) % LEAK_SAMPLES_MAX;
}

void
leak_add(struct leak_series *s, pid_t pid, int64_t t_ms, double bytes, int64_t window_ms)
{
	if (s->pid != pid) {
		memset(s, 0, sizeof(*s));
		s->pid = pid;
	}
	s->t_ms[s->head] = t_ms;
	s->bytes[s->head] = bytes;
	s->head = (s->head + 1) % LEAK_SAMPLES_MAX;
	if (s->n < LEAK_SAMPLES_MAX)
		s->n++;
	while (s->n > 1 && t_ms - s->t_ms[leak_at(s, 0)] > window_ms)
		s->n--;
}

void
leak_judge(const struct leak_series *s, int64_t window_ms, double limit,
    struct leak_verdict *v)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, x, y, n = s->n, cov, vx, vy;
	int64_t t0, span;
	int i;

	memset(v, 0, sizeof(*v));
	v->eta_s = -1;
	if (s->n < LEAK_MIN_SAMPLES)
		return;
	t0 = s->t_ms[leak_at(s, 0)];
	span = s->t_ms[leak_at(s, s->n - 1)] - t0;
	if (span * 2 < window_ms)
		return;
	for (i = 0; i < s->n; i++) {
		x = (double)(s->t_ms[leak_at(s, i)] - t0) / 1000.0;
		y = s->bytes[leak_at(s, i)];
		sx += x, sy += y, sxx += x * x, sxy += x * y, syy += y * y;
	}
	cov = sxy - sx * sy / n;
	vx = sxx - sx * sx / n;
	vy = syy - sy * sy / n;
	v->judged = true;
	v->current = s->bytes[leak_at(s, s->n - 1)];
	if (vx <= 0)
		return;
	v->slope = cov / vx;
	/* A flat series fits any line: no variance is no growth. */
	v->r2 = vy > 0 ? cov * cov / (vx * vy) : 0;
	if (v->slope > 0 && limit > 0)
		v->eta_s = v->current >= limit ? 0 : (limit - v->current) / v->slope;
}
