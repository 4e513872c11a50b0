/*
 * Healing with real processes: a service whose health endpoint goes bad
 * is restarted and verified; a failing dependency is the root cause and
 * its dependents are left alone; escalation after max_attempts, then ack
 * and resolve by hand; learning reorders `any:` alternatives; auto-heal
 * off records without acting until an operator asks; cleanup on request;
 * and `tend heal` without a daemon.
 *
 * The service is HARNESS_SICK_WEB, a fakesvc with --fail-when FILE: sick
 * once harness_make_sick touches FILE, only a new process (a restart) is
 * healthy again.
 */
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * db on PORT2 behind web on PORT1 (web's health fails while db is away),
 * their checks every db_every and web_every.
 */
#define DB_AND_WEB(db_flags, db_extra, db_every, web_every) \
    "services:\n" \
    "  db:\n" \
    "    run: [@FAKESVC@, --name, db, --record, @RECORD@, --listen, '@PORT2@',\n" \
    "          --reply, PONG" db_flags "]\n" \
    "    ready: { tcp: @PORT2@ }\n" db_extra \
    "    checks:\n" \
    "      db-ping: { type: tcp, port: @PORT2@, send: \"PING\\r\\n\", expect: PONG,\n" \
    "                 every: " db_every ", timeout: 1s }\n" \
    "  web:\n" \
    "    run: [@FAKESVC@, --name, web, --record, @RECORD@, --listen, '@PORT1@', --http,\n" \
    "          --backend, '@PORT2@']\n" \
    "    depends_on: [db]\n" \
    "    ready: { tcp: @PORT1@ }\n" \
    "    checks:\n" \
    "      web-health: { type: http, url: 'http://127.0.0.1:@PORT1@/', every: " web_every ",\n" \
    "                    timeout: 1s }\n"

static bool
str_is(json_t *o, const char *key, const char *value)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL && strcmp(v, value) == 0;
}

/*
 * Starts tend on config, waits for web to be up and for a healthy result
 * (MTTD is measured from it), then makes it sick. Returns web's pid before.
 */
static pid_t
start_then_make_sick(const char *config, bool forever)
{
	pid_t pid;

	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	pid = harness_pid(&t, "web");
	harness_pause_ms(300);
	harness_make_sick(&t, forever);
	return pid;
}

static int
count_incidents_not_merged(void)
{
	json_t *all = harness_incidents(&t), *inc;
	int n = 0;
	size_t i;

	json_array_foreach(all, i, inc)
		if (!str_is(inc, "phase", "merged"))
			n++;
	json_decref(all);
	return n;
}

static void
an_unhealthy_http_service_is_restarted_and_verified(void **state)
{
	json_t *inc, *attempts;
	pid_t before;

	before = start_then_make_sick("heal: { verify_timeout: 5s, cooldown: 0s }\n"
	    "services:\n" HARNESS_SICK_WEB, false);
	inc = harness_wait_incident(&t, "health", "resolution", "healed by restart", 10000);
	assert_non_null(inc);
	assert_true(harness_pid(&t, "web") != before);
	assert_true(str_is(inc, "phase", "resolved"));
	assert_true(json_is_integer(json_object_get(inc, "mttr_ms")));
	assert_true(json_is_integer(json_object_get(inc, "mttd_ms")));
	attempts = json_object_get(inc, "attempts");
	assert_int_equal(json_array_size(attempts), 1);
	assert_true(str_is(json_array_get(attempts, 0), "action", "restart"));
	assert_true(str_is(json_array_get(attempts, 0), "outcome", "healed"));
	fprintf(stderr, "healed: mttd %lld ms, mttr %lld ms\n",
	    (long long)json_integer_value(json_object_get(inc, "mttd_ms")),
	    (long long)json_integer_value(json_object_get(inc, "mttr_ms")));
	json_decref(inc);
}

static void
a_failing_dependency_is_the_root_cause_and_dependents_are_not_healed(void **state)
{
	json_t *inc, *all, *one, *attempt;
	char *symptoms;
	size_t i, j;

	/*
	 * db's check runs only when asked after its first run, so web's failure
	 * comes first whatever the timers' phase (at 200 and 150 ms db's tick
	 * could fall just after the fault and heal db before web ever failed);
	 * web's diagnosis re-runs db-ping, which takes the incident over.
	 */
	harness_write_config(&t, "heal: { verify_timeout: 5s, cooldown: 0s }\n"
	    DB_AND_WEB(", --fail-when, @DIR@/sick", "", "1h", "100ms"));
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	harness_pause_ms(400);
	harness_make_sick(&t, false);
	inc = harness_wait_incident(&t, "db-ping", "resolution", "healed by restart", 10000);
	assert_non_null(inc);
	assert_true(str_is(inc, "root_cause", "db-ping"));
	symptoms = json_dumps(json_object_get(inc, "symptoms"), 0);
	assert_non_null(symptoms);
	assert_non_null(strstr(symptoms, "web-health"));
	free(symptoms);
	/* One incident; web's failure never became one of its own, never acted on. */
	assert_int_equal(count_incidents_not_merged(), 1);
	all = harness_incidents(&t);
	json_array_foreach(all, i, one)
		json_array_foreach(json_object_get(one, "attempts"), j, attempt)
			assert_false(str_is(one, "target", "web-health"));
	json_decref(all);
	json_decref(inc);
}

/* A count of the daemon's status's "tend" object (-1 when there is no status). */
static long long
tend_count(const char *key)
{
	json_t *status = harness_status(&t);
	long long n = status != NULL ? json_integer_value(json_object_get(json_object_get(status,
	    "tend"), key)) : -1;

	json_decref(status);
	return n;
}

static void
escalation_after_max_attempts_then_ack_and_resolve(void **state)
{
	char id[32], *out;
	json_t *inc;

	start_then_make_sick("heal: { verify_timeout: 800ms, max_attempts: 2, "
	    "cooldown: 0s }\n"
	    "services:\n" HARNESS_SICK_WEB
	    "        heal: [restart, restart, restart]\n", true);
	inc = harness_wait_incident(&t, "health", "phase", "escalated", 15000);
	assert_non_null(inc);
	assert_int_equal(json_integer_value(json_object_get(inc, "attempt_count")), 2);
	assert_true(harness_log_contains(&t, "ALERT escalated"));
	/* The status counts it open and escalated (tend_incidents_escalated). */
	assert_int_equal(tend_count("open_incidents"), 1);
	assert_int_equal(tend_count("escalated_incidents"), 1);
	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(inc,
	    "id")));
	json_decref(inc);

	assert_int_equal(harness_cli(&t, &out, "ack", id, "--state-dir", t.state, NULL), 0);
	free(out);
	assert_int_equal(harness_cli(&t, &out, "resolve", id, "--state-dir", t.state,
	    NULL), 0);
	free(out);
	inc = harness_wait_incident(&t, "health", "resolution", "resolved by hand", 3000);
	assert_non_null(inc);
	assert_int_equal(json_integer_value(json_object_get(inc, "acked")), 1);
	json_decref(inc);
	assert_int_equal(tend_count("escalated_incidents"), 0);
	assert_int_not_equal(harness_cli(&t, &out, "resolve", "999", "--state-dir", t.state,
	    NULL), 0);
	free(out);
}

static void
learning_tries_the_action_that_worked_first(void **state)
{
	json_t *first, *second, *all;
	size_t n;

	start_then_make_sick("heal: { verify_timeout: 1500ms, cooldown: 0s }\n"
	    "actions:\n"
	    "  poke: { exec: ['true'] }\n"
	    "  bounce: { restart: web }\n"
	    "services:\n" HARNESS_SICK_WEB
	    "        heal: [{ any: [poke, bounce] }]\n", false);
	first = harness_wait_incident(&t, "health", "resolution", "healed by bounce", 10000);
	assert_non_null(first);
	assert_int_equal(json_array_size(json_object_get(first, "attempts")), 2);
	assert_true(str_is(json_array_get(json_object_get(first, "attempts"), 0), "action",
	    "poke"));
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	harness_pause_ms(300);
	harness_make_sick(&t, false);
	/* The second incident is the newest: bounce (1 of 1) now goes before poke (0 of 1). */
	second = NULL;
	for (n = 0; n < 200 && second == NULL; n++) {
		all = harness_incidents(&t);
		if (json_array_size(all) >= 2 && str_is(json_array_get(all, 0), "phase",
		    "resolved"))
			second = json_incref(json_array_get(all, 0));
		json_decref(all);
		if (second == NULL)
			harness_pause_ms(50);
	}
	assert_non_null(second);
	assert_true(str_is(json_array_get(json_object_get(second, "attempts"), 0), "action",
	    "bounce"));
	assert_non_null(strstr(json_string_value(json_object_get(second, "diagnosis")),
	    "bounce first"));
	json_decref(first);
	json_decref(second);
}

static void
monitor_only_records_without_acting_until_asked(void **state)
{
	json_t *inc;
	char *out;
	pid_t before;
	int rc;

	t.run_flag = "--monitor-only";	/* as heal: {auto: false} */
	before = start_then_make_sick("heal: { verify_timeout: 5s }\n"
	    "services:\n" HARNESS_SICK_WEB, false);
	inc = harness_wait_incident(&t, "health", "phase", "monitoring", 5000);
	assert_non_null(inc);
	json_decref(inc);
	harness_pause_ms(600);
	assert_int_equal(harness_pid(&t, "web"), before);

	rc = harness_cli(&t, &out, "heal", "--auto", "--state-dir", t.state, NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "healed by restart"));
	free(out);
	assert_true(harness_pid(&t, "web") != before);
}

static void
recover_cleanup_runs_every_declared_cleanup(void **state)
{
	char path[400], *out;
	int i, fd;

	snprintf(path, sizeof(path), "%s/junk", t.dir);
	mkdir(path, 0755);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/junk/%d.log", t.dir, i);
		fd = open(path, O_WRONLY | O_CREAT, 0644);
		assert_int_equal(write(fd, "0123456789", 10), 10);
		close(fd);
	}
	harness_write_config(&t, "actions:\n"
	    "  junk: { cleanup: { paths: ['@DIR@/junk/*.log'] } }\n");
	harness_start(&t);
	assert_int_equal(harness_cli(&t, &out, "recover", "--cleanup", "--state-dir",
	    t.state, NULL), 0);
	assert_non_null(strstr(out, "3 files"));
	free(out);
	assert_int_equal(access(path, F_OK), -1);
}

static void
heal_without_a_daemon_runs_once_and_exits_with_the_state(void **state)
{
	char path[400], *out;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/big.log", t.dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	close(fd);
	harness_write_config(&t, "actions:\n"
	    "  logs: { cleanup: { paths: ['@DIR@/*.log'] } }\n"
	    "checks:\n"
	    "  no-big-log: { type: file, path: '@DIR@/big.log', exists: false, heal: [logs] }\n");
	rc = harness_cli(&t, &out, "heal", "--dry-run", "-c", t.config, "--state-dir",
	    t.state, NULL);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "would run logs"));
	free(out);
	assert_int_equal(access(path, F_OK), 0);
	rc = harness_cli(&t, &out, "heal", "--auto", "-c", t.config, "--state-dir", t.state,
	    NULL);
	assert_non_null(strstr(out, "healed by logs"));
	free(out);
	assert_int_equal(rc, 0);
	assert_int_equal(access(path, F_OK), -1);
}

static void
a_timeout_is_healed_by_raising_the_timeout(void **state)
{
	json_t *inc;

	harness_write_config(&t, "heal: { verify_timeout: 3s, cooldown: 0s }\n"
	    "services:\n"
	    "  slow:\n"
	    "    run: [@FAKESVC@, --name, slow, --record, @RECORD@, --listen, '@PORT1@',\n"
	    "          --http, --delay, '300']\n"
	    "    ready: { tcp: @PORT1@ }\n"
	    "    checks:\n"
	    "      api:\n"
	    "        type: http\n"
	    "        url: 'http://127.0.0.1:@PORT1@/'\n"
	    "        every: 1s\n"
	    "        timeout: 100ms\n"
	    "        heal: [{ adjust_timeout: { factor: 8, max: 2s } }]\n");
	harness_start(&t);
	inc = harness_wait_incident(&t, "api", "resolution", "healed by adjust_timeout", 10000);
	assert_non_null(inc);
	assert_true(str_is(inc, "category", "timeout"));
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(
	    json_object_get(inc, "attempts"), 0), "detail")), "800 ms"));
	json_decref(inc);
	assert_true(harness_log_contains(&t, "timeout raised from 100 to 800 ms"));
}

static void
a_second_incident_waits_for_the_cooldown(void **state)
{
	json_t *all, *second = NULL;
	size_t n;

	start_then_make_sick("heal: { verify_timeout: 5s, cooldown: 1500ms }\n"
	    "services:\n" HARNESS_SICK_WEB, false);
	json_decref(harness_wait_incident(&t, "health", "resolution", "healed by restart", 10000));
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	harness_make_sick(&t, false);
	for (n = 0; n < 200 && second == NULL; n++) {
		all = harness_incidents(&t);
		if (json_array_size(all) == 2 && str_is(json_array_get(all, 0), "phase",
		    "resolved"))
			second = json_incref(json_array_get(all, 0));
		json_decref(all);
		if (second == NULL)
			harness_pause_ms(50);
	}
	assert_non_null(second);
	assert_non_null(strstr(json_string_value(json_object_get(second, "diagnosis")),
	    "cooldown"));
	/* It acted only once the cooldown was over. */
	assert_true(json_integer_value(json_object_get(second, "mttr_ms")) >= 800);
	json_decref(second);
}

static void
the_third_failure_in_an_hour_is_recurring(void **state)
{
	json_t *all, *newest;
	int round;

	start_then_make_sick("heal: { verify_timeout: 5s, cooldown: 0s }\n"
	    "services:\n" HARNESS_SICK_WEB, false);
	for (round = 1; round <= 3; round++) {
		if (round > 1) {
			assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
			harness_pause_ms(100);
			harness_make_sick(&t, false);
		}
		for (all = NULL; ; harness_pause_ms(50)) {
			json_decref(all);
			all = harness_incidents(&t);
			if (json_array_size(all) == (size_t)round &&
			    str_is(json_array_get(all, 0), "phase", "resolved"))
				break;
		}
		newest = json_array_get(all, 0);
		assert_int_equal(json_integer_value(json_object_get(newest, "recurring")),
		    round == 3);
		json_decref(all);
	}
}

/* No incident of target was ever acted on. */
static bool
never_acted_on(const char *target)
{
	json_t *all = harness_incidents(&t), *inc;
	bool acted = false;
	size_t i;

	json_array_foreach(all, i, inc)
		if (str_is(inc, "target", target) &&
		    json_array_size(json_object_get(inc, "attempts")) > 0)
			acted = true;
	json_decref(all);
	return !acted;
}

static void
a_service_the_operator_stopped_is_left_alone_until_started(void **state)
{
	char buf[32], *out;
	json_t *inc;

	harness_write_config(&t, "heal: { verify_timeout: 2s, cooldown: 0s }\n"
	    DB_AND_WEB("", "", "200ms", "150ms"));
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	harness_pause_ms(400);
	assert_int_equal(harness_cli(&t, &out, "stop", "db", "--state-dir", t.state, NULL), 0);
	free(out);

	/* web fails because db is down: put down to the operator's stop, not healed. */
	inc = harness_wait_incident(&t, "web-health", "phase", "held", 5000);
	assert_non_null(inc);
	assert_true(str_is(inc, "root_cause", "db"));
	assert_non_null(strstr(json_string_value(json_object_get(inc, "diagnosis")),
	    "db was stopped by the operator"));
	json_decref(inc);
	harness_pause_ms(1500);
	assert_string_equal(harness_state(&t, "db", buf, sizeof(buf)), "down");
	assert_true(never_acted_on("db-ping"));
	assert_true(never_acted_on("web-health"));
	assert_false(harness_log_contains(&t, "ALERT incident"));

	/* Not even `tend heal` starts it: the operator's stop stands. */
	assert_int_equal(harness_cli(&t, &out, "heal", "--auto", "--state-dir", t.state,
	    NULL), 2);
	assert_non_null(strstr(out, "held"));
	free(out);
	assert_string_equal(harness_state(&t, "db", buf, sizeof(buf)), "down");

	/* Started again: web recovers, and its incident closes by itself. */
	assert_int_equal(harness_cli(&t, &out, "start", "db", "--state-dir", t.state, NULL), 0);
	free(out);
	inc = harness_wait_incident(&t, "web-health", "resolution", "recovered by itself", 10000);
	assert_non_null(inc);
	json_decref(inc);
	assert_true(never_acted_on("web-health"));
}

/* Stopped by the operator while being healed: held, not escalated, not restarted. */
static void
an_incident_whose_service_the_operator_stops_midway_waits(void **state)
{
	char buf[32], *out;
	json_t *inc;

	start_then_make_sick("heal: { verify_timeout: 500ms, cooldown: 0s }\n"
	    "services:\n" HARNESS_SICK_WEB
	    "        heal: [{ wait: 1500ms }, restart, restart]\n", true);
	inc = harness_wait_incident(&t, "health", "phase", "acting", 5000);
	assert_non_null(inc);
	json_decref(inc);
	assert_int_equal(harness_cli(&t, &out, "stop", "web", "--state-dir", t.state, NULL), 0);
	free(out);
	inc = harness_wait_incident(&t, "health", "phase", "held", 5000);
	assert_non_null(inc);
	assert_non_null(strstr(json_string_value(json_object_get(inc, "diagnosis")),
	    "web was stopped by the operator"));
	json_decref(inc);
	harness_pause_ms(800);
	assert_string_equal(harness_state(&t, "web", buf, sizeof(buf)), "down");
	assert_false(harness_log_contains(&t, "ALERT escalated"));
}

static void
a_crash_loop_in_backoff_is_not_healed_by_the_healer(void **state)
{
	char path[400];
	json_t *inc;

	snprintf(path, sizeof(path), "%s/db-ok", t.dir);
	assert_int_equal(close(open(path, O_WRONLY | O_CREAT, 0644)), 0);
	harness_write_config(&t, "heal: { verify_timeout: 1s, cooldown: 0s, max_attempts: 5 }\n"
	    DB_AND_WEB(", --crash-unless-file, @DIR@/db-ok",
	    "    backoff: { initial: 1500ms, max: 1500ms, jitter: 0 }\n"
	    "    limit: { restarts: 3, within: 1m }\n", "200ms", "150ms"));
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	harness_pause_ms(400);
	/* db now crashes at every start: the supervisor backs off, then gives up. */
	unlink(path);
	kill(harness_pid(&t, "db"), SIGKILL);
	assert_true(harness_wait_state(&t, "db", "failed", 0, 15000));
	/* Meanwhile the healer restarted nothing: the backoff ran its course. */
	assert_true(never_acted_on("db-ping"));
	assert_true(never_acted_on("web-health"));
	/* Its giving up is an incident of its own, escalated, not held by itself. */
	inc = harness_wait_incident(&t, "db", "phase", "escalated", 5000);
	assert_non_null(inc);
	assert_true(str_is(inc, "error_type", "service"));
	json_decref(inc);
	assert_true(harness_log_contains(&t, "the supervisor is handling it"));
}

/* Lines of DIR/alerts (written by the alert channel) that start with prefix. */
static int
alerts_sent(const char *prefix)
{
	char path[400], *text, *line;
	int n = 0;

	snprintf(path, sizeof(path), "%s/alerts", t.dir);
	if ((text = harness_read_file(path)) == NULL)
		return 0;
	for (line = text; line != NULL && *line != '\0'; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			n++;
	}
	free(text);
	return n;
}

/* Waits until the daemon's status shows check in state. */
static bool
wait_check_state(const char *check, const char *state, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	json_t *status, *c;
	bool found;
	size_t i;

	do {
		status = harness_status(&t);
		found = false;
		json_array_foreach(json_object_get(status, "checks"), i, c)
			if (str_is(c, "name", check) && str_is(c, "state", state))
				found = true;
		json_decref(status);
		if (found)
			return true;
		harness_pause_ms(20);
	} while (harness_mono_ms() < deadline);
	return false;
}

static void
restart_tend(void)
{
	kill(t.pid, SIGTERM);
	assert_true(harness_wait_exit(&t, 10000) >= 0);
	harness_start(&t);
}

static const char still_failing[] =
    "alerts:\n"
    "  channels:\n"
    "    book: { command: [/bin/sh, -c, 'echo \"$TEND_EVENT $TEND_INCIDENT\" >> @DIR@/alerts'] }\n"
    "checks:\n"
    "  broken: { type: command, run: [/bin/sh, -c, 'echo CRITICAL - down; exit 2'],\n"
    "            every: 200ms }\n";

static void
a_failure_that_outlives_restarts_of_tend_is_one_incident_and_one_alert(void **state)
{
	json_t *all, *inc;
	int i;

	harness_write_config(&t, still_failing);
	harness_start(&t);
	inc = harness_wait_incident(&t, "broken", "phase", "escalated", 5000);
	assert_non_null(inc);
	json_decref(inc);
	for (i = 0; i < 3; i++) {
		restart_tend();
		assert_true(wait_check_state("broken", "critical", 5000));
		/* Time for a wrong second incident, and its alert, to show. */
		harness_pause_ms(600);
	}
	all = harness_incidents(&t);
	assert_int_equal(json_array_size(all), 1);
	inc = json_array_get(all, 0);
	assert_true(str_is(inc, "phase", "escalated"));
	assert_true(json_is_null(json_object_get(inc, "resolved_at")));
	assert_non_null(strstr(json_string_value(json_object_get(inc, "diagnosis")),
	    "rejoined when tend started again"));
	json_decref(all);
	assert_int_equal(alerts_sent("critical"), 1);
	assert_int_equal(alerts_sent("escalated"), 1);

	/* Its check gone from the config, a restart closes it: the alert ends. */
	harness_write_config(&t, "alerts:\n"
	    "  channels:\n"
	    "    book: { command: [/bin/sh, -c, 'echo \"$TEND_EVENT $TEND_INCIDENT\" >> "
	    "@DIR@/alerts'] }\n");
	restart_tend();
	inc = harness_wait_incident(&t, "broken", "resolution", "closed: its target is no longer", 5000);
	assert_non_null(inc);
	assert_true(str_is(inc, "phase", "interrupted"));
	json_decref(inc);
	for (i = 0; i < 250 && alerts_sent("resolved") == 0; i++)
		harness_pause_ms(20);
	assert_int_equal(alerts_sent("resolved"), 1);
}

/*
 * web fails first (db is checked only every second): its incident's
 * diagnosis finds db failing and merges into db's. The merged incident
 * never alerts on its own and has no MTTR of its own; the texts name the
 * classifier's rule, not its regex.
 */
static void
a_merged_symptom_neither_alerts_nor_has_an_mttr(void **state)
{
	json_t *root, *all, *inc;
	const char *diagnosis;
	bool merged = false;
	size_t i;

	harness_write_config(&t, "heal: { verify_timeout: 5s, cooldown: 0s }\n"
	    "alerts:\n"
	    "  channels:\n"
	    "    book: { command: [/bin/sh, -c, 'echo \"$TEND_EVENT $TEND_TARGET\" >> "
	    "@DIR@/alerts'] }\n"
	    DB_AND_WEB(", --fail-when, @DIR@/sick", "", "1s", "100ms"));
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	harness_pause_ms(1200);
	harness_make_sick(&t, false);
	root = harness_wait_incident(&t, "db-ping", "resolution", "healed by restart", 15000);
	assert_non_null(root);
	diagnosis = json_string_value(json_object_get(root, "diagnosis"));
	assert_non_null(strstr(diagnosis, "classified as "));
	assert_null(strstr(diagnosis, "matched /"));
	json_decref(root);
	all = harness_incidents(&t);
	json_array_foreach(all, i, inc)
		if (str_is(inc, "target", "web-health") && str_is(inc, "phase", "merged")) {
			merged = true;
			assert_true(json_is_null(json_object_get(inc, "mttr_ms")));
			assert_true(json_is_integer(json_object_get(inc, "resolved_at")));
		}
	json_decref(all);
	assert_true(merged);
	/* One alert: db's, opened and resolved; web's symptom said nothing. */
	for (i = 0; i < 250 && alerts_sent("resolved") == 0; i++)
		harness_pause_ms(20);
	harness_pause_ms(200);
	assert_int_equal(alerts_sent("critical db-ping"), 1);
	assert_int_equal(alerts_sent("resolved db-ping"), 1);
	assert_int_equal(alerts_sent("critical web-health"), 0);
	assert_int_equal(alerts_sent("resolved web-health"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(an_unhealthy_http_service_is_restarted_and_verified),
		TEND_TEST(a_failing_dependency_is_the_root_cause_and_dependents_are_not_healed),
		TEND_TEST(escalation_after_max_attempts_then_ack_and_resolve),
		TEND_TEST(learning_tries_the_action_that_worked_first),
		TEND_TEST(monitor_only_records_without_acting_until_asked),
		TEND_TEST(recover_cleanup_runs_every_declared_cleanup),
		TEND_TEST(heal_without_a_daemon_runs_once_and_exits_with_the_state),
		TEND_TEST(a_timeout_is_healed_by_raising_the_timeout),
		TEND_TEST(a_second_incident_waits_for_the_cooldown),
		TEND_TEST(the_third_failure_in_an_hour_is_recurring),
		TEND_TEST(a_service_the_operator_stopped_is_left_alone_until_started),
		TEND_TEST(an_incident_whose_service_the_operator_stops_midway_waits),
		TEND_TEST(a_crash_loop_in_backoff_is_not_healed_by_the_healer),
		TEND_TEST(a_failure_that_outlives_restarts_of_tend_is_one_incident_and_one_alert),
		TEND_TEST(a_merged_symptom_neither_alerts_nor_has_an_mttr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
