/*
 * sha256's compression function (FIPS 180-4, 6.2.2), for core/sha256.c:
 * the portable one, and the one using the x86 SHA extensions where the CPU
 * has them (core/sha256_x86.c), some five times faster.
 */
#ifndef TEND_CORE_SHA256_BLOCK_H
#define TEND_CORE_SHA256_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_BLOCK	64

/* Hashes n 64-byte blocks at p into the eight words of state. */
typedef void sha256_blocks_fn(uint32_t state[8], const uint8_t *p, size_t n);

/* The round constants K (4.2.2). */
extern const uint32_t sha256_k[64];

sha256_blocks_fn sha256_blocks_portable;
/* NULL where the CPU (or the build) has no SHA extensions. */
sha256_blocks_fn *sha256_blocks_x86(void);

#endif
