/*
 * A service's cgroup with the real binary: the service and what it starts
 * are in <tend's cgroup>/tend.services/NAME from before their exec; a stop
 * ends with cgroup.kill, which takes a child that left the process group
 * and hid its TEND_SERVICE from the reaper; the cgroup is removed after.
 * A limit whose controller is missing is said, and the service runs. The
 * heal action increase_resources raises the memory limit — here, without a
 * memory controller, the rlimit `as` at the restart that follows.
 *
 * Each test runs tend in a cgroup of its own (made under the test's and
 * removed at the end), so tests in parallel never share tend.services.
 * Without cgroup v2 (or not as root) the cgroup tests are skipped.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cgroup.h"

static char home_cg[4096];	/* where the test was before */
static char test_cg[4200];	/* the test's own cgroup, "" when none */

/* A /proc file, read to its end (its size says 0); free it. */
static char *
slurp(const char *path)
{
	size_t len = 0, cap = 65536;
	char *buf;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	buf = malloc(cap);
	while (buf != NULL && len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

/* Moves the test into a new cgroup; false (after saying why) when it cannot. */
static bool
enter_own_cgroup(void)
{
	char mnt[1024], root[1024], own[1024], pid[32], procs[4300];
	char *mi = slurp("/proc/self/mountinfo"), *cg = slurp("/proc/self/cgroup");
	bool ok = false;
	FILE *f;

	if (geteuid() != 0)
		printf("SKIP: not root\n");
	else if (mi == NULL || cgroup_find_mount(mi, mnt, sizeof(mnt), root, sizeof(root)) < 0)
		printf("SKIP: cgroup v2 not mounted\n");
	else if (cg == NULL || cgroup_find_own(cg, own, sizeof(own)) < 0 ||
	    cgroup_dir_path(mnt, root, own, home_cg, sizeof(home_cg)) < 0)
		printf("SKIP: this process is in no cgroup v2\n");
	else
		ok = true;
	free(mi);
	free(cg);
	if (!ok)
		return false;
	snprintf(test_cg, sizeof(test_cg), "%s/tend-test-%d", home_cg, (int)getpid());
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", test_cg);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (mkdir(test_cg, 0755) < 0 || (f = fopen(procs, "w")) == NULL) {
		printf("SKIP: cannot make %s: %s\n", test_cg, strerror(errno));
		rmdir(test_cg);
		*test_cg = '\0';
		return false;
	}
	fputs(pid, f);
	if (fclose(f) != 0) {
		printf("SKIP: cannot enter %s: %s\n", test_cg, strerror(errno));
		rmdir(test_cg);
		*test_cg = '\0';
		return false;
	}
	return true;
}

static void
leave_own_cgroup(void)
{
	char procs[4300];
	FILE *f;

	if (*test_cg == '\0')
		return;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", home_cg);
	if ((f = fopen(procs, "w")) != NULL) {
		fprintf(f, "%d", (int)getpid());
		fclose(f);
	}
	/* tend removed tend.services if it could; a leftover says so here. */
	if (rmdir(test_cg) < 0)
		printf("note: %s not removed: %s\n", test_cg, strerror(errno));
	*test_cg = '\0';
}

static int
setup(void **state)
{
	return harness_test_setup(state);
}

static int
teardown(void **state)
{
	int rc = harness_test_teardown(state);

	leave_own_cgroup();
	return rc;
}

#define CG_TEST(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* The v2 path of pid's cgroup ("" when gone). */
static void
cgroup_of(pid_t pid, char *buf, size_t len)
{
	char path[64], *text;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	*buf = '\0';
	if ((text = slurp(path)) != NULL && cgroup_find_own(text, buf, len) < 0)
		*buf = '\0';
	free(text);
}

static bool
wait_path_gone(const char *path, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	struct stat st;

	while (stat(path, &st) == 0 && harness_mono_ms() < deadline)
		harness_pause_ms(20);
	return stat(path, &st) < 0;
}

static pid_t
wait_pid_file(const char *path, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	char *text;
	pid_t pid = 0;

	while (pid <= 0 && harness_mono_ms() < deadline) {
		if ((text = slurp(path)) != NULL)
			pid = (pid_t)atoi(text);
		free(text);
		if (pid <= 0)
			harness_pause_ms(20);
	}
	return pid;
}

static void
a_service_runs_in_its_cgroup_and_its_stop_kills_all_of_it(void **state)
{
	char main_cg[1024], escaped_cg[1024], dir[4300], *out = NULL;
	const char *path;
	json_t *status, *cg;
	pid_t pid, escaped;

	if (!enter_own_cgroup()) {
		skip();
		return;
	}
	/*
	 * The child leaves the process group (setsid), drops TEND_SERVICE so
	 * the reaper cannot name it, and its parent exits: only the cgroup
	 * still knows it is main's.
	 */
	harness_write_config(&t,
	    "services:\n"
	    "  main:\n"
	    "    run: [/bin/sh, -c, 'env -u TEND_SERVICE setsid sh -c \"sleep 300 & echo "
	    "\\$! > @DIR@/escaped\" & exec sleep 300']\n"
	    "    cgroup: true\n"
	    "    stop: { timeout: 2s }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "main", "up", 0, 5000));
	pid = harness_pid(&t, "main");
	escaped = wait_pid_file(harness_at(&t, "escaped"), 5000);
	assert_true(escaped > 0);
	cgroup_of(pid, main_cg, sizeof(main_cg));
	assert_non_null(strstr(main_cg, "/tend.services/main"));
	cgroup_of(escaped, escaped_cg, sizeof(escaped_cg));
	assert_string_equal(escaped_cg, main_cg);
	assert_true(getpgid(escaped) != pid);

	status = harness_status(&t);
	cg = json_object_get(harness_service(status, "main"), "cgroup");
	path = harness_str(cg, "path");
	assert_non_null(strstr(path, "/tend.services/main"));
	snprintf(dir, sizeof(dir), "%s", path);
	json_decref(status);

	assert_int_equal(harness_cli(&t, &out, "stop", "main", "--state-dir", t.state, NULL),
	    0);
	free(out);
	assert_true(harness_wait_state(&t, "main", "down", 0, 5000));
	assert_true(harness_wait_gone(escaped, 5000));
	assert_true(wait_path_gone(dir, 5000));
}

static void
a_limit_without_its_controller_is_said_and_the_service_runs(void **state)
{
	json_t *status, *svc;
	const char *note;

	if (!enter_own_cgroup()) {
		skip();
		return;
	}
	harness_write_config(&t,
	    "services:\n"
	    "  capped:\n"
	    "    run: [@FAKESVC@, --name, capped, --record, @RECORD@]\n"
	    "    cgroup: { memory_max: 256MB, pids_max: 64 }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "capped", "up", 0, 5000));
	status = harness_status(&t);
	svc = harness_service(status, "capped");
	note = harness_str(json_object_get(svc, "cgroup"), "note");
	if (strstr(note, "memory_max") == NULL) {
		/* This kernel hands tend a memory controller: nothing to fall back from. */
		printf("SKIP: the memory controller is enabled here\n");
		json_decref(status);
		skip();
		return;
	}
	assert_non_null(strstr(note, "not applied"));
	assert_non_null(strstr(note, "controller"));
	assert_true(harness_log_contains(&t, "[capped] cgroup: "));
	assert_true(harness_log_contains(&t, "memory_max"));
	/* Said once, and the effective limit still shown as configured. */
	assert_int_equal(harness_log_count(&t, "[capped] cgroup: "), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(svc, "limits"),
	    "memory_max")), 256 << 20);
	json_decref(status);
}

/* Max address space's soft limit in /proc/PID/limits, as text. */
static void
address_space(pid_t pid, char *soft, size_t len)
{
	char path[64], *text, *line;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	*soft = '\0';
	if ((text = slurp(path)) == NULL)
		return;
	if ((line = strstr(text, "Max address space")) != NULL)
		sscanf(line + strlen("Max address space"), "%31s", soft);
	(void)len;
	free(text);
}

/*
 * An address space limit the service can start under: a sanitizer's
 * reserves terabytes of shadow memory first.
 */
#if defined(__SANITIZE_ADDRESS__)
#define AS_BASE		"32TB"
#define AS_CAP		"60TB"
#define AS_BYTES	"35184372088832"
#define AS_RAISED	52776558133248LL
#define AS_DETAIL	"rlimit as 32.0 TiB -> 48.0 TiB at the next start"
#else
#define AS_BASE		"1GB"
#define AS_CAP		"1536MB"
#define AS_BYTES	"1073741824"
#define AS_RAISED	1610612736LL
#define AS_DETAIL	"rlimit as 1.0 GiB -> 1.5 GiB at the next start"
#endif

static void
increase_resources_raises_memory_for_the_restart(void **state)
{
	char soft[32];
	json_t *inc, *attempts, *status, *limits;
	pid_t first, second;

	harness_write_config(&t, "heal: { cooldown: 0s }\n"
	    "services:\n" HARNESS_SICK_WEB
	    "        heal: [{ increase_resources: { memory: +50%, max: " AS_CAP " } }, restart]\n"
	    "    rlimits: { as: " AS_BASE " }\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	first = harness_pid(&t, "web");
	address_space(first, soft, sizeof(soft));
	assert_string_equal(soft, AS_BYTES);
	harness_make_sick(&t, false);
	inc = harness_wait_incident(&t, "health", "resolution", "healed by restart", 15000);
	assert_non_null(inc);
	attempts = json_object_get(inc, "attempts");
	assert_string_equal(harness_str(json_array_get(attempts, 0), "action"),
	    "increase_resources");
	assert_string_equal(harness_str(json_array_get(attempts, 0), "outcome"), "noted");
	assert_non_null(strstr(harness_str(json_array_get(attempts, 0), "detail"),
	    AS_DETAIL));
	json_decref(inc);
	assert_true(harness_wait_state(&t, "web", "up", first, 5000));
	second = harness_pid(&t, "web");
	address_space(second, soft, sizeof(soft));
	assert_int_equal(atoll(soft), AS_RAISED);
	status = harness_status(&t);
	limits = json_object_get(harness_service(status, "web"), "limits");
	assert_int_equal(json_integer_value(json_object_get(limits, "rlimit_as")), AS_RAISED);
	assert_string_equal(json_string_value(json_array_get(json_object_get(limits, "raised"),
	    0)), "rlimit_as");
	json_decref(status);
}

static void
nothing_to_raise_fails_with_the_reason_and_the_plan_goes_on(void **state)
{
	json_t *inc, *attempts;

	harness_write_config(&t, "heal: { cooldown: 0s }\n"
	    "services:\n" HARNESS_SICK_WEB
	    "        heal: [increase_resources, restart]\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	harness_make_sick(&t, false);
	inc = harness_wait_incident(&t, "health", "resolution", "healed by restart", 15000);
	assert_non_null(inc);
	attempts = json_object_get(inc, "attempts");
	assert_string_equal(harness_str(json_array_get(attempts, 0), "outcome"), "failed");
	assert_non_null(strstr(harness_str(json_array_get(attempts, 0), "detail"),
	    "web has no memory limit to raise"));
	json_decref(inc);
}

static void
bad_values_are_named_at_their_place(void **state)
{
	char *out = NULL;

	harness_write_config(&t,
	    "services:\n"
	    "  web:\n"
	    "    run: [/bin/true]\n"
	    "    cgroup: { memory_max: lots, cpu_max: 0% }\n"
	    "    heal: [{ increase_resources: { memory: 25% } }]\n");
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.config, NULL), 2);
	harness_contains(out, "tend.yaml:4:27: 'cgroup.memory_max': expected a size");
	harness_contains(out, "tend.yaml:4:42: 'cgroup.cpu_max'");
	harness_contains(out, "tend.yaml:5:44: 'increase_resources.memory'");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		CG_TEST(a_service_runs_in_its_cgroup_and_its_stop_kills_all_of_it),
		CG_TEST(a_limit_without_its_controller_is_said_and_the_service_runs),
		CG_TEST(increase_resources_raises_memory_for_the_restart),
		CG_TEST(nothing_to_raise_fails_with_the_reason_and_the_plan_goes_on),
		CG_TEST(bad_values_are_named_at_their_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
