/* `alerts:` in tend.yaml: channels, routing, retries, and the errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "config_asserts.h"
#include "core/strv.h"

#define BIT(e)	(1u << (e))

static void
a_full_alerts_section_parses(void **state)
{
	struct tend_config *cfg = load_ok(
	    "alerts:\n"
	    "  repeat_interval: 2h\n"
	    "  retry: { attempts: 3, initial: 500ms, max: 10s, multiplier: 3 }\n"
	    "  channels:\n"
	    "    ops: { webhook: 'http://127.0.0.1:9000/hook', on: [critical, resolved],\n"
	    "           headers: { X-Token: abc }, timeout: 2s }\n"
	    "    slack: { webhook: 'https://hooks.slack.com/services/T/B/x', format: slack }\n"
	    "    am: { webhook: 'http://127.0.0.1:9093/', format: alertmanager,\n"
	    "          labels: { team: ops }, resend: 30s }\n"
	    "    pager: { command: [/bin/true, --urgent], on: escalated }\n");
	const struct alerts_conf *a = &cfg->alerts;

	assert_int_equal(a->repeat_interval_ms, 2 * 3600 * 1000);
	assert_int_equal(a->retry_attempts, 3);
	assert_int_equal(a->retry.initial_ms, 500);
	assert_int_equal(a->retry.max_ms, 10000);
	assert_true(a->retry.multiplier == 3.0);
	assert_int_equal(a->n_channels, 4);

	assert_string_equal(a->channels[0].name, "ops");
	assert_string_equal(a->channels[0].webhook, "http://127.0.0.1:9000/hook");
	assert_int_equal(a->channels[0].format, ALERT_FORMAT_JSON);
	assert_int_equal(a->channels[0].on, BIT(ALERT_CRITICAL) | BIT(ALERT_RESOLVED));
	assert_string_equal(a->channels[0].headers[0], "X-Token: abc");
	assert_int_equal(a->channels[0].timeout_ms, 2000);

	assert_int_equal(a->channels[1].format, ALERT_FORMAT_SLACK);
	assert_int_equal(a->channels[1].on, ALERT_EVENTS_DEFAULT);
	assert_int_equal(a->channels[1].timeout_ms, 10000);

	/* An Alertmanager is named by its base URL. */
	assert_string_equal(a->channels[2].webhook, "http://127.0.0.1:9093/api/v2/alerts");
	assert_string_equal(a->channels[2].labels[0], "team=ops");
	assert_int_equal(a->channels[2].resend_ms, 30000);

	assert_string_equal(a->channels[3].command[0], "/bin/true");
	assert_string_equal(a->channels[3].command[1], "--urgent");
	assert_int_equal(a->channels[3].on, BIT(ALERT_ESCALATED));
	assert_int_equal(a->channels[3].timeout_ms, 30000);
	config_free(cfg);
}

static void
defaults_fill_what_is_unset(void **state)
{
	struct tend_config *cfg = load_ok("alerts:\n  channels:\n"
	    "    am: { webhook: 'http://h:9093/api/v2/alerts', format: alertmanager }\n");

	assert_int_equal(cfg->alerts.repeat_interval_ms, 4 * 3600 * 1000);
	assert_int_equal(cfg->alerts.retry_attempts, 5);
	assert_int_equal(cfg->alerts.retry.initial_ms, 1000);
	assert_int_equal(cfg->alerts.retry.max_ms, 60000);
	assert_string_equal(cfg->alerts.channels[0].webhook, "http://h:9093/api/v2/alerts");
	assert_int_equal(cfg->alerts.channels[0].resend_ms, 60000);
	/* Without on: every event but anomalies, which go only where on: says. */
	assert_int_equal(cfg->alerts.channels[0].on, BIT(ALERT_CRITICAL) | BIT(ALERT_WARNING) |
	    BIT(ALERT_ESCALATED) | BIT(ALERT_RESOLVED));
	config_free(cfg);
	cfg = load_ok("alerts:\n  channels:\n"
	    "    am: { webhook: 'http://h:9093/api/v2/alerts/', format: alertmanager }\n");
	assert_string_equal(cfg->alerts.channels[0].webhook, "http://h:9093/api/v2/alerts");
	config_free(cfg);
	cfg = load_ok("alerts: { repeat_interval: 0 }\n");
	assert_int_equal(cfg->alerts.repeat_interval_ms, 0);
	assert_int_equal(cfg->alerts.n_channels, 0);
	config_free(cfg);
}

static void
a_relative_command_is_found_from_the_config_folder(void **state)
{
	struct tend_config *cfg = load_ok("alerts:\n  channels:\n"
	    "    p: { command: [true] }\n");

	assert_string_equal(cfg->alerts.channels[0].command[0], "true");
	config_free(cfg);
}

static void
errors_name_the_place_and_what_was_expected(void **state)
{
	assert_error("alerts:\n  channels:\n    x: { webhook: 'http://h/', on: [critical, "
	    "sometimes] }\n", 3, 47, "sometimes");
	assert_error("alerts:\n  channels:\n    x: { webhook: 'http://h/', format: xml }\n",
	    3, 40, "json, slack, alertmanager");
	assert_error("alerts:\n  channels:\n    x: { on: [critical] }\n", 3, 5,
	    "either 'webhook'");
	assert_error("alerts:\n  channels:\n    x: { webhook: 'http://h/', command: [/bin/true] }\n",
	    3, 5, "either 'webhook'");
	assert_error("alerts:\n  channels:\n    x: { webhook: 'ftp://h/' }\n", 3, 10,
	    "http://");
	assert_error("alerts:\n  channels:\n    x: { command: [/bin/true], format: slack }\n",
	    3, 32, "for a webhook");
	assert_error("alerts:\n  channels:\n    x: { webhook: 'http://h/', labels: { a: b } }\n",
	    3, 32, "format: alertmanager");
	assert_error("alerts:\n  channels:\n    x: { webhook: 'http://h/', format: alertmanager,"
	    " labels: { 9lives: b } }\n", 3, 64, "label name");
	assert_error("alerts:\n  channels:\n    x: { command: [/no/such/pager] }\n", 3, 5,
	    "does not exist");
	assert_error("alerts:\n  channels:\n    x: { command: [no-such-pager-anywhere] }\n",
	    3, 5, "not found on PATH");
	assert_error("alerts:\n  channels:\n    x: { webhook: 'http://h/', timeout: 0s }\n",
	    3, 41, "positive");
	assert_error("alerts:\n  channels:\n    x: { webhook: 'http://h/', colour: red }\n",
	    3, 32, "unknown key 'colour'");
	assert_error("alerts:\n  retry: { attempts: 0 }\n", 2, 22, "above zero");
	assert_error("alerts:\n  retry: { initial: 5s, max: 1s }\n", 2, 3, "'max'");
	assert_error("alerts:\n  repeat_interval: often\n", 2, 20, "duration");
	assert_error("alerts:\n  chanels: {}\n", 2, 3, "unknown key 'chanels'");
	assert_error("alerts:\n  channels: [a, b]\n", 2, 13, "mapping");
}

/* metrics.labels go to Alertmanager channels too, under each channel's own. */
static void
metric_labels_reach_webhook_channels(void **state)
{
	struct tend_config *cfg;

	(void)state;
	cfg = load_ok("metrics: { labels: { env: prod, team: all } }\n"
	    "alerts:\n"
	    "  channels:\n"
	    "    am: { webhook: 'http://h/', format: alertmanager, labels: { team: ops } }\n"
	    "    hook: { webhook: 'http://h/' }\n"
	    "    slack: { webhook: 'http://h/', format: slack }\n"
	    "    cmd: { command: [/bin/true] }\n");
	assert_string_equal(cfg->alerts.channels[0].labels[0], "env=prod");
	assert_string_equal(cfg->alerts.channels[0].labels[1], "team=ops");
	assert_null(cfg->alerts.channels[0].labels[2]);
	/* tend's JSON carries them too; Slack's text and a command's environment do not. */
	assert_string_equal(cfg->alerts.channels[1].labels[0], "env=prod");
	assert_string_equal(cfg->alerts.channels[1].labels[1], "team=all");
	assert_null(cfg->alerts.channels[2].labels);
	assert_null(cfg->alerts.channels[3].labels);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_full_alerts_section_parses),
		cmocka_unit_test(defaults_fill_what_is_unset),
		cmocka_unit_test(a_relative_command_is_found_from_the_config_folder),
		cmocka_unit_test(errors_name_the_place_and_what_was_expected),
		cmocka_unit_test(metric_labels_reach_webhook_channels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
