/*
 * The daemon's watch over the host: each configured resource check on its
 * own timer, state changes logged, a summary line once per interval, and
 * the latest results for `tend status`.
 */
#ifndef TEND_CHECKS_HOST_WATCH_H
#define TEND_CHECKS_HOST_WATCH_H

#include <jansson.h>
#include <uv.h>

#include "config/model.h"

struct host_watch;

/* cfg must outlive the watch. Returns NULL when there are no resource checks. */
struct host_watch *host_watch_start(uv_loop_t *loop, const struct tend_config *cfg);
/* Stops and frees (from close callbacks); NULL is fine. */
void		host_watch_close(struct host_watch *hw);
/* [{name, metric, path?, state, value, message}], a new reference. */
json_t		*host_watch_status(const struct host_watch *hw);

#endif
