#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/selfhealth.h"
#include "core/text.h"

#define LOG_REPEAT_SLOTS	64
#define LOG_REPEAT_BURST	5
#define LOG_REPEAT_WINDOW_MS	60000

/*
 * The log settings are process-wide by nature (there is one stderr), so
 * they live here rather than being threaded through every call.
 */
static enum log_format	log_current_format = LOG_FORMAT_TEXT;
static bool		log_current_verbose;

/*
 * Repeats of a warning or an error: the same message about the same
 * service, but for its numbers (a count, a pid, an incident's number), so
 * that different events (alerts about different targets) are never taken
 * for repeats. Each prints at most burst lines per window; the rest are
 * counted, and said in one line when the window ends.
 */
struct log_repeat {
	uint64_t	 key;		/* 0: a free slot */
	enum log_level	 level;
	char		 service[64];
	int64_t		 start;		/* the window's, monotonic ms */
	int		 printed;
	uint64_t	 suppressed;
	char		 last[512];	/* the last message not printed */
};

static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct log_repeat log_repeats[LOG_REPEAT_SLOTS];
static int		 log_repeat_burst = LOG_REPEAT_BURST;
static int64_t		 log_repeat_window_ms = LOG_REPEAT_WINDOW_MS;

static const char *const log_level_names[] = {
	[LOG_DEBUG] = "debug",
	[LOG_INFO] = "info",
	[LOG_WARN] = "warn",
	[LOG_ERROR] = "error",
};

void
log_setup(enum log_format format, bool verbose)
{
	log_current_format = format;
	log_current_verbose = verbose;
}

void
log_set_format(enum log_format format)
{
	log_current_format = format;
}

bool
log_verbose(void)
{
	return log_current_verbose;
}

static void
log_timestamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void
log_write_json(const char *ts, enum log_level level, const char *service,
    const char *msg)
{
	json_t *line;
	char *text;

	line = json_pack("{s:s, s:s, s:s}", "ts", ts, "level",
	    log_level_names[level], "msg", msg);
	if (line == NULL)
		return;
	if (service != NULL)
		json_object_set_new(line, "service", json_string(service));
	text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text != NULL) {
		fprintf(stderr, "%s\n", text);
		free(text);
	}
	json_decref(line);
}

/*
 * What a line may carry is the world's text (a check's output, a URL from
 * the config): its URLs' credentials are hidden, and it is valid UTF-8 for
 * JSON, or escaped for a text line, so that it stays one line and cannot
 * drive the terminal that shows it.
 */
static char *
log_clean(const char *msg)
{
	char *redacted, *clean;

	if (log_current_format != LOG_FORMAT_JSON)
		return text_show(msg);
	redacted = text_redact(msg);
	clean = text_utf8(redacted);
	free(redacted);
	return clean;
}

static void
log_emit(enum log_level level, const char *service, const char *msg)
{
	char ts[40], *clean;

	log_timestamp(ts, sizeof(ts));
	clean = log_clean(msg);
	if (log_current_format == LOG_FORMAT_JSON)
		log_write_json(ts, level, service, clean);
	else if (service != NULL)
		fprintf(stderr, "%s %-5s [%s] %s\n", ts, log_level_names[level],
		    service, clean);
	else
		fprintf(stderr, "%s %-5s %s\n", ts, log_level_names[level], clean);
	fflush(stderr);
	free(clean);
}

/* Says how often r's message was not printed, and frees the slot. */
static void
log_repeat_end(struct log_repeat *r, int64_t now)
{
	char msg[700];

	if (r->suppressed > 0) {
		snprintf(msg, sizeof(msg), "%s (repeated %llu times in the last %lld s)",
		    r->last, (unsigned long long)r->suppressed,
		    (long long)((now - r->start + 999) / 1000));
		log_emit(r->level, r->service[0] ? r->service : NULL, msg);
	}
	memset(r, 0, sizeof(*r));
}

/* Ends the windows that are over (all of them: every window). */
static void
log_flush_repeats_locked(int64_t now, bool all)
{
	size_t i;

	for (i = 0; i < LOG_REPEAT_SLOTS; i++)
		if (log_repeats[i].key != 0 &&
		    (all || now - log_repeats[i].start >= log_repeat_window_ms))
			log_repeat_end(&log_repeats[i], now);
}

void
log_flush_repeats(bool all)
{
	pthread_mutex_lock(&log_lock);
	log_flush_repeats_locked(clock_mono_ms(), all);
	pthread_mutex_unlock(&log_lock);
}

void
log_setup_repeats(int burst, int64_t window_ms)
{
	pthread_mutex_lock(&log_lock);
	log_repeat_burst = burst;
	log_repeat_window_ms = window_ms;
	memset(log_repeats, 0, sizeof(log_repeats));
	pthread_mutex_unlock(&log_lock);
}

/* The message with every run of digits as one '#', hashed (FNV-1a); never 0. */
static uint64_t
log_repeat_key(const char *msg)
{
	uint64_t h = 14695981039346656037ULL;
	const char *p;
	unsigned char c;

	for (p = msg; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9') {
			if (p > msg && p[-1] >= '0' && p[-1] <= '9')
				continue;
			c = '#';
		} else
			c = (unsigned char)*p;
		h = (h ^ c) * 1099511628211ULL;
	}
	return h != 0 ? h : 1;
}

/* This message's slot: its own, a free one, or the oldest (ended first). */
static struct log_repeat *
log_repeat_slot(enum log_level level, const char *service, uint64_t key, int64_t now)
{
	struct log_repeat *r, *oldest = &log_repeats[0], *free_slot = NULL;
	size_t i;

	for (i = 0; i < LOG_REPEAT_SLOTS; i++) {
		r = &log_repeats[i];
		if (r->key == 0) {
			if (free_slot == NULL)
				free_slot = r;
			continue;
		}
		if (r->key == key && r->level == level &&
		    strcmp(r->service, service ? service : "") == 0)
			return r;
		if (r->start < oldest->start)
			oldest = r;
	}
	if ((r = free_slot) == NULL) {
		log_repeat_end(oldest, now);
		r = oldest;
	}
	r->key = key;
	r->level = level;
	snprintf(r->service, sizeof(r->service), "%s", service ? service : "");
	r->start = now;
	return r;
}

/* Whether this warning or error is printed, or only counted as a repeat. */
static bool
log_repeat_allows(enum log_level level, const char *service, const char *msg)
{
	int64_t now = clock_mono_ms();
	struct log_repeat *r;
	bool print;

	log_flush_repeats_locked(now, false);
	r = log_repeat_slot(level, service, log_repeat_key(msg), now);
	print = r->printed < log_repeat_burst;
	if (print)
		r->printed++;
	else {
		r->suppressed++;
		snprintf(r->last, sizeof(r->last), "%.*s", (int)sizeof(r->last) - 1, msg);
	}
	return print;
}

void
log_msg(enum log_level level, const char *service, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (level == LOG_DEBUG && !log_current_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_lock);
	if (level < LOG_WARN || log_repeat_allows(level, service, msg))
		log_emit(level, service, msg);
	else
		selfhealth_count(SELF_LOG_SUPPRESSED, 1);
	pthread_mutex_unlock(&log_lock);
}
