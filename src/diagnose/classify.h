/*
 * Failure classification: from an exit status, a signal and whatever the
 * failing thing said, a category that decides what to do about it (retry
 * a network failure, don't retry a config error, clean up a full disk).
 * A rule table shipped with tend, first match wins; rules from the config
 * are tried before it.
 */
#ifndef TEND_DIAGNOSE_CLASSIFY_H
#define TEND_DIAGNOSE_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

enum failure_category {
	FAILURE_UNKNOWN,
	FAILURE_NETWORK,	/* DNS, refused, unreachable, reset */
	FAILURE_TIMEOUT,
	FAILURE_DEPENDENCY,	/* missing module, command, shared library */
	FAILURE_CONFIG,		/* bad option, no such file named by the config */
	FAILURE_PERMISSION,
	FAILURE_RESOURCE,	/* disk full, out of memory, too many files */
	FAILURE_CRASH,		/* killed by a signal */
};

struct classifier;

struct classifier *classifier_new(void);
void		classifier_free(struct classifier *c);
/*
 * Adds a rule tried before the built-in ones, named for what it matches
 * (said when it decides); -1 when the regex is bad.
 */
int		classifier_add_rule(struct classifier *c, const char *name, const char *regex,
		    enum failure_category category, char *err, size_t errlen);

/*
 * Classifies a failure. signal is 0 when the process exited; timed_out
 * wins over everything. text may be NULL. When why is not NULL it gets
 * what decided: the rule by name ("rule: connection-refused"), or the
 * status ("killed by signal 9"); empty when nothing did.
 */
enum failure_category classify_failure(const struct classifier *c, int exit_code,
		    int signal, bool timed_out, const char *text, char *why, size_t len);

const char	*failure_category_name(enum failure_category category);
/* -1 when name is not a category. */
int		failure_category_from_name(const char *name);
/* Whether trying again may help: network, timeout, resource, crash, unknown. */
bool		failure_category_retryable(enum failure_category category);

#endif
