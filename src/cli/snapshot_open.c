/*
 * What `tend snapshot` and `tend rollback` share: the config, the verified
 * state dir, the store (opened as a brief writer: no checkpoint and no
 * fsync of it at exit, store/store.h) and the snapshot engine on them, and
 * a set's spec as the engine takes it.
 */
#include "cli/snapshot_open.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "core/strv.h"
#include "snapshot/snapshot.h"
#include "store/store.h"

int
snapshot_cli_open(const char *cmd, const char *config_path, const char *state_dir,
    struct snapshot_cli *c)
{
	char err[1024], *dir, *db;

	memset(c, 0, sizeof(*c));
	if ((c->cfg = cli_load_config(config_path, stderr)) == NULL)
		return 2;
	dir = statedir_resolve(state_dir, c->cfg->state_dir);
	c->sd = statedir_open(dir, err, sizeof(err));
	free(dir);
	if (c->sd == NULL) {
		fprintf(stderr, "tend %s: refusing the state dir: %s\n", cmd, err);
		snapshot_cli_close(c);
		return 1;
	}
	db = statedir_file(c->sd, "tend.db");
	if (store_prepare_file(c->sd, err, sizeof(err)) == 0)
		c->st = store_open_brief(db, err, sizeof(err));
	free(db);
	if (c->st == NULL ||
	    (c->eng = snapshot_engine_open(c->sd, c->st, NULL, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "tend %s: %s\n", cmd, err);
		snapshot_cli_close(c);
		return 1;
	}
	return 0;
}

void
snapshot_cli_close(struct snapshot_cli *c)
{
	snapshot_engine_close(c->eng);
	store_close(c->st);
	statedir_close(c->sd);
	config_free(c->cfg);
	memset(c, 0, sizeof(*c));
}

void
snapshot_cli_spec(const struct snapshot_set_conf *set, struct snapshot_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->name = set->name;
	spec->paths = (const char *const *)set->paths;
	spec->n_paths = strv_len(set->paths);
	spec->exclude = (const char *const *)set->exclude;
	spec->n_exclude = strv_len(set->exclude);
	spec->symlinks = (const char *const *)set->symlinks;
	spec->n_symlinks = strv_len(set->symlinks);
}

const struct snapshot_set_conf *
snapshot_cli_set(const char *cmd, const struct tend_config *cfg, const char *name)
{
	const struct snapshot_set_conf *set = config_find_snapshot_set(cfg, name);
	size_t i;

	if (set != NULL)
		return set;
	fprintf(stderr, "tend %s: no snapshot set named '%s' (the config has:", cmd, name);
	for (i = 0; i < cfg->n_snapshots; i++)
		fprintf(stderr, " %s", cfg->snapshots[i].name);
	fprintf(stderr, ")\n");
	return NULL;
}
