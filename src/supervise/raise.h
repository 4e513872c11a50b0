/*
 * A service's limits as they are now — its config's, raised by the heal
 * action increase_resources — and that action: a cgroup limit raised live
 * where its controller is enabled, else kept for the next start (the
 * cgroup's limit where the controller will be there, else the memory
 * raise goes to `rlimits: as`). Raised values last until a reload
 * changes the service's config (docs/healing.md).
 */
#ifndef TEND_SUPERVISE_RAISE_H
#define TEND_SUPERVISE_RAISE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config/model.h"

struct service;

/* What the healer raised; 0: as configured. */
struct svc_raised {
	uint64_t	 memory_max, memory_high, cpu_quota_us, pids_max, rlimit_as;
};

/* The limits a start applies; 0: none (SERVICE_CGROUP_MAX: written as max). */
struct svc_limits {
	uint64_t	 memory_max, memory_high, cpu_quota_us, cpu_period_us, pids_max;
	uint64_t	 rlimit_as;	/* its soft limit; 0: none or unlimited */
	uint64_t	 rlimit_as_hard;
};

void	svc_limits_effective(const struct service *svc, struct svc_limits *out);
/* A limit as its cgroup file takes it: the number, or "max". */
void	svc_limit_text(uint64_t v, char *buf, size_t len);
/* cpu.max's "QUOTA PERIOD" ("max PERIOD"). */
void	svc_cpu_max_text(uint64_t quota, uint64_t period, char *buf, size_t len);
/* cur raised by r and capped, never lowered: cur when the cap is reached. */
uint64_t raise_value(uint64_t cur, const struct heal_raise *r);

enum raise_result {
	RAISE_LIVE,		/* written to the running service's cgroup */
	RAISE_AT_START,		/* applied when it next starts */
	RAISE_FAILED,		/* nothing to raise, or at its cap */
};

/* Raises svc's limits as a says; detail says what became what, or why not. */
enum raise_result svc_increase_resources(struct service *svc, const struct heal_action *a,
	    char *detail, size_t len);
/* Its effective limits and which were raised, for its status. */
json_t	*svc_limits_json(const struct service *svc);

#endif
