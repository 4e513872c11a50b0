/*
 * Whether a POSIX extended regex (regcomp, REG_EXTENDED) from a config or
 * a command line is affordable to compile. glibc's regcomp expands each
 * repetition by copying what it repeats: a run of stacked quantifiers
 * (`a++++…`) or nested bounds (`((a{100}){100}){100}`) asks it for
 * gigabytes. Stacked quantifiers (which POSIX leaves undefined) are
 * refused, and so is a pattern whose repetitions, expanded, pass
 * ERE_MAX_NODES.
 */
#ifndef TEND_CORE_ERE_H
#define TEND_CORE_ERE_H

#include <stdbool.h>
#include <stddef.h>

#define ERE_MAX_NODES	20000

/* True when pattern may go to regcomp; else false with why said. */
bool	ere_affordable(const char *pattern, char *why, size_t whylen);

#endif
