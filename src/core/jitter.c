#include "core/jitter.h"

#include <unistd.h>

#include "core/clock.h"

uint64_t
jitter_seed(void)
{
	uint64_t seed = (uint64_t)clock_mono_ns() ^ ((uint64_t)getpid() << 32) ^
	    0x9E3779B97F4A7C15ULL;

	/* xorshift stays at 0 forever. */
	return seed != 0 ? seed : 0x9E3779B97F4A7C15ULL;
}

double
jitter_next(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return (double)((*state * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
}
