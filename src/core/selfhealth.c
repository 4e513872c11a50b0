#include "core/selfhealth.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"

#define SELF_PARTS	8

struct problem {
	char		 part[32];
	char		 error[512];
	char		 hint[256];
	int64_t		 since;		/* wall ms */
};

static const struct {
	const char	*name;
	const char	*help;
} counters[SELF_COUNTERS] = {
	[SELF_STORE_ERRORS] = { "store_errors_total",
	    "Failed opens, flushes and rows of tend's store (tend.db)." },
	[SELF_STORE_DROPPED] = { "store_rows_dropped_total",
	    "Rows the store dropped: rejected ones, and the oldest when writes failed long." },
	[SELF_LOG_WRITE_ERRORS] = { "log_write_errors_total",
	    "Failed opens and writes of the services' log files." },
	[SELF_LOG_SUPPRESSED] = { "log_lines_suppressed_total",
	    "Repeated warnings and errors counted instead of printed." },
};

static pthread_mutex_t	self_lock = PTHREAD_MUTEX_INITIALIZER;
static struct problem	self_problems[SELF_PARTS];
static uint64_t		self_counts[SELF_COUNTERS];

static struct problem *
selfhealth_find(const char *part)
{
	size_t i;

	for (i = 0; i < SELF_PARTS; i++)
		if (strcmp(self_problems[i].part, part) == 0)
			return &self_problems[i];
	return NULL;
}

void
selfhealth_fail(const char *part, const char *problem, const char *hint)
{
	struct problem *p;

	pthread_mutex_lock(&self_lock);
	if ((p = selfhealth_find(part)) == NULL && (p = selfhealth_find("")) != NULL) {
		snprintf(p->part, sizeof(p->part), "%s", part);
		p->error[0] = '\0';
	}
	if (p != NULL) {
		if (strcmp(p->error, problem) != 0)
			p->since = clock_wall_ms();
		snprintf(p->error, sizeof(p->error), "%s", problem);
		snprintf(p->hint, sizeof(p->hint), "%s", hint ? hint : "");
	}
	pthread_mutex_unlock(&self_lock);
}

void
selfhealth_ok(const char *part)
{
	struct problem *p;

	pthread_mutex_lock(&self_lock);
	if ((p = selfhealth_find(part)) != NULL)
		memset(p, 0, sizeof(*p));
	pthread_mutex_unlock(&self_lock);
}

void
selfhealth_count(enum selfhealth_counter c, uint64_t n)
{
	pthread_mutex_lock(&self_lock);
	self_counts[c] += n;
	pthread_mutex_unlock(&self_lock);
}

uint64_t
selfhealth_get(enum selfhealth_counter c)
{
	uint64_t n;

	pthread_mutex_lock(&self_lock);
	n = self_counts[c];
	pthread_mutex_unlock(&self_lock);
	return n;
}

const char *
selfhealth_counter_name(enum selfhealth_counter c)
{
	return counters[c].name;
}

const char *
selfhealth_counter_help(enum selfhealth_counter c)
{
	return counters[c].help;
}

json_t *
selfhealth_json(void)
{
	json_t *problems = json_array(), *counts = json_object();
	size_t i;

	pthread_mutex_lock(&self_lock);
	for (i = 0; i < SELF_PARTS; i++) {
		if (self_problems[i].part[0] == '\0')
			continue;
		json_array_append_new(problems, json_pack("{s:s, s:s, s:s?, s:I}", "part",
		    self_problems[i].part, "error", self_problems[i].error, "hint",
		    self_problems[i].hint[0] ? self_problems[i].hint : NULL, "since",
		    (json_int_t)self_problems[i].since));
	}
	for (i = 0; i < SELF_COUNTERS; i++)
		json_object_set_new(counts, counters[i].name,
		    json_integer((json_int_t)self_counts[i]));
	pthread_mutex_unlock(&self_lock);
	return json_pack("{s:s, s:o, s:o}", "health", json_array_size(problems) > 0 ?
	    "warning" : "healthy", "problems", problems, "counters", counts);
}

void
selfhealth_reset(void)
{
	pthread_mutex_lock(&self_lock);
	memset(self_problems, 0, sizeof(self_problems));
	memset(self_counts, 0, sizeof(self_counts));
	pthread_mutex_unlock(&self_lock);
}
