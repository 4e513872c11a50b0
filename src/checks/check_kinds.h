/*
 * The check types, as the runner sees them (internal to src/checks): each
 * starts its work, stores how to cancel it, and ends with
 * check_run_finish(). One file per type.
 */
#ifndef TEND_CHECKS_CHECK_KINDS_H
#define TEND_CHECKS_CHECK_KINDS_H

#include <stdbool.h>
#include <stdint.h>

#include "checks/check_run.h"

struct check_run {
	struct check_env *env;
	const struct check_conf *conf;
	struct check_memory *memory;	/* may be NULL */
	check_done_fn	 done;
	void		*arg;
	int64_t		 started_ns;
	void		*kind;			/* the type's own state */
	void		(*cancel)(struct check_run *run);
};

/* Reports the result and frees the run; the type has released its state. */
void	check_run_finish(struct check_run *run, struct check_result *r);
/* The same with a whole result, which it takes over (r is left empty). */
void	check_run_report_soon(struct check_run *run, struct check_result *r);
/*
 * Reports a result on the next loop turn, never from inside
 * check_run_start: the caller must get its handle first.
 */
void	check_run_finish_soon(struct check_run *run, enum health_state state,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Milliseconds since the run started. */
double	check_run_elapsed_ms(const struct check_run *run);
/* Sets warning/critical from latency_warn/latency_crit when the result is healthy. */
void	check_run_judge_latency(const struct check_run *run, struct check_result *r);

void	check_http_start(struct check_run *run);
void	check_tcp_start(struct check_run *run);
void	check_command_start(struct check_run *run);
void	check_resource_start(struct check_run *run);
void	check_file_start(struct check_run *run);
void	check_process_start(struct check_run *run);
void	check_deps_start(struct check_run *run);
void	check_log_start(struct check_run *run);
void	check_heartbeat_start(struct check_run *run);

#endif
