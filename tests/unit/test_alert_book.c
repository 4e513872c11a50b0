/*
 * The alerter's decisions, without a loop or a network: one alert per
 * incident, routing by `on:`, repeats after the interval, the end sent
 * where the alert went, anomalies told apart by series, a service that
 * gave up not alerted twice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/book.h"

#define ALL	((1u << ALERT_EVENT_COUNT) - 1)
#define BIT(e)	(1u << (e))

/* What the book asked to send, as "channel event target [repeat]" lines. */
static char sent[4096];
static int n_sent;

static void
record_send(void *arg, const struct alert_channel_conf *ch, const struct alert_msg *m)
{
	char line[256];

	snprintf(line, sizeof(line), "%s %s %s%s;", ch->name, alert_event_names[m->event],
	    m->target, m->repeat ? " repeat" : "");
	strcat(sent, line);
	n_sent++;
	if (m->event == ALERT_RESOLVED)
		assert_true(m->ended_at > 0);
	else
		assert_int_equal(m->ended_at, 0);
}

static struct alert_channel_conf channels[3];
static struct alerts_conf conf;
static struct alert_book *book;

static int
setup(void **state)
{
	memset(channels, 0, sizeof(channels));
	channels[0] = (struct alert_channel_conf){ .name = "hook", .webhook = "http://x/",
	    .format = ALERT_FORMAT_JSON, .on = BIT(ALERT_CRITICAL) | BIT(ALERT_RESOLVED) |
	    BIT(ALERT_ANOMALY) };
	channels[1] = (struct alert_channel_conf){ .name = "pager", .command = NULL,
	    .webhook = "http://p/", .on = BIT(ALERT_ESCALATED) | BIT(ALERT_RESOLVED) };
	channels[2] = (struct alert_channel_conf){ .name = "am", .webhook = "http://am/",
	    .format = ALERT_FORMAT_ALERTMANAGER, .on = BIT(ALERT_CRITICAL) |
	    BIT(ALERT_WARNING) };
	conf = (struct alerts_conf){ .repeat_interval_ms = 1000, .retry_attempts = 3,
	    .channels = channels, .n_channels = 3 };
	book = alert_book_new();
	sent[0] = '\0';
	n_sent = 0;
	return 0;
}

static int
teardown(void **state)
{
	alert_book_free(book);
	return 0;
}

static int
raise_at(enum alert_event event, enum alert_source source, const char *target,
    const char *state, int64_t incident, int64_t now)
{
	struct alert_input in = { .event = event, .source = source, .target = target,
	    .state = state, .message = "something", .incident = incident };

	return alert_book_raise(book, &conf, &in, 1700000000000LL + now, now, record_send,
	    NULL);
}

static void
an_incident_is_alerted_once_on_the_channels_that_route_it(void **state)
{
	assert_int_equal(raise_at(ALERT_CRITICAL, ALERT_SOURCE_INCIDENT, "health",
	    "critical", 7, 0), 2);
	assert_string_equal(sent, "hook critical health;am critical health;");
	/* The same incident again (a second failing check of it): nothing new. */
	assert_int_equal(raise_at(ALERT_CRITICAL, ALERT_SOURCE_INCIDENT, "health",
	    "critical", 7, 10), 0);
	/* Another incident is another alert. */
	assert_int_equal(raise_at(ALERT_CRITICAL, ALERT_SOURCE_INCIDENT, "db",
	    "critical", 8, 20), 2);
	assert_int_equal(alert_book_open_count(book), 2);
}

static void
a_warning_goes_only_where_warnings_are_routed(void **state)
{
	assert_int_equal(raise_at(ALERT_WARNING, ALERT_SOURCE_INCIDENT, "disk", "warning",
	    3, 0), 1);
	assert_string_equal(sent, "am warning disk;");
}

static void
the_end_goes_where_the_alert_went(void **state)
{
	raise_at(ALERT_CRITICAL, ALERT_SOURCE_INCIDENT, "health", "critical", 7, 0);
	sent[0] = '\0';
	/*
	 * The hook routes resolved and heard of it; the pager routes resolved
	 * but never heard of it; Alertmanager always hears the end of its alerts.
	 */
	assert_int_equal(raise_at(ALERT_RESOLVED, ALERT_SOURCE_INCIDENT, "health",
	    "healthy", 7, 50), 2);
	assert_string_equal(sent, "hook resolved health;am resolved health;");
	assert_int_equal(alert_book_open_count(book), 0);
	/* Resolved twice, or of something never alerted: nothing. */
	assert_int_equal(raise_at(ALERT_RESOLVED, ALERT_SOURCE_INCIDENT, "health",
	    "healthy", 7, 60), 0);
	assert_int_equal(raise_at(ALERT_RESOLVED, ALERT_SOURCE_INCIDENT, "other",
	    "healthy", 99, 60), 0);
}

static void
escalation_reaches_the_pager_which_then_hears_the_end(void **state)
{
	raise_at(ALERT_CRITICAL, ALERT_SOURCE_INCIDENT, "health", "critical", 7, 0);
	sent[0] = '\0';
	assert_int_equal(raise_at(ALERT_ESCALATED, ALERT_SOURCE_INCIDENT, "health",
	    "critical", 7, 100), 1);
	assert_string_equal(sent, "pager escalated health;");
	sent[0] = '\0';
	assert_int_equal(raise_at(ALERT_RESOLVED, ALERT_SOURCE_INCIDENT, "health",
	    "healthy", 7, 200), 3);
	assert_string_equal(sent, "hook resolved health;pager resolved health;"
	    "am resolved health;");
}

static void
an_open_alert_is_repeated_after_the_interval_only(void **state)
{
	raise_at(ALERT_CRITICAL, ALERT_SOURCE_INCIDENT, "health", "critical", 7, 0);
	sent[0] = '\0';
	assert_int_equal(alert_book_next_repeat(book, &conf), 1000);
	assert_int_equal(alert_book_repeat(book, &conf, 1, 999, record_send, NULL), 0);
	assert_int_equal(alert_book_repeat(book, &conf, 1, 1000, record_send, NULL), 2);
	assert_string_equal(sent, "hook critical health repeat;am critical health repeat;");
	/* The interval counts from the repeat. */
	assert_int_equal(alert_book_next_repeat(book, &conf), 2000);
	assert_int_equal(alert_book_repeat(book, &conf, 1, 1500, record_send, NULL), 0);
	/* Once escalated, the repeat is the escalation. */
	raise_at(ALERT_ESCALATED, ALERT_SOURCE_INCIDENT, "health", "critical", 7, 1600);
	sent[0] = '\0';
	assert_int_equal(alert_book_repeat(book, &conf, 1, 2600, record_send, NULL), 1);
	assert_string_equal(sent, "pager escalated health repeat;");
	/* Resolved: no more repeats. */
	raise_at(ALERT_RESOLVED, ALERT_SOURCE_INCIDENT, "health", "healthy", 7, 2700);
	assert_int_equal(alert_book_next_repeat(book, &conf), -1);
	assert_int_equal(alert_book_repeat(book, &conf, 1, 99999, record_send, NULL), 0);
}

static void
a_zero_repeat_interval_never_repeats(void **state)
{
	conf.repeat_interval_ms = 0;
	raise_at(ALERT_CRITICAL, ALERT_SOURCE_INCIDENT, "health", "critical", 7, 0);
	assert_int_equal(alert_book_next_repeat(book, &conf), -1);
	assert_int_equal(alert_book_repeat(book, &conf, 1, 1000000, record_send, NULL), 0);
}

static void
anomalies_are_told_apart_by_series(void **state)
{
	assert_int_equal(raise_at(ALERT_ANOMALY, ALERT_SOURCE_ANOMALY,
	    "check.web.latency_ms", "warning", 0, 0), 1);
	assert_int_equal(raise_at(ALERT_ANOMALY, ALERT_SOURCE_ANOMALY,
	    "check.web.latency_ms", "warning", 0, 10), 0);
	assert_int_equal(raise_at(ALERT_ANOMALY, ALERT_SOURCE_ANOMALY, "host.cpu_pct",
	    "warning", 0, 20), 1);
	sent[0] = '\0';
	assert_int_equal(raise_at(ALERT_RESOLVED, ALERT_SOURCE_ANOMALY,
	    "check.web.latency_ms", "healthy", 0, 30), 1);
	assert_string_equal(sent, "hook resolved check.web.latency_ms;");
	/* It may start again once it ended. */
	assert_int_equal(raise_at(ALERT_ANOMALY, ALERT_SOURCE_ANOMALY,
	    "check.web.latency_ms", "warning", 0, 40), 1);
}

/* A channel that says nothing of anomalies (no on:) is not sent them. */
static void
anomalies_go_only_where_on_names_them(void **state)
{
	channels[0].on = ALERT_EVENTS_DEFAULT;
	channels[2].on = ALERT_EVENTS_DEFAULT;
	assert_int_equal(raise_at(ALERT_ANOMALY, ALERT_SOURCE_ANOMALY,
	    "check.web.latency_ms", "warning", 0, 0), 0);
	assert_int_equal(raise_at(ALERT_RESOLVED, ALERT_SOURCE_ANOMALY,
	    "check.web.latency_ms", "healthy", 0, 10), 0);
	channels[1].on |= BIT(ALERT_ANOMALY);
	assert_int_equal(raise_at(ALERT_ANOMALY, ALERT_SOURCE_ANOMALY,
	    "check.web.latency_ms", "warning", 0, 20), 1);
	assert_string_equal(sent, "pager anomaly check.web.latency_ms;");
	/* The default still hears of incidents. */
	assert_int_equal(raise_at(ALERT_CRITICAL, ALERT_SOURCE_INCIDENT, "health",
	    "critical", 7, 30), 2);
}

static void
a_service_that_gave_up_is_not_alerted_beside_its_incident(void **state)
{
	raise_at(ALERT_CRITICAL, ALERT_SOURCE_INCIDENT, "web", "critical", 4, 0);
	assert_int_equal(raise_at(ALERT_CRITICAL, ALERT_SOURCE_SERVICE, "web", "critical",
	    0, 1), 0);
	/* Without an incident it is alerted, once, and ends with the next incident's end. */
	assert_int_equal(raise_at(ALERT_CRITICAL, ALERT_SOURCE_SERVICE, "api", "critical",
	    0, 2), 2);
	assert_int_equal(raise_at(ALERT_CRITICAL, ALERT_SOURCE_SERVICE, "api", "critical",
	    0, 3), 0);
	raise_at(ALERT_CRITICAL, ALERT_SOURCE_INCIDENT, "api", "critical", 5, 4);
	sent[0] = '\0';
	assert_int_equal(raise_at(ALERT_RESOLVED, ALERT_SOURCE_INCIDENT, "api", "healthy",
	    5, 5), 4);
	assert_int_equal(alert_book_open_count(book), 1);	/* web's */
}

static void
an_alertmanager_hears_of_its_open_alerts_again(void **state)
{
	struct alert_msg *v;
	size_t n;

	raise_at(ALERT_CRITICAL, ALERT_SOURCE_INCIDENT, "health", "critical", 7, 0);
	raise_at(ALERT_WARNING, ALERT_SOURCE_INCIDENT, "disk", "warning", 8, 0);
	raise_at(ALERT_ANOMALY, ALERT_SOURCE_ANOMALY, "host.cpu_pct", "warning", 0, 0);
	n = alert_book_open_for(book, "am", 1234, &v);
	assert_int_equal(n, 2);		/* the anomaly never went to it */
	assert_string_equal(v[0].target, "health");
	assert_string_equal(v[0].severity, "critical");
	assert_int_equal(v[0].incident, 7);
	assert_int_equal(v[0].at, 1234);
	assert_int_equal(v[0].started_at, 1700000000000LL);
	assert_string_equal(v[1].severity, "warning");
	free(v);
}

static void
a_message_copy_owns_its_strings(void **state)
{
	struct alert_msg m = { .event = ALERT_CRITICAL, .key = "incident:1",
	    .target = "health", .state = "critical", .severity = "critical",
	    .message = NULL, .incident = 1, .at = 5 };
	struct alert_msg *c = alert_msg_dup(&m);

	assert_string_equal(c->target, "health");
	assert_ptr_not_equal(c->target, m.target);
	assert_null(c->message);
	assert_int_equal(c->at, 5);
	free(c);
}

/* A previous run alerted; the new run adopts the alert: no second alert, one end. */
static void
an_adopted_alert_is_not_sent_again_and_ends_where_it_went(void **state)
{
	struct alert_input in = { .event = ALERT_CRITICAL, .source = ALERT_SOURCE_INCIDENT,
	    .target = "health", .state = "critical", .message = "m", .incident = 7 };

	alert_book_adopt(book, &conf, &in, 1700000000000LL, 0);
	assert_int_equal(n_sent, 0);
	assert_int_equal(alert_book_open_count(book), 1);
	/* The incident's opening again, as a restarted healer might say it: deduplicated. */
	assert_int_equal(raise_at(ALERT_CRITICAL, ALERT_SOURCE_INCIDENT, "health",
	    "critical", 7, 10), 0);
	/* Repeats count from the adoption. */
	assert_int_equal(alert_book_repeat(book, &conf, 1700000000500LL, 500, record_send,
	    NULL), 0);
	assert_int_equal(raise_at(ALERT_RESOLVED, ALERT_SOURCE_INCIDENT, "health",
	    "healthy", 7, 600), 2);
	assert_string_equal(sent, "hook resolved health;am resolved health;");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(an_incident_is_alerted_once_on_the_channels_that_route_it, setup, teardown),
		cmocka_unit_test_setup_teardown(a_warning_goes_only_where_warnings_are_routed, setup, teardown),
		cmocka_unit_test_setup_teardown(the_end_goes_where_the_alert_went, setup, teardown),
		cmocka_unit_test_setup_teardown(escalation_reaches_the_pager_which_then_hears_the_end, setup, teardown),
		cmocka_unit_test_setup_teardown(an_open_alert_is_repeated_after_the_interval_only, setup, teardown),
		cmocka_unit_test_setup_teardown(a_zero_repeat_interval_never_repeats, setup, teardown),
		cmocka_unit_test_setup_teardown(anomalies_are_told_apart_by_series, setup, teardown),
		cmocka_unit_test_setup_teardown(anomalies_go_only_where_on_names_them, setup, teardown),
		cmocka_unit_test_setup_teardown(a_service_that_gave_up_is_not_alerted_beside_its_incident, setup, teardown),
		cmocka_unit_test_setup_teardown(an_alertmanager_hears_of_its_open_alerts_again, setup, teardown),
		cmocka_unit_test_setup_teardown(a_message_copy_owns_its_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(an_adopted_alert_is_not_sent_again_and_ends_where_it_went, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
