/*
 * Starting a supervised service's process: argv, environment, cwd, user,
 * group and umask from its config, its own process group, and its output
 * into its log.
 */
#ifndef TEND_SUPERVISE_SPAWN_H
#define TEND_SUPERVISE_SPAWN_H

#include <stddef.h>

struct service;

/* Returns 0 once the process runs, or -1 with a reason in err. */
int	spawn_service(struct service *svc, char *err, size_t errlen);

/*
 * tend's environment for a child: environ minus the variables systemd
 * meant for tend itself, plus `extra` ("K=V", overriding). Free with
 * strv_free.
 */
char	**spawn_environment(char *const *extra);

#endif
