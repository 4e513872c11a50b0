/*
 * The scheduled report with the real binary: `report: {every: 2s, keep: 2}`
 * writes STATE/reports/report-*.{md,html,json} at each run, each whole,
 * and keeps only the newest two sets; with `to:` each report is posted to
 * real webhook receivers (tend's JSON and Slack's) and a command channel,
 * recorded as alert deliveries; a `to:` that names no channel is an error
 * at its file:line:col; a restarted daemon goes on from the newest set
 * written, not from its start.
 */
#include "harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

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

/*
 * Two receivers (tend services: they are up before the first report, and
 * killed with tend) and a command that keeps the TEND_* it was given. The
 * retries are quick: a receiver not listening yet is tried again.
 */
static const char posting_config[] =
    "report: { every: 2s, since: 1d, to: [hook, chat, script] }\n"
    "alerts:\n"
    "  retry: { attempts: 20, initial: 100ms, max: 500ms }\n"
    "  channels:\n"
    "    hook: { webhook: 'http://127.0.0.1:@PORT1@/tend', on: [] }\n"
    "    chat: { webhook: 'http://127.0.0.1:@PORT2@/slack', format: slack }\n"
    "    script:\n"
    "      command: [/bin/sh, -c, 'env | grep ^TEND_ | sort > @DIR@/script.tmp &&\n"
    "                mv @DIR@/script.tmp @DIR@/script.env']\n"
    "services:\n"
    "  hook:\n"
    "    run: [@FAKESVC@, --name, hook, --record, @RECORD@, --listen, '@PORT1@',\n"
    "          --receiver, @DIR@/hook.log]\n"
    "    ready: { tcp: @PORT1@ }\n"
    "  chat:\n"
    "    run: [@FAKESVC@, --name, chat, --record, @RECORD@, --listen, '@PORT2@',\n"
    "          --receiver, @DIR@/chat.log]\n"
    "    ready: { tcp: @PORT2@ }\n";

static const char *
str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	if (v == NULL)
		fail_msg("no string '%s'", key);
	return v;
}

/* A file the report named: there, and of its format. */
static void
assert_report_file(const char *path, const char *ext, const char *holds)
{
	char *text;

	assert_non_null(strstr(path, "/state/reports/report-"));
	assert_non_null(strstr(path, ext));
	text = harness_read_file(path);
	if (text == NULL)
		fail_msg("%s: not there", path);
	harness_contains(text, holds);
	free(text);
}

/* The report deliveries to channel recorded as delivered. */
static long long
delivered(const char *channel)
{
	sqlite3 *db = harness_db_open(&t);
	sqlite3_stmt *stmt;
	long long n = 0;

	if (db == NULL)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM alert_deliveries WHERE "
	    "event = 'report' AND outcome = 'delivered' AND channel = ?1 AND "
	    "target LIKE 'report-%' AND message LIKE '%incidents: %'", -1, &stmt,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, channel, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			n = sqlite3_column_int64(stmt, 0);
		sqlite3_finalize(stmt);
	}
	sqlite3_close(db);
	return n;
}

static void
each_report_is_posted_to_its_channels(void **state)
{
	json_t *all, *body, *files, *att;
	char *env, *html, *out, *nl;
	long long deadline;

	(void)state;
	harness_write_config(&t, posting_config);
	harness_start(&t);
	/* tend's JSON: the summary's numbers and lines, and the three files. */
	assert_true(harness_wait_json_lines(harness_at(&t, "hook.log"), 1, 20000));
	all = harness_json_lines(harness_at(&t, "hook.log"));
	body = json_array_get(all, 0);
	assert_string_equal(str(body, "event"), "report");
	assert_string_equal(str(body, "source"), "tend");
	assert_int_equal(strncmp(str(body, "name"), "report-", 7), 0);
	harness_contains(str(body, "title"), "tend report, ");
	harness_contains(str(body, "text"), "incidents: 0 opened, 0 resolved");
	harness_contains(str(body, "text"), "\nauto-heal: tend acted on no incident\n");
	assert_true(json_is_integer(json_object_get(json_object_get(body, "summary"),
	    "incidents_opened")));
	files = json_object_get(body, "files");
	assert_report_file(str(files, "html"), ".html", "</html>\n");
	assert_report_file(str(files, "markdown"), ".md", "# tend report, ");
	assert_report_file(str(files, "json"), ".json", "\"recommendations\"");
	html = strdup(str(files, "html"));
	json_decref(all);
	/* Slack's: the title, the lines, and where the HTML file is. */
	assert_true(harness_wait_json_lines(harness_at(&t, "chat.log"), 1, 20000));
	all = harness_json_lines(harness_at(&t, "chat.log"));
	body = json_array_get(all, 0);
	harness_contains(str(body, "text"), ":bar_chart: *tend report, ");
	att = json_array_get(json_object_get(body, "attachments"), 0);
	harness_contains(str(att, "text"), "availability ");
	harness_contains(str(att, "text"), "\nthe report: ");
	harness_contains(str(att, "text"), "/state/reports/report-");
	json_decref(all);
	/* The command: the paths of the files in its environment. */
	deadline = harness_mono_ms() + 20000;
	while ((env = harness_read_file(harness_at(&t, "script.env"))) == NULL) {
		if (harness_mono_ms() > deadline)
			fail_msg("the command channel was never run");
		harness_pause_ms(50);
	}
	harness_contains(env, "TEND_EVENT=report\n");
	harness_contains(env, "TEND_TARGET=report-");
	harness_contains(env, "TEND_MESSAGE=tend report, ");
	out = strstr(env, "TEND_REPORT_HTML=");
	assert_non_null(out);
	out += strlen("TEND_REPORT_HTML=");
	if ((nl = strchr(out, '\n')) != NULL)
		*nl = '\0';
	assert_report_file(out, ".html", "</html>\n");
	free(env);
	free(html);
	/* Recorded where alert deliveries are, and counted by tend report. */
	deadline = harness_mono_ms() + 20000;
	while (delivered("hook") < 1 || delivered("chat") < 1 || delivered("script") < 1) {
		if (harness_mono_ms() > deadline)
			fail_msg("report deliveries not recorded: hook %lld, chat %lld, "
			    "script %lld", delivered("hook"), delivered("chat"),
			    delivered("script"));
		harness_pause_ms(100);
	}
	assert_int_equal(harness_cli(&t, &out, "report", "--format", "json", "--since", "1h",
	    "--state-dir", t.state, NULL), 0);
	all = json_loads(out, 0, NULL);
	assert_non_null(all);
	assert_true(json_integer_value(json_object_get(json_object_get(json_object_get(all,
	    "alerts"), "by_outcome"), "delivered")) >= 3);
	json_decref(all);
	free(out);
	assert_true(harness_log_contains(&t, " to hook: delivered (HTTP 200, try "));
}

static void
a_to_that_names_no_channel_is_a_config_error(void **state)
{
	char *out, where[400];

	(void)state;
	harness_write_config(&t,
	    "alerts:\n"
	    "  channels:\n"
	    "    ops: { command: [/bin/true] }\n"
	    "report:\n"
	    "  to: [ops, pager]\n");
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.config, NULL), 2);
	snprintf(where, sizeof(where), "%s:5:13: report: 'to': 'pager' is no channel of "
	    "alerts: channels:", t.config);
	harness_contains(out, where);
	free(out);
}

/*
 * `every: 1h` and a set written 1 h less 2 s ago by an earlier run: the
 * restarted daemon writes the next within seconds (an hour from its start
 * without it: a daemon restarted more often than `every` would never write).
 */
static void
a_restart_goes_on_from_the_last_report(void **state)
{
	struct timespec times[2];
	const char *const ext[] = { "md", "html", "json" };
	char path[600];
	long long deadline;
	int i;

	(void)state;
	harness_write_config(&t, "report: { every: 1h, since: 1d }\n"
	    "services:\n  web:\n    run: [@FAKESVC@, --record, @RECORD@, --name, web]\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	kill(t.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&t, 10000), 0);
	t.pid = 0;
	assert_true(harness_log_count(&t, "report written: ") == 0);
	clock_gettime(CLOCK_REALTIME, &times[0]);
	times[0].tv_sec -= 3600 - 2;
	times[1] = times[0];
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/reports/report-20200101-0000.%s", t.state,
		    ext[i]);
		harness_write_file(&t, path, "{\"recommendations\": []}\n");
		assert_int_equal(chmod(path, 0640), 0);
		assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
	}
	harness_start(&t);
	deadline = harness_mono_ms() + 15000;
	while (harness_log_count(&t, "report written: ") < 1 && harness_mono_ms() < deadline)
		harness_pause_ms(50);
	assert_true(harness_log_count(&t, "report written: ") >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(reports_are_written_and_the_oldest_removed),
		TEND_TEST(each_report_is_posted_to_its_channels),
		TEND_TEST(a_to_that_names_no_channel_is_a_config_error),
		TEND_TEST(a_restart_goes_on_from_the_last_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
