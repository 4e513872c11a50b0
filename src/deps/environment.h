/*
 * `tend validate --environment`: whether this machine can run the config,
 * beyond the config itself. The state directory (the checks of `tend run`:
 * its owner, mode, parents and entries, what would be created; writable,
 * with room), every program the config names (services, checks,
 * actions, alert commands, installers, deps executables), name resolution
 * and connectivity to the hosts the config names (environment.probe,
 * mirrors, http and tcp checks) and no others, and the CI system
 * tend runs under. Each item is ok, a warning or an error, with a reason.
 */
#ifndef TEND_DEPS_ENVIRONMENT_H
#define TEND_DEPS_ENVIRONMENT_H

#include <stddef.h>

#include <jansson.h>

#include "config/config.h"

enum env_status {
	ENV_OK,
	ENV_WARNING,
	ENV_ERROR,
};

struct env_item {
	char		*check;		/* "state dir", "free space", "program", "dns", "network", "ci" */
	char		*subject;	/* the path, program, host or variable */
	enum env_status	 status;
	char		*reason;
};

struct env_report {
	struct env_item	*v;
	size_t		 n;
};

const char	*env_status_name(enum env_status s);
/* Runs every check; takes up to environment.probe_timeout for the network. */
void	 environment_check(const struct tend_config *cfg, const char *state_dir,
	    struct env_report *out);
/* The worst status of all. */
enum env_status env_report_worst(const struct env_report *r);
size_t	 env_report_count(const struct env_report *r, enum env_status s);
json_t	*env_report_json(const struct env_report *r);
void	 env_report_free(struct env_report *r);

#endif
