/*
 * Readiness probes: is a just-started service ready to be depended on?
 * A probe retries until it succeeds or is cancelled; the service owns the
 * overall timeout. (sd_notify readiness arrives through notify.h instead.)
 */
#ifndef TEND_SUPERVISE_READY_H
#define TEND_SUPERVISE_READY_H

#include <uv.h>

#include "config/model.h"

typedef void	(*ready_cb)(void *arg);

struct ready_probe;

/* Starts probing for READY_TCP, READY_HTTP or READY_DELAY. */
struct ready_probe *ready_probe_start(uv_loop_t *loop, const struct ready_conf *conf,
		    ready_cb cb, void *arg);
/* Stops the probe; the callback will not be called. Frees it later. */
void		ready_probe_cancel(struct ready_probe *probe);

#endif
