/*
 * One-shot commands run on behalf of a service (an external service's
 * start/stop/restart), asynchronously, with their output in its log.
 */
#ifndef TEND_SUPERVISE_COMMAND_H
#define TEND_SUPERVISE_COMMAND_H

#include <stdint.h>

#include <uv.h>

struct service_log;

typedef void	(*command_done_cb)(void *arg, int64_t code, int signal);

/* Returns 0 when started (done is called later), or a libuv error. */
int	command_run(uv_loop_t *loop, char *const *argv, const char *cwd,
	    struct service_log *log, command_done_cb done, void *arg);

#endif
