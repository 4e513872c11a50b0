/*
 * core/sha256: the FIPS 180-2 vectors, streamed in pieces, peeked, and of a
 * file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sha256.h"

static const char empty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char abc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char two_blocks[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

static void
known_vectors_streamed_in_pieces(void **state)
{
	static const char msg[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	struct sha256 *h = sha256_new();
	char hex[SHA256_HEX_LEN + 1];
	size_t i;

	sha256_final(h, hex);
	assert_string_equal(hex, empty);
	sha256_update(h, "a", 1);
	sha256_update(h, "bc", 2);
	sha256_peek(h, hex);
	assert_string_equal(hex, abc);
	sha256_final(h, hex);
	assert_string_equal(hex, abc);
	for (i = 0; i < strlen(msg); i += 7)
		sha256_update(h, msg + i, strlen(msg) - i < 7 ? strlen(msg) - i : 7);
	sha256_final(h, hex);
	assert_string_equal(hex, two_blocks);
	sha256_free(h);
	assert_true(sha256_hex_valid(abc));
	assert_false(sha256_hex_valid("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
	assert_false(sha256_hex_valid("abc"));
}

static void
a_file_and_its_size(void **state)
{
	char path[] = "/tmp/tend-sha256-XXXXXX", hex[SHA256_HEX_LEN + 1];
	int64_t size = -1;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	assert_int_equal(sha256_file(path, hex, &size), 0);
	assert_string_equal(hex, abc);
	assert_int_equal(size, 3);
	unlink(path);
	assert_int_equal(sha256_file(path, hex, &size), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_vectors_streamed_in_pieces),
		cmocka_unit_test(a_file_and_its_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
