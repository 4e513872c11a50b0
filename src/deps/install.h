/*
 * `tend deps install` and `tend deps cache-warmup`: installer commands
 * planned from the config, then run through the retry library (net/retry.h)
 * with the installer's mirrors as fallbacks — the same command with the
 * next index or registry — and, when that fails or the machine is offline,
 * from the installer's local package cache. No shell is involved: every
 * command is an argv from the config or a built-in.
 *
 * Templates: {packages} (a whole argument) is every package of the step,
 * {package} one package (one command each), {files} (a whole argument) the
 * cached files of the packages, {mirror} the mirror of this try, {cache}
 * the installer's cache directory.
 */
#ifndef TEND_DEPS_INSTALL_H
#define TEND_DEPS_INSTALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config/config.h"
#include "deps/status.h"

struct install_step {
	const struct installer_conf *installer;
	char		**packages;
	char		**argv;		/* with the first mirror (or none) */
	char		***fallbacks;	/* with each next mirror */
	size_t		 n_fallbacks;
	char		**offline;	/* from the cache; NULL when it lacks a package */
	char		*cache;		/* the installer's cache directory */
	bool		 download;	/* cache-warmup: runs in the cache directory */
};

struct install_plan {
	struct install_step *v;
	size_t		 n;
	char		**cached;	/* warmup: "installer: package" already cached */
	char		**unplanned;	/* what no installer provides: "check: name (why)" */
};

struct install_options {
	bool		 dry_run;	/* print the commands, run nothing */
	bool		 offline;	/* the cache only, no network */
	bool		 verbose;	/* say why each attempt failed */
	const char	*state_dir;	/* retries are recorded in its store; NULL: not */
	FILE		*out;		/* progress and the commands of a dry run */
};

/*
 * A template with its placeholders filled; mirror (may be NULL) goes where
 * {mirror} is, else after mirror_flag at the end.
 */
char	**deps_render(char *const *tmpl, char *const *packages, const char *mirror,
	    const char *mirror_flag, const char *cache, char *const *files);
/*
 * The newest file in dir that is a download of package: its name, less
 * case and with - _ . alike, starts with the package's and a version
 * ("libyaml-dev_0.2.5-1_amd64.deb", "scope-pkg-1.0.0.tgz" for @scope/pkg).
 * NULL when there is none. Free it.
 */
char	*deps_cached_file(const char *dir, const char *package);

/* What installing the missing and too-old rows takes. */
void	 deps_plan_install(const struct tend_config *cfg, const struct dep_status *st,
	    const char *cache_root, struct install_plan *plan);
/* What downloading every declared dependency not yet cached takes. */
void	 deps_plan_warmup(const struct tend_config *cfg, const char *cache_root,
	    struct install_plan *plan);
/* Runs (or prints) each step; returns how many failed. */
int	 deps_plan_run(const struct install_plan *plan, const struct install_options *o);
void	 deps_plan_free(struct install_plan *plan);

#endif
