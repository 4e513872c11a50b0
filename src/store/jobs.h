/*
 * The runs of `tend job NAME -- CMD` (docs/heartbeats.md), in the table
 * job_runs (schema 11): written by the command itself, read by `tend jobs`.
 */
#ifndef TEND_STORE_JOBS_H
#define TEND_STORE_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct store;
struct sqlite3;

struct store_job_run {
	const char	*name;
	int64_t		 started_at, ended_at;	/* ms since the epoch */
	int		 exit_code;		/* when signal is 0 */
	int		 signal;		/* 0: it exited */
	bool		 timed_out;
	const char	*output;		/* its last lines, redacted */
};

/* Records a run; 0, or -1 with err. */
int	store_job_insert(struct store *st, const struct store_job_run *r, char *err,
	    size_t errlen);
/*
 * The runs started since since_ms (of name, or every job's when NULL),
 * newest first, at most limit: [{name, started_at, ended_at, duration_ms,
 * exit_code, signal, timed_out, output}].
 */
json_t	*store_read_jobs(struct sqlite3 *db, const char *name, int64_t since_ms, int limit);

#endif
