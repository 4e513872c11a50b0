/*
 * Inside net/retry: the state of one run of retry_command(), shared by the
 * loop (retry.c), its record in the store (retry_record.c) and its GitHub
 * Actions output (retry_github.c).
 */
#ifndef TEND_NET_RETRY_INTERNAL_H
#define TEND_NET_RETRY_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "net/retry.h"

/* The end of an attempt's output that is classified first and stored. */
#define RETRY_RECENT_MAX	4096

/* One attempt as the run saw it. */
struct retry_try {
	int		 n;		/* 1, 2, ... over the run */
	int		 command;	/* 0 the main command, i the i-th fallback */
	char *const	*argv;
	int64_t		 started_at;	/* wall ms */
	int64_t		 ended_at;
	int64_t		 elapsed_ms;
	int		 exit_code;	/* as tend reports it: 128+N, 124, 127 ... */
	int		 status;	/* the exit status, -1 when killed by a signal */
	int		 signal;
	bool		 timed_out;
	int		 category;	/* an enum failure_category, -1 when it succeeded */
	char		 why[192];	/* what decided the category */
	char		*output;	/* the tail of its output, until recorded */
	const char	*recent;	/* its last RETRY_RECENT_MAX bytes */
	char		*heal;		/* the heal run after it and its end, or NULL */
};

struct retry_run {
	const struct retry_options *o;
	char *const	*argv;
	uv_loop_t	 loop;
	uv_signal_t	 sigs[3];
	uv_timer_t	 delay;
	pid_t		 running;	/* the process group of the attempt or heal running now */
	int		 interrupt;	/* the signal that asked tend to stop, 0 if none */
	int		 interrupts;
	bool		 interrupted_between; /* the signal came between attempts */
	struct classifier *own_classifier;
	uint64_t	 rng;
	int64_t		 t0_mono;
	int64_t		 t0_wall;
	int64_t		 deadline;	/* monotonic ms, 0: none */
	struct retry_report rep;

	struct store	*store;
	bool		 own_store;
	bool		 store_failed;	/* warned once; not recorded */

	struct retry_try *tries;
	size_t		 n_tries;
};

/* The heal command for a category, or NULL. */
const struct retry_heal *retry_heal_for(const struct retry_options *o,
	    enum failure_category category);
/* A JSON array of strings. Free it. */
char	*retry_argv_json(char *const *argv);
/* "350ms", "4.2s", "2m03s". */
void	 retry_format_elapsed(int64_t ms, char *buf, size_t len);
/* printf to fd, written whole. */
void	 retry_printf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The store: after each attempt, and once at the end. */
void	 retry_record_attempt(struct retry_run *r, const struct retry_try *t);
void	 retry_record_end(struct retry_run *r, const char *outcome);

/* GitHub Actions workflow commands and the step summary. */
void	 retry_github_group(struct retry_run *r, const struct retry_try *t);
void	 retry_github_endgroup(struct retry_run *r, const char *output);
void	 retry_github_heal_group(struct retry_run *r, const struct retry_try *t,
	    const char *cmd);
void	 retry_github_warning(struct retry_run *r, const struct retry_try *t);
void	 retry_github_error(struct retry_run *r);
void	 retry_github_step_summary(struct retry_run *r);

#endif
