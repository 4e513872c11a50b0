/*
 * The record of chaos runs (tend chaos): written at once by the command
 * that ran them, read back by tend chaos history and tend report.
 * Functions returning int return 0, or -1 with a message in err.
 */
#ifndef TEND_STORE_CHAOS_H
#define TEND_STORE_CHAOS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

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
};

/* The run and its results, in one transaction; *id is the run's. */
int	store_chaos_insert(struct store *st, const struct store_chaos_run *r, int64_t *id,
	    char *err, size_t errlen);
/*
 * The runs since since_ms (wall), newest first, at most limit:
 * [{id, experiment, fault, target, started_at, ended_at, ok, failed: [..],
 * results: [{mttd_ms, mttr_ms, incident}]}]; NULL on error.
 */
json_t	*store_read_chaos(struct sqlite3 *db, int64_t since_ms, int limit);

#endif
