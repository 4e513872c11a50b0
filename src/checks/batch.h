/*
 * Checks run once, all at the same time, on a loop of their own: what
 * `tend check` does, and what `tend deps` runs its deps checks with. No
 * daemon is needed; a process check asks for its service's pid through
 * the callback.
 */
#ifndef TEND_CHECKS_BATCH_H
#define TEND_CHECKS_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "checks/check_run.h"

struct check_outcome {
	const struct check_conf *conf;
	struct check_result result;
	bool		 done;
};

struct check_batch {
	struct check_outcome *v;
	size_t		 n;
	size_t		 cap;
};

/* Adds a check to run (the config must outlive the batch). */
void	check_batch_add(struct check_batch *b, const struct check_conf *conf);
/* Runs every check once and returns when all have reported. pids may be NULL. */
void	check_batch_run(struct check_batch *b, service_pids_fn pids, void *pids_arg);
/* The worst state of all. */
enum health_state check_batch_overall(const struct check_batch *b);
/* Frees the results; the batch is empty again. */
void	check_batch_clear(struct check_batch *b);

#endif
