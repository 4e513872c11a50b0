/*
 * What outlives a tend: a SIGKILLed tend leaves its services running; the
 * next tend on the same state dir finds them in the run record and leaves
 * exactly one copy of each, and nothing orphaned. Detached grandchildren
 * (setsid) go with their service instead of piling up one per restart. A
 * record tend did not write, or pids that are no longer the processes it
 * names, never make tend signal anything.
 */
#include "harness.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/procid.h"

/* How many of the pids recorded under prefix are alive. */
static int
alive_count(const char *prefix, pid_t *last)
{
	pid_t pids[64];
	int i, n, alive = 0;

	n = harness_record_pids(&t, prefix, pids, 64);
	for (i = 0; i < n; i++) {
		if (!harness_pid_gone(pids[i])) {
			alive++;
			if (last != NULL)
				*last = pids[i];
		}
	}
	return alive;
}

static bool
wait_alive_count(const char *prefix, int want, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;

	do {
		if (alive_count(prefix, NULL) == want)
			return true;
		harness_pause_ms(10);
	} while (harness_mono_ms() < deadline);
	return false;
}

/* Waits until STATE/run.json names pid. */
static bool
wait_recorded(pid_t pid, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	char path[400], needle[32], *text;
	bool found;

	snprintf(path, sizeof(path), "%s/run.json", t.state);
	snprintf(needle, sizeof(needle), "\"pid\": %d", (int)pid);
	do {
		text = harness_read_file(path);
		found = text != NULL && strstr(text, needle) != NULL;
		free(text);
		if (found)
			return true;
		harness_pause_ms(10);
	} while (harness_mono_ms() < deadline);
	return false;
}

static void
kill_9_tend(void)
{
	assert_int_equal(kill(t.pid, SIGKILL), 0);
	assert_int_equal(waitpid(t.pid, NULL, 0), t.pid);
	t.pid = 0;
}

static void
a_killed_tend_leaves_one_copy_of_each_service(void **state)
{
	pid_t web, db, orphan = 0, legacy;

	harness_write_config(&t,
	    "services:\n"
	    "  web: { run: [@FAKESVC@, --name, web, --record, @RECORD@, --spawn-orphan] }\n"
	    "  db: { run: [@FAKESVC@, --name, db, --record, @RECORD@] }\n"
	    "  legacy:\n"
	    "    pidfile: @DIR@/legacy.pid\n"
	    "    start: [@FAKESVC@, --name, legacy, --record, @RECORD@, --daemonize,\n"
	    "            --pidfile, @DIR@/legacy.pid]\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	assert_true(harness_wait_state(&t, "db", "up", 0, 5000));
	assert_true(harness_wait_state(&t, "legacy", "up", 0, 5000));
	web = harness_pid(&t, "web");
	db = harness_pid(&t, "db");
	legacy = harness_pid(&t, "legacy");
	assert_true(harness_wait_record(&t, "orphan web", 5000));
	assert_int_equal(alive_count("orphan web", &orphan), 1);
	/* The detached grandchild is in the record within its scan period. */
	assert_true(wait_recorded(orphan, 5000));
	assert_true(wait_recorded(web, 5000));

	kill_9_tend();
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", web, 10000));
	assert_true(harness_wait_state(&t, "db", "up", db, 10000));
	assert_true(harness_wait_state(&t, "legacy", "up", 0, 5000));
	assert_true(harness_wait_gone(web, 5000));
	assert_true(harness_wait_gone(db, 5000));
	assert_true(harness_wait_gone(orphan, 5000));
	/* One copy of each: the new web and its new orphan, the new db, the same legacy. */
	assert_true(wait_alive_count("start web", 1, 5000));
	assert_true(wait_alive_count("orphan web", 1, 5000));
	assert_true(wait_alive_count("start db", 1, 5000));
	assert_int_equal(harness_pid(&t, "legacy"), legacy);
	assert_int_equal(harness_count_record(&t, "start legacy"), 1);
	assert_true(harness_log_contains(&t, "survived"));
	assert_int_equal(harness_zombie_children(t.pid), 0);
}

/*
 * fakesvc --spawn-orphan double-forks a grandchild into a session of its
 * own, outside the service's process group; each restart makes another.
 */
static void
detached_grandchildren_go_with_their_service(void **state)
{
	pid_t pid, last = 0;
	char *out;
	int i;

	harness_write_config(&t,
	    "services:\n"
	    "  web:\n"
	    "    run: [@FAKESVC@, --name, web, --record, @RECORD@, --spawn-orphan]\n"
	    "    backoff: { initial: 10ms, max: 20ms }\n");
	harness_start(&t);
	for (i = 0; i < 4; i++) {
		assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
		assert_true(harness_wait_count(&t, "orphan web", i + 1, 5000));
		pid = harness_pid(&t, "web");
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_true(harness_wait_state(&t, "web", "up", pid, 5000));
	}
	assert_true(harness_wait_count(&t, "orphan web", 5, 5000));
	/* Only the current run's grandchild lives. */
	assert_true(wait_alive_count("orphan web", 1, 5000));
	assert_int_equal(alive_count("orphan web", &last), 1);
	assert_int_equal(harness_zombie_children(t.pid), 0);

	assert_int_equal(harness_cli(&t, &out, "stop", "web", "--state-dir", t.state, NULL), 0);
	free(out);
	assert_true(harness_wait_state(&t, "web", "down", 0, 5000));
	assert_true(harness_wait_gone(last, 5000));
}

/* Field 22 of /proc/PID/stat, as tend reads it. */
static unsigned long long
start_time(pid_t pid)
{
	struct proc_id id;

	assert_int_equal(proc_id_of(pid, &id), 0);
	return id.start;
}

static void
write_record(pid_t pid, unsigned long long start, uid_t uid)
{
	char path[400], boot[64];
	FILE *f;

	proc_boot_id(boot, sizeof(boot));
	assert_true(mkdir(t.state, 0750) == 0 || errno == EEXIST);
	snprintf(path, sizeof(path), "%s/run.json", t.state);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "{\"version\": 1, \"boot_id\": \"%s\", \"tend\": {\"pid\": 1, \"start\": 1},"
	    " \"services\": [{\"name\": \"web\", \"kind\": \"supervised\","
	    " \"pid\": %d, \"start\": %llu, \"uid\": %u, \"orphans\": []}]}\n",
	    boot, (int)pid, start, (unsigned)uid);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
}

/*
 * A record another user could have written (the state dir itself refuses
 * one owned by another user), and one whose pid's start time says it is
 * another process now: neither makes tend signal anything.
 */
static void
a_record_tend_cannot_trust_signals_nothing(void **state)
{
	char path[400];
	pid_t victim;

	victim = harness_start_victim(&t);
	harness_write_config(&t,
	    "services:\n"
	    "  web: { run: [@FAKESVC@, --name, web, --record, @RECORD@] }\n");
	/* Exactly right, but writable by everyone. */
	write_record(victim, start_time(victim), 0);
	snprintf(path, sizeof(path), "%s/run.json", t.state);
	assert_int_equal(chmod(path, 0666), 0);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	assert_true(harness_log_contains(&t, "run record ignored"));
	assert_true(harness_log_contains(&t, "writable by everyone"));
	assert_true(harness_victim_alive(victim));
	kill(t.pid, SIGTERM);
	assert_true(harness_wait_exit(&t, 10000) >= 0);

	/* Ours, but the pid's start time says it is another process now. */
	assert_int_equal(unlink(path), 0);
	write_record(victim, start_time(victim) + 1, 0);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	assert_true(harness_log_contains(&t, "another process now"));
	assert_true(harness_victim_alive(victim));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_killed_tend_leaves_one_copy_of_each_service),
		TEND_TEST(detached_grandchildren_go_with_their_service),
		TEND_TEST(a_record_tend_cannot_trust_signals_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
