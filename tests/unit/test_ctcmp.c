/* core/ctcmp: equal only when every byte is, wherever the difference lies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/ctcmp.h"

static void
equal_only_when_every_byte_is(void **state)
{
	char a[64], b[64];
	size_t i;

	memset(a, 'x', sizeof(a));
	memcpy(b, a, sizeof(b));
	assert_true(ct_equal(a, b, sizeof(a)));
	assert_true(ct_equal(a, "y", 0));
	for (i = 0; i < sizeof(a); i++) {
		b[i] ^= 0x80;
		assert_false(ct_equal(a, b, sizeof(a)));
		b[i] ^= 0x80;
	}
	assert_true(ct_equal(a, b, sizeof(a)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_only_when_every_byte_is),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
