/* Where the daemon keeps its state, and the files in it. */
#ifndef TEND_DAEMON_PATHS_H
#define TEND_DAEMON_PATHS_H

#include <sys/types.h>

#include "config/model.h"

/*
 * --state-dir, else $TEND_STATE_DIR, else state_dir: in the config, else
 * /var/lib/tend for root or $XDG_STATE_HOME/tend, ~/.local/state/tend.
 */
char	*paths_state_dir(const char *option, const struct tend_config *cfg);
/* mkdir -p; returns 0 or -1 with errno set. */
int	 paths_mkdir_p(const char *path, mode_t mode);
char	*paths_control_socket(const char *state_dir);

#endif
