/*
 * The API token: made 0600 through the state dir, refused when it is not
 * tend's own, and made later when it could not be made at start (a full
 * disk: RLIMIT_FSIZE stands in for it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/statedir.h"
#include "web/token.h"

static char dir[] = "/tmp/tend-token-XXXXXX";
static char path[128];
static struct statedir *sd;

static int
setup(void **state)
{
	char err[256];

	strcpy(dir, "/tmp/tend-token-XXXXXX");
	if (mkdtemp(dir) == NULL || (sd = statedir_open(dir, err, sizeof(err))) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/token", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[200];

	statedir_close(sd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void
plant(const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void
a_new_token_is_made_0600_and_read_back(void **state)
{
	struct web_token a = { 0 }, b = { 0 };
	char err[512];
	struct stat sb;

	assert_int_equal(web_token_load(&a, sd, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(web_token_load(&b, sd, err, sizeof(err)), 0);
	assert_string_equal(a.value, b.value);
	assert_true(web_token_equal(&b, a.value, 64));
}

static void
a_token_others_could_know_is_refused(void **state)
{
	struct web_token t = { 0 };
	char err[512];

	plant("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", 0644);
	assert_int_equal(web_token_load(&t, sd, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "can be read or written by others"));
	assert_false(web_token_equal(&t, "0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef", 64));
	if (geteuid() == 0) {
		assert_int_equal(chmod(path, 0600), 0);
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(web_token_load(&t, sd, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "refused"));
	}
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_int_equal(web_token_load(&t, sd, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	/* Deleted, it is made anew. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(web_token_load(&t, sd, err, sizeof(err)), 0);
}

static void
a_token_that_could_not_be_made_is_made_later(void **state)
{
	struct rlimit small = { 16, RLIM_INFINITY }, old;
	struct web_token t = { 0 };
	char err[512];
	int rc;

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	rc = web_token_load(&t, sd, err, sizeof(err));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "cannot write"));
	assert_int_equal(access(path, F_OK), -1);
	assert_false(web_token_equal(&t, "", 0));
	assert_int_equal(web_token_load(&t, sd, err, sizeof(err)), 0);
	assert_true(web_token_equal(&t, t.value, 64));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_new_token_is_made_0600_and_read_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_token_others_could_know_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_token_that_could_not_be_made_is_made_later,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
