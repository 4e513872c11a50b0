/*
 * The scheduled report with the real binary: `report: {every: 2s, keep: 2}`
 * writes STATE/reports/report-*.{md,html,json} at each run, each whole,
 * and keeps only the newest two sets.
 */
#include "harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char config[] =
    "report: { every: 2s, keep: 2, since: 1d }\n"
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, web]\n";

/* The files in STATE/reports, checking each; how many. */
static int
count_reports(int *md, int *html, int *json)
{
	char dir[400], path[800], *text;
	struct dirent *de;
	struct stat sb;
	int n = 0;
	DIR *d;

	*md = *html = *json = 0;
	snprintf(dir, sizeof(dir), "%s/reports", t.state);
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 07777, 0640);
		assert_int_equal(strncmp(de->d_name, "report-", 7), 0);
		text = harness_read_file(path);
		assert_non_null(text);
		if (strstr(de->d_name, ".md") != NULL) {
			harness_contains(text, "# tend report, ");
			(*md)++;
		} else if (strstr(de->d_name, ".html") != NULL) {
			harness_contains(text, "</html>\n");
			(*html)++;
		} else if (strstr(de->d_name, ".json") != NULL) {
			harness_contains(text, "\"recommendations\"");
			(*json)++;
		}
		free(text);
		n++;
	}
	closedir(d);
	return n;
}

static void
reports_are_written_and_the_oldest_removed(void **state)
{
	long long deadline;
	int md, html, json;

	(void)state;
	harness_write_config(&t, config);
	harness_start(&t);
	/* Three runs: the first set is gone by the third. */
	deadline = harness_mono_ms() + 30000;
	while (harness_log_count(&t, "report written: ") < 3) {
		if (harness_mono_ms() > deadline)
			fail_msg("fewer than 3 reports written in 30 s");
		harness_pause_ms(100);
	}
	assert_true(harness_log_contains(&t, "/reports/report-"));
	assert_int_equal(count_reports(&md, &html, &json), 6);
	assert_int_equal(md, 2);
	assert_int_equal(html, 2);
	assert_int_equal(json, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(reports_are_written_and_the_oldest_removed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
