#include "core/ctcmp.h"

bool
ct_equal(const void *a, const void *b, size_t n)
{
	/* volatile: the compiler may not stop at the first difference. */
	const volatile unsigned char *pa = a, *pb = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= pa[i] ^ pb[i];
	return diff == 0;
}
