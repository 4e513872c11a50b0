/*
 * tend chaos's faults of a path, a snapshot set and the host, with the
 * real binary and a real daemon: a file filling a small tmpfs that the
 * disk check sees (and that is always removed, by the next run after a
 * kill); a set's file broken, rolled back by the daemon's auto_rollback
 * (rolled_back: true) or put back by the run itself when nothing rolls it
 * back; CPU hogs and a growing process that the journal names and that
 * always end — after their duration, when the run ends, and with a run
 * that is killed; a growing process counted as a service's own (a leak in
 * it), seen by the service's process check and ended by its restart.
 */
#include "harness.h"

#include "core/procid.h"
#include "daemon/control.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char config[] =
    "snapshots:\n"
    "  app: { paths: ['@DIR@/app'], restart: [web], auto_rollback: true, lkg_after: 300ms }\n"
    "  manual: { paths: ['@DIR@/manual'], lkg_after: 300ms }\n"
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, web]\n"
    "    checks:\n"
    "      app-good: { type: command, run: [sh, -c, 'grep -q good @DIR@/app/site.conf || "
    "exit 2'],\n"
    "                  every: 100ms, heal: [] }\n"
    "      manual-good: { type: command, run: [sh, -c, 'grep -q good @DIR@/manual/site.conf "
    "|| exit 2'],\n"
    "                     every: 100ms, heal: [] }\n"
    "  leaky:\n"
    "    run: [@FAKESVC@, --record, @RECORD@, --name, leaky]\n"
    "    checks:\n"
    "      leaky-tree: { type: process, rss: { crit: 16MB }, every: 100ms }\n"
    "checks:\n"
    "  disk: { type: resource, metric: disk, path: '@DIR@/disk', warn: 80%, crit: 90%,\n"
    "          every: 100ms }\n"
    "chaos:\n"
    "  experiments:\n"
    "    full: { fault: fill_disk, path: '@DIR@/disk', leave: 100KB, duration: 2s,\n"
    "            expect: { detected_within: 1500ms } }\n"
    "    full-long: { fault: fill_disk, path: '@DIR@/disk', leave: 100KB, duration: 1m }\n"
    "    hog: { fault: cpu, cores: 2, duration: 1m }\n"
    "    leak: { fault: memory, grow: 40MB/s, max: 24MB, duration: 1m }\n"
    "    quick: { fault: cpu, cores: 1, duration: 300ms }\n"
    "    mem-leak: { fault: memory, target: leaky, grow: 40MB/s, max: 48MB, duration: 20s,\n"
    "                expect: { healed_within: 10s } }\n"
    "    bad-conf: { fault: config, set: app, file: '@DIR@/app/site.conf', corrupt: truncate,\n"
    "                duration: 10s, expect: { rolled_back: true, healed_within: 5s } }\n"
    "    bad-manual: { fault: config, set: manual, duration: 500ms,\n"
    "                  expect: { rolled_back: false } }\n";

/* Every check healthy (the command checks have run once), within timeout_ms. */
static void
wait_all_healthy(int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	char *out = NULL;

	do {
		free(out);
		harness_cli(&t, &out, "status", "-c", t.config, "--state-dir", t.state, NULL);
		if (strstr(out, "tend: healthy") != NULL)
			break;
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	harness_contains(out, "tend: healthy");
	free(out);
}

static bool mounted;

/* A small tmpfs to fill: the real disk is never filled by a test. */
static bool
start(void)
{
	assert_int_equal(mkdir(harness_at(&t, "disk"), 0755), 0);
	assert_int_equal(mkdir(harness_at(&t, "app"), 0755), 0);
	assert_int_equal(mkdir(harness_at(&t, "manual"), 0755), 0);
	harness_write_file(&t, harness_at(&t, "app/site.conf"), "good\n");
	harness_write_file(&t, harness_at(&t, "manual/site.conf"), "good\n");
	mounted = mount("tmpfs", harness_at(&t, "disk"), "tmpfs", 0, "size=4m") == 0;
	harness_write_config(&t, config);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	wait_all_healthy(10000);
	return mounted;
}

static void
stop(void)
{
	if (mounted)
		umount2(harness_at(&t, "disk"), MNT_DETACH);
	mounted = false;
}

/* tend chaos run NAME --force, not waited for. */
static pid_t
chaos_async(const char *name)
{
	return harness_cli_async(&t, "chaos", "run", name, "--force", "-c", t.config,
	    "--state-dir", t.state, NULL);
}

/* The journal's hogs, once it names some (up to max); how many. */
static int
journal_hogs(pid_t *pids, int max)
{
	long long deadline = harness_mono_ms() + 10000;
	json_t *doc = NULL, *h;
	size_t i;
	int n = 0;

	while (harness_mono_ms() < deadline) {
		doc = json_load_file(harness_at(&t, "state/chaos.journal"), 0, NULL);
		if (doc != NULL && json_array_size(json_object_get(doc, "hogs")) > 0)
			break;
		json_decref(doc);
		doc = NULL;
		harness_pause_ms(5);
	}
	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "hogs"), i, h)
		if (n < max)
			pids[n++] = (pid_t)json_integer_value(json_array_get(h, 0));
	json_decref(doc);
	return n;
}

/* A process's resident memory in KiB, or -1. */
static long
rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void
a_full_disk_is_seen_and_the_file_always_removed(void **state)
{
	long long deadline;
	pid_t run;
	char *out;
	int status;

	if (!start()) {
		stop();
		skip();		/* no tmpfs to fill without root */
	}
	assert_int_equal(harness_cli(&t, &out, "chaos", "run", "full", "-c", t.config,
	    "--state-dir", t.state, NULL), 0);
	harness_contains(out, "full #1: fill_disk of ");
	harness_contains(out, "detected in ");
	free(out);
	assert_int_equal(access(harness_at(&t, "disk/.tend-chaos-fill"), F_OK), -1);

	/* A run killed while the disk is full: the next run removes the file first. */
	run = chaos_async("full-long");
	deadline = harness_mono_ms() + 10000;
	while (access(harness_at(&t, "disk/.tend-chaos-fill"), F_OK) < 0 &&
	    harness_mono_ms() < deadline)
		harness_pause_ms(5);
	assert_int_equal(access(harness_at(&t, "disk/.tend-chaos-fill"), F_OK), 0);
	kill(run, SIGKILL);
	assert_int_equal(waitpid(run, &status, 0), run);
	assert_int_equal(access(harness_at(&t, "disk/.tend-chaos-fill"), F_OK), 0);
	assert_int_equal(harness_cli(&t, &out, "chaos", "run", "quick", "--force", "-c",
	    t.config, "--state-dir", t.state, NULL), 0);
	harness_contains(out, "undone: fill_disk of ");
	free(out);
	assert_int_equal(access(harness_at(&t, "disk/.tend-chaos-fill"), F_OK), -1);
	stop();
}

static void
hogs_are_named_in_the_journal_and_always_end(void **state)
{
	pid_t run, hogs[4];
	long long deadline;
	int n, i, status;
	long kib = 0;
	char *out;

	start();
	stop();
	/* CPU hogs: two, alive while the run lasts, gone with a run that is killed. */
	run = chaos_async("hog");
	n = journal_hogs(hogs, 4);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		assert_false(harness_pid_gone(hogs[i]));
	kill(run, SIGKILL);
	assert_int_equal(waitpid(run, &status, 0), run);
	for (i = 0; i < n; i++)
		assert_true(harness_wait_gone(hogs[i], 5000));	/* with their spawner */
	assert_int_equal(harness_cli(&t, &out, "chaos", "run", "quick", "--force", "-c",
	    t.config, "--state-dir", t.state, NULL), 0);
	harness_contains(out, "undone: cpu, injected by a chaos run that did not finish");
	free(out);

	/* A growing one: its memory grows to the max, and it ends when the run is stopped. */
	run = chaos_async("leak");
	n = journal_hogs(hogs, 4);
	assert_int_equal(n, 1);
	deadline = harness_mono_ms() + 10000;
	while ((kib = rss_kib(hogs[0])) < 16 * 1024 && harness_mono_ms() < deadline)
		harness_pause_ms(20);
	assert_true(kib >= 16 * 1024);
	kill(run, SIGTERM);		/* undone by the run itself */
	assert_int_equal(waitpid(run, &status, 0), run);
	assert_true(harness_wait_gone(hogs[0], 5000));
	assert_int_equal(access(harness_at(&t, "state/chaos.journal"), F_OK), -1);
}

/* A last known good snapshot of set, within 10 s (what auto_rollback puts back). */
static void
wait_lkg(const char *set)
{
	long long deadline = harness_mono_ms() + 10000;
	char *out = NULL;

	do {
		free(out);
		harness_cli(&t, &out, "snapshot", "list", set, "-c", t.config, "--state-dir",
		    t.state, NULL);
		if (strstr(out, " lkg ") != NULL)
			break;
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	harness_contains(out, " lkg ");
	free(out);
}

static void
a_broken_config_is_rolled_back_or_put_back(void **state)
{
	char *out, *text;

	start();
	stop();
	/* auto_rollback: the daemon puts the last known good back, and the run sees it. */
	wait_lkg("app");
	if (harness_cli(&t, &out, "chaos", "run", "bad-conf", "-c", t.config, "--state-dir",
	    t.state, NULL) != 0)
		fail_msg("%s", out);
	harness_contains(out, "bad-conf #1: config of app: detected in ");
	harness_contains(out, "healthy again in ");
	free(out);
	text = harness_read_file(harness_at(&t, "app/site.conf"));
	assert_string_equal(text, "good\n");
	free(text);

	/* No auto_rollback: tend does not heal it; the run puts the set back itself. */
	wait_all_healthy(10000);
	if (harness_cli(&t, &out, "chaos", "run", "bad-manual", "-c", t.config,
	    "--state-dir", t.state, NULL) != 0)
		fail_msg("%s", out);
	harness_contains(out, "not healed by tend");
	free(out);
	text = harness_read_file(harness_at(&t, "manual/site.conf"));
	assert_string_equal(text, "good\n");
	free(text);
	assert_int_equal(access(harness_at(&t, "state/chaos.journal"), F_OK), -1);
}

/* A control request to the daemon: its answer if ok, else NULL with the error in err. */
static json_t *
ask(json_t *req, char *err, size_t errlen)
{
	json_t *answer = NULL;

	if (control_call(harness_at(&t, "state/tend.sock"), req, &answer, err, errlen) < 0)
		answer = NULL;
	json_decref(req);
	if (answer != NULL && !json_is_true(json_object_get(answer, "ok"))) {
		snprintf(err, errlen, "%s", json_string_value(json_object_get(answer,
		    "error")));
		json_decref(answer);
		answer = NULL;
	}
	return answer;
}

static void
a_leak_in_a_service_is_healed_by_its_restart(void **state)
{
	pid_t before, old, stranger;
	json_t *status, *answer;
	struct proc_id id;
	char *out, err[256];

	start();
	stop();
	before = harness_pid(&t, "leaky");
	if (harness_cli(&t, &out, "chaos", "run", "mem-leak", "-c", t.config, "--state-dir",
	    t.state, NULL) != 0)
		fail_msg("%s", out);
	harness_contains(out, "mem-leak #1: memory of leaky: detected in ");
	harness_contains(out, "healthy again in ");
	harness_contains(out, "the leak ended with leaky's process");
	free(out);
	/* Counted as leaky's, then ended with the process it was counted with. */
	assert_true(harness_log_contains(&t, "counted as its own until its process ends"));
	assert_true(harness_pid(&t, "leaky") != before);
	status = harness_status(&t);
	assert_null(json_object_get(harness_service(status, "leaky"), "attached"));
	json_decref(status);
	assert_int_equal(access(harness_at(&t, "state/chaos.journal"), F_OK), -1);

	/* Only a hog that runs now is taken: no request makes the daemon kill a stranger. */
	stranger = harness_start_victim(&t);
	assert_int_equal(proc_id_of(stranger, &id), 0);
	answer = ask(json_pack("{s:s, s:s, s:i, s:I}", "cmd", "attach", "service", "leaky",
	    "pid", (int)stranger, "start", (json_int_t)id.start), err, sizeof(err));
	assert_null(answer);
	harness_contains(err, "not a chaos hog");
	answer = ask(json_pack("{s:s, s:s}", "cmd", "attach", "service", "leaky"), err,
	    sizeof(err));
	assert_null(answer);
	harness_contains(err, "expected \"service\", \"pid\" and \"start\"");
	old = harness_pid(&t, "leaky");
	assert_int_equal(harness_cli(&t, &out, "restart", "leaky", "-c", t.config,
	    "--state-dir", t.state, NULL), 0);
	free(out);
	assert_true(harness_wait_gone(old, 5000));
	assert_true(harness_victim_alive(stranger));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(a_full_disk_is_seen_and_the_file_always_removed),
		TEND_TEST(hogs_are_named_in_the_journal_and_always_end),
		TEND_TEST(a_leak_in_a_service_is_healed_by_its_restart),
		TEND_TEST(a_broken_config_is_rolled_back_or_put_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
