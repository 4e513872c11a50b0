/*
 * tend preflight's parts, private to src/cli: the steps (each a function
 * that returns its outcome as a JSON object, run in a child of tend by
 * cmd_preflight.c), the permissions the config relies on, and the git
 * pre-push hook.
 *
 * A step's outcome: {"status": "ok"|"warning"|"failed"|"skipped",
 * "reason": "...", "details": ["..."], "fixed": ["..."]}; details and
 * fixed may be absent.
 */
#ifndef TEND_CLI_PREFLIGHT_H
#define TEND_CLI_PREFLIGHT_H

#include <stdbool.h>

#include <jansson.h>

#include "cli/cli.h"

struct tend_config;

struct preflight {
	struct cli_options opts;	/* -c, --state-dir for what the steps reuse */
	struct tend_config *cfg;	/* loaded and validated by the config step */
	char		*state_dir;	/* resolved */
	char		**sources;	/* --source PATH... ; NULL: none */
	bool		 fix;
};

/* An outcome; reason is printf-like. */
json_t	*preflight_outcome(const char *status, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Appends a line to the outcome's array key ("details", "fixed"). */
void	 preflight_note(json_t *outcome, const char *key, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* The steps after config (preflight_steps.c, preflight_perms.c). */
json_t	*preflight_environment(const struct preflight *p);
json_t	*preflight_deps(const struct preflight *p);
json_t	*preflight_scan(const struct preflight *p);
json_t	*preflight_checks(const struct preflight *p);
json_t	*preflight_permissions(const struct preflight *p);
json_t	*preflight_chaos(const struct preflight *p);

/*
 * --install-hook: the pre-push hook of the git repository holding the
 * current directory runs `tend preflight -c config`. 0, or 1 after
 * saying why (a foreign hook without force, a symlink, no repository).
 */
int	 preflight_install_hook(const char *config, bool force);

#endif
