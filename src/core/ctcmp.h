/*
 * Secrets compared in constant time: how long a comparison takes must not
 * tell an attacker how many leading bytes of a guess were right.
 */
#ifndef TEND_CORE_CTCMP_H
#define TEND_CORE_CTCMP_H

#include <stdbool.h>
#include <stddef.h>

/* Whether the n bytes at a and b are equal, reading all n whatever differs. */
bool	ct_equal(const void *a, const void *b, size_t n);

#endif
