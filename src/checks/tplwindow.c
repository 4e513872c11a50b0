/*
 * The per-template counts of a log check's window (tplwindow.h): two
 * half-window arrays swapped as time rolls on.
 */
#include "checks/tplwindow.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void
tplwindow_init(struct tplwindow *w, int64_t within_ms)
{
	memset(w, 0, sizeof(*w));
	w->half_ms = within_ms / 2 > 0 ? within_ms / 2 : 1;
}

void
tplwindow_free(struct tplwindow *w)
{
	free(w->cur);
	free(w->prev);
	memset(w, 0, sizeof(*w));
}

void
tplwindow_add(struct tplwindow *w, size_t i)
{
	size_t n;

	if (i >= w->n) {
		n = i + 1 > w->n * 2 ? i + 1 : w->n * 2;
		w->cur = xrealloc(w->cur, n * sizeof(*w->cur));
		w->prev = xrealloc(w->prev, n * sizeof(*w->prev));
		memset(w->cur + w->n, 0, (n - w->n) * sizeof(*w->cur));
		memset(w->prev + w->n, 0, (n - w->n) * sizeof(*w->prev));
		w->n = n;
	}
	w->cur[i]++;
}

void
tplwindow_roll(struct tplwindow *w, int64_t now)
{
	uint64_t *t;

	if (w->start == 0 || now - w->start < w->half_ms) {
		if (w->start == 0)
			w->start = now;
		return;
	}
	if (now - w->start >= 2 * w->half_ms) {
		/* Quiet for a whole window: nothing of it is in the window now. */
		memset(w->prev, 0, w->n * sizeof(*w->prev));
	} else {
		t = w->prev;
		w->prev = w->cur;
		w->cur = t;
	}
	memset(w->cur, 0, w->n * sizeof(*w->cur));
	w->start = now;
}

bool
tplwindow_top(const struct tplwindow *w, size_t *i, uint64_t *count)
{
	uint64_t best = 0, c;
	size_t k;

	for (k = 0; k < w->n; k++) {
		c = w->cur[k] + w->prev[k];
		if (c > best) {
			best = c;
			*i = k;
		}
	}
	*count = best;
	return best > 0;
}
