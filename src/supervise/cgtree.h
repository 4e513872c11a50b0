/*
 * The cgroup v2 subtree where tend puts its services: <tend's cgroup>/
 * tend.services, found from /proc/self/mountinfo and /proc/self/cgroup
 * when the first service with `cgroup:` starts, with the controllers
 * (memory, cpu, pids) enabled in its subtree_control where they can be.
 * When it cannot be made the reason is kept, and services fall back to
 * their process group and rlimits.
 */
#ifndef TEND_SUPERVISE_CGTREE_H
#define TEND_SUPERVISE_CGTREE_H

#include <limits.h>
#include <stdbool.h>

struct cgtree {
	int		 base;		/* tend.services, or -1: unusable (why says) */
	char		 path[PATH_MAX + 32];	/* of base */
	char		 controllers[128];	/* enabled for base's children */
	/* Why each of memory, cpu, pids is missing ("" when it is there). */
	char		 missing[3][PATH_MAX + 192];
	char		 why[2 * PATH_MAX + 128];	/* when base is -1 */
};

/* Finds or makes the subtree; never fails (t->base -1 and t->why instead). */
void	cgtree_open(struct cgtree *t);
/* The subtree removed if empty, its descriptor closed. */
void	cgtree_close(struct cgtree *t);
/* Whether its services may have the controller ("memory", "cpu", "pids"). */
bool	cgtree_has(const struct cgtree *t, const char *controller);
/* Why it may not ("not available in /sys/fs/cgroup/x (tend's cgroup)"). */
const char *cgtree_missing(const struct cgtree *t, const char *controller);

#endif
