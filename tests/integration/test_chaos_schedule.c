/*
 * Scheduled chaos at a time of day, with the real binary: the daemon logs
 * the next run it armed for ("scheduled chaos: next run at 2026-03-11
 * 03:00:00 CET"), so a schedule hours away is proved without waiting for
 * it; the time is worked out here on its own, from mktime, in the zone the
 * daemon is given (TZ). A run's time is kept in STATE/chaos-scheduled.last
 * and a restarted daemon goes on from it, never running again at once.
 */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#define HOUR_MS		(3600 * 1000LL)

#define HEAD \
	"services:\n" \
	"  web: { run: [@FAKESVC@, --record, @RECORD@, --name, web] }\n" \
	"chaos:\n" \
	"  scheduled: [crash]\n" \
	"  experiments:\n" \
	"    crash: { fault: kill, target: web, expect: { healed_within: 5s } }\n"

/* The zone of this test and of the daemons it starts (they inherit TZ). */
static void
use_tz(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
}

static long long
wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* The local time as the daemon logs it: "2026-03-11 03:00:00 CET". */
static void
format_local(long long ms, char *buf, size_t len)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm);
}

/* The minute of ms in local time: its "HH:MM" into hm, its weekday into *wday; its ms. */
static long long
local_minute(long long ms, char hm[8], int *wday)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&s, &tm);
	strftime(hm, 8, "%H:%M", &tm);
	*wday = tm.tm_wday;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (long long)mktime(&tm) * 1000;
}

static void
wait_log(const char *text, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;

	while (!harness_log_contains(&t, text)) {
		if (harness_mono_ms() > deadline)
			fail_msg("no '%s' in tend's log within %d ms", text, timeout_ms);
		harness_pause_ms(50);
	}
}

/* Waits for "scheduled chaos: next run at WHEN" with WHEN the local time of ms. */
static void
wait_next_run(long long ms)
{
	char when[64], line[128];

	format_local(ms, when, sizeof(when));
	snprintf(line, sizeof(line), "scheduled chaos: next run at %s\n", when);
	wait_log(line, 10000);
}

/* The config with `schedule:` (and more chaos keys) after HEAD's. */
static void
write_config(const char *schedule_keys)
{
	char *yaml = malloc(strlen(HEAD) + strlen(schedule_keys) + 1);

	strcpy(yaml, HEAD);
	strcat(yaml, schedule_keys);
	harness_write_config(&t, yaml);
	free(yaml);
}

static void
write_last(long long ms)
{
	char text[32];

	mkdir(t.state, 0750);
	snprintf(text, sizeof(text), "%lld\n", ms);
	harness_write_file(&t, harness_at(&t, "state/chaos-scheduled.last"), text);
}

static void
wait_count(const char *text, int n)
{
	long long deadline = harness_mono_ms() + 10000;

	while (harness_log_count(&t, text) < n) {
		if (harness_mono_ms() > deadline)
			fail_msg("fewer than %d '%s' in tend's log within 10 s", n, text);
		harness_pause_ms(50);
	}
}

static void
stop(void)
{
	kill(t.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&t, 10000), 0);
}

/* The local time 12 hours on, its minute: the next run of a daily schedule at it. */
static void
daily_at_a_time_of_day(void **state)
{
	char keys[128], hm[8];
	long long target;
	int wday;

	(void)state;
	use_tz("Europe/Berlin");
	target = local_minute(wall_ms() + 12 * HOUR_MS, hm, &wday);
	snprintf(keys, sizeof(keys), "  schedule: every 1d at %s\n", hm);
	write_config(keys);
	harness_start(&t);
	wait_next_run(target);
	assert_int_equal(harness_log_count(&t, "scheduled chaos: next run at "), 1);
	assert_false(harness_log_contains(&t, "scheduled chaos run started"));
}

/* `at:` beside `schedule:`, with a weekday three days on: that day, that time. */
static void
weekly_at_a_weekday(void **state)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	char keys[128], hm[8];
	long long target;
	int wday;

	(void)state;
	use_tz("America/New_York");
	target = local_minute(wall_ms() + 3 * 24 * HOUR_MS, hm, &wday);
	snprintf(keys, sizeof(keys), "  schedule: every 7d\n  at: '%s %s'\n", days[wday], hm);
	write_config(keys);
	harness_start(&t);
	wait_next_run(target);
}

/*
 * A run keeps its time; the daemon restarted with `every 2d at HH:MM`,
 * HH:MM an hour after the run, goes on from it: not in an hour (the first
 * HH:MM after the restart), but two days on.
 */
static void
a_restart_goes_on_from_the_last_run(void **state)
{
	long long before = wall_ms(), last, target;
	char *text, keys[128], hm[8];
	int wday;

	(void)state;
	use_tz("Europe/Berlin");
	write_config("  schedule: every 3s\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	wait_log("scheduled chaos run: every expectation held", 20000);
	stop();
	text = harness_read_file(harness_at(&t, "state/chaos-scheduled.last"));
	assert_non_null(text);
	last = strtoll(text, NULL, 10);
	free(text);
	assert_true(last >= before + 3000 && last <= wall_ms());

	target = local_minute(last + 49 * HOUR_MS, hm, &wday);
	snprintf(keys, sizeof(keys), "  schedule: every 2d at %s\n", hm);
	write_config(keys);
	harness_start(&t);
	wait_next_run(target);
}

/*
 * Written by hand: a run 10 minutes ago is followed 50 minutes from now; a
 * run missed while the daemon was down is not made up at once, nor is a
 * time hours to come (a clock set back) believed.
 */
static void
a_missed_run_is_not_made_up_at_start(void **state)
{
	static const char next[] = "scheduled chaos: next run at ";
	long long last = wall_ms() - 10 * 60 * 1000, start, seen, ms;
	char *log, *at, when[64];
	bool found = false;

	(void)state;
	use_tz("Europe/Berlin");
	write_config("  schedule: every 1h\n");
	write_last(last);
	harness_start(&t);
	wait_next_run(last + HOUR_MS);
	stop();

	/* Two hours ago: the next is an hour from the start, not now. */
	write_last(wall_ms() - 2 * HOUR_MS);
	start = wall_ms();
	harness_start(&t);
	wait_count(next, 2);
	seen = wall_ms();
	log = harness_read_file(t.log);
	at = strstr(strstr(log, next) + 1, next) + strlen(next);
	/* The daemon started within [start, seen]: any whole second of it, an hour on. */
	for (ms = start / 1000 * 1000 + HOUR_MS; ms <= seen + HOUR_MS && !found; ms += 1000) {
		format_local(ms, when, sizeof(when));
		found = strncmp(at, when, strlen(when)) == 0;
	}
	if (!found)
		fail_msg("the next run is not an hour from the start: %.60s", at);
	free(log);
	assert_false(harness_log_contains(&t, "scheduled chaos run started"));
	stop();

	write_last(wall_ms() + 5 * HOUR_MS);
	harness_start(&t);
	wait_log("chaos-scheduled.last holds no time a run could have had; ignored", 10000);
	wait_count(next, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(daily_at_a_time_of_day),
		TEND_TEST(weekly_at_a_weekday),
		TEND_TEST(a_restart_goes_on_from_the_last_run),
		TEND_TEST(a_missed_run_is_not_made_up_at_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
