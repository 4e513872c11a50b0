/*
 * tend rollback [SET] [--to ID|--lkg] [--dry-run] [--delete] [--wait D]:
 * puts a snapshot of a set back (src/snapshot: staged, verified, renamed
 * into place, the state before snapshotted first), restarts the set's
 * services through the daemon when one runs, then runs their checks until
 * they are healthy or --wait (default 30s) is over. Exit 0 when the result
 * is verified healthy (or there is nothing to verify), 1 when the restore
 * failed or the checks did not turn healthy, 2 for a usage or config error.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/rollback_run.h"
#include "cli/snapshot_open.h"
#include "config/config.h"
#include "snapshot/snapshot.h"

/* Which snapshot: --to ID, else SET's last known good. 0 after saying why. */
static int64_t
rollback_target(const struct cli_options *opts, struct snapshot_cli *c,
    const struct snapshot_set_conf **set)
{
	struct snapshot_info info;
	char err[1024], *end;
	int64_t id;

	*set = NULL;
	if (opts->n_args > 1) {
		fprintf(stderr, "tend rollback: one set at a time\n");
		return 0;
	}
	if (opts->n_args == 1 &&
	    (*set = snapshot_cli_set("rollback", c->cfg, opts->args[0])) == NULL)
		return 0;
	if (opts->rollback_to == NULL) {
		if (*set == NULL) {
			fprintf(stderr, "tend rollback: name the set (or --to ID)\n");
			return 0;
		}
		if ((id = snapshot_lkg(c->eng, (*set)->name, err, sizeof(err))) <= 0)
			fprintf(stderr, "tend rollback: %s\n", id < 0 ? err :
			    "no last known good snapshot of this set yet; name one with --to ID "
			    "(tend snapshot list)");
		return id > 0 ? id : 0;
	}
	id = strtoll(opts->rollback_to, &end, 10);
	if (*end != '\0' || id <= 0 ||
	    snapshot_get(c->eng, id, &info, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "tend rollback: --to %s: no such snapshot (tend snapshot list)\n",
		    opts->rollback_to);
		return 0;
	}
	if (*set != NULL && strcmp(info.set_name, (*set)->name) != 0) {
		fprintf(stderr, "tend rollback: snapshot %" PRId64 " is of %s, not %s\n", id,
		    info.set_name, (*set)->name);
		id = 0;
	} else if (*set == NULL) {
		*set = config_find_snapshot_set(c->cfg, info.set_name);
	}
	snapshot_info_clear(&info);
	return id;
}

static int
rollback_run(const struct cli_options *opts, struct snapshot_cli *c)
{
	const struct snapshot_set_conf *set;
	struct rollback_outcome o;
	int64_t id;
	int rc;

	if ((id = rollback_target(opts, c, &set)) == 0)
		return 2;
	rollback_apply(opts, c, set, id, false, &o);
	if (opts->format == OUTPUT_JSON)
		cli_print_json(o.report);
	else
		rollback_print("rollback", opts, &o);
	rc = o.rc < 0 || o.state != HEALTH_HEALTHY ? 1 : 0;
	rollback_outcome_free(&o);
	return rc;
}

int
cmd_rollback(struct cli_options *opts)
{
	struct snapshot_cli c;
	int rc;

	if (opts->rollback_to != NULL && opts->rollback_lkg) {
		fprintf(stderr, "tend rollback: --to and --lkg are one or the other\n");
		return 2;
	}
	if ((rc = snapshot_cli_open("rollback", opts->config_path, opts->state_dir, &c)) != 0)
		return rc;
	rc = rollback_run(opts, &c);
	snapshot_cli_close(&c);
	return rc;
}
