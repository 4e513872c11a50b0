/*
 * sha256 (FIPS 180-4) of tend's own. It used to be libcrypto's, loaded at
 * the first use; but a library of 4.5 MB mapped (1.4 MB resident) for one
 * hash weighed more than the rest of an idle daemon's libraries, so tend
 * computes it itself: a portable compression, or the x86 SHA extensions
 * where the CPU has them (core/sha256_x86.c), as fast as libcrypto's
 * (bench/README.md, `sha256`).
 */
#include "core/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/sha256_block.h"

#define SHA256_BUF	(256 * 1024)

struct sha256 {
	uint32_t		 state[8];
	uint64_t		 len;		/* bytes fed so far */
	size_t			 fill;		/* bytes waiting in buf */
	uint8_t			 buf[SHA256_BLOCK];
	sha256_blocks_fn	*blocks;
};

/* The initial hash value H(0) (5.3.3). */
static const uint32_t sha256_h0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z)	(((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z)	(((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x)	(ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x)	(ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x)	(ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x)	(ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

static uint32_t
load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Round i with the working variables named in place, eight rounds to a
 * turn: no variable is moved from one to the next (6.2.2, step 3).
 */
#define ROUND(a, b, c, d, e, f, g, h, i) do {					\
	uint32_t t1_ = (h) + BSIG1(e) + CH(e, f, g) + sha256_k[i] + w[i];	\
	(d) += t1_;								\
	(h) = t1_ + BSIG0(a) + MAJ(a, b, c);					\
} while (0)

void
sha256_blocks_portable(uint32_t state[8], const uint8_t *p, size_t n)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;
	int i;

	for (; n > 0; n--, p += SHA256_BLOCK) {
		for (i = 0; i < 16; i++)
			w[i] = load_be32(p + 4 * i);
		for (; i < 64; i++)
			w[i] = SSIG1(w[i - 2]) + w[i - 7] + SSIG0(w[i - 15]) + w[i - 16];
		a = state[0], b = state[1], c = state[2], d = state[3];
		e = state[4], f = state[5], g = state[6], h = state[7];
		for (i = 0; i < 64; i += 8) {
			ROUND(a, b, c, d, e, f, g, h, i);
			ROUND(h, a, b, c, d, e, f, g, i + 1);
			ROUND(g, h, a, b, c, d, e, f, i + 2);
			ROUND(f, g, h, a, b, c, d, e, i + 3);
			ROUND(e, f, g, h, a, b, c, d, i + 4);
			ROUND(d, e, f, g, h, a, b, c, i + 5);
			ROUND(c, d, e, f, g, h, a, b, i + 6);
			ROUND(b, c, d, e, f, g, h, a, i + 7);
		}
		state[0] += a, state[1] += b, state[2] += c, state[3] += d;
		state[4] += e, state[5] += f, state[6] += g, state[7] += h;
	}
}

/* The fastest compression this CPU has, found once; the portable one when forced. */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static sha256_blocks_fn *sha256_fast;
static atomic_bool sha256_portable_forced;

static void
sha256_pick(void)
{
	sha256_fast = sha256_blocks_x86();
	if (sha256_fast == NULL)
		sha256_fast = sha256_blocks_portable;
}

static sha256_blocks_fn *
sha256_blocks(void)
{
	pthread_once(&sha256_once, sha256_pick);
	return atomic_load(&sha256_portable_forced) ? sha256_blocks_portable : sha256_fast;
}

const char *
sha256_engine(void)
{
	return sha256_blocks() == sha256_blocks_portable ? "portable" : "x86-sha";
}

void
sha256_force_portable(bool on)
{
	atomic_store(&sha256_portable_forced, on);
}

bool
sha256_hex_valid(const char *hex)
{
	return hex != NULL && strlen(hex) == SHA256_HEX_LEN &&
	    strspn(hex, "0123456789abcdef") == SHA256_HEX_LEN;
}

struct sha256 *
sha256_new(void)
{
	struct sha256 *h = xmalloc(sizeof(*h));

	sha256_reset(h);
	return h;
}

void
sha256_reset(struct sha256 *h)
{
	memcpy(h->state, sha256_h0, sizeof(h->state));
	h->len = 0;
	h->fill = 0;
	h->blocks = sha256_blocks();
}

void
sha256_update(struct sha256 *h, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t take, n;

	if (len == 0)
		return;
	h->len += len;
	if (h->fill > 0) {
		take = len < SHA256_BLOCK - h->fill ? len : SHA256_BLOCK - h->fill;
		memcpy(h->buf + h->fill, p, take);
		h->fill += take;
		p += take;
		len -= take;
		if (h->fill < SHA256_BLOCK)
			return;
		h->blocks(h->state, h->buf, 1);
		h->fill = 0;
	}
	if ((n = len / SHA256_BLOCK) > 0) {
		h->blocks(h->state, p, n);
		p += n * SHA256_BLOCK;
		len -= n * SHA256_BLOCK;
	}
	if (len > 0)
		memcpy(h->buf, p, len);
	h->fill = len;
}

/* Pads the message (5.1.1) and writes the digest in hex (6.2.2, step 4). */
static void
sha256_finish(struct sha256 *h, char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	uint64_t bits = h->len * 8;
	int i;

	h->buf[h->fill++] = 0x80;
	if (h->fill > SHA256_BLOCK - 8) {
		memset(h->buf + h->fill, 0, SHA256_BLOCK - h->fill);
		h->blocks(h->state, h->buf, 1);
		h->fill = 0;
	}
	memset(h->buf + h->fill, 0, SHA256_BLOCK - 8 - h->fill);
	for (i = 0; i < 8; i++)
		h->buf[SHA256_BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
	h->blocks(h->state, h->buf, 1);
	for (i = 0; i < SHA256_HEX_LEN; i++)
		hex[i] = digits[(h->state[i / 8] >> (28 - 4 * (i % 8))) & 0xf];
	hex[SHA256_HEX_LEN] = '\0';
}

void
sha256_final(struct sha256 *h, char hex[SHA256_HEX_LEN + 1])
{
	sha256_finish(h, hex);
	sha256_reset(h);
}

void
sha256_peek(const struct sha256 *h, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 copy = *h;

	sha256_finish(&copy, hex);
}

void
sha256_free(struct sha256 *h)
{
	free(h);
}

int
sha256_fd(struct sha256 *h, int fd, int64_t *len)
{
	char *buf = xmalloc(SHA256_BUF);
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, SHA256_BUF, off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return -1;
		}
		sha256_update(h, buf, (size_t)n);
		off += n;
	}
	free(buf);
	*len = (int64_t)off;
	return 0;
}

int
sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1], int64_t *size)
{
	struct sha256 *h;
	int fd, rc, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	h = sha256_new();
	rc = sha256_fd(h, fd, size);
	saved = errno;
	if (rc == 0)
		sha256_final(h, hex);
	sha256_free(h);
	close(fd);
	errno = saved;
	return rc;
}
