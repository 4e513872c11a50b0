/*
 * Host resources from /proc and statvfs: CPU, memory, swap, disk and
 * inodes per path, load per core. A sample that cannot be read is
 * unknown, never healthy.
 */
#ifndef TEND_CHECKS_RESOURCE_H
#define TEND_CHECKS_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "config/model.h"
#include "health/state.h"

struct resource_result {
	enum health_state state;
	double		 value;		/* percent, or load per core */
	char		 message[256];
};

struct resource_sampler;

/* proc_root is "/proc" normally; tests point it at fake files. */
struct resource_sampler *resource_sampler_new(const char *proc_root);
void		resource_sampler_free(struct resource_sampler *rs);
void		resource_sample(struct resource_sampler *rs, const struct check_conf *check,
		    struct resource_result *out);
const char	*resource_metric_name(enum resource_metric metric);

#endif
