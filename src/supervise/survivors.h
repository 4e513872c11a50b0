/*
 * Processes that outlived a killed tend, found in the run record it left
 * (runrecord.h). Every pid is checked by its start time and uid before
 * anything is done to it: a record tend did not write is not read, and a
 * pid the kernel has since given to another process is left alone.
 *
 * A supervised service's survivors (its main process with its process
 * group, and the orphans attributed to it) are stopped, and the service
 * is then started afresh: their output pipe died with the old tend (the
 * next line they write meets EPIPE or SIGPIPE), and they are no longer
 * tend's children, so their exit would go unexplained. An external
 * service's process is adopted again: it never was tend's child.
 */
#ifndef TEND_SUPERVISE_SURVIVORS_H
#define TEND_SUPERVISE_SURVIVORS_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "core/procid.h"

struct survivors;
struct statedir;

typedef void	(*survivors_done_fn)(void *arg, const char *name);

/* Reads and checks the state dir's record; says in the log what it found. */
struct survivors *survivors_load(uv_loop_t *loop, struct statedir *sd);
/*
 * Stops the survivors of the supervised service name with sig (then
 * SIGCONT; SIGKILL after timeout_ms) and calls done once all are gone;
 * false, and no call, when there are none.
 */
bool		 survivors_stop(struct survivors *s, const char *name, int sig,
		    int64_t timeout_ms, survivors_done_fn done, void *arg);
/* The process the record holds for the external service name, if it runs. */
bool		 survivors_external(struct survivors *s, const char *name,
		    struct proc_id *id);
/* The rest, services no longer configured: supervised ones are stopped. */
void		 survivors_stop_rest(struct survivors *s);
/* No more callbacks; what is still being stopped is killed. */
void		 survivors_free(struct survivors *s);

#endif
