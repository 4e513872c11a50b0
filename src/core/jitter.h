/*
 * The random numbers behind backoff jitter (services' restarts, tend
 * retry's delays, tend fetch's retries of a mirror): xorshift64*. Jitter
 * needs what failed together to spread apart — across processes and
 * hosts too, so each sequence is seeded differently — not secrecy.
 */
#ifndef TEND_CORE_JITTER_H
#define TEND_CORE_JITTER_H

#include <stdint.h>

/* A seed that differs between runs and between processes; never 0. */
uint64_t jitter_seed(void);
/* The next number in [0,1) of the sequence whose state (not 0) is *state. */
double	 jitter_next(uint64_t *state);

#endif
