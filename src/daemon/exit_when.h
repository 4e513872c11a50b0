/*
 * exit_when: whether a service that ended for good ends tend too, and the
 * code tend then exits with — what a container's orchestrator reads when
 * tend is its PID 1 (tini and dumb-init pass on their one child's; tend
 * passes on the service's that ended it).
 */
#ifndef TEND_DAEMON_EXIT_WHEN_H
#define TEND_DAEMON_EXIT_WHEN_H

#include <stdbool.h>

#include "config/model.h"

/*
 * The code to exit with once every service is down, or -1 when the end of
 * conf's service (its exit status as a shell gives it, and whether it
 * failed) ends nothing. A failure never exits 0.
 */
int	exit_when_code(const struct exit_when_conf *ew, const struct service_conf *conf,
	    int status, bool failed);

#endif
