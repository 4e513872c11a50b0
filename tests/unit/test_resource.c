/*
 * Host resources read from a fake /proc: values, thresholds, and unknown
 * (never healthy) when a file cannot be read. Plus the real /proc and "/".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/resource.h"
#include "health/state.h"

static char root[] = "/tmp/tend-proc-XXXXXX";

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static int
make_root(void **state)
{
	strcpy(root, "/tmp/tend-proc-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int
remove_root(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

static struct check_conf
check(enum resource_metric metric, double warn, double crit)
{
	return (struct check_conf){ .name = "c", .type = CHECK_RESOURCE,
	    .metric = metric, .path = "/", .warn = warn, .crit = crit };
}

static void
cpu_is_busy_share_between_samples(void **state)
{
	struct check_conf c = check(RESOURCE_CPU, 50, 90);
	struct resource_sampler *rs;
	struct resource_result r;

	/* user nice system idle iowait irq softirq steal */
	write_file("stat", "cpu 100 0 100 800 0 0 0 0 0 0\n");
	rs = resource_sampler_new(root);
	/* +300 busy, +100 idle: 75 % busy since the last sample. */
	write_file("stat", "cpu 300 0 200 900 0 0 0 0 0 0\n");
	resource_sample(rs, &c, &r);
	assert_true(r.value > 74.9 && r.value < 75.1);
	assert_int_equal(r.state, HEALTH_WARNING);
	/* Nothing busy since: 0 %. */
	write_file("stat", "cpu 300 0 200 1900 0 0 0 0 0 0\n");
	resource_sample(rs, &c, &r);
	assert_true(r.value < 0.1);
	assert_int_equal(r.state, HEALTH_HEALTHY);
	resource_sampler_free(rs);
}

static void
memory_and_swap_from_meminfo(void **state)
{
	struct check_conf mem = check(RESOURCE_MEMORY, 85, 95);
	struct check_conf swap = check(RESOURCE_SWAP, 50, 90);
	struct resource_sampler *rs;
	struct resource_result r;

	write_file("stat", "cpu 1 1 1 1\n");
	write_file("meminfo", "MemTotal: 1000 kB\nMemFree: 10 kB\nMemAvailable: 40 kB\n"
	    "SwapTotal: 200 kB\nSwapFree: 50 kB\n");
	rs = resource_sampler_new(root);
	resource_sample(rs, &mem, &r);
	assert_true(r.value > 95.9 && r.value < 96.1);
	assert_int_equal(r.state, HEALTH_CRITICAL);
	resource_sample(rs, &swap, &r);
	assert_true(r.value > 74.9 && r.value < 75.1);
	assert_int_equal(r.state, HEALTH_WARNING);
	/* No swap at all is fine, not a division by zero. */
	write_file("meminfo", "MemTotal: 1000 kB\nMemAvailable: 900 kB\n"
	    "SwapTotal: 0 kB\nSwapFree: 0 kB\n");
	resource_sample(rs, &swap, &r);
	assert_int_equal(r.state, HEALTH_HEALTHY);
	resource_sampler_free(rs);
}

static void
load_is_per_core(void **state)
{
	struct check_conf load = check(RESOURCE_LOAD, 1.5, 3);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct resource_sampler *rs;
	struct resource_result r;
	char text[64];

	snprintf(text, sizeof(text), "%.2f 0.50 0.25 1/100 4242\n", 2.0 * (double)cores);
	write_file("loadavg", text);
	rs = resource_sampler_new(root);
	resource_sample(rs, &load, &r);
	assert_true(r.value > 1.99 && r.value < 2.01);
	assert_int_equal(r.state, HEALTH_WARNING);
	resource_sampler_free(rs);
}

static void
open_files_from_file_nr(void **state)
{
	struct check_conf c = check(RESOURCE_OPEN_FILES, 50, 90);
	struct resource_sampler *rs;
	struct resource_result r;
	char dir[300];

	snprintf(dir, sizeof(dir), "mkdir -p %s/sys/fs", root);
	assert_int_equal(system(dir), 0);
	write_file("sys/fs/file-nr", "6000\t0\t10000\n");
	rs = resource_sampler_new(root);
	resource_sample(rs, &c, &r);
	assert_true(r.value > 59.9 && r.value < 60.1);
	assert_int_equal(r.state, HEALTH_WARNING);
	resource_sampler_free(rs);
}

static void
what_cannot_be_read_is_unknown(void **state)
{
	struct check_conf mem = check(RESOURCE_MEMORY, 85, 95);
	struct check_conf disk = check(RESOURCE_DISK, 85, 95);
	struct resource_sampler *rs;
	struct resource_result r;

	rs = resource_sampler_new(root);	/* an empty /proc */
	resource_sample(rs, &mem, &r);
	assert_int_equal(r.state, HEALTH_UNKNOWN);
	assert_non_null(strstr(r.message, "MemTotal"));
	disk.path = "/no/such/mount/point";
	resource_sample(rs, &disk, &r);
	assert_int_equal(r.state, HEALTH_UNKNOWN);
	assert_non_null(strstr(r.message, "/no/such/mount/point"));
	resource_sampler_free(rs);
}

static void
the_real_host_can_be_read(void **state)
{
	enum resource_metric m[] = { RESOURCE_CPU, RESOURCE_MEMORY, RESOURCE_SWAP,
	    RESOURCE_DISK, RESOURCE_INODES, RESOURCE_LOAD, RESOURCE_OPEN_FILES };
	struct resource_sampler *rs = resource_sampler_new(NULL);
	struct resource_result r;
	struct check_conf c;
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		c = check(m[i], 1000, 1000);
		resource_sample(rs, &c, &r);
		assert_int_equal(r.state, HEALTH_HEALTHY);
		assert_true(r.value >= 0);
	}
	resource_sampler_free(rs);
}

static void
worst_state_ranks_unknown_above_warning(void **state)
{
	assert_int_equal(health_state_worst(HEALTH_HEALTHY, HEALTH_WARNING), HEALTH_WARNING);
	assert_int_equal(health_state_worst(HEALTH_UNKNOWN, HEALTH_WARNING), HEALTH_UNKNOWN);
	assert_int_equal(health_state_worst(HEALTH_UNKNOWN, HEALTH_CRITICAL), HEALTH_CRITICAL);
	assert_string_equal(health_state_name(HEALTH_CRITICAL), "critical");
	assert_int_equal(health_state_from_thresholds(95, 85, 95), HEALTH_CRITICAL);
	assert_int_equal(health_state_from_thresholds(85, 85, 95), HEALTH_WARNING);
	assert_int_equal(health_state_from_thresholds(84.9, 85, 95), HEALTH_HEALTHY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(cpu_is_busy_share_between_samples, make_root, remove_root),
		cmocka_unit_test_setup_teardown(memory_and_swap_from_meminfo, make_root, remove_root),
		cmocka_unit_test_setup_teardown(load_is_per_core, make_root, remove_root),
		cmocka_unit_test_setup_teardown(open_files_from_file_nr, make_root, remove_root),
		cmocka_unit_test_setup_teardown(what_cannot_be_read_is_unknown, make_root, remove_root),
		cmocka_unit_test(the_real_host_can_be_read),
		cmocka_unit_test(worst_state_ranks_unknown_above_warning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
