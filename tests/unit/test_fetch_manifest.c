/* `assets:` and `cache_dir:` in tend.yaml (and --manifest files): what loads, and the errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "config_asserts.h"

#define SHA	"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
#define SHA_LC	"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static void
an_assets_section_loads_with_defaults(void **state)
{
	struct tend_config *cfg = load_ok(
	    "cache_dir: /var/cache/x\n"
	    "assets:\n"
	    "  node:\n"
	    "    sha256: " SHA "\n"
	    "    size: 44MB\n"
	    "    mirrors: [https://a.example/n.tar.xz, 'http://b.example:8080/n.tar.xz',\n"
	    "              file:///srv/mirror/n.tar.xz]\n"
	    "    dest: /opt/n.tar.xz\n"
	    "    mode: '0555'\n"
	    "  one:\n"
	    "    sha256: " SHA_LC "\n"
	    "    mirrors: file://localhost/srv/one\n"
	    "    max_size: 2GB\n"
	    "    dest: rel/one\n");
	const struct asset_conf *a = &cfg->assets[0], *b = &cfg->assets[1];

	assert_string_equal(cfg->cache_dir, "/var/cache/x");
	assert_int_equal(cfg->n_assets, 2);
	assert_string_equal(a->name, "node");
	/* Kept in lower case: it names the cache's file. */
	assert_string_equal(a->sha256, SHA_LC);
	assert_int_equal(a->size, 44 * 1024 * 1024);
	assert_int_equal(a->max_size, -1);
	assert_string_equal(a->mirrors[0], "https://a.example/n.tar.xz");
	assert_string_equal(a->mirrors[2], "file:///srv/mirror/n.tar.xz");
	assert_null(a->mirrors[3]);
	assert_string_equal(a->dest, "/opt/n.tar.xz");
	assert_int_equal(a->mode, 0555);
	assert_int_equal(a->pos.line, 3);

	assert_int_equal(b->size, -1);
	assert_int_equal(b->max_size, 2LL << 30);
	assert_int_equal(b->mode, -1);
	assert_string_equal(b->mirrors[0], "file://localhost/srv/one");
	/* Relative to the file's folder (the working dir for a string). */
	assert_true(b->dest[0] == '/');
	assert_non_null(strstr(b->dest, "/rel/one"));
	config_free(cfg);
}

static void
a_sha256_must_be_64_hex_digits(void **state)
{
	assert_error("assets:\n  a:\n    sha256: abc123\n    mirrors: [http://h/a]\n"
	    "    dest: /tmp/a\n", 3, 13, "64 hex digits");
	assert_error("assets:\n  a:\n    sha256: " SHA "0\n    mirrors: [http://h/a]\n"
	    "    dest: /tmp/a\n", 3, 13, "65 characters");
	assert_error("assets:\n  a:\n    sha256: zz" SHA_LC "\n"
	    "    mirrors: [http://h/a]\n    dest: /tmp/a\n", 3, 13, "64 hex digits");
}

static void
mirrors_must_be_http_https_or_file_urls(void **state)
{
	assert_error("assets:\n  a:\n    sha256: " SHA "\n"
	    "    mirrors: [http://h/a, ftp://h/a]\n    dest: /tmp/a\n", 4, 27, "ftp://h/a");
	assert_error("assets:\n  a:\n    sha256: " SHA "\n"
	    "    mirrors: [file://relative/a]\n    dest: /tmp/a\n", 4, 15, "file:///");
	assert_error("assets:\n  a:\n    sha256: " SHA "\n"
	    "    mirrors: ['http:///nohost']\n    dest: /tmp/a\n", 4, 15, "http://");
	assert_error("assets:\n  a:\n    sha256: " SHA "\n"
	    "    mirrors: []\n    dest: /tmp/a\n", 4, 14, "at least one URL");
	assert_error("assets:\n  a:\n    sha256: " SHA "\n"
	    "    mirrors: { a: b }\n    dest: /tmp/a\n", 4, 14, "list of URLs");
}

static void
sha256_mirrors_and_dest_are_required(void **state)
{
	assert_error("assets:\n  a:\n    mirrors: [http://h/a]\n    dest: /tmp/a\n",
	    2, 3, "'sha256' is required");
	assert_error("assets:\n  a:\n    sha256: " SHA "\n    dest: /tmp/a\n",
	    2, 3, "'mirrors' is required");
	assert_error("assets:\n  a:\n    sha256: " SHA "\n    mirrors: [http://h/a]\n",
	    2, 3, "'dest' is required");
}

static void
unknown_keys_duplicates_and_bad_values_are_errors(void **state)
{
	assert_error("assets:\n  a:\n    sha256: " SHA "\n    mirrors: [http://h/a]\n"
	    "    dest: /tmp/a\n    url: http://h/a\n", 6, 5, "unknown key 'url'");
	assert_error("assets:\n  a:\n    sha256: " SHA "\n    mirrors: [http://h/a]\n"
	    "    dest: /tmp/a\n    size: big\n", 6, 11, "'size'");
	assert_error("assets:\n  a:\n    sha256: " SHA "\n    mirrors: [http://h/a]\n"
	    "    dest: /tmp/a\n    mode: '0999'\n", 6, 11, "octal");
	assert_error("assets:\n"
	    "  a: { sha256: " SHA ", mirrors: [http://h/a], dest: /tmp/a }\n"
	    "  b: { sha256: " SHA ", mirrors: [http://h/b], dest: /tmp/a }\n",
	    3, 105, "already the dest of asset 'a'");
	assert_error("assets:\n  'bad name': { sha256: " SHA " }\n", 2, 3,
	    "may hold only");
	assert_error("assets: [a, b]\n", 1, 9, "mapping of names");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_assets_section_loads_with_defaults),
		cmocka_unit_test(a_sha256_must_be_64_hex_digits),
		cmocka_unit_test(mirrors_must_be_http_https_or_file_urls),
		cmocka_unit_test(sha256_mirrors_and_dest_are_required),
		cmocka_unit_test(unknown_keys_duplicates_and_bad_values_are_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
