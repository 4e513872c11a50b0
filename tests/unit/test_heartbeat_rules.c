/*
 * Heartbeats: the timing rules with a chosen clock (no false alarm at
 * start, late after period + grace, a fail at once, a run's duration, a
 * touch file's mtime, a service's restart), the ping kinds, and the
 * config: defaults for grace and every, errors at file:line:col.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/heartbeat.h"
#include "config/config.h"
#include "core/text.h"

#include "config_asserts.h"

#define T0	1700000000000LL		/* a chosen "now" */
#define KEY	"0123456789abcdef-key"

static const char hourly[] =
    "checks:\n"
    "  backup: { type: heartbeat, period: 1h, grace: 5m, key: '" KEY "' }\n";

/* The state as a scheduler's memory would hold it, watching from T0. */
static struct heartbeat_state *
watching(struct check_memory *m)
{
	memset(m, 0, sizeof(*m));
	return heartbeat_state(m, T0);
}

static enum health_state
judge(const struct check_conf *c, const struct heartbeat_state *hb, int64_t mtime,
    int64_t now, char *msg, size_t len)
{
	struct check_result r;
	enum health_state s;

	check_result_init(&r);
	heartbeat_judge(c, hb, mtime, NULL, now, &r);
	s = r.state;
	snprintf(msg, len, "%s", r.message);
	check_result_clear(&r);
	return s;
}

static void
no_false_alarm_at_start_then_late_after_period_and_grace(void **state)
{
	struct tend_config *cfg = load_ok(hourly);
	const struct check_conf *c = &cfg->checks[0];
	struct check_memory m;
	struct heartbeat_state *hb = watching(&m);
	char msg[512];

	assert_int_equal(judge(c, hb, 0, T0 + 3600000, msg, sizeof(msg)), HEALTH_HEALTHY);
	assert_non_null(strstr(msg, "waiting for a first ping"));
	assert_int_equal(judge(c, hb, 0, T0 + 3900000, msg, sizeof(msg)), HEALTH_HEALTHY);
	assert_int_equal(judge(c, hb, 0, T0 + 3900001, msg, sizeof(msg)), HEALTH_CRITICAL);
	assert_non_null(strstr(msg, "no ping since tend started watching at "
	    "2023-11-14T22:13:20Z; one was due by 2023-11-14T23:18:20Z"));
	/* A ping: the next is due period + grace after it. */
	heartbeat_record(hb, HEARTBEAT_PING, "ok", T0 + 4000000);
	assert_int_equal(judge(c, hb, 0, T0 + 4000000 + 3900000, msg, sizeof(msg)),
	    HEALTH_HEALTHY);
	assert_non_null(strstr(msg, "last ping at"));
	assert_non_null(strstr(msg, ": ok; next due by"));
	assert_int_equal(judge(c, hb, 0, T0 + 4000000 + 3900001, msg, sizeof(msg)),
	    HEALTH_CRITICAL);
	assert_non_null(strstr(msg, "no ping since 2023-11-14T23:20:00Z (3900s ago); one "
	    "was due by"));
	check_memory_clear(&m);
	assert_null(m.state);
	config_free(cfg);
}

static void
a_fail_is_critical_at_once_and_the_next_ping_clears_it(void **state)
{
	struct tend_config *cfg = load_ok(hourly);
	struct check_memory m;
	struct heartbeat_state *hb = watching(&m);
	char msg[512];

	heartbeat_record(hb, HEARTBEAT_FAIL, "exit 3", T0 + 1000);
	assert_int_equal(judge(&cfg->checks[0], hb, 0, T0 + 1000, msg, sizeof(msg)),
	    HEALTH_CRITICAL);
	assert_non_null(strstr(msg, "failed at 2023-11-14T22:13:21Z: exit 3"));
	heartbeat_record(hb, HEARTBEAT_PING, NULL, T0 + 2000);
	assert_int_equal(judge(&cfg->checks[0], hb, 0, T0 + 2000, msg, sizeof(msg)),
	    HEALTH_HEALTHY);
	check_memory_clear(&m);
	config_free(cfg);
}

/* A ping's message is shown and stored: its credentials hidden, cut on a character. */
static void
a_pings_message_is_redacted_and_valid_utf8(void **state)
{
	struct check_memory m;
	struct heartbeat_state *hb = watching(&m);
	char long_msg[400];
	size_t i;

	heartbeat_record(hb, HEARTBEAT_FAIL, "upload to https://u:hunter2@backup.example/ "
	    "failed", T0 + 1000);
	assert_null(strstr(hb->message, "hunter2"));
	assert_non_null(strstr(hb->message, "https://u:***@backup.example/ failed"));
	/* 'é' is 2 bytes: 255 of them would end on half of one, so 254 are kept. */
	for (i = 0; i + 2 < sizeof(long_msg); i += 2)
		memcpy(long_msg + i, "\xc3\xa9", 2);
	long_msg[i] = '\0';
	heartbeat_record(hb, HEARTBEAT_PING, long_msg, T0 + 2000);
	assert_true(text_utf8_valid(hb->message, strlen(hb->message)));
	assert_int_equal(strlen(hb->message), 254);
	/* Bytes that are no UTF-8 (an HTTP body may be anything) are replaced. */
	heartbeat_record(hb, HEARTBEAT_PING, "bad \xff byte", T0 + 3000);
	assert_string_equal(hb->message, "bad " TEXT_REPLACEMENT " byte");
	check_memory_clear(&m);
}

static void
start_is_no_ping_and_the_ping_after_it_gives_a_duration(void **state)
{
	struct tend_config *cfg = load_ok(hourly);
	struct check_memory m;
	struct heartbeat_state *hb = watching(&m);
	struct check_result r;
	char msg[512];

	heartbeat_record(hb, HEARTBEAT_START, NULL, T0 + 1000);
	/* A job that began and hangs is still late. */
	assert_int_equal(judge(&cfg->checks[0], hb, 0, T0 + 3900001, msg, sizeof(msg)),
	    HEALTH_CRITICAL);
	assert_non_null(strstr(msg, "a run started at 2023-11-14T22:13:21Z"));
	heartbeat_record(hb, HEARTBEAT_PING, NULL, T0 + 4000000);
	assert_int_equal(hb->duration_ms, 4000000 - 1000);
	check_result_init(&r);
	heartbeat_judge(&cfg->checks[0], hb, 0, NULL, T0 + 4001000, &r);
	assert_int_equal(r.n_perf, 2);
	assert_string_equal(r.perf[0].label, "age");
	assert_true(r.perf[0].value > 0.99 && r.perf[0].value < 1.01);
	assert_string_equal(r.perf[1].label, "duration");
	assert_true(r.perf[1].value == 3999000.0);
	check_result_clear(&r);
	check_memory_clear(&m);
	config_free(cfg);
}

static void
a_touch_files_mtime_is_a_ping(void **state)
{
	struct tend_config *cfg = load_ok(hourly);
	struct check_memory m;
	struct heartbeat_state *hb = watching(&m);
	char msg[512];

	/* Newer than the last ping: it counts. */
	heartbeat_record(hb, HEARTBEAT_PING, NULL, T0 + 1000);
	assert_int_equal(judge(&cfg->checks[0], hb, T0 + 2000000, T0 + 5000000, msg,
	    sizeof(msg)), HEALTH_HEALTHY);
	assert_int_equal(judge(&cfg->checks[0], hb, T0 + 2000000, T0 + 5900001, msg,
	    sizeof(msg)), HEALTH_CRITICAL);
	/* A file older than the start counts from the start: no alarm at once. */
	check_memory_clear(&m);
	hb = watching(&m);
	assert_int_equal(judge(&cfg->checks[0], hb, T0 - 86400000, T0 + 1000, msg,
	    sizeof(msg)), HEALTH_HEALTHY);
	check_memory_clear(&m);
	config_free(cfg);
}

static void
a_service_start_gives_its_new_process_a_whole_period(void **state)
{
	struct tend_config *cfg = load_ok(
	    "services:\n"
	    "  worker: { run: [/bin/sleep, '100'] }\n"
	    "  worker2:\n"
	    "    run: [/bin/sleep, '100']\n"
	    "    checks:\n"
	    "      alive: { type: heartbeat, period: 10m }\n");
	const struct check_conf *c = config_find_check(cfg, "alive");
	struct check_memory m;
	struct heartbeat_state *hb = watching(&m);
	char msg[512];

	heartbeat_record(hb, HEARTBEAT_FAIL, "oops", T0 + 1000);
	heartbeat_service_started(hb, T0 + 2000);
	assert_int_equal(judge(c, hb, 0, T0 + 2000 + 660000, msg, sizeof(msg)),
	    HEALTH_HEALTHY);
	assert_int_equal(judge(c, hb, 0, T0 + 2000 + 660001, msg, sizeof(msg)),
	    HEALTH_CRITICAL);
	assert_non_null(strstr(msg, "no ping since worker2 started at"));
	check_memory_clear(&m);
	config_free(cfg);
}

static void
keys_load_and_pings_parse(void **state)
{
	struct tend_config *cfg = load_ok(hourly);
	enum heartbeat_ping kind;

	assert_string_equal(cfg->checks[0].heartbeat.key, KEY);
	assert_int_equal(heartbeat_ping_parse("fail", &kind), 0);
	assert_int_equal(kind, HEARTBEAT_FAIL);
	assert_int_equal(heartbeat_ping_parse("start", &kind), 0);
	assert_int_equal(kind, HEARTBEAT_START);
	assert_int_equal(heartbeat_ping_parse("later", &kind), -1);
	config_free(cfg);
}

static void
grace_and_every_have_defaults_by_the_period(void **state)
{
	struct tend_config *cfg = load_ok(
	    "interval: 30s\n"
	    "checks:\n"
	    "  a: { type: heartbeat, period: 1d }\n"
	    "  b: { type: heartbeat, period: 5m }\n"
	    "  c: { type: heartbeat, period: 2h, grace: 0s, every: 1m }\n"
	    "  d: { type: heartbeat, period: 50m }\n");

	assert_int_equal(cfg->checks[0].heartbeat.grace_ms, 3600000);	/* at most 1h */
	assert_int_equal(cfg->checks[0].every_ms, 30000);
	assert_int_equal(cfg->checks[1].heartbeat.grace_ms, 60000);	/* at least 1m */
	assert_int_equal(cfg->checks[1].every_ms, 30000);
	assert_int_equal(cfg->checks[2].heartbeat.grace_ms, 0);
	assert_int_equal(cfg->checks[2].every_ms, 60000);
	assert_int_equal(cfg->checks[3].heartbeat.grace_ms, 300000);	/* 10% */
	assert_null(cfg->checks[0].heartbeat.key);
	config_free(cfg);
	cfg = load_ok("interval: 5m\nchecks:\n  a: { type: heartbeat, period: 1m }\n");
	assert_int_equal(cfg->checks[0].every_ms, 30000);	/* half the grace */
	config_free(cfg);
}

static void
config_errors_name_file_line_col(void **state)
{
	char dir[] = "/tmp/tend-hb-XXXXXX", path[64], yaml[256];
	int fd;

	assert_error("checks:\n  a: { type: heartbeat }\n", 2, 3, "'period' is required");
	assert_error("checks:\n  a: { type: heartbeat, period: soon }\n", 2, 33, "period");
	assert_error("checks:\n  a: { type: heartbeat, period: 1h, key: short }\n", 2, 42,
	    "shorter than 16");
	assert_error("checks:\n  a: { type: heartbeat, period: 1h, key: 'has a space "
	    "inside it' }\n", 2, 42, "without spaces");
	assert_error("checks:\n  a: { type: heartbeat, period: 1h, grace: -1s }\n", 2, 44,
	    "grace");
	assert_error("checks:\n  a: { type: heartbeat, period: 1h, url: x }\n", 2, 37, "url");
	assert_error("checks:\n  a: { type: heartbeat, period: 1h,\n"
	    "       key_file: /nonexistent/key }\n", 3, 18, "/nonexistent/key");

	/* key_file: read at load, its first line; refused when others may read or write it. */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/key", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, KEY "\n", strlen(KEY) + 1), (ssize_t)strlen(KEY) + 1);
	close(fd);
	snprintf(yaml, sizeof(yaml), "checks:\n  a: { type: heartbeat, period: 1h, "
	    "key_file: %s }\n", path);
	{
		struct tend_config *cfg = load_ok(yaml);

		assert_string_equal(cfg->checks[0].heartbeat.key, KEY);
		config_free(cfg);
	}
	snprintf(yaml, sizeof(yaml), "checks:\n  a: { type: heartbeat, period: 1h, "
	    "key: '" KEY "',\n       key_file: %s }\n", path);
	assert_error(yaml, 3, 18, "give one of them");
	assert_int_equal(chmod(path, 0644), 0);
	snprintf(yaml, sizeof(yaml), "checks:\n  a: { type: heartbeat, period: 1h, "
	    "key_file: %s }\n", path);
	assert_error(yaml, 2, 47, "readable by other users");
	assert_int_equal(chmod(path, 0620), 0);
	assert_error(yaml, 2, 47, "writable by other users");
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_false_alarm_at_start_then_late_after_period_and_grace),
		cmocka_unit_test(a_fail_is_critical_at_once_and_the_next_ping_clears_it),
		cmocka_unit_test(a_pings_message_is_redacted_and_valid_utf8),
		cmocka_unit_test(start_is_no_ping_and_the_ping_after_it_gives_a_duration),
		cmocka_unit_test(a_touch_files_mtime_is_a_ping),
		cmocka_unit_test(a_service_start_gives_its_new_process_a_whole_period),
		cmocka_unit_test(keys_load_and_pings_parse),
		cmocka_unit_test(grace_and_every_have_defaults_by_the_period),
		cmocka_unit_test(config_errors_name_file_line_col),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
