/* core/text: valid UTF-8, escaped controls, redacted URLs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/text.h"

#define FFFD	TEXT_REPLACEMENT

static void
expect_utf8(const char *in, const char *want)
{
	char *got = text_utf8(in);

	assert_string_equal(got, want);
	assert_true(text_utf8_valid(got, strlen(got)));
	free(got);
}

static void
utf8_keeps_valid_text(void **state)
{
	expect_utf8("", "");
	expect_utf8("plain ascii", "plain ascii");
	expect_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_true(text_utf8_valid("\xef\xbf\xbd", 3));
}

static void
utf8_replaces_each_bad_sequence_once(void **state)
{
	expect_utf8("a\xff" "b", "a" FFFD "b");
	expect_utf8("\xc3", FFFD);				/* cut short */
	expect_utf8("\xe2\x82" "x", FFFD "x");			/* one for the valid prefix */
	expect_utf8("\xc0\xaf", FFFD FFFD);			/* overlong '/' */
	expect_utf8("\xed\xa0\x80", FFFD FFFD FFFD);		/* a surrogate */
	expect_utf8("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);	/* past U+10FFFF */
	expect_utf8("\x80\x80", FFFD FFFD);			/* lone continuations */
	assert_false(text_utf8_valid("\xfe", 1));
}

static void
json_strings_are_never_refused(void **state)
{
	json_t *v = text_json("a\xff");

	assert_string_equal(json_string_value(v), "a" FFFD);
	json_decref(v);
	v = text_json(NULL);
	assert_true(json_is_null(v));
	json_decref(v);
}

static void
copy_never_cuts_a_character(void **state)
{
	char buf[5];

	assert_int_equal(text_copy(buf, sizeof(buf), "ab\xe2\x82\xac"), 2);
	assert_string_equal(buf, "ab");
	assert_int_equal(text_copy(buf, sizeof(buf), "a\xe2\x82\xac"), 4);
	assert_string_equal(buf, "a\xe2\x82\xac");
	assert_int_equal(text_copy(buf, sizeof(buf), "abcdefg"), 4);
	assert_string_equal(buf, "abcd");
	/* In place: the replacement is longer than the byte it replaces. */
	memcpy(buf, "abc\xff", 5);
	text_utf8_fix(buf, sizeof(buf));
	assert_string_equal(buf, "abc");
	memcpy(buf, "a\xff", 3);
	text_utf8_fix(buf, sizeof(buf));
	assert_string_equal(buf, "a" FFFD);
}

static void
expect_escape(const char *in, const char *want)
{
	char *got = text_escape(in);

	assert_string_equal(got, want);
	free(got);
}

static void
escape_makes_controls_visible(void **state)
{
	expect_escape("\x1b[2Jgone", "\\x1b[2Jgone");
	expect_escape("a\nb\tc\rd", "a\\nb\\tc\\rd");
	expect_escape("bell\x07 del\x7f", "bell\\x07 del\\x7f");
	expect_escape("c1 \xc2\x9b" "31m", "c1 \\u009b31m");
	expect_escape("rtl \xe2\x80\xae" "cba", "rtl \\u202ecba");
	expect_escape("bad \xff", "bad " FFFD);
	expect_escape("back\\slash caf\xc3\xa9", "back\\slash caf\xc3\xa9");
}

static void
width_counts_characters(void **state)
{
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("caf\xc3\xa9"), 4);
	assert_int_equal(text_width("\xf0\x9f\x98\x80!"), 2);
}

static void
expect_redact(const char *in, const char *want)
{
	char *got = text_redact(in);

	assert_string_equal(got, want);
	free(got);
}

static void
redact_hides_userinfo(void **state)
{
	expect_redact("http://user:pass@host/x", "http://user:***@host/x");
	expect_redact("https://ghp_TOKEN@github.com/o/r.git", "https://***@github.com/o/r.git");
	expect_redact("http://user:@host/", "http://user:@host/");
	expect_redact("postgres://app:s3cr3t@db:5432/app", "postgres://app:***@db:5432/app");
	expect_redact("http://host/path@not-userinfo", "http://host/path@not-userinfo");
	expect_redact("http://a:b@host:8080", "http://a:***@host:8080");
	expect_redact("http://[::1]:80/", "http://[::1]:80/");
	/* Idempotent: shown twice, hidden once. */
	expect_redact("http://user:***@host/", "http://user:***@host/");
}

static void
redact_hides_secret_parameters(void **state)
{
	expect_redact("http://h/x?token=abc&page=2", "http://h/x?token=***&page=2");
	expect_redact("http://h/x?page=2&API_KEY=k#frag", "http://h/x?page=2&API_KEY=***#frag");
	expect_redact("http://h/?key=1&monkey=2&password=3", "http://h/?key=***&monkey=2&password=***");
	expect_redact("http://h/cb#access_token=t&state=s", "http://h/cb#access_token=***&state=s");
	expect_redact("http://h/x?flag&sig=abc", "http://h/x?flag&sig=***");
	expect_redact("http://h/x?keyword=a", "http://h/x?keyword=a");
}

static void
redact_finds_urls_in_free_text(void **state)
{
	expect_redact("GET http://u:p@127.0.0.1:8080/ failed: refused",
	    "GET http://u:***@127.0.0.1:8080/ failed: refused");
	expect_redact("'http://a:b@x' and \"https://c:d@y/?token=z\"",
	    "'http://a:***@x' and \"https://c:***@y/?token=***\"");
	expect_redact("no url: user:pass@host", "no url: user:pass@host");
	expect_redact("://a:b@c", "://a:b@c");
	expect_redact("", "");
}

static void
sanitize_hides_and_repairs_in_place(void **state)
{
	char buf[24] = "at http://u:p@h/ \xff";

	text_sanitize(buf, sizeof(buf));
	assert_string_equal(buf, "at http://u:***@h/ " FFFD);
}

static void
show_hides_then_escapes(void **state)
{
	char *got = text_show("GET http://u:pw@h/\x1b[2J\n");

	assert_string_equal(got, "GET http://u:***@h/\\x1b[2J\\n");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_keeps_valid_text),
		cmocka_unit_test(utf8_replaces_each_bad_sequence_once),
		cmocka_unit_test(json_strings_are_never_refused),
		cmocka_unit_test(copy_never_cuts_a_character),
		cmocka_unit_test(escape_makes_controls_visible),
		cmocka_unit_test(width_counts_characters),
		cmocka_unit_test(redact_hides_userinfo),
		cmocka_unit_test(redact_hides_secret_parameters),
		cmocka_unit_test(redact_finds_urls_in_free_text),
		cmocka_unit_test(sanitize_hides_and_repairs_in_place),
		cmocka_unit_test(show_hides_then_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
