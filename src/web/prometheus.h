/*
 * tend's metrics (docs/api.md): built from a STATUS object as a list of
 * families, [{"name", "type", "help", "samples": [{"labels": {...},
 * "value"}]}], which `tend export-metrics` prints as JSON and /metrics
 * serves in Prometheus' text exposition format (version 0.0.4).
 */
#ifndef TEND_WEB_PROMETHEUS_H
#define TEND_WEB_PROMETHEUS_H

#include <jansson.h>

struct web_checks;

json_t	*metrics_families(const json_t *status);
/* A new string (free it): the families as Prometheus text. */
char	*prometheus_text(const json_t *families);
/*
 * /metrics (a new string): the status's families as prometheus_text writes
 * them, but the checks' of every check of the table (the status may list
 * only some).
 */
char	*metrics_text(const json_t *status, const struct web_checks *checks);

#endif
