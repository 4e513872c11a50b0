/*
 * Log lines grouped into templates, as the Drain log parser does it: a
 * line is split into words; a word with a digit in it (a number, an id, an
 * address, a port, a time), a long hex string or a path is masked to `*`;
 * lines of the same length and first word whose words agree at least half
 * the time are one template, the words where they differ masked too.
 * "connect to 10.0.0.1:5432 failed (try 3)" and "connect to 10.0.0.2:5432
 * failed (try 4)" are both "connect to * failed (try *)".
 */
#ifndef TEND_DIAGNOSE_TEMPLATES_H
#define TEND_DIAGNOSE_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEMPLATES_MAX		1000	/* beyond: lines counted as "other" */
#define TEMPLATE_WORDS_MAX	64	/* words past it are one last word */

struct templates;

struct template_info {
	const char	*text;		/* the words, masked ones as "*" */
	uint64_t	 count;
	uint64_t	 first, last;	/* the caller's stamps (a line number, a time) */
};

struct templates *templates_new(void);
void		 templates_free(struct templates *t);
/*
 * Adds a line stamped at; its template's index, with *is_new when the
 * template was made for it; -1 when there is no room (counted in other).
 */
int		 templates_add(struct templates *t, const char *line, size_t len,
		    uint64_t at, bool *is_new);
size_t		 templates_count(const struct templates *t);
/* Template i (0 <= i < templates_count), valid until the next add. */
void		 templates_get(const struct templates *t, size_t i, struct template_info *info);
/* Lines that found no room. */
uint64_t	 templates_other(const struct templates *t);

#endif
