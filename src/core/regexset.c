/*
 * PCRE2 behind core/regexset.h. Each pattern is compiled once and JIT
 * compiled when PCRE2 can (pcre2_jit_compile fails on machines or builds
 * without a JIT: the interpreter is then used, slower but the same answers).
 * libpcre2-8 is loaded at the first compile (core/dl_pcre2.h): a config
 * that has no regex, and the commands that read none, never map it; one
 * that cannot be loaded is the compile's error.
 */
#include "core/regexset.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/dl_pcre2.h"
#include "core/mem.h"

struct regexset {
	pcre2_code	**code;
	bool		*jit;
	size_t		 n;
	pcre2_match_data *md;		/* one for all: a set is used by one thread */
};

static pcre2_code *
regex_compile(const char *pattern, char *err, size_t errlen, size_t *offset)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off = 0;
	pcre2_code *code;
	int rc;

	if (offset != NULL)
		*offset = 0;
	if (dl_pcre2_load(err, errlen) < 0)
		return NULL;
	/* Bytes, not UTF-8 (no PCRE2_UTF): a log line may be anything. */
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &rc, &off,
	    NULL);
	if (code == NULL) {
		pcre2_get_error_message(rc, msg, sizeof(msg));
		snprintf(err, errlen, "%s", (const char *)msg);
		if (offset != NULL)
			*offset = (size_t)off;
	}
	return code;
}

int
regex_check(const char *pattern, char *err, size_t errlen, size_t *offset)
{
	pcre2_code *code = regex_compile(pattern, err, errlen, offset);

	if (code == NULL)
		return -1;
	pcre2_code_free(code);
	return 0;
}

struct regexset *
regexset_new(char *const *patterns, char *err, size_t errlen)
{
	struct regexset *s = xcalloc(1, sizeof(*s));
	size_t n = 0;

	while (patterns != NULL && patterns[n] != NULL)
		n++;
	s->code = xcalloc(n + 1, sizeof(*s->code));
	s->jit = xcalloc(n + 1, sizeof(*s->jit));
	for (s->n = 0; s->n < n; s->n++) {
		s->code[s->n] = regex_compile(patterns[s->n], err, errlen, NULL);
		if (s->code[s->n] == NULL) {
			regexset_free(s);
			return NULL;
		}
		s->jit[s->n] = pcre2_jit_compile(s->code[s->n], PCRE2_JIT_COMPLETE) == 0;
	}
	/* None compiled, none to match (and no library loaded for it). */
	if (s->n > 0)
		s->md = pcre2_match_data_create(1, NULL);
	return s;
}

void
regexset_free(struct regexset *s)
{
	size_t i;

	if (s == NULL)
		return;
	/* The library is loaded if anything was compiled. */
	for (i = 0; i < s->n; i++)
		pcre2_code_free(s->code[i]);
	if (s->md != NULL)
		pcre2_match_data_free(s->md);
	free(s->code);
	free(s->jit);
	free(s);
}

bool
regexset_match(struct regexset *s, const char *line, size_t len)
{
	size_t i;
	int rc;

	for (i = 0; i < s->n; i++) {
		if (s->jit[i])
			rc = pcre2_jit_match(s->code[i], (PCRE2_SPTR)line, len, 0, 0, s->md,
			    NULL);
		else
			rc = pcre2_match(s->code[i], (PCRE2_SPTR)line, len, 0, 0, s->md,
			    NULL);
		if (rc >= 0)
			return true;
	}
	return false;
}

size_t
regexset_count(const struct regexset *s)
{
	return s->n;
}
