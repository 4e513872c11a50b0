/*
 * The record of chaos runs (tend chaos): written at once by the command
 * that ran them, or imported from the JSON they were printed as elsewhere
 * (tend report --import-json), read back by tend chaos history and tend
 * report. Functions returning int return 0, or -1 with a message in err.
 */
#ifndef TEND_STORE_CHAOS_H
#define TEND_STORE_CHAOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/sha256.h"

struct store;
struct sqlite3;

/* One fault of a run; a time < 0 was not measured (never detected, not healed). */
struct store_chaos_result {
	double		 mttd_ms;
	double		 mttr_ms;
	int64_t		 incident;	/* 0: none */
};

struct store_chaos_run {
	const char	*experiment;
	const char	*fault;
	const char	*target;
	int64_t		 started_at;	/* ms since the epoch */
	int64_t		 ended_at;
	int		 ok;
	const char	*failed;	/* JSON array */
	const struct store_chaos_result *results;
	size_t		 n_results;
	const char	*source;	/* NULL: run here; else where it was imported from */
	const char	*key;		/* NULL: store_chaos_key of the row */
};

/*
 * What makes a run the same run wherever it is recorded: the sha256 of
 * the canonical JSON (keys sorted, no spaces, 15 digits) of every field
 * above but source and key. The run as tend chaos run printed it and as
 * tend chaos history prints it have the same key as its row.
 */
void	store_chaos_key(const struct store_chaos_run *r, char key[SHA256_HEX_LEN + 1]);

/*
 * A run from JSON: an experiment's object as `tend chaos run --format
 * json` prints it ({experiment, fault, target, started_at, ended_at, runs:
 * [{mttd_ms, mttr_ms, incident}], failed: [...] or refused: "why", ok}) or
 * a run of `tend chaos history --format json` (results for runs). A time
 * that is missing is 0. The strings are x's; what r holds of its own (its
 * results and failed) goes with store_chaos_run_clear, whatever the
 * outcome. -1 with err naming the field and what it should be
 * ("runs[1].mttr_ms: expected a time in ms ..."). A "key" of 64 hex
 * digits (tend chaos history's) is the run's key.
 */
int	store_chaos_from_json(json_t *x, struct store_chaos_run *r, char *err,
	    size_t errlen);
void	store_chaos_run_clear(struct store_chaos_run *r);

/*
 * The run and its results, in one transaction; *id is the run's, or 0
 * when a run of the same key is recorded already (nothing is written).
 */
int	store_chaos_insert(struct store *st, const struct store_chaos_run *r, int64_t *id,
	    char *err, size_t errlen);
/*
 * n runs in one transaction: each whose key is not recorded yet is, with
 * its results; *added says how many. On an error nothing is written.
 */
int	store_chaos_import(struct store *st, const struct store_chaos_run *v, size_t n,
	    size_t *added, char *err, size_t errlen);
/*
 * The runs since since_ms (wall), newest first, at most limit:
 * [{id, experiment, fault, target, started_at, ended_at, ok, failed: [..],
 * results: [{mttd_ms, mttr_ms, incident}], source, key}]; source is null
 * for a run recorded here, key for one recorded before schema 10. NULL on
 * error.
 */
json_t	*store_read_chaos(struct sqlite3 *db, int64_t since_ms, int limit);

#endif
