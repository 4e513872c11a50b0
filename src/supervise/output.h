/*
 * What services print: their stdout and stderr share one pipe (so lines
 * keep their order, as with 2>&1) that tend reads on the loop and appends
 * to STATE/logs/NAME.log, opened through the verified state dir, rotated by
 * size at line boundaries. A deleted file (or logs/) is made again within
 * a second; failed opens and writes are counted and part of tend's health.
 * Beside each file, NAME.log.idx says when its parts were written, at most
 * once a second (core/logindex.h), rotated and removed with it.
 */
#ifndef TEND_SUPERVISE_OUTPUT_H
#define TEND_SUPERVISE_OUTPUT_H

#include <stddef.h>

#include <uv.h>

#include "config/model.h"

struct statedir;

/* A rotating log file, shared (refcounted) by a service and its pipes. */
struct service_log;

/* sd must outlive the log. */
struct service_log *service_log_new(struct statedir *sd, const char *name,
		    const struct service_log_conf *conf);
struct service_log *service_log_ref(struct service_log *log);
void		service_log_unref(struct service_log *log);
void		service_log_write(struct service_log *log, const char *buf, size_t len);

/*
 * Creates a pipe for a child about to be spawned: *child_fd is the write
 * end to give the child as fd 1 and 2; the caller closes it after the
 * spawn. The pipe reads until EOF, which comes when the child and every
 * process that inherited it are gone, then frees itself.
 */
int		output_pipe_open(uv_loop_t *loop, struct service_log *log, int *child_fd);

#endif
