/*
 * core/sha256: NIST's known answers (FIPS 180-4's examples and the long
 * message of its test vectors), fed whole and split at every point,
 * peeked, and of a file; with each compression the CPU has, which must
 * agree on every length around the padding's edges.
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

struct vector {
	const char	*msg;
	const char	*digest;
};

static const struct vector vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	/* 448 bits: the padding takes a second block. */
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	/* 896 bits. */
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

static const char million_a[] =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

/* The engines to run each test with: the fastest, then the portable one if that differs. */
static int
engines(void)
{
	sha256_force_portable(false);
	return strcmp(sha256_engine(), "portable") == 0 ? 1 : 2;
}

static void
use_engine(int i)
{
	sha256_force_portable(i == 1);
}

static void
digest(const void *msg, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 *h = sha256_new();

	sha256_update(h, msg, len);
	sha256_final(h, hex);
	sha256_free(h);
}

static void
known_answers_whole(void **state)
{
	char hex[SHA256_HEX_LEN + 1];
	int e, n = engines();
	size_t i;

	for (e = 0; e < n; e++) {
		use_engine(e);
		for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
			digest(vectors[i].msg, strlen(vectors[i].msg), hex);
			assert_string_equal(hex, vectors[i].digest);
		}
	}
	sha256_force_portable(false);
}

static void
a_million_a_in_uneven_pieces(void **state)
{
	char *msg = malloc(1000000), hex[SHA256_HEX_LEN + 1];
	struct sha256 *h;
	size_t off, piece;
	int e, n = engines();

	assert_non_null(msg);
	memset(msg, 'a', 1000000);
	for (e = 0; e < n; e++) {
		use_engine(e);
		digest(msg, 1000000, hex);
		assert_string_equal(hex, million_a);
		/* Pieces of 1 to 1000 bytes, never on a block's edge for long. */
		h = sha256_new();
		for (off = 0, piece = 1; off < 1000000; off += piece, piece = piece % 1000 + 37)
			sha256_update(h, msg + off, piece < 1000000 - off ? piece : 1000000 - off);
		sha256_final(h, hex);
		assert_string_equal(hex, million_a);
		sha256_free(h);
	}
	free(msg);
	sha256_force_portable(false);
}

static void
every_split_of_the_known_messages(void **state)
{
	char hex[SHA256_HEX_LEN + 1];
	struct sha256 *h = sha256_new();
	size_t i, cut, len;
	int e, n = engines();

	for (e = 0; e < n; e++) {
		use_engine(e);
		sha256_reset(h);
		for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
			len = strlen(vectors[i].msg);
			for (cut = 0; cut <= len; cut++) {
				sha256_update(h, vectors[i].msg, cut);
				sha256_update(h, NULL, 0);
				sha256_update(h, vectors[i].msg + cut, len - cut);
				sha256_final(h, hex);	/* and starts over */
				assert_string_equal(hex, vectors[i].digest);
			}
		}
	}
	sha256_free(h);
	sha256_force_portable(false);
}

static void
a_peek_leaves_the_hash_going(void **state)
{
	struct sha256 *h = sha256_new();
	char hex[SHA256_HEX_LEN + 1];

	sha256_update(h, "a", 1);
	sha256_update(h, "bc", 2);
	sha256_peek(h, hex);
	assert_string_equal(hex, vectors[1].digest);
	sha256_peek(h, hex);
	assert_string_equal(hex, vectors[1].digest);
	sha256_final(h, hex);
	assert_string_equal(hex, vectors[1].digest);
	sha256_final(h, hex);
	assert_string_equal(hex, vectors[0].digest);
	sha256_free(h);
	assert_true(sha256_hex_valid(vectors[1].digest));
	assert_false(sha256_hex_valid(
	    "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
	assert_false(sha256_hex_valid("abc"));
}

/* Every length to 300 bytes (the padding's edges: 55, 56, 64...), then larger ones. */
static void
the_engines_agree_on_every_length(void **state)
{
	char fast[SHA256_HEX_LEN + 1], portable[SHA256_HEX_LEN + 1];
	unsigned char *msg = malloc(70000);
	size_t len, i;

	assert_non_null(msg);
	if (engines() == 1)
		skip();
	for (i = 0; i < 70000; i++)
		msg[i] = (unsigned char)(i * 2654435761u >> 13);
	for (len = 0; len < 70000; len += len < 300 ? 1 : 4099) {
		sha256_force_portable(false);
		digest(msg, len, fast);
		sha256_force_portable(true);
		digest(msg, len, portable);
		assert_string_equal(fast, portable);
	}
	sha256_force_portable(false);
	free(msg);
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
	assert_string_equal(hex, vectors[1].digest);
	assert_int_equal(size, 3);
	unlink(path);
	assert_int_equal(sha256_file(path, hex, &size), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_answers_whole),
		cmocka_unit_test(a_million_a_in_uneven_pieces),
		cmocka_unit_test(every_split_of_the_known_messages),
		cmocka_unit_test(a_peek_leaves_the_hash_going),
		cmocka_unit_test(the_engines_agree_on_every_length),
		cmocka_unit_test(a_file_and_its_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
