/*
 * Versions and constraints for dependency checks: "7.88.1", "1:2.39.5-1",
 * ">= 7.80, < 9". Comparison goes segment by segment, numbers as numbers,
 * like dpkg's for the common cases.
 */
#ifndef TEND_CORE_VERSION_H
#define TEND_CORE_VERSION_H

#include <stdbool.h>
#include <stddef.h>

/* <0, 0, >0 as a is older, equal, newer than b. */
int	version_compare(const char *a, const char *b);
/* The first thing that looks like a version in text ("curl 7.88.1 (x86_64...)"). */
bool	version_extract(const char *text, char *out, size_t len);
/*
 * Whether version satisfies constraint: comma-separated clauses of
 * >= > <= < = == != followed by a version; empty means any. Returns -1 when
 * the constraint is malformed.
 */
int	version_satisfies(const char *version, const char *constraint);
/* Whether version fails the constraint by being older than a bound (>=, >, =). */
bool	version_too_old(const char *version, const char *constraint);
/* 0 when the constraint is well formed. */
int	version_constraint_valid(const char *constraint);

#endif
