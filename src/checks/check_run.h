/*
 * One run of a check, of any type, on the loop: start it, get exactly one
 * result through the callback (unless cancelled first). Each type keeps
 * its own timeout, so a hung target costs one timeout, in parallel with
 * everything else.
 */
#ifndef TEND_CHECKS_CHECK_RUN_H
#define TEND_CHECKS_CHECK_RUN_H

#include <sys/types.h>

#include <uv.h>

#include "checks/result.h"
#include "config/model.h"

struct http_engine;

/*
 * A service's processes to account for into pids (up to max): its main
 * pid first, then any counted as its own; how many, 0 when it is not
 * running (or unknown).
 */
typedef int	(*service_pids_fn)(void *arg, const char *service, pid_t *pids, int max);

struct finish_soon;

/*
 * Where results that a run has at once wait for the loop (see
 * check_run_report_soon): a run ends after its start returns, and a timer
 * of its own for that cost a turn of the loop that polls without waiting
 * as the timer closed, 2,000 turns a second at 10,000 process checks.
 * Drained by a prepare handle, they are reported in the same turn, before
 * the loop polls. Kept by whoever owns the loop's checks (the scheduler);
 * without one, each result takes a timer.
 */
struct check_soon {
	uv_prepare_t	 prepare;	/* first: the handle is the queue */
	struct finish_soon *head;
	struct finish_soon **tail;
};

void	check_soon_init(uv_loop_t *loop, struct check_soon *q);
/* Closes its handle (cb as uv_close's; data as the caller set it); then check_soon_clear. */
void	check_soon_close(struct check_soon *q, uv_close_cb cb);
/* Frees what is still queued: every run in it cancelled, the handle closed. */
void	check_soon_clear(struct check_soon *q);

/* What runs share: the loop, the HTTP engine, where service pids come from. */
struct check_env {
	uv_loop_t	*loop;
	struct check_soon *soon;	/* may be NULL */
	struct http_engine *http;
	service_pids_fn	 service_pids;
	void		*service_pids_arg;
	/* A running service's cgroup directory to read and close, or -1 (same arg). */
	int		(*service_cgroup)(void *arg, const char *service);
	const char	*state_dir;	/* where services' output is (log checks); may be NULL */
};

struct check_run;

/*
 * What a check remembers between runs, kept by its scheduler: a file's
 * last content hash; a type's own state (what a follower has read, when
 * the last ping came), made by its first run and freed with the memory.
 */
struct check_memory {
	void		*state;		/* the type's; NULL before its first run */
	void		(*state_free)(void *state);
};

/* Frees a type's state in m: m is as before a first run. */
void	check_memory_clear(struct check_memory *m);

/* r is valid during the call only. */
typedef void	(*check_done_fn)(void *arg, const struct check_conf *conf,
		    struct check_result *r);

/* memory may be NULL: every run is then the first. */
struct check_run *check_run_start(struct check_env *env, const struct check_conf *conf,
		    struct check_memory *memory, check_done_fn done, void *arg);
const char	*check_type_name(enum check_type type);
/* Stops a run that has not reported yet; done will not be called. */
void		check_run_cancel(struct check_run *run);

#endif
