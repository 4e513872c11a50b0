/*
 * SIGHUP: the new config read until it holds still, loaded, and checked
 * against the running one before the daemon swaps it in.
 *
 * An editor or a deploy tool that truncates the file and then writes it
 * must never be seen half done: the file is read, and read again every
 * RELOAD_SETTLE_MS until two reads in a row are the same bytes (at most
 * RELOAD_READS reads), on a timer, so the loop goes on meanwhile. A config
 * that would stop every running service must say so (`services: {}`);
 * what needs a restart (state_dir, web.*) is named in a warning and kept
 * as it runs.
 */
#ifndef TEND_DAEMON_RELOAD_H
#define TEND_DAEMON_RELOAD_H

#include <stdbool.h>

#include <uv.h>

#include "config/config.h"

#define RELOAD_SETTLE_MS	250
#define RELOAD_READS		12

struct reload_ops {
	/* The config the daemon runs now. */
	const struct tend_config *(*running)(void *arg);
	/* The new config to swap in; the callee owns it. */
	void	(*apply)(void *arg, struct tend_config *cfg);
	void	*arg;
};

struct reload_options {
	const char	*config_path;	/* -c, or NULL: $TEND_CONFIG, the default */
	const char	*state_dir;	/* --state-dir, or NULL */
	bool		 web_off;	/* --no-web: web.* changes nothing */
};

struct reload;

struct reload *reload_new(uv_loop_t *loop, const struct reload_options *opts,
		    const struct reload_ops *ops);
/* Reads the config anew (a SIGHUP); one that is settling starts over. */
void		reload_start(struct reload *r);
/* Whether a reload is under way: the file read but not yet settled. */
bool		reload_busy(const struct reload *r);
/* Stops a reload under way; freed once its timer is closed. */
void		reload_close(struct reload *r);

#endif
