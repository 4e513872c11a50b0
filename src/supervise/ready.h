/*
 * Readiness probes: is a just-started service ready to be depended on?
 * A probe retries until it succeeds or is cancelled; the service owns the
 * overall timeout. (sd_notify readiness arrives through notify.h instead.)
 * Success counts only while the service's process runs, and a TCP port
 * only when, as far as /proc can tell, the service's own processes hold
 * the listening socket (listener.h).
 */
#ifndef TEND_SUPERVISE_READY_H
#define TEND_SUPERVISE_READY_H

#include <sys/types.h>

#include <uv.h>

#include "config/model.h"

typedef void	(*ready_cb)(void *arg);

struct ready_probe;

/*
 * Starts probing for READY_TCP, READY_HTTP or READY_DELAY the service
 * name (borrowed) whose main process is pid.
 */
struct ready_probe *ready_probe_start(uv_loop_t *loop, const struct ready_conf *conf,
		    const char *name, pid_t pid, ready_cb cb, void *arg);
/* Why the last attempt did not count, "" when there is nothing to say. */
const char	*ready_probe_why(const struct ready_probe *probe);
/* Stops the probe; the callback will not be called. Frees it later. */
void		ready_probe_cancel(struct ready_probe *probe);

#endif
