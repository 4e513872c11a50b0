/*
 * Checks of `snapshots:` and `rebuild:` that need the whole config: the
 * services and sets they name, and what their paths may not touch. A
 * rebuild's `clear:` is rm -rf as root: it may name neither a system
 * directory, nor tend's state dir or config, nor a directory holding a
 * snapshot set's files unless the rebuild snapshots that set first.
 */
#include "config/validate.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/abspath.h"
#include "core/statedir.h"
#include "core/strv.h"

/* Directories whose own children are the system's, never one program's environment. */
static const char *const system_parents[] = {
	"/usr", "/usr/local", "/etc", "/var", "/home", "/opt", "/srv",
	"/lib", "/lib64", "/bin", "/sbin", "/run", NULL,
};
/* Trees nothing may clear at any depth. */
static const char *const system_trees[] = { "/proc", "/sys", "/dev", "/boot", NULL };

static const char *
clear_system_refusal(const char *path)
{
	const char *slash = strrchr(path, '/');
	char parent[PATH_MAX];
	size_t i;

	if (slash == path)
		return "is / or a top-level directory";
	for (i = 0; system_trees[i] != NULL; i++)
		if (abspath_within(path, system_trees[i]))
			return "lies in a system tree (/proc, /sys, /dev, /boot)";
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
	for (i = 0; system_parents[i] != NULL; i++)
		if (strcmp(parent, system_parents[i]) == 0)
			return "is a system directory (a child of /usr, /etc, /var, "
			    "/home, /opt, /srv, ...)";
	return NULL;
}

static bool
set_has_path_in(const struct snapshot_set_conf *s, const char *dir)
{
	size_t i;

	for (i = 0; s->paths != NULL && s->paths[i] != NULL; i++)
		if (abspath_within(s->paths[i], dir))
			return true;
	for (i = 0; s->symlinks != NULL && s->symlinks[i] != NULL; i++)
		if (abspath_within(s->symlinks[i], dir))
			return true;
	return false;
}

static void
validate_clear_path(const struct tend_config *cfg, const struct rebuild_conf *rb,
    const char *path, struct config_errors *errs)
{
	const struct snapshot_set_conf *s;
	const char *why;
	size_t i;

	if ((why = clear_system_refusal(path)) != NULL) {
		validate_error(errs, &rb->clear_pos, "rebuild '%s': 'clear' %s %s; tend "
		    "deletes what clear names, as root: name the environment itself "
		    "(/srv/api/.venv)", rb->name, path, why);
		return;
	}
	for (i = 0; i < cfg->n_snapshots; i++) {
		s = &cfg->snapshots[i];
		if (!set_has_path_in(s, path))
			continue;
		if (s->implicit)
			validate_error(errs, &rb->clear_pos, "rebuild '%s': 'clear' %s "
			    "holds tend's own config", rb->name, path);
		else if (rb->snapshot == NULL || strcmp(rb->snapshot, s->name) != 0)
			validate_error(errs, &rb->clear_pos, "rebuild '%s': 'clear' %s holds "
			    "files of snapshot set '%s'; add 'snapshot: %s' so that they are "
			    "snapshotted first and can be rolled back", rb->name, path,
			    s->name, s->name);
	}
}

static void
validate_rebuild(const struct tend_config *cfg, const struct rebuild_conf *rb,
    struct config_errors *errs)
{
	size_t i;

	if (rb->service != NULL && config_find_service(cfg, rb->service) == NULL)
		validate_error(errs, &rb->service_pos, "rebuild '%s': 'service' names "
		    "'%s', which is not a service", rb->name, rb->service);
	if (rb->snapshot != NULL && config_find_snapshot_set(cfg, rb->snapshot) == NULL)
		validate_error(errs, &rb->snapshot_pos, "rebuild '%s': 'snapshot' names "
		    "'%s', which is not a snapshot set", rb->name, rb->snapshot);
	for (i = 0; rb->clear != NULL && rb->clear[i] != NULL; i++)
		validate_clear_path(cfg, rb, rb->clear[i], errs);
}

static void
validate_set(const struct tend_config *cfg, const struct snapshot_set_conf *s,
    struct config_errors *errs)
{
	size_t i;

	for (i = 0; s->restart != NULL && s->restart[i] != NULL; i++)
		if (config_find_service(cfg, s->restart[i]) == NULL)
			validate_error(errs, &s->restart_pos, "snapshot set '%s': 'restart' "
			    "names '%s', which is not a service", s->name, s->restart[i]);
	for (i = 0; s->symlinks != NULL && s->symlinks[i] != NULL; i++)
		if (strv_contains(s->paths, s->symlinks[i]))
			validate_error(errs, &s->paths_pos, "snapshot set '%s': %s is both "
			    "in 'paths' and in 'symlinks'; a release pointer belongs in "
			    "'symlinks' only", s->name, s->symlinks[i]);
}

/* Snapshots are kept in the state dir: a set holding it would snapshot itself. */
static void
validate_paths_state_dir(const char *owner, const struct conf_pos *pos, char **paths,
    const char *state_dir, struct config_errors *errs)
{
	size_t i;

	for (i = 0; paths != NULL && paths[i] != NULL; i++) {
		if (abspath_within(state_dir, paths[i]))
			validate_error(errs, pos, "%s: %s holds tend's state dir %s",
			    owner, paths[i], state_dir);
		else if (abspath_within(paths[i], state_dir))
			validate_error(errs, pos, "%s: %s lies in tend's state dir %s",
			    owner, paths[i], state_dir);
	}
}

void
config_validate_state_dir(const struct tend_config *cfg, const char *state_dir,
    struct config_errors *errs)
{
	const struct snapshot_set_conf *s;
	char owner[300];
	size_t i;

	for (i = 0; i < cfg->n_snapshots; i++) {
		s = &cfg->snapshots[i];
		if (s->implicit)
			continue;	/* a config kept in the state dir is the operator's choice */
		snprintf(owner, sizeof(owner), "snapshot set '%s'", s->name);
		validate_paths_state_dir(owner, &s->paths_pos, s->paths, state_dir, errs);
		validate_paths_state_dir(owner, &s->paths_pos, s->symlinks, state_dir, errs);
	}
	for (i = 0; i < cfg->n_rebuilds; i++) {
		snprintf(owner, sizeof(owner), "rebuild '%s': 'clear'", cfg->rebuilds[i].name);
		validate_paths_state_dir(owner, &cfg->rebuilds[i].clear_pos,
		    cfg->rebuilds[i].clear, state_dir, errs);
	}
}

void
config_validate_snapshots(const struct tend_config *cfg, struct config_errors *errs)
{
	char *resolved, norm[PATH_MAX], err[PATH_MAX + 64];
	size_t i;

	for (i = 0; i < cfg->n_snapshots; i++)
		validate_set(cfg, &cfg->snapshots[i], errs);
	for (i = 0; i < cfg->n_rebuilds; i++)
		validate_rebuild(cfg, &cfg->rebuilds[i], errs);
	if (cfg->n_snapshots == 0 && cfg->n_rebuilds == 0)
		return;
	resolved = statedir_resolve(NULL, cfg->state_dir);
	if (resolved != NULL && abspath_normalize(resolved, norm, sizeof(norm), err,
	    sizeof(err)) == 0)
		config_validate_state_dir(cfg, norm, errs);
	free(resolved);
}
