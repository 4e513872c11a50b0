/*
 * External services, monit style: tend does not spawn them but knows their
 * pidfile and the commands that start, stop and restart them. Liveness
 * comes from a pidfd on the pid (the kernel says when it exits), with a
 * /proc check every check_every as fallback and to follow pid changes.
 */
#ifndef TEND_SUPERVISE_EXTERNAL_H
#define TEND_SUPERVISE_EXTERNAL_H

#include <sys/types.h>

struct service;
struct external;

struct external	*external_new(struct service *svc);
void		 external_free(struct external *ext);
void		 external_rebind(struct external *ext);
/* The service is WAITING: adopt a live pid from the pidfile, or run start. */
void		 external_start(struct external *ext);
/* The service is STOPPING: run stop, or signal the pid. */
void		 external_stop(struct external *ext);
void		 external_kill(struct external *ext, int sig);
/* Reads a pid from a pidfile; 0 when absent, unreadable or not running. */
pid_t		 external_read_pidfile(const char *path);

#endif
