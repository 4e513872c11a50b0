/*
 * log checks (check_log.c): what the rest of tend reads from their results.
 * The message ends with the last matching line after CHECK_LOG_LAST, so the
 * healer classifies that line, not the counts before it.
 */
#ifndef TEND_CHECKS_CHECK_LOG_H
#define TEND_CHECKS_CHECK_LOG_H

#define CHECK_LOG_LAST	"; last: "

/* The most a run reads; a log growing faster falls behind, and says so. */
#define CHECK_LOG_READ_MAX	(64 * 1024 * 1024)

#endif
