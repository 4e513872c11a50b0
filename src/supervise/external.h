/*
 * External services, monit style: tend does not spawn them but knows their
 * pidfile and the commands that start, stop and restart them. A pid is
 * taken from the pidfile only under the rules of pidfile.h, remembered
 * with its start time, and checked again before every signal. Liveness
 * comes from a pidfd (the kernel says when the process exits), with a
 * look at /proc every check_every where there is none; when the process
 * ends, the pidfile is read again to follow a service that replaced its
 * own process.
 */
#ifndef TEND_SUPERVISE_EXTERNAL_H
#define TEND_SUPERVISE_EXTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/procid.h"

struct service;
struct external;

struct external	*external_new(struct service *svc);
void		 external_free(struct external *ext);
void		 external_rebind(struct external *ext);
/* The service is WAITING: adopt a live pid from the pidfile, or run start. */
void		 external_start(struct external *ext);
/* The service is STOPPING: run stop, or signal the pid. */
void		 external_stop(struct external *ext);
/* Signals the adopted process (its group, when it leads one), then SIGCONT. */
void		 external_kill(struct external *ext, int sig);
/* The adopted process, for the run record; false when there is none. */
bool		 external_process(const struct external *ext, struct proc_id *id);
/*
 * A process a previous tend adopted for this service and that still runs
 * (checked by the caller): taken on at start when the pidfile names none.
 */
void		 external_set_survivor(struct external *ext, const struct proc_id *id);

#endif
