#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/text.h"

/*
 * The log settings are process-wide by nature (there is one stderr), so
 * they live here rather than being threaded through every call.
 */
static enum log_format	log_current_format = LOG_FORMAT_TEXT;
static bool		log_current_verbose;

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
	char *redacted = text_redact(msg), *clean;

	clean = log_current_format == LOG_FORMAT_JSON ? text_utf8(redacted) :
	    text_escape(redacted);
	free(redacted);
	return clean;
}

void
log_msg(enum log_level level, const char *service, const char *fmt, ...)
{
	char ts[40], msg[2048], *clean;
	va_list ap;

	if (level == LOG_DEBUG && !log_current_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
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
