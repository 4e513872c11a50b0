/*
 * Anomaly detection over every metric series tend sees: a detector per
 * series (anomaly.h), created on first sight with the settings the config
 * gives that series (or a glob matching it), none for series declared
 * noisy. How large a change must be to count (min_delta, min_ratio) comes
 * from the series' settings, else anomaly's own, else the series' unit.
 */
#ifndef TEND_DIAGNOSE_ANOMALY_WATCH_H
#define TEND_DIAGNOSE_ANOMALY_WATCH_H

#include <stdbool.h>

#include "config/model.h"
#include "diagnose/anomaly.h"

struct anomaly_watch;

/* started: true when the anomaly begins, false when the series is back in line. */
typedef void	(*anomaly_event_fn)(void *arg, const char *series, bool started,
		    double value, double baseline, double score);

/* conf must outlive the watch (or the next anomaly_watch_set_config). */
struct anomaly_watch *anomaly_watch_new(const struct anomaly_conf *conf,
		    anomaly_event_fn fn, void *arg);
void		anomaly_watch_free(struct anomaly_watch *w);
/* A reload: the series keep their history, new settings apply to new series. */
void		anomaly_watch_set_config(struct anomaly_watch *w,
		    const struct anomaly_conf *conf);
/* unit: the value's ("ms", "s", "B", "%", ...; NULL or "" when it has none). */
void		anomaly_watch_feed(struct anomaly_watch *w, const char *series,
		    const char *unit, double value);
/* The smallest change that counts for a series of unit, when the config says nothing. */
void		anomaly_unit_floor(const char *unit, double *min_delta, double *min_ratio);
/* How many series are watched. */
size_t		anomaly_watch_count(const struct anomaly_watch *w);

#endif
