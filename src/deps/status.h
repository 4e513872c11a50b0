/*
 * What the deps checks found, one row per declared dependency, with the
 * installer that would provide it: what `tend deps check` lists and what
 * `tend deps install` works from. The checks run through the one-shot
 * runner `tend check` uses (checks/batch.h).
 */
#ifndef TEND_DEPS_STATUS_H
#define TEND_DEPS_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "config/config.h"

struct dep_row {
	const struct check_conf *check;
	const struct dep_item *item;
	char		*status;	/* ok, missing, too-old, too-new, unknown */
	char		*version;	/* what was found, or NULL */
	char		*message;	/* why it is not ok ("" when it is) */
	const struct installer_conf *installer;	/* NULL: none would provide it */
	const char	*package;	/* what the installer installs */
};

struct dep_status {
	struct dep_row	*v;
	size_t		 n;
};

/*
 * The installer of an item: its own `install:`, else its check's
 * `installer:`, else the default for its kind (packages apt, python pip,
 * npm npm); NULL when none. *package is what to install.
 */
const struct installer_conf *deps_installer_of(const struct tend_config *cfg,
		    const struct check_conf *check, const struct dep_item *item,
		    const char **package);

/* Runs every deps check (or the one named only) once; 0, or -1 when only names none. */
int	 deps_status_run(const struct tend_config *cfg, const char *only,
	    struct dep_status *out);
bool	 dep_row_ok(const struct dep_row *r);
/* Whether installing may fix it: missing or too old, with an installer. */
bool	 dep_row_installable(const struct dep_row *r);
size_t	 deps_status_failing(const struct dep_status *s);
json_t	*deps_status_json(const struct dep_status *s);
void	 deps_status_free(struct dep_status *s);

#endif
