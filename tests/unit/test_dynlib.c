/* Libraries loaded when first used: failures named, remembered, fatal only when required. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/dl_curl.h"
#include "core/dl_mhd.h"
#include "core/dynlib.h"

static size_t (*loaded_strlen)(const char *);
static void *loaded_nothing;

static const struct dynlib_symbol libc_strlen[] = {
	{ "strlen", (void **)&loaded_strlen },
};
static const struct dynlib_symbol libc_nothing[] = {
	{ "strlen", (void **)&loaded_strlen },
	{ "tend_no_such_function", &loaded_nothing },
};

static void
a_library_loads_once_and_fills_its_table(void **state)
{
	struct dynlib lib = { .soname = "libc.so.6", .what = "a test",
	    .symbols = libc_strlen, .nsymbols = 1 };
	char err[256] = "";

	assert_int_equal(dynlib_load(&lib, err, sizeof(err)), 0);
	assert_non_null(loaded_strlen);
	assert_int_equal(loaded_strlen("tend"), 4);
	assert_int_equal(lib.state, DYNLIB_LOADED);
	dynlib_ensure(&lib);	/* loaded: returns at once */
	assert_int_equal(dynlib_load(&lib, err, sizeof(err)), 0);
}

static void
a_missing_library_is_named_and_remembered(void **state)
{
	struct dynlib lib = { .soname = "libtend-not-there.so.9", .what = "a test",
	    .symbols = libc_strlen, .nsymbols = 1 };
	char err[256] = "", again[256] = "";

	assert_int_equal(dynlib_load(&lib, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot load libtend-not-there.so.9 (a test)"));
	assert_int_equal(dynlib_load(&lib, again, sizeof(again)), -1);
	assert_string_equal(err, again);
}

static void
a_missing_function_asks_for_a_newer_library(void **state)
{
	struct dynlib lib = { .soname = "libc.so.6", .what = "a test",
	    .symbols = libc_nothing, .nsymbols = 2 };
	char err[256] = "";

	assert_int_equal(dynlib_load(&lib, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "has no tend_no_such_function"));
}

static void
a_required_library_that_fails_exits_127(void **state)
{
	struct dynlib lib = { .soname = "libtend-not-there.so.9", .what = "a test",
	    .symbols = libc_strlen, .nsymbols = 1 };
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		dynlib_ensure(&lib);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 127);
}

static void
curl_calls_go_through_the_loaded_table(void **state)
{
	const curl_version_info_data *v;
	char err[256] = "";

	assert_int_equal(dl_curl_load(err, sizeof(err)), 0);
	v = curl_version_info(CURLVERSION_NOW);
	assert_non_null(v);
	assert_true(v->version_num >= 0x074400);	/* 7.68: curl_multi_poll */
	assert_int_equal(dl_curl_lib.state, DYNLIB_LOADED);
}

/*
 * KB of the read-only mappings of files named like lib, from smaps: field
 * "Rss" or "Private_Clean". With touch, every page of them is read first.
 */
static long
mapped_kb(const char *lib, const char *field, int touch)
{
	char line[512], perms[8];
	unsigned long a, b, kb;
	volatile unsigned char sum = 0;
	long total = 0;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx %7s", &a, &b, perms) == 3 && strchr(line, '/')) {
			in = strstr(line, lib) != NULL && perms[1] != 'w' && perms[0] == 'r';
			for (; in && touch && a < b; a += 4096)
				sum += *(volatile unsigned char *)a;
		} else if (in && strncmp(line, field, strlen(field)) == 0 &&
		    line[strlen(field)] == ':' && sscanf(line + strlen(field) + 1, "%lu",
		    &kb) == 1) {
			total += (long)kb;
		}
	}
	fclose(f);
	(void)sum;
	return total;
}

/*
 * libmicrohttpd's TLS stack, loaded with it and never used: its pages are
 * given back (those only tend maps: another process's stay shared).
 */
static void
an_idle_library_gives_its_pages_back(void **state)
{
	char err[256];
	long before, after;

	if (dl_mhd_load(err, sizeof(err)) < 0)
		skip();
	mapped_kb("libgnutls", "Rss", 1);
	before = mapped_kb("libgnutls", "Private_Clean", 0) +
	    mapped_kb("libgnutls", "Shared_Clean", 0);
	if (before == 0)
		skip();		/* a libmicrohttpd built without TLS */
	dynlib_release_idle(&dl_mhd_lib);
	after = mapped_kb("libgnutls", "Private_Clean", 0);
	fprintf(stderr, "libgnutls: %ld KB resident after reading it all, %ld KB of it "
	    "private after the release\n", before, after);
	assert_true(before >= 256);
	assert_true(after <= before / 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_library_loads_once_and_fills_its_table),
		cmocka_unit_test(a_missing_library_is_named_and_remembered),
		cmocka_unit_test(a_missing_function_asks_for_a_newer_library),
		cmocka_unit_test(a_required_library_that_fails_exits_127),
		cmocka_unit_test(curl_calls_go_through_the_loaded_table),
		cmocka_unit_test(an_idle_library_gives_its_pages_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
