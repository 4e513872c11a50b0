/*
 * A list of regular expressions (PCRE2, compiled with its JIT when the
 * machine has one) asked one question: does this line match any of them?
 * Log checks ask it of every line a service prints, so it must be fast
 * (bench/logs: PCRE2's JIT runs 10 patterns about 7 times faster than
 * glibc's regexec). Lines are bytes with a length: a NUL is just a byte.
 */
#ifndef TEND_CORE_REGEXSET_H
#define TEND_CORE_REGEXSET_H

#include <stdbool.h>
#include <stddef.h>

struct regexset;

/*
 * Whether pattern compiles: 0, or -1 with PCRE2's message in err and the
 * offset in the pattern where it stopped in *offset.
 */
int		 regex_check(const char *pattern, char *err, size_t errlen,
		    size_t *offset);
/*
 * patterns is NULL-terminated (NULL or empty: a set that matches nothing).
 * NULL when one does not compile, with its message in err.
 */
struct regexset	*regexset_new(char *const *patterns, char *err, size_t errlen);
void		 regexset_free(struct regexset *s);
/* Whether any pattern matches line. One thread at a time per set. */
bool		 regexset_match(struct regexset *s, const char *line, size_t len);
size_t		 regexset_count(const struct regexset *s);

#endif
