#include "diagnose/classify.h"

#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ere.h"
#include "core/mem.h"

static const char *const category_names[] = {
	[FAILURE_UNKNOWN] = "unknown",
	[FAILURE_NETWORK] = "network",
	[FAILURE_TIMEOUT] = "timeout",
	[FAILURE_DEPENDENCY] = "dependency",
	[FAILURE_CONFIG] = "config",
	[FAILURE_PERMISSION] = "permission",
	[FAILURE_RESOURCE] = "resource",
	[FAILURE_CRASH] = "crash",
};

/*
 * The shipped rules, each with a name that says what it matched, most
 * specific first: "No such file or directory" after "cannot open shared
 * object file" says a library is missing, on its own it names a path the
 * configuration got wrong.
 */
static const struct {
	const char		*name;
	const char		*pattern;
	enum failure_category	 category;
} builtin_rules[] = {
	{ "name-resolution", "temporary failure in name resolution|could not resolve|"
	  "name or service not known|no address associated", FAILURE_NETWORK },
	{ "network-unreachable", "network is unreachable", FAILURE_NETWORK },
	{ "no-route-to-host", "no route to host", FAILURE_NETWORK },
	{ "connection-refused", "connection refused", FAILURE_NETWORK },
	{ "connection-reset", "connection reset", FAILURE_NETWORK },
	{ "connection-timed-out", "connection timed out", FAILURE_NETWORK },
	{ "connect-failed", "couldn't connect|failed to connect", FAILURE_NETWORK },
	{ "host-down", "host is down", FAILURE_NETWORK },
	{ "tls-handshake", "tls handshake|ssl_connect", FAILURE_NETWORK },
	{ "broken-pipe", "broken pipe", FAILURE_NETWORK },
	{ "timeout", "timed out|timeout|deadline exceeded", FAILURE_TIMEOUT },
	{ "shared-library", "cannot open shared object file|error while loading shared "
	  "libraries|undefined symbol", FAILURE_DEPENDENCY },
	{ "module-missing", "modulenotfounderror|no module named|cannot find module",
	  FAILURE_DEPENDENCY },
	{ "command-missing", "command not found|not found on path", FAILURE_DEPENDENCY },
	{ "package-missing", "unable to locate package|package .* is not installed",
	  FAILURE_DEPENDENCY },
	{ "permission-denied", "permission denied|access denied|eacces", FAILURE_PERMISSION },
	{ "not-permitted", "operation not permitted|eperm", FAILURE_PERMISSION },
	{ "read-only-filesystem", "read-only file system", FAILURE_PERMISSION },
	{ "disk-full", "no space left on device|disk quota exceeded", FAILURE_RESOURCE },
	{ "memory-leak", "memory leak", FAILURE_RESOURCE },
	{ "out-of-memory", "out of memory|cannot allocate memory|enomem|killed process",
	  FAILURE_RESOURCE },
	{ "too-many-open-files", "too many open files", FAILURE_RESOURCE },
	{ "resource-unavailable", "resource temporarily unavailable", FAILURE_RESOURCE },
	{ "no-such-file", "no such file or directory", FAILURE_CONFIG },
	{ "bad-option", "invalid option|unrecognized option|unknown option|usage:",
	  FAILURE_CONFIG },
	{ "invalid-argument", "invalid argument", FAILURE_CONFIG },
	{ "syntax-error", "syntax error|parse error", FAILURE_CONFIG },
	{ "config-error", "invalid configuration|config.*error", FAILURE_CONFIG },
};

struct rule {
	regex_t		 re;
	char		*name;
	enum failure_category category;
};

/*
 * The shipped rules, compiled at the first failure classified: glibc's
 * compiled regexes take some 140 KB, which a daemon whose services never
 * fail would carry for nothing.
 */
struct shipped {
	struct rule	*rules;
	size_t		 n;
	bool		 compiled;
};

struct classifier {
	struct rule	*rules;		/* the config's, in their order */
	size_t		 n;
	struct shipped	*shipped;
};

static int
classifier_compile(struct rule *r, const char *name, const char *pattern,
    enum failure_category category, char *err, size_t errlen)
{
	char why[256];
	int rc;

	if (!ere_affordable(pattern, why, sizeof(why))) {
		if (err != NULL)
			snprintf(err, errlen, "regex '%s': %s", pattern, why);
		return -1;
	}
	if ((rc = regcomp(&r->re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB)) != 0) {
		if (err != NULL) {
			char msg[128];

			regerror(rc, &r->re, msg, sizeof(msg));
			snprintf(err, errlen, "bad regex '%s': %s", pattern, msg);
		}
		return -1;
	}
	r->name = xstrdup(name);
	r->category = category;
	return 0;
}

static const struct shipped *
shipped_rules(struct shipped *s)
{
	size_t i, n = sizeof(builtin_rules) / sizeof(builtin_rules[0]);

	if (s->compiled)
		return s;
	s->compiled = true;
	s->rules = xcalloc(n, sizeof(*s->rules));
	for (i = 0; i < n; i++)
		if (classifier_compile(&s->rules[s->n], builtin_rules[i].name,
		    builtin_rules[i].pattern, builtin_rules[i].category, NULL, 0) == 0)
			s->n++;
	return s;
}

struct classifier *
classifier_new(void)
{
	struct classifier *c = xcalloc(1, sizeof(*c));

	c->shipped = xcalloc(1, sizeof(*c->shipped));
	return c;
}

static void
rules_free(struct rule *rules, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		regfree(&rules[i].re);
		free(rules[i].name);
	}
	free(rules);
}

void
classifier_free(struct classifier *c)
{
	if (c == NULL)
		return;
	rules_free(c->rules, c->n);
	rules_free(c->shipped->rules, c->shipped->n);
	free(c->shipped);
	free(c);
}

/* The first of n rules that matches text, or NULL. */
static const struct rule *
rules_match(const struct rule *rules, size_t n, const char *text)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (regexec(&rules[i].re, text, 0, NULL, 0) == 0)
			return &rules[i];
	return NULL;
}

int
classifier_add_rule(struct classifier *c, const char *name, const char *regex,
    enum failure_category category, char *err, size_t errlen)
{
	struct rule r;

	if (classifier_compile(&r, name, regex, category, err, errlen) < 0)
		return -1;
	/* Tried before the shipped ones, in the order given. */
	c->rules = xrealloc(c->rules, (c->n + 1) * sizeof(*c->rules));
	c->rules[c->n++] = r;
	return 0;
}

enum failure_category
classify_failure(const struct classifier *c, int exit_code, int signal,
    bool timed_out, const char *text, char *why, size_t len)
{
	const struct shipped *s;
	const struct rule *r = NULL;

	if (why != NULL && len > 0)
		why[0] = '\0';
	if (timed_out)
		return FAILURE_TIMEOUT;
	if (text != NULL && (r = rules_match(c->rules, c->n, text)) == NULL) {
		s = shipped_rules(c->shipped);
		r = rules_match(s->rules, s->n, text);
	}
	if (r != NULL) {
		if (why != NULL)
			snprintf(why, len, "rule: %s", r->name);
		return r->category;
	}
	/* The text said nothing useful: the status still can. */
	if (signal == SIGKILL && why != NULL)
		snprintf(why, len, "killed by SIGKILL (out of memory?)");
	if (signal != 0) {
		if (why != NULL && why[0] == '\0')
			snprintf(why, len, "killed by signal %d", signal);
		return FAILURE_CRASH;
	}
	if (exit_code == 126 || exit_code == 127) {
		if (why != NULL)
			snprintf(why, len, "exit code %d: not found or not executable", exit_code);
		return exit_code == 127 ? FAILURE_DEPENDENCY : FAILURE_PERMISSION;
	}
	return FAILURE_UNKNOWN;
}

const char *
failure_category_name(enum failure_category category)
{
	return category_names[category];
}

int
failure_category_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(category_names) / sizeof(category_names[0]); i++)
		if (strcmp(category_names[i], name) == 0)
			return (int)i;
	return -1;
}

bool
failure_category_retryable(enum failure_category category)
{
	switch (category) {
	case FAILURE_NETWORK:
	case FAILURE_TIMEOUT:
	case FAILURE_RESOURCE:
	case FAILURE_CRASH:
	case FAILURE_UNKNOWN:
		return true;
	default:
		return false;
	}
}
