#include "supervise/backoff.h"

#include <math.h>
#include <stdlib.h>

#include "core/mem.h"

int64_t
backoff_delay(const struct backoff_conf *conf, enum backoff_jitter jitter, int n,
    double random01)
{
	double delay;

	if (n < 1)
		n = 1;
	delay = (double)conf->initial_ms * pow(conf->multiplier, (double)(n - 1));
	if (delay > (double)conf->max_ms || !isfinite(delay))
		delay = (double)conf->max_ms;
	switch (jitter) {
	case BACKOFF_JITTER_SPREAD:
		delay += delay * conf->jitter * (2.0 * random01 - 1.0);
		break;
	case BACKOFF_JITTER_FULL:
		delay *= random01;
		break;
	case BACKOFF_JITTER_EQUAL:
		delay = delay / 2.0 + delay / 2.0 * random01;
		break;
	case BACKOFF_JITTER_NONE:
		break;
	}
	if (delay < 0)
		delay = 0;
	return (int64_t)llround(delay);
}

int64_t
supervise_restart_delay(const struct backoff_conf *conf, int consecutive,
    double random01)
{
	if (consecutive <= 1)
		return 0;
	return backoff_delay(conf, BACKOFF_JITTER_SPREAD, consecutive - 1, random01);
}

void
restart_window_init(struct restart_window *w, size_t restarts_limit)
{
	/* One more than the limit: the restart that breaks it must be seen. */
	w->cap = restarts_limit + 1;
	w->at_ms = xcalloc(w->cap, sizeof(*w->at_ms));
	w->len = 0;
	w->head = 0;
}

void
restart_window_free(struct restart_window *w)
{
	free(w->at_ms);
	w->at_ms = NULL;
	w->cap = w->len = w->head = 0;
}

void
restart_window_clear(struct restart_window *w)
{
	w->len = 0;
	w->head = 0;
}

size_t
restart_window_add(struct restart_window *w, int64_t now_ms, int64_t within_ms)
{
	size_t i, n = 0;

	w->at_ms[w->head] = now_ms;
	w->head = (w->head + 1) % w->cap;
	if (w->len < w->cap)
		w->len++;
	for (i = 0; i < w->len; i++)
		if (now_ms - w->at_ms[i] < within_ms)
			n++;
	return n;
}
