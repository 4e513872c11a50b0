/* What `tend snapshot` and `tend rollback` share (cli/snapshot_open.c). */
#ifndef TEND_CLI_SNAPSHOT_OPEN_H
#define TEND_CLI_SNAPSHOT_OPEN_H

#include <stddef.h>
#include <stdint.h>

struct tend_config;
struct snapshot_set_conf;
struct snapshot_spec;

struct snapshot_cli {
	struct tend_config	*cfg;
	struct statedir		*sd;
	struct store		*st;
	struct snapshot_engine	*eng;
};

/*
 * Loads the config, opens the state dir it names (or state_dir) as the
 * daemon would, its store and the engine: 0, or the exit code after
 * saying why (2 a config error, 1 the rest).
 */
int	snapshot_cli_open(const char *cmd, const char *config_path, const char *state_dir,
	    struct snapshot_cli *c);
void	snapshot_cli_close(struct snapshot_cli *c);
/* The set named, or NULL after saying which sets there are. */
const struct snapshot_set_conf *snapshot_cli_set(const char *cmd,
	    const struct tend_config *cfg, const char *name);
/* A set's config as the engine takes it; the strings stay the config's. */
void	snapshot_cli_spec(const struct snapshot_set_conf *set, struct snapshot_spec *spec);

#endif
