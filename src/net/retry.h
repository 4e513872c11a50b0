/*
 * Running a command until it works: attempts with exponential backoff and
 * jitter, a timeout per attempt (the command's whole process group is
 * killed), an overall time limit, each failure classified by the same rule
 * table as the healer so that only failures that may go away are retried,
 * heal commands run before the next attempt for a category, and fallback
 * commands tried in order when the main one keeps failing. Output streams
 * through live; a bounded tail of it is kept for classification. Every run
 * and attempt is recorded in the store (when it can be opened).
 *
 * `tend retry` is a thin command-line wrapper around retry_command();
 * `tend deps install` calls it for each installer command.
 */
#ifndef TEND_NET_RETRY_H
#define TEND_NET_RETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diagnose/classify.h"
#include "supervise/backoff.h"

struct store;

/* Failure categories are 0 .. RETRY_CATEGORIES-1 (enum failure_category). */
#define RETRY_CATEGORIES	(FAILURE_CRASH + 1)
#define RETRY_CATEGORY_BIT(c)	(1u << (unsigned)(c))

/* Exit codes of retry_command() that are not the command's own. */
#define RETRY_EXIT_TIMEOUT	124	/* the last attempt timed out (as timeout(1)) */
#define RETRY_EXIT_NOEXEC	126	/* the program exists but cannot be run */
#define RETRY_EXIT_NOTFOUND	127	/* the program is not there */
/* A command killed by signal N exits 128 + N, as in the shell. */

/* A command to run before the next attempt after a failure of `category`. */
struct retry_heal {
	enum failure_category category;
	char		**argv;		/* NULL-terminated */
};

struct retry_options {
	int		 max_retries;	/* retries after the first attempt, per command; default 3 */
	int64_t		 initial_ms;	/* delay before the first retry; default 1s (CI 2s) */
	int64_t		 max_delay_ms;	/* cap of any delay; default 30s (CI 60s) */
	double		 multiplier;	/* default 2 */
	enum backoff_jitter jitter;	/* full (default), equal, none, or spread */
	double		 jitter_spread;	/* spread: +-this fraction of each delay (a config's `jitter`) */
	int64_t		 timeout_ms;	/* per attempt; 0: none (CI: 10m) */
	double		 timeout_growth; /* after a timeout the next attempt's is this times longer; default 2 */
	int64_t		 max_time_ms;	/* overall; 0: none */
	int64_t		 kill_grace_ms;	/* SIGTERM to the group, SIGKILL after this; default 5s */

	/*
	 * Which categories are retried: retry_on (default: those classify
	 * calls retryable), plus any with a heal command, minus never.
	 */
	unsigned	 retry_on;	/* RETRY_CATEGORY_BIT()s */
	unsigned	 never;		/* --no-retry-on */

	char		***fallbacks;	/* argv of each, tried in order; see retry_options_add_fallback */
	size_t		 n_fallbacks;
	struct retry_heal *heals;	/* see retry_options_add_heal */
	size_t		 n_heals;

	bool		 ci;		/* $CI or $GITHUB_ACTIONS is "true" */
	bool		 github;	/* ::group:: and ::warning:: annotations on out_fd */
	const char	*step_summary;	/* a Markdown table is appended here ($GITHUB_STEP_SUMMARY under GitHub) */

	const char	*state_dir;	/* the store is STATE_DIR/tend.db; NULL: not recorded */
	struct store	*store;		/* or the caller's store (not closed); wins over state_dir */
	const struct classifier *classifier; /* NULL: the shipped rules */

	const char	*label;		/* names the run in messages and the store; default "tend retry" */
	bool		 summary;	/* notes (why an attempt failed, the wait) and the summary line on err_fd; default true */
	bool		 verbose;	/* say why each attempt failed and how long the wait is */
	int		 out_fd;	/* the command's stdout goes here; default 1 */
	int		 err_fd;	/* its stderr and tend's messages; default 2 */
	uint64_t	 seed;		/* for the jitter; 0: from the clock and pid */
};

/* The outcome of retry_command(). */
struct retry_report {
	int		 exit_code;	/* what retry_command() returned */
	bool		 succeeded;
	int		 attempts;	/* every attempt, fallbacks' included (heals are not attempts) */
	int		 command;	/* the command that ran last: 0 the main one, i the i-th fallback */
	int		 heals;		/* heal commands run */
	int		 failures[RETRY_CATEGORIES]; /* failed attempts per category */
	enum failure_category last_category; /* of the last failure */
	bool		 max_time_reached;
	bool		 interrupted;	/* SIGINT/SIGTERM/SIGHUP to tend: passed on, no more attempts */
	int64_t		 elapsed_ms;
	int64_t		 run_id;	/* retry_runs.id in the store; 0 when not recorded */
	char		 summary[384];	/* the summary line, without "\n" */
};

/*
 * Defaults, adjusted for CI when $GITHUB_ACTIONS or $CI is "true" (longer
 * per-attempt timeout and delays; GitHub annotations and
 * $GITHUB_STEP_SUMMARY under GitHub Actions).
 */
void	retry_options_init(struct retry_options *o);
/* Frees what retry_options_add_* copied; the options can be used again after init. */
void	retry_options_clear(struct retry_options *o);
/* Copies argv (NULL-terminated) as the next fallback. */
void	retry_options_add_fallback(struct retry_options *o, char *const argv[]);
/* Copies argv as the heal command for category (replacing an earlier one). */
void	retry_options_add_heal(struct retry_options *o, enum failure_category category,
	    char *const argv[]);

/*
 * Runs argv (NULL-terminated; argv[0] found on PATH) with retries,
 * fallbacks and heals, streaming its output, and returns the exit code to
 * exit with: 0 on success, else the last attempt's exit code (128 + N for
 * signal N, RETRY_EXIT_TIMEOUT when it timed out, 126/127 when it could not
 * be started). Blocks until done; runs its own libuv loop. out may be NULL.
 */
int	retry_command(const struct retry_options *o, char *const argv[],
	    struct retry_report *out);

/* The pieces of the policy, for tests and for callers that want to show them. */

/* The delay before retry n (1 = the first retry) with random01 in [0,1). */
int64_t	retry_delay_ms(const struct retry_options *o, int n, double random01);
/* The next attempt's timeout after one that took `timeout_ms` (0: none). */
int64_t	retry_next_timeout(const struct retry_options *o, int64_t timeout_ms,
	    bool timed_out);
/* Whether a failure of this category is tried again. */
bool	retry_category_retried(const struct retry_options *o,
	    enum failure_category category);

/* A command as a user could type it, for messages: sh -c 'make deps'. Free it. */
char	*retry_format_argv(char *const *argv);

/* "full", "equal", "none" -> *jitter; -1 when not one of them. */
int	retry_parse_jitter(const char *s, enum backoff_jitter *jitter);
/*
 * A comma-separated list of categories ("network,timeout"; "all") as
 * RETRY_CATEGORY_BITs; -1 with the bad word in err.
 */
int	retry_parse_categories(const char *list, unsigned *mask, char *err, size_t errlen);

#endif
