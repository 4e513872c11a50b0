#include "daemon/paths.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

char *
paths_state_dir(const char *option, const struct tend_config *cfg)
{
	const char *env = getenv("TEND_STATE_DIR"), *xdg, *home;

	if (option != NULL && *option != '\0')
		return xstrdup(option);
	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (cfg != NULL && cfg->state_dir != NULL)
		return xstrdup(cfg->state_dir);
	if (geteuid() == 0)
		return xstrdup("/var/lib/tend");
	if ((xdg = getenv("XDG_STATE_HOME")) != NULL && *xdg == '/')
		return xasprintf("%s/tend", xdg);
	home = getenv("HOME");
	return xasprintf("%s/.local/state/tend", home ? home : "/tmp");
}

int
paths_mkdir_p(const char *path, mode_t mode)
{
	char *copy = xstrdup(path), *p;
	int rc = 0;

	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(copy, mode);	/* the last mkdir tells */
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		rc = -1;
	free(copy);
	return rc;
}

char *
paths_control_socket(const char *state_dir)
{
	return xasprintf("%s/tend.sock", state_dir);
}
