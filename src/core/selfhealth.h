/*
 * tend's own health: the parts of tend that can fail while it runs (the
 * store, the service logs, the API token) say what is wrong and what to do,
 * and count their errors. The daemon publishes it in `tend status`,
 * /healthz and /metrics. Process-wide, like the log: there is one tend per
 * process. Safe from any thread.
 */
#ifndef TEND_CORE_SELFHEALTH_H
#define TEND_CORE_SELFHEALTH_H

#include <stdint.h>

#include <jansson.h>

enum selfhealth_counter {
	SELF_STORE_ERRORS,	/* store_errors_total: failed opens, flushes, rows */
	SELF_STORE_DROPPED,	/* store_rows_dropped_total: bad rows, queue overflow */
	SELF_LOG_WRITE_ERRORS,	/* log_write_errors_total: service log opens and writes */
	SELF_LOG_SUPPRESSED,	/* log_lines_suppressed_total: repeats not printed */
	SELF_COUNTERS,
};

/*
 * part ("store", "logs", "token") is failing: problem says how, hint what
 * to do (may be NULL). The same problem again keeps its first time.
 */
void	selfhealth_fail(const char *part, const char *problem, const char *hint);
/* part works again. */
void	selfhealth_ok(const char *part);
void	selfhealth_count(enum selfhealth_counter c, uint64_t n);
uint64_t selfhealth_get(enum selfhealth_counter c);
/* The counter's name ("store_errors_total") and its help text. */
const char *selfhealth_counter_name(enum selfhealth_counter c);
const char *selfhealth_counter_help(enum selfhealth_counter c);

/*
 * {"health": "healthy" | "warning", "problems": [{"part", "error", "hint",
 * "since"}], "counters": {"store_errors_total": 0, ...}}
 */
json_t	*selfhealth_json(void);
/* Forgets every problem and count (tests). */
void	selfhealth_reset(void);

#endif
