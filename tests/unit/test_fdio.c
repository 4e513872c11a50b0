/* Whole writes and whole-file replacement. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fdio.h"

static char dir[] = "/tmp/tend-fdio-XXXXXX";

static int
setup(void **state)
{
	strcpy(dir, "/tmp/tend-fdio-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[100];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int
entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
a_file_is_replaced_whole_with_its_mode(void **state)
{
	char path[100], got[32] = "";
	struct stat sb;
	FILE *f;

	snprintf(path, sizeof(path), "%s/web.url", dir);
	assert_int_equal(file_replace(path, "old\n", 4, 0600), 0);
	assert_int_equal(file_replace(path, "http://x/\n", 10, 0644), 0);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(got, sizeof(got), f));
	fclose(f);
	assert_string_equal(got, "http://x/\n");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(entries(), 1);		/* no temp file left beside it */
}

static void
a_file_that_cannot_be_written_is_left_as_it_was(void **state)
{
	char path[100];

	snprintf(path, sizeof(path), "%s/no/such/dir/file", dir);
	assert_int_equal(file_replace(path, "x", 1, 0644), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(entries(), 0);
}

static void
a_temp_file_is_made_beside_its_path(void **state)
{
	char path[100], *tmp = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/mirrors.json", dir);
	assert_true((fd = fd_temp_beside(path, &tmp)) >= 0);
	assert_int_equal(strncmp(tmp, path, strlen(path)), 0);
	assert_int_equal(fd_write_all(fd, "{}", 2), 0);
	close(fd);
	free(tmp);
	assert_int_equal(entries(), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_file_is_replaced_whole_with_its_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_that_cannot_be_written_is_left_as_it_was,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_temp_file_is_made_beside_its_path, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
