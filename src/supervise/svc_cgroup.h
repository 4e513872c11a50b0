/*
 * A service's own cgroup (`cgroup:`): <tend.services>/NAME, made before
 * each start with the service's limits written where their controller is
 * enabled, joined by the child before it execs, killed whole (cgroup.kill)
 * when the main process ends and removed once empty. What cannot be had
 * is said once ("memory_max not applied: the memory controller is not
 * available in ...") and the service starts anyway, bounded by its
 * process group and rlimits as without a cgroup.
 */
#ifndef TEND_SUPERVISE_SVC_CGROUP_H
#define TEND_SUPERVISE_SVC_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct service;
struct uv_fs_event_s;

struct svc_cgroup {
	int		 dir;		/* -1: none */
	/* Strings of their own: a service without cgroup: pays 40 bytes, not 5 KB. */
	char		*path;		/* NULL until made */
	char		*note;		/* what is missing and why; NULL when nothing */
	bool		 said;		/* the note was logged */
	struct uv_fs_event_s *watch;	/* cgroup.events, until it is empty to remove */
};

void	svc_cgroup_init(struct svc_cgroup *c);
/*
 * Before a start: the service's cgroup made and its limits written; an
 * open cgroup.procs for the child to join, or -1 (no cgroup: the note
 * says why, logged at the first start).
 */
int	svc_cgroup_prepare(struct service *svc);
/* The main process ended: everything left in the cgroup is killed, the cgroup removed. */
void	svc_cgroup_ended(struct service *svc);
/* The service is freed: its cgroup removed if empty. */
void	svc_cgroup_free(struct service *svc);
/* Writes one of its control files now ("memory.max"); 0, or an errno. */
int	svc_cgroup_set(struct service *svc, const char *file, const char *value);
/* Whether its cgroup is there with the controller ("memory", "cpu", "pids"). */
bool	svc_cgroup_has(const struct service *svc, const char *controller);
/* A descriptor of its directory for the process checks (a dup), or -1. */
int	svc_cgroup_dup(const struct service *svc);
/* Its status: path, controllers and note; null when it has no cgroup: block. */
json_t	*svc_cgroup_json(const struct service *svc);

#endif
