/*
 * What channels are sent: tend's JSON, a Slack message, Alertmanager API
 * v2 alerts (labels that identify the alert for its whole life,
 * annotations, startsAt/endsAt in RFC 3339), and a command's environment;
 * and a scheduled report, to a webhook (tend's JSON, Slack) or a command.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alert/format.h"
#include "core/strv.h"

/* 2023-11-14T22:13:20.123Z */
#define T0	1700000000123LL

static const struct alert_msg firing = {
	.event = ALERT_CRITICAL, .source = ALERT_SOURCE_INCIDENT, .key = "incident:7",
	.target = "health", .state = "critical", .severity = "critical",
	.message = "HTTP 500 from http://127.0.0.1:8080/ <sick> & tired",
	.incident = 7, .at = T0 + 1000, .started_at = T0,
};

static const char *
str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	assert_non_null(v);
	return v;
}

static void
times_are_rfc3339_in_utc_to_the_millisecond(void **state)
{
	char buf[40];

	alert_rfc3339(T0, buf, sizeof(buf));
	assert_string_equal(buf, "2023-11-14T22:13:20.123Z");
	alert_rfc3339(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
}

static void
the_json_format_carries_the_alert(void **state)
{
	char *labels[] = { "env=prod", "team=payments", NULL };
	json_t *o = alert_format_json(&firing, "box", 42, NULL);

	assert_string_equal(str(o, "source"), "tend");
	assert_string_equal(str(o, "host"), "box");
	assert_int_equal(json_integer_value(json_object_get(o, "id")), 42);
	assert_string_equal(str(o, "event"), "critical");
	assert_string_equal(str(o, "target"), "health");
	assert_string_equal(str(o, "state"), "critical");
	assert_string_equal(str(o, "message"), firing.message);
	assert_int_equal(json_integer_value(json_object_get(o, "incident")), 7);
	assert_int_equal(json_integer_value(json_object_get(o, "at")), T0 + 1000);
	assert_string_equal(str(o, "time"), "2023-11-14T22:13:21.123Z");
	assert_string_equal(str(o, "started_at"), "2023-11-14T22:13:20.123Z");
	assert_true(json_is_false(json_object_get(o, "repeat")));
	assert_null(json_object_get(o, "labels"));
	json_decref(o);
	/* metrics.labels, for routing as Alertmanager's get them. */
	o = alert_format_json(&firing, "box", 42, labels);
	assert_string_equal(str(json_object_get(o, "labels"), "env"), "prod");
	assert_string_equal(str(json_object_get(o, "labels"), "team"), "payments");
	json_decref(o);
}

static void
an_anomaly_has_no_incident(void **state)
{
	struct alert_msg m = firing;
	json_t *o;

	m.event = ALERT_ANOMALY;
	m.source = ALERT_SOURCE_ANOMALY;
	m.incident = 0;
	o = alert_format_json(&m, "box", 1, NULL);
	assert_true(json_is_null(json_object_get(o, "incident")));
	assert_string_equal(str(o, "event"), "anomaly");
	json_decref(o);
}

static void
slack_gets_a_summary_and_the_escaped_message(void **state)
{
	json_t *o = alert_format_slack(&firing, "box"), *att;

	assert_non_null(o);
	assert_non_null(strstr(str(o, "text"), "*critical* health (incident #7) on box"));
	att = json_array_get(json_object_get(o, "attachments"), 0);
	assert_non_null(att);
	assert_string_equal(str(att, "text"),
	    "HTTP 500 from http://127.0.0.1:8080/ &lt;sick&gt; &amp; tired");
	assert_string_equal(str(att, "color"), "#d32f2f");
	assert_int_equal(json_integer_value(json_object_get(att, "ts")), (T0 + 1000) / 1000);
	json_decref(o);
}

static void
alertmanager_alerts_have_stable_labels_and_rfc3339_times(void **state)
{
	char *labels[] = { "team=ops", "instance=override", NULL };
	struct alert_channel_conf ch = { .name = "am", .webhook = "http://am/api/v2/alerts",
	    .format = ALERT_FORMAT_ALERTMANAGER, .labels = labels, .resend_ms = 60000 };
	struct alert_msg resolved = firing;
	json_t *o, *l, *a, *o2, *l2;

	o = alert_format_alertmanager(&firing, &ch, "box", T0 + 2000);
	l = json_object_get(o, "labels");
	assert_string_equal(str(l, "alertname"), "TendIncident");
	assert_string_equal(str(l, "target"), "health");
	assert_string_equal(str(l, "severity"), "critical");
	assert_string_equal(str(l, "incident"), "7");
	assert_string_equal(str(l, "job"), "tend");
	assert_string_equal(str(l, "team"), "ops");
	assert_string_equal(str(l, "instance"), "override");
	a = json_object_get(o, "annotations");
	assert_string_equal(str(a, "description"), firing.message);
	assert_string_equal(str(a, "event"), "critical");
	assert_non_null(strstr(str(a, "summary"), "health"));
	assert_string_equal(str(o, "startsAt"), "2023-11-14T22:13:20.123Z");
	/* While it fires, it ends three resends from now unless heard of again. */
	assert_string_equal(str(o, "endsAt"), "2023-11-14T22:16:22.123Z");

	/* Resolved: the same labels (the same alert), endsAt when it ended. */
	resolved.event = ALERT_RESOLVED;
	resolved.state = "healthy";
	resolved.ended_at = T0 + 5000;
	o2 = alert_format_alertmanager(&resolved, &ch, "box", T0 + 9000);
	l2 = json_object_get(o2, "labels");
	assert_true(json_equal(l, l2));
	assert_string_equal(str(o2, "endsAt"), "2023-11-14T22:13:25.123Z");
	assert_string_equal(str(o2, "startsAt"), "2023-11-14T22:13:20.123Z");
	json_decref(o);
	json_decref(o2);
}

static void
an_alertmanager_body_is_an_array(void **state)
{
	struct alert_channel_conf ch = { .name = "am", .webhook = "http://am/",
	    .format = ALERT_FORMAT_ALERTMANAGER, .resend_ms = 1000 };
	struct alert_msg two[2] = { firing, firing };
	char *body;
	json_t *doc;

	body = alert_format_body(&ch, &firing, "box", 1, T0);
	doc = json_loads(body, 0, NULL);
	assert_true(json_is_array(doc));
	assert_int_equal(json_array_size(doc), 1);
	json_decref(doc);
	free(body);
	two[1].target = "db";
	two[1].incident = 8;
	body = alert_format_am_batch(&ch, two, 2, "box", T0);
	doc = json_loads(body, 0, NULL);
	assert_int_equal(json_array_size(doc), 2);
	assert_string_equal(str(json_object_get(json_array_get(doc, 1), "labels"),
	    "target"), "db");
	json_decref(doc);
	free(body);
}

static void
the_body_follows_the_channel_format(void **state)
{
	struct alert_channel_conf ch = { .name = "x", .webhook = "http://x/",
	    .format = ALERT_FORMAT_JSON };
	char *body;
	json_t *doc;

	body = alert_format_body(&ch, &firing, "box", 3, T0);
	doc = json_loads(body, 0, NULL);
	assert_string_equal(str(doc, "event"), "critical");
	json_decref(doc);
	free(body);
	ch.format = ALERT_FORMAT_SLACK;
	body = alert_format_body(&ch, &firing, "box", 3, T0);
	doc = json_loads(body, 0, NULL);
	assert_non_null(json_object_get(doc, "attachments"));
	json_decref(doc);
	free(body);
}

static void
a_command_gets_the_alert_in_its_environment(void **state)
{
	char **env = alert_command_env(&firing, "box");
	struct alert_msg m = firing;

	assert_true(strv_contains(env, "TEND_EVENT=critical"));
	assert_true(strv_contains(env, "TEND_TARGET=health"));
	assert_true(strv_contains(env, "TEND_STATE=critical"));
	assert_true(strv_contains(env, "TEND_INCIDENT=7"));
	assert_true(strv_contains(env, "TEND_HOST=box"));
	assert_true(strv_contains(env, "TEND_MESSAGE=HTTP 500 from http://127.0.0.1:8080/ "
	    "<sick> & tired"));
	strv_free(env);
	m.incident = 0;
	env = alert_command_env(&m, "box");
	assert_true(strv_contains(env, "TEND_INCIDENT="));
	strv_free(env);
}

/* A scheduled report, as report_timer.c posts it. */
static const struct alert_report written = {
	.name = "report-20231114-2313",
	.title = "tend report, 2023-11-07 22:13 to 2023-11-14 22:13 UTC",
	.summary = "availability 99.23% (lowest: check <flappy> & co, 97.92%)\n"
	    "incidents: 5 opened, 4 resolved, 1 open at the end",
	.html = "/var/lib/tend/reports/report-20231114-2313.html",
	.markdown = "/var/lib/tend/reports/report-20231114-2313.md",
	.json = "/var/lib/tend/reports/report-20231114-2313.json",
	.at = T0,
};

static void
a_json_webhook_gets_the_report_summary_and_its_files(void **state)
{
	struct alert_report rep = written;
	json_t *o;

	rep.numbers = json_pack("{s:i}", "incidents_opened", 5);
	o = alert_format_report_json(&rep, "box", 9);
	assert_string_equal(str(o, "source"), "tend");
	assert_string_equal(str(o, "host"), "box");
	assert_int_equal(json_integer_value(json_object_get(o, "id")), 9);
	assert_string_equal(str(o, "event"), "report");
	assert_string_equal(str(o, "name"), "report-20231114-2313");
	assert_string_equal(str(o, "title"), rep.title);
	assert_string_equal(str(o, "time"), "2023-11-14T22:13:20.123Z");
	assert_string_equal(str(o, "text"), rep.summary);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "summary"),
	    "incidents_opened")), 5);
	assert_string_equal(str(json_object_get(o, "files"), "html"), rep.html);
	assert_string_equal(str(json_object_get(o, "files"), "markdown"), rep.markdown);
	assert_string_equal(str(json_object_get(o, "files"), "json"), rep.json);
	json_decref(o);
	json_decref(rep.numbers);
	/* No numbers (the report could not be summed up): null, not a crash. */
	rep.numbers = NULL;
	o = alert_format_report_json(&rep, "box", 9);
	assert_true(json_is_null(json_object_get(o, "summary")));
	json_decref(o);
}

static void
slack_gets_the_report_title_its_lines_and_where_the_html_is(void **state)
{
	struct alert_channel_conf slack = { .name = "chat", .webhook = "http://x/",
	    .format = ALERT_FORMAT_SLACK };
	json_t *o = alert_format_report_slack(&written, "box"), *a;
	char *body;

	assert_string_equal(str(o, "text"), ":bar_chart: *tend report, 2023-11-07 22:13 to "
	    "2023-11-14 22:13 UTC* on box");
	a = json_array_get(json_object_get(o, "attachments"), 0);
	assert_string_equal(str(a, "text"), "availability 99.23% (lowest: check "
	    "&lt;flappy&gt; &amp; co, 97.92%)\nincidents: 5 opened, 4 resolved, 1 open at the "
	    "end\nthe report: /var/lib/tend/reports/report-20231114-2313.html on box");
	assert_int_equal(json_integer_value(json_object_get(a, "ts")), T0 / 1000);
	json_decref(o);
	body = alert_format_report_body(&slack, &written, "box", 1);
	assert_non_null(strstr(body, "\"attachments\""));
	free(body);
	slack.format = ALERT_FORMAT_JSON;
	body = alert_format_report_body(&slack, &written, "box", 1);
	assert_non_null(strstr(body, "\"event\":\"report\""));
	free(body);
}

static void
a_command_gets_the_report_files_in_its_environment(void **state)
{
	char **env = alert_report_command_env(&written, "box");

	assert_true(strv_contains(env, "TEND_EVENT=report"));
	assert_true(strv_contains(env, "TEND_TARGET=report-20231114-2313"));
	assert_true(strv_contains(env, "TEND_HOST=box"));
	assert_true(strv_contains(env, "TEND_TIME=2023-11-14T22:13:20.123Z"));
	assert_true(strv_contains(env, "TEND_REPORT_HTML=/var/lib/tend/reports/"
	    "report-20231114-2313.html"));
	assert_true(strv_contains(env, "TEND_REPORT_MARKDOWN=/var/lib/tend/reports/"
	    "report-20231114-2313.md"));
	assert_true(strv_contains(env, "TEND_REPORT_JSON=/var/lib/tend/reports/"
	    "report-20231114-2313.json"));
	assert_true(strv_contains(env, "TEND_MESSAGE=tend report, 2023-11-07 22:13 to "
	    "2023-11-14 22:13 UTC\navailability 99.23% (lowest: check <flappy> & co, "
	    "97.92%)\nincidents: 5 opened, 4 resolved, 1 open at the end"));
	strv_free(env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(times_are_rfc3339_in_utc_to_the_millisecond),
		cmocka_unit_test(the_json_format_carries_the_alert),
		cmocka_unit_test(an_anomaly_has_no_incident),
		cmocka_unit_test(slack_gets_a_summary_and_the_escaped_message),
		cmocka_unit_test(alertmanager_alerts_have_stable_labels_and_rfc3339_times),
		cmocka_unit_test(an_alertmanager_body_is_an_array),
		cmocka_unit_test(the_body_follows_the_channel_format),
		cmocka_unit_test(a_command_gets_the_alert_in_its_environment),
		cmocka_unit_test(a_json_webhook_gets_the_report_summary_and_its_files),
		cmocka_unit_test(slack_gets_the_report_title_its_lines_and_where_the_html_is),
		cmocka_unit_test(a_command_gets_the_report_files_in_its_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
