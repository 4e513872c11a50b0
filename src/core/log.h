/*
 * Logging: human text by default, JSON lines on request. Every line about a
 * service names it, so `grep '\[web\]'` or `jq 'select(.service=="web")'`
 * finds its whole story.
 */
#ifndef TEND_CORE_LOG_H
#define TEND_CORE_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

enum log_format {
	LOG_FORMAT_TEXT,
	LOG_FORMAT_JSON,
};

void	log_setup(enum log_format format, bool verbose);
void	log_set_format(enum log_format format);
bool	log_verbose(void);

/*
 * Warnings and errors repeated about the same service (the same text but
 * for its numbers) print at most burst lines per window (5 a minute); the
 * rest are counted
 * and said in one line when the window ends: "... (repeated 412 times in
 * the last 60 s)". Flush says what windows that ended held (all: every
 * window, as tend exits); the daemon calls it every few seconds, and every
 * warning or error does too.
 * log_setup_repeats also forgets the windows under way.
 */
void	log_setup_repeats(int burst, int64_t window_ms);
void	log_flush_repeats(bool all);

/* service may be NULL for messages about tend itself. */
void	log_msg(enum log_level level, const char *service, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#define log_debug(svc, ...)	log_msg(LOG_DEBUG, (svc), __VA_ARGS__)
#define log_info(svc, ...)	log_msg(LOG_INFO, (svc), __VA_ARGS__)
#define log_warn(svc, ...)	log_msg(LOG_WARN, (svc), __VA_ARGS__)
#define log_error(svc, ...)	log_msg(LOG_ERROR, (svc), __VA_ARGS__)

#endif
