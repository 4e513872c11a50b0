/*
 * Watching a process tend did not spawn until it ends: a pidfd polled by
 * the loop (the kernel says when), or where there is none, a look at /proc
 * every poll_ms. The pidfd is checked against the process's identity when
 * it is opened, so a pid that already belongs to another process ends the
 * watch at once instead of following the stranger.
 */
#ifndef TEND_SUPERVISE_PIDWATCH_H
#define TEND_SUPERVISE_PIDWATCH_H

#include <stdint.h>

#include <uv.h>

#include "core/procid.h"

typedef void	(*pidwatch_cb)(void *arg);

struct pidwatch;

/* cb is called once, when id's process has ended. */
struct pidwatch	*pidwatch_start(uv_loop_t *loop, const struct proc_id *id, int64_t poll_ms,
		    pidwatch_cb cb, void *arg);
/* Ends the watch (also from inside cb): no callback after; freed later. */
void		 pidwatch_stop(struct pidwatch *w);

#endif
