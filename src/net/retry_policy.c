/*
 * The retry policy as data: defaults (CI-aware), the options' copies of
 * fallback and heal commands, and the small decisions of a run — how long
 * to wait, how long the next attempt may take, whether a category is
 * tried again.
 */
#include "net/retry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/github.h"
#include "core/mem.h"
#include "core/strv.h"
#include "net/retry_internal.h"

/* CI runners are slower and their networks flakier: more patience. */
#define RETRY_CI_TIMEOUT_MS	(10 * 60 * 1000)

static bool
env_true(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && strcmp(v, "true") == 0;
}

void
retry_options_init(struct retry_options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->max_retries = 3;
	o->initial_ms = 1000;
	o->max_delay_ms = 30000;
	o->multiplier = 2.0;
	o->jitter = BACKOFF_JITTER_FULL;
	o->timeout_growth = 2.0;
	o->kill_grace_ms = 5000;
	for (c = 0; c < RETRY_CATEGORIES; c++)
		if (failure_category_retryable((enum failure_category)c))
			o->retry_on |= RETRY_CATEGORY_BIT(c);
	o->github = github_actions();
	o->ci = o->github || env_true("CI");
	if (o->ci) {
		o->timeout_ms = RETRY_CI_TIMEOUT_MS;
		o->initial_ms *= 2;
		o->max_delay_ms *= 2;
	}
	o->step_summary = github_step_summary();
	o->label = "tend retry";
	o->summary = true;
	o->out_fd = 1;
	o->err_fd = 2;
}

void
retry_options_clear(struct retry_options *o)
{
	size_t i;

	for (i = 0; i < o->n_fallbacks; i++)
		strv_free(o->fallbacks[i]);
	free(o->fallbacks);
	o->fallbacks = NULL;
	o->n_fallbacks = 0;
	for (i = 0; i < o->n_heals; i++)
		strv_free(o->heals[i].argv);
	free(o->heals);
	o->heals = NULL;
	o->n_heals = 0;
}

void
retry_options_add_fallback(struct retry_options *o, char *const argv[])
{
	o->fallbacks = xrealloc(o->fallbacks, (o->n_fallbacks + 1) * sizeof(*o->fallbacks));
	o->fallbacks[o->n_fallbacks++] = strv_dup(argv);
}

void
retry_options_add_heal(struct retry_options *o, enum failure_category category,
    char *const argv[])
{
	size_t i;

	for (i = 0; i < o->n_heals; i++) {
		if (o->heals[i].category == category) {
			strv_free(o->heals[i].argv);
			o->heals[i].argv = strv_dup(argv);
			return;
		}
	}
	o->heals = xrealloc(o->heals, (o->n_heals + 1) * sizeof(*o->heals));
	o->heals[o->n_heals].category = category;
	o->heals[o->n_heals].argv = strv_dup(argv);
	o->n_heals++;
}

int64_t
retry_delay_ms(const struct retry_options *o, int n, double random01)
{
	struct backoff_conf conf = {
		.initial_ms = o->initial_ms,
		.max_ms = o->max_delay_ms,
		.multiplier = o->multiplier,
		.jitter = o->jitter_spread,
	};

	return backoff_delay(&conf, o->jitter, n, random01);
}

int64_t
retry_next_timeout(const struct retry_options *o, int64_t timeout_ms, bool timed_out)
{
	double next;

	if (timeout_ms <= 0 || !timed_out || o->timeout_growth <= 1.0)
		return timeout_ms;
	next = (double)timeout_ms * o->timeout_growth;
	/* Past a day it no longer matters how much longer. */
	if (next > 86400000.0)
		next = 86400000.0;
	return (int64_t)next;
}

const struct retry_heal *
retry_heal_for(const struct retry_options *o, enum failure_category category)
{
	size_t i;

	for (i = 0; i < o->n_heals; i++)
		if (o->heals[i].category == category)
			return &o->heals[i];
	return NULL;
}

bool
retry_category_retried(const struct retry_options *o, enum failure_category category)
{
	unsigned bit = RETRY_CATEGORY_BIT(category);

	if (o->never & bit)
		return false;
	if (o->retry_on & bit)
		return true;
	/* A heal for it says the user knows how to fix it: then try again. */
	return retry_heal_for(o, category) != NULL;
}

int
retry_parse_jitter(const char *s, enum backoff_jitter *jitter)
{
	if (strcmp(s, "full") == 0)
		*jitter = BACKOFF_JITTER_FULL;
	else if (strcmp(s, "equal") == 0)
		*jitter = BACKOFF_JITTER_EQUAL;
	else if (strcmp(s, "none") == 0)
		*jitter = BACKOFF_JITTER_NONE;
	else
		return -1;
	return 0;
}

int
retry_parse_categories(const char *list, unsigned *mask, char *err, size_t errlen)
{
	char *copy = xstrdup(list), *word, *save = NULL;
	unsigned m = 0;
	int c, rc = 0;

	for (word = strtok_r(copy, ", ", &save); word != NULL;
	    word = strtok_r(NULL, ", ", &save)) {
		if (strcmp(word, "all") == 0) {
			m |= RETRY_CATEGORY_BIT(RETRY_CATEGORIES) - 1;
			continue;
		}
		if ((c = failure_category_from_name(word)) < 0) {
			snprintf(err, errlen, "'%s' is not a category (network, timeout, "
			    "dependency, config, permission, resource, crash, unknown, all)",
			    word);
			rc = -1;
			break;
		}
		m |= RETRY_CATEGORY_BIT(c);
	}
	if (rc == 0 && m == 0) {
		snprintf(err, errlen, "no category given");
		rc = -1;
	}
	free(copy);
	if (rc == 0)
		*mask = m;
	return rc;
}
