/*
 * Starting a supervised service's process (through core/procspawn):
 * argv, environment, cwd, user, group and umask from its config, its own
 * process group, its output into its log, and its exit reported to
 * service_exited().
 */
#ifndef TEND_SUPERVISE_SPAWN_H
#define TEND_SUPERVISE_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

struct service;
struct service_conf;

/* Returns 0 once the process runs, or -1 with a reason in err. */
int	spawn_service(struct service *svc, char *err, size_t errlen);

/*
 * True when the conf's user: or group: are ignored because tend is not
 * root; what says which ("user: redis, group: redis").
 */
bool	spawn_ids_ignored(const struct service_conf *conf, char *what, size_t len);

/*
 * tend's environment for a child: environ minus the variables systemd
 * meant for tend itself, plus `extra` ("K=V", overriding). Free with
 * strv_free.
 */
char	**spawn_environment(char *const *extra);

#endif
