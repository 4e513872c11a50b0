/*
 * A rollback as `tend rollback` and `tend guard` do it (cli/rollback_run.c):
 * a snapshot put back, the set's services restarted through the daemon
 * when one runs, their checks run until healthy or --wait, and the
 * report of it all, as text or as JSON.
 */
#ifndef TEND_CLI_ROLLBACK_RUN_H
#define TEND_CLI_ROLLBACK_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "health/state.h"
#include "snapshot/snapshot.h"

struct cli_options;
struct snapshot_cli;
struct snapshot_set_conf;
struct tend_config;
struct check_batch;
struct json_t;

/* What a rollback did. */
struct rollback_outcome {
	int64_t		 id;		/* the snapshot put back */
	int		 rc;		/* snapshot_restore's: 0 or -1 */
	char		 err[1024];	/* why, when rc is -1 */
	struct snapshot_restore_result r;
	bool		 verified;	/* the services were restarted (or not) and checked */
	bool		 daemon;	/* a daemon ran: the services were restarted */
	enum health_state state;	/* the checks' after the restore; healthy when none */
	struct json_t	*report;	/* as tend rollback --format json prints it */
};

/*
 * The checks that verify a set: those of its `restart:` services; with
 * every_when_none, every check of the config when it restarts none.
 * Returns whether every check was taken for lack of services.
 */
bool	rollback_checks(const struct tend_config *cfg, const struct snapshot_set_conf *set,
	    bool every_when_none, struct check_batch *b);

/*
 * Restores snapshot id of set (set may be NULL: then nothing is restarted
 * or verified), then, unless opts->dry_run, restarts and verifies for
 * up to opts->wait_ms (30s when unset). every_when_none as above.
 * rollback_outcome_free.
 */
void	rollback_apply(const struct cli_options *opts, struct snapshot_cli *c,
	    const struct snapshot_set_conf *set, int64_t id, bool every_when_none,
	    struct rollback_outcome *o);
/* The steps, the undo hint and the verification, as text; errors to stderr as "tend CMD: ". */
void	rollback_print(const char *cmd, const struct cli_options *opts,
	    const struct rollback_outcome *o);
void	rollback_outcome_free(struct rollback_outcome *o);

#endif
