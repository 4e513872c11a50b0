/*
 * `tend run`: the daemon. One libuv loop owns all state: the supervisor,
 * the host watcher, the control socket and the signals.
 */
#ifndef TEND_DAEMON_DAEMON_H
#define TEND_DAEMON_DAEMON_H

#include <stdbool.h>

struct daemon_options {
	const char	*config_path;	/* NULL: $TEND_CONFIG or embedded */
	const char	*state_dir;	/* NULL: see statedir_resolve */
	int		 log_format;	/* -1: from the config */
	bool		 verbose;
	bool		 monitor_only;	/* detect, record, alert; never act */
	bool		 no_web;	/* no dashboard, API or /metrics */
	bool		 init;		/* tend init: a container's PID 1, whatever its pid */
};

/*
 * Runs until SIGTERM/SIGINT (then returns 0) or until exit_when says (then
 * the code it gives); 1 when tend cannot start, 2 for a config error.
 */
int	daemon_run(const struct daemon_options *opts);

#endif
