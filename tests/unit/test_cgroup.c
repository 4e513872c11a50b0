/*
 * cgroups without a kernel: the v2 hierarchy found in sample mountinfo and
 * /proc/self/cgroup text (hybrid, unified, a namespace's bind mount, none),
 * a service's `cgroup:` block and the increase_resources action with
 * their mistakes at their places, and how a limit is raised and capped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "config_asserts.h"
#include "core/cgroup.h"
#include "supervise/raise.h"

#define SVC	"services:\n  web:\n    run: [/bin/true]\n"

/* This machine's kind: v1 controllers beside an empty cgroup2 at unified/. */
static const char hybrid[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw\n";
static const char unified[] =
    "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
    "25 21 0:23 / /sys/fs/cgroup rw,nosuid,nodev shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate\n";
/* A container's: the host's cgroup bind-mounted as its root, a space escaped. */
static const char container[] =
    "600 500 0:30 /system.slice/my\\040app.service /sys/fs/cgroup ro - cgroup2 "
    "cgroup2 rw\n";

static void
the_v2_mount_is_found_or_said_absent(void **state)
{
	char mnt[256], root[256];

	(void)state;
	assert_int_equal(cgroup_find_mount(hybrid, mnt, sizeof(mnt), root, sizeof(root)), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/unified");
	assert_string_equal(root, "/");
	assert_int_equal(cgroup_find_mount(unified, mnt, sizeof(mnt), root, sizeof(root)), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup");
	assert_int_equal(cgroup_find_mount(container, mnt, sizeof(mnt), root, sizeof(root)),
	    0);
	assert_string_equal(root, "/system.slice/my app.service");
	assert_int_equal(cgroup_find_mount("31 23 0:28 / /sys/fs/cgroup rw - cgroup cgroup "
	    "rw,memory\n", mnt, sizeof(mnt), root, sizeof(root)), -1);
	assert_int_equal(cgroup_find_mount("", mnt, sizeof(mnt), root, sizeof(root)), -1);
	assert_int_equal(cgroup_find_mount("garbage\n", mnt, sizeof(mnt), root,
	    sizeof(root)), -1);
}

static void
tends_own_cgroup_is_the_v2_line(void **state)
{
	char path[256];

	(void)state;
	assert_int_equal(cgroup_find_own("4:memory:/x\n1:cpu:/\n0::/\n", path, sizeof(path)),
	    0);
	assert_string_equal(path, "/");
	assert_int_equal(cgroup_find_own("0::/system.slice/tend.service\n", path,
	    sizeof(path)), 0);
	assert_string_equal(path, "/system.slice/tend.service");
	assert_int_equal(cgroup_find_own("4:memory:/x\n1:cpu:/\n", path, sizeof(path)), -1);
	assert_int_equal(cgroup_find_own("0::/a/very/long/path", path, 8), -1);
}

static void
the_directory_joins_mount_and_path_below_its_root(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(cgroup_dir_path("/sys/fs/cgroup/unified", "/", "/", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup/unified");
	assert_int_equal(cgroup_dir_path("/sys/fs/cgroup", "/", "/system.slice/tend.service",
	    out, sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup/system.slice/tend.service");
	assert_int_equal(cgroup_dir_path("/sys/fs/cgroup", "/system.slice/app",
	    "/system.slice/app/sub", out, sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup/sub");
	assert_int_equal(cgroup_dir_path("/sys/fs/cgroup", "/system.slice/app",
	    "/system.slice/app", out, sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup");
	/* Not under the mount's root (a sibling whose name merely starts alike). */
	assert_int_equal(cgroup_dir_path("/sys/fs/cgroup", "/system.slice/app",
	    "/system.slice/apple", out, sizeof(out)), -1);
	assert_int_equal(cgroup_dir_path("/sys/fs/cgroup", "/", "/x", out, 10), -1);
}

static void
controller_lists_are_matched_by_word(void **state)
{
	(void)state;
	assert_true(cgroup_list_has("cpuset cpu io memory pids\n", "cpu"));
	assert_true(cgroup_list_has("cpuset cpu io memory pids\n", "pids"));
	assert_false(cgroup_list_has("cpuset io memory\n", "cpu"));
	assert_false(cgroup_list_has("", "memory"));
}

/* A directory that is not on cgroup2 is refused, whatever its name says. */
static void
only_cgroup2_directories_are_opened(void **state)
{
	(void)state;
	assert_int_equal(cgroup_open("/tmp"), -1);
	assert_int_equal(errno, EXDEV);
	assert_int_equal(cgroup_open("relative/path"), -1);
}

static void
a_cgroup_block_is_read(void **state)
{
	struct tend_config *cfg = load_ok(SVC "    cgroup: { memory_max: 512MB, memory_high: "
	    "400MB, cpu_max: 50%, pids_max: 64 }\n"
	    "  b:\n    run: [/bin/true]\n    cgroup: { cpu_max: '20000 50000', "
	    "memory_max: max }\n"
	    "  c:\n    run: [/bin/true]\n    cgroup: true\n"
	    "  d:\n    run: [/bin/true]\n    cgroup: { cpu_max: 250% }\n");
	const struct service_cgroup_conf *a = &cfg->services[0].cgroup;
	const struct service_cgroup_conf *b = &cfg->services[1].cgroup;

	(void)state;
	assert_true(a->enabled);
	assert_int_equal(a->memory_max, 512ULL << 20);
	assert_int_equal(a->memory_high, 400ULL << 20);
	assert_int_equal(a->cpu_quota_us, 50000);
	assert_int_equal(a->cpu_period_us, 100000);
	assert_int_equal(a->pids_max, 64);
	assert_int_equal(b->cpu_quota_us, 20000);
	assert_int_equal(b->cpu_period_us, 50000);
	assert_true(b->memory_max == SERVICE_CGROUP_MAX);
	assert_true(cfg->services[2].cgroup.enabled);
	assert_int_equal(cfg->services[2].cgroup.memory_max, 0);
	assert_int_equal(cfg->services[3].cgroup.cpu_quota_us, 250000);
	assert_false(service_conf_equal(&cfg->services[0], &cfg->services[2]));
	config_free(cfg);
}

static void
cgroup_mistakes_are_named_at_their_place(void **state)
{
	(void)state;
	assert_error(SVC "    cgroup: { memory_max: lots }\n", 4, 27,
	    "'cgroup.memory_max': expected a size");
	assert_error(SVC "    cgroup: { memory_max: 0 }\n", 4, 27, "above 0");
	assert_error(SVC "    cgroup: { cpu_max: 0% }\n", 4, 24, "'cgroup.cpu_max'");
	assert_error(SVC "    cgroup: { cpu_max: '500 100000' }\n", 4, 24, "at least 1000");
	assert_error(SVC "    cgroup: { cpu_max: '50000 2000000' }\n", 4, 24, "cpu_max");
	assert_error(SVC "    cgroup: { pids_max: -3 }\n", 4, 25, "'cgroup.pids_max'");
	assert_error(SVC "    cgroup: { memory: 1GB }\n", 4, 15, "unknown key 'memory'");
	assert_error(SVC "    cgroup: { memory_max: 1GB, memory_high: 2GB }\n", 4, 13,
	    "memory_high is above memory_max");
	assert_error(SVC "    cgroup: [memory]\n", 4, 13, "'cgroup': expected true");
	assert_error(SVC "    cgroup: maybe\n", 4, 13, "expected true or false");
	assert_error("services:\n  db:\n    pidfile: /run/db.pid\n    start: [/bin/true]\n"
	    "    cgroup: true\n", 5, 13, "an external service");
}

/*
 * cpu_max's microseconds are decimal digits, nothing else: a sign or a
 * blank is refused, a number too large for a count is not wrapped
 * (strtoull took "-1000" as 2^64 - 1000) nor clamped to max.
 */
static void
cpu_max_takes_only_plain_microseconds(void **state)
{
	static const char *const bad[] = { "-1000 100000", "99999999999999999999 100000",
	    " 50000 100000", "+50000 100000", "50000 -100000", "50000  100000", "50000" };
	char yaml[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(yaml, sizeof(yaml), SVC "    cgroup: { cpu_max: '%s' }\n", bad[i]);
		assert_error(yaml, 4, 24, "'cgroup.cpu_max': expected");
	}
}

static void
increase_resources_is_read(void **state)
{
	struct tend_config *cfg = load_ok(SVC "    heal:\n"
	    "      - increase_resources: { memory: +25%, max: 2GB, cpu: +50%, max_cpu: 200%,"
	    " pids: +64 }\n"
	    "      - increase_resources: { memory: +256MB }\n"
	    "      - increase_resources\n");
	const struct heal_action *v = cfg->services[0].heal.v;

	(void)state;
	assert_int_equal(cfg->services[0].heal.n, 3);
	assert_int_equal(v[0].kind, HEAL_INCREASE);
	assert_string_equal(v[0].name, "increase_resources");
	assert_true(v[0].raise_memory.pct == 25);
	assert_true(v[0].raise_memory.cap == 2.0 * 1024 * 1024 * 1024);
	assert_true(v[0].raise_cpu.pct == 50);
	assert_true(v[0].raise_cpu.cap == 200);
	assert_true(v[0].raise_pids.add == 64);
	assert_true(v[1].raise_memory.add == 256.0 * 1024 * 1024);
	assert_true(v[1].raise_memory.pct == 0);
	assert_int_equal(v[2].kind, HEAL_INCREASE);
	assert_true(v[2].raise_memory.pct == 25);
	config_free(cfg);
}

static void
increase_resources_mistakes_are_named(void **state)
{
	(void)state;
	assert_error(SVC "    heal: [{ increase_resources: { memory: 25% } }]\n", 4, 44,
	    "expected a raise like +25%");
	assert_error(SVC "    heal: [{ increase_resources: { cpu: +1GB } }]\n", 4, 41,
	    "'increase_resources.cpu'");
	assert_error(SVC "    heal: [{ increase_resources: { max: 2GB } }]\n", 4, 34,
	    "expected what to raise");
	assert_error(SVC "    heal: [{ increase_resources: { memory: +10%, max: lots } }]\n",
	    4, 55, "'increase_resources.max': expected a size");
	assert_error(SVC "    heal: [{ increase_resources: { memory: +10%, max_pids: 9 } }]\n",
	    4, 34, "a cap (max, max_cpu, max_pids) without");
	assert_error(SVC "    heal: [{ increase_resources: { disk: +10% } }]\n", 4, 36,
	    "unknown key 'disk'");
	assert_error("services:\n  web:\n    run: [/bin/true]\nchecks:\n  up:\n    type: tcp\n"
	    "    port: 80\n    heal: [increase_resources]\n", 8, 12, "belongs to no service");
}

static void
a_raise_is_capped_and_never_lowers(void **state)
{
	struct heal_raise pct = { .pct = 25 }, capped = { .pct = 25, .cap = 600 };
	struct heal_raise add = { .add = 100, .cap = 150 };

	(void)state;
	assert_int_equal(raise_value(400, &pct), 500);
	assert_int_equal(raise_value(400, &capped), 500);
	assert_int_equal(raise_value(500, &capped), 600);
	assert_int_equal(raise_value(600, &capped), 600);	/* at the cap: no raise */
	assert_int_equal(raise_value(700, &capped), 700);	/* above it: never lowered */
	assert_int_equal(raise_value(100, &add), 150);
	assert_true(raise_value(SERVICE_CGROUP_MAX, &pct) == SERVICE_CGROUP_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_v2_mount_is_found_or_said_absent),
		cmocka_unit_test(tends_own_cgroup_is_the_v2_line),
		cmocka_unit_test(the_directory_joins_mount_and_path_below_its_root),
		cmocka_unit_test(controller_lists_are_matched_by_word),
		cmocka_unit_test(only_cgroup2_directories_are_opened),
		cmocka_unit_test(a_cgroup_block_is_read),
		cmocka_unit_test(cgroup_mistakes_are_named_at_their_place),
		cmocka_unit_test(cpu_max_takes_only_plain_microseconds),
		cmocka_unit_test(increase_resources_is_read),
		cmocka_unit_test(increase_resources_mistakes_are_named),
		cmocka_unit_test(a_raise_is_capped_and_never_lowers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
