#include "diagnose/anomaly_watch.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"

/* Past this many series, new ones are not watched (memory stays bounded). */
#define ANOMALY_WATCH_MAX	20000

struct watched {
	char		*series;	/* NULL: an empty slot */
	bool		 off;
	struct anomaly_detector det;
};

struct anomaly_watch {
	const struct anomaly_conf *conf;
	anomaly_event_fn fn;
	void		*arg;
	/*
	 * Open addressing, a power of two, half full at most: pointers, so
	 * that the empty half of 20,000 series costs 8 bytes a slot, not 96.
	 */
	struct watched	**slots;
	size_t		 cap;
	size_t		 n;
};

static uint64_t
series_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct anomaly_watch *
anomaly_watch_new(const struct anomaly_conf *conf, anomaly_event_fn fn, void *arg)
{
	struct anomaly_watch *w = xcalloc(1, sizeof(*w));

	w->conf = conf;
	w->fn = fn;
	w->arg = arg;
	w->cap = 64;
	w->slots = xcalloc(w->cap, sizeof(*w->slots));
	return w;
}

void
anomaly_watch_free(struct anomaly_watch *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->cap; i++)
		if (w->slots[i] != NULL) {
			free(w->slots[i]->series);
			anomaly_free(&w->slots[i]->det);
			free(w->slots[i]);
		}
	free(w->slots);
	free(w);
}

void
anomaly_watch_set_config(struct anomaly_watch *w, const struct anomaly_conf *conf)
{
	w->conf = conf;
}

size_t
anomaly_watch_count(const struct anomaly_watch *w)
{
	return w->n;
}

/* The slot of series: its entry, or the empty one it would take. */
static struct watched **
anomaly_slot(struct watched **slots, size_t cap, const char *series)
{
	size_t i = (size_t)series_hash(series) & (cap - 1);

	while (slots[i] != NULL && strcmp(slots[i]->series, series) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void
anomaly_grow(struct anomaly_watch *w)
{
	struct watched **old = w->slots;
	size_t old_cap = w->cap, i;

	w->cap *= 2;
	w->slots = xcalloc(w->cap, sizeof(*w->slots));
	for (i = 0; i < old_cap; i++)
		if (old[i] != NULL)
			*anomaly_slot(w->slots, w->cap, old[i]->series) = old[i];
	free(old);
}

/*
 * How large a change must be, by the series' unit, where the config does
 * not say: a loopback round trip of half a millisecond takes ten when the
 * host is busy, and a response's size moves by some bytes with its
 * content, and neither is news. Latency must move by 10 ms and a fifth of
 * its level, a size by a quarter, a percentage by 2 points, anything else
 * by a tenth.
 */
static const struct {
	const char	*unit;
	double		 min_delta;
	double		 min_ratio;
} unit_floors[] = {
	{ "ms", 10, 0.2 }, { "us", 10000, 0.2 }, { "s", 0.01, 0.2 },
	{ "B", 0, 0.25 }, { "KB", 0, 0.25 }, { "MB", 0, 0.25 }, { "GB", 0, 0.25 },
	{ "TB", 0, 0.25 }, { "%", 2, 0 },
};

void
anomaly_unit_floor(const char *unit, double *min_delta, double *min_ratio)
{
	size_t i;

	*min_delta = 0;
	*min_ratio = 0.1;
	for (i = 0; unit != NULL && i < sizeof(unit_floors) / sizeof(unit_floors[0]); i++)
		if (strcasecmp(unit, unit_floors[i].unit) == 0) {
			*min_delta = unit_floors[i].min_delta;
			*min_ratio = unit_floors[i].min_ratio;
			return;
		}
}

/* The config's first entry for a series: its name, or a glob matching it. */
static const struct anomaly_series_conf *
anomaly_series_settings(const struct anomaly_conf *conf, const char *series)
{
	size_t i;

	for (i = 0; i < conf->n_series; i++)
		if (fnmatch(conf->series[i].series, series, 0) == 0)
			return &conf->series[i];
	return NULL;
}

/* The series' own setting, else anomaly's, else the unit's. */
static double
anomaly_setting(double series, double all, double unit)
{
	return series >= 0 ? series : all >= 0 ? all : unit;
}

static struct watched *
anomaly_add(struct anomaly_watch *w, const char *series, const char *unit)
{
	const struct anomaly_series_conf *s = anomaly_series_settings(w->conf, series);
	struct watched *slot;
	double min_delta, min_ratio;

	if (w->n == ANOMALY_WATCH_MAX)
		return NULL;
	if ((w->n + 1) * 2 > w->cap)
		anomaly_grow(w);
	slot = xcalloc(1, sizeof(*slot));
	*anomaly_slot(w->slots, w->cap, series) = slot;
	slot->series = xstrdup(series);
	slot->off = s != NULL && s->off;
	w->n++;
	if (slot->off)
		return slot;	/* known, never judged: no window */
	anomaly_init(&slot->det, (size_t)w->conf->window, s && s->z > 0 ? s->z : w->conf->z,
	    s && s->k > 0 ? s->k : w->conf->k);
	anomaly_unit_floor(unit, &min_delta, &min_ratio);
	slot->det.min_delta = anomaly_setting(s != NULL ? s->min_delta : -1,
	    w->conf->min_delta, min_delta);
	slot->det.min_ratio = anomaly_setting(s != NULL ? s->min_ratio : -1,
	    w->conf->min_ratio, min_ratio);
	return slot;
}

void
anomaly_watch_feed(struct anomaly_watch *w, const char *series, const char *unit,
    double value)
{
	struct watched *slot;
	double baseline, score;
	enum anomaly_event ev;

	if (w == NULL || !w->conf->enabled)
		return;
	slot = *anomaly_slot(w->slots, w->cap, series);
	if (slot == NULL && (slot = anomaly_add(w, series, unit)) == NULL)
		return;
	if (slot->off)
		return;
	ev = anomaly_feed(&slot->det, value, &baseline, &score);
	if (ev != ANOMALY_NONE && w->fn != NULL)
		w->fn(w->arg, series, ev == ANOMALY_STARTED, value, baseline, score);
}
