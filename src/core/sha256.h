/*
 * sha256 (FIPS 180-4), streamed or of a whole file, as 64 lower-case hex
 * digits. tend's own: no library.
 */
#ifndef TEND_CORE_SHA256_H
#define TEND_CORE_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN	64

/* True for 64 hex digits in lower case (what the config loader keeps). */
bool	 sha256_hex_valid(const char *hex);

/* A streamed sha256. */
struct sha256;
struct sha256 *sha256_new(void);
void	 sha256_update(struct sha256 *h, const void *buf, size_t len);
/* Writes the digest as 64 lower-case hex digits and starts over. */
void	 sha256_final(struct sha256 *h, char hex[SHA256_HEX_LEN + 1]);
/* The digest so far, the hash going on unchanged. */
void	 sha256_peek(const struct sha256 *h, char hex[SHA256_HEX_LEN + 1]);
void	 sha256_reset(struct sha256 *h);
void	 sha256_free(struct sha256 *h);
/* Feeds what fd holds from offset 0 to its end; its length in *len. 0 or -1. */
int	 sha256_fd(struct sha256 *h, int fd, int64_t *len);
/* The sha256 of a file and its size; 0, or -1 with errno set. */
int	 sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1], int64_t *size);

/* The compression hashes use: "x86-sha" where the CPU has it, else "portable". */
const char *sha256_engine(void);
/* For tests and benches: hashes started (or reset) after this use the portable one. */
void	 sha256_force_portable(bool on);

#endif
