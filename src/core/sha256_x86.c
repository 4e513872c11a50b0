/*
 * sha256's compression with the x86 SHA extensions (SHA-NI: Intel since
 * Goldmont and Ice Lake, AMD since Zen), as Intel's white paper "New
 * Instructions Supporting the Secure Hash Algorithm on Intel Architecture
 * Processors" (2013) lays it out. The state lives in two registers as ABEF
 * and CDGH; each sha256rnds2 does two rounds, sha256msg1 and sha256msg2
 * extend the message schedule four words at a time.
 */
#include "core/sha256_block.h"

#if defined(__x86_64__) && defined(__GNUC__)

#include <cpuid.h>
#include <immintrin.h>

#define SHA256_X86	__attribute__((target("sha,sse4.1,ssse3")))

SHA256_X86 static void
sha256_blocks_sha(uint32_t state[8], const uint8_t *p, size_t n)
{
	/* Each 32-bit word's bytes swapped: the message is big-endian. */
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i abef, cdgh, abef0, cdgh0, m[4], k, tmp;
	int i;

	tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xb1);
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1b);
	abef = _mm_alignr_epi8(tmp, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, tmp, 0xf0);
	for (; n > 0; n--, p += SHA256_BLOCK) {
		abef0 = abef;
		cdgh0 = cdgh;
		/*
		 * Rounds 4i to 4i+3 use m[i % 4], schedule words W[4i..4i+3];
		 * the words of rounds 16 on are made three groups ahead.
		 */
#pragma GCC unroll 16
		for (i = 0; i < 16; i++) {
			if (i < 4)
				m[i] = _mm_shuffle_epi8(_mm_loadu_si128(
				    (const __m128i *)(p + 16 * i)), bswap);
			k = _mm_add_epi32(m[i % 4],
			    _mm_loadu_si128((const __m128i *)&sha256_k[4 * i]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
			if (i >= 3 && i <= 14) {
				tmp = _mm_alignr_epi8(m[i % 4], m[(i + 3) % 4], 4);
				m[(i + 1) % 4] = _mm_sha256msg2_epu32(
				    _mm_add_epi32(m[(i + 1) % 4], tmp), m[i % 4]);
			}
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(k, 0x0e));
			if (i >= 1 && i <= 12)
				m[(i + 3) % 4] = _mm_sha256msg1_epu32(m[(i + 3) % 4], m[i % 4]);
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	tmp = _mm_shuffle_epi32(abef, 0x1b);
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(tmp, cdgh, 0xf0));
	_mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(cdgh, tmp, 8));
}

sha256_blocks_fn *
sha256_blocks_x86(void)
{
	unsigned a, b, c, d;

	/* SSSE3 and SSE4.1 (leaf 1, ecx bits 9 and 19), SHA (leaf 7, ebx bit 29). */
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
		return NULL;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 29)))
		return NULL;
	return sha256_blocks_sha;
}

#else

sha256_blocks_fn *
sha256_blocks_x86(void)
{
	return NULL;
}

#endif
