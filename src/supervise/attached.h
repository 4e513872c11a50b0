/*
 * Processes counted as a service's own that it did not start: a chaos
 * memory fault's hog (docs/chaos.md) stands for a leak in the service, so
 * its process checks sum it with the service's tree, and it ends when the
 * service's process does — a restart heals the leak, as it would a real
 * one. Each is held by pid and start time, and signalled only as itself.
 */
#ifndef TEND_SUPERVISE_ATTACHED_H
#define TEND_SUPERVISE_ATTACHED_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "core/procid.h"

#define ATTACHED_MAX	4

struct attached_set {
	struct proc_id	 v[ATTACHED_MAX];
	int		 n;
};

/* Adds id (still that process); 0, or -1 with err. */
int	attached_add(struct attached_set *a, const struct proc_id *id, char *err,
	    size_t errlen);
/* The pids of those still alive (the rest forgotten) into pids; how many. */
int	attached_pids(struct attached_set *a, pid_t *pids, int max);
/* Ends (SIGKILL) each that is still the process added, and forgets them all. */
void	attached_end(struct attached_set *a);
/* [pid, ...] for status. */
json_t	*attached_json(const struct attached_set *a);

#endif
