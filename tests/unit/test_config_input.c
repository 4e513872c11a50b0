/*
 * What the loader takes as a config: one document, not empty, at most
 * 4 MB from a regular file or a pipe, with aliases that expand to a
 * bounded tree, and errors one per line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"

#include "config_asserts.h"

static char dir[64];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/tend-input-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	config_errors_clear(&errs);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Loads path and asserts that its one error says `word`. */
static void
assert_file_error(const char *path, const char *word)
{
	struct tend_config *cfg = config_load_file(path, &errs);

	assert_null(cfg);
	assert_int_equal(errs.n, 1);
	if (strstr(errs.v[0].msg, word) == NULL)
		fail_msg("'%s' does not say '%s'", errs.v[0].msg, word);
	config_errors_clear(&errs);
}

/* A truncated write seen by a reload must not mean "no services". */
static void
an_empty_config_is_an_error(void **state)
{
	struct tend_config *cfg;

	assert_error("", 1, 1, "the config is empty");
	assert_error("# nothing but a comment\n\n", 1, 1, "the config is empty");
	cfg = load_ok("{}\n");
	assert_int_equal(cfg->n_services, 0);
	assert_false(cfg->services_written);
	config_free(cfg);
	cfg = load_ok("services: {}\n");
	assert_true(cfg->services_written);
	config_free(cfg);
}

static void
a_second_document_is_an_error(void **state)
{
	assert_error("services: {}\n---\nchecks: {}\n", 2, 1, "second YAML document");
	assert_error("services: {}\n---\n", 2, 1, "second YAML document");
	/* An explicit start and end of the one document are fine. */
	config_free(load_ok("---\nservices: {}\n...\n"));
}

/* A 1 MB string used 10,000 times took 10 GB and 39 s, then "ok". */
static void
alias_expansion_is_bounded(void **state)
{
	size_t big = 1 << 20, i;
	char *yaml = malloc(big + 10000 * 4 + 200), *p = yaml;
	struct tend_config *cfg;

	p += sprintf(p, "services:\n  a:\n    env: { X: &s '");
	memset(p, 'A', big);
	p += big;
	p += sprintf(p, "' }\n    run: [/bin/true");
	for (i = 0; i < 10000; i++)
		p += sprintf(p, ", *s");
	sprintf(p, "]\n");
	cfg = config_load_string("t.yaml", yaml, &errs);
	assert_null(cfg);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.v[0].line, 4);
	assert_int_equal(errs.v[0].col, 10);
	assert_non_null(strstr(errs.v[0].msg, "expand this to more than 64 MB"));
	config_errors_clear(&errs);
	free(yaml);
}

static void
aliases_are_counted(void **state)
{
	char *yaml = malloc(10001 * 4 + 200), *p = yaml;
	struct tend_config *cfg;
	int i;

	p += sprintf(p, "services:\n  a:\n    env: { X: &s x }\n    run: [/bin/true");
	for (i = 0; i < 10001; i++)
		p += sprintf(p, ", *s");
	sprintf(p, "]\n");
	assert_error(yaml, 4, 10, "more than 10000 YAML aliases");
	free(yaml);
	/* The ordinary use: settings shared between services. */
	cfg = load_ok("services:\n"
	    "  a: { run: [/bin/true], env: &env { A: '1' }, backoff: &b { max: 5s } }\n"
	    "  b: { run: [/bin/true], env: *env, backoff: *b }\n");
	assert_string_equal(cfg->services[1].env[0], "A=1");
	assert_int_equal(cfg->services[1].backoff.max_ms, 5000);
	config_free(cfg);
}

/* `heal: &x [{any: *x}]` recursed until the stack overflowed. */
static void
an_alias_inside_its_own_node_is_an_error(void **state)
{
	assert_error("services:\n  a:\n    run: [/bin/true]\n    heal: &x [{any: *x}]\n",
	    4, 11, "inside the node it names");
	assert_error("a: &x { b: *x }\n", 1, 4, "inside the node it names");
}

static void
nesting_is_bounded(void **state)
{
	char yaml[2048], *p = yaml;
	int i;

	p += sprintf(p, "services:\n  a:\n    run: [/bin/true]\n    heal: ");
	for (i = 0; i < 100; i++)
		p += sprintf(p, "[{any: ");
	sprintf(p, "x\n");
	for (i = 0; i < 100; i++)
		strcat(yaml, "}]");
	strcat(yaml, "\n");
	config_load_string("t.yaml", yaml, &errs);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.v[0].msg, "nested more than 64 levels"));
	config_errors_clear(&errs);
}

static void
a_directory_or_a_device_is_no_config(void **state)
{
	assert_file_error(dir, "is a directory");
	assert_file_error("/dev/zero", "not a regular file or a pipe");
	assert_file_error("/dev/null", "not a regular file or a pipe");
}

static void
a_file_above_4mb_is_refused(void **state)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/big.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("services: {}\n", f);
	for (int i = 0; i < (4 << 20) / 16; i++)
		fputs("# padding......\n", f);
	fclose(f);
	assert_file_error(path, "larger than 4 MB");
}

/* tend validate -c <(generate-config): a pipe, its writer another process. */
static void
a_pipe_is_read_to_its_end(void **state)
{
	static const char text[] = "services: {}\ninterval: 7s\n";
	struct tend_config *cfg;
	char path[64];
	int fds[2];
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		_exit(write(fds[1], text, strlen(text)) == (ssize_t)strlen(text) ? 0 : 1);
	}
	close(fds[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	cfg = config_load_file(path, &errs);
	close(fds[0]);
	waitpid(pid, NULL, 0);
	if (cfg == NULL)
		config_errors_print(&errs, stderr);
	assert_non_null(cfg);
	assert_int_equal(cfg->interval_ms, 7000);
	config_free(cfg);
}

/* "file:line:col: message" is one error per line, whatever a key holds. */
static void
an_error_is_one_line(void **state)
{
	static const char *const yaml[] = {
		"services:\n  \"a\\nb\": { run: [/bin/true] }\n",
		"\"bo\\ngus\\r\\x1b[2J\": 1\n",
		"?\n  ?\n:\n",
	};
	size_t i, j, len, lines;
	char *out = NULL;
	FILE *f;

	for (i = 0; i < sizeof(yaml) / sizeof(yaml[0]); i++) {
		assert_null(config_load_string("t\n.yaml", yaml[i], &errs));
		assert_true(errs.n > 0);
		for (j = 0; j < errs.n; j++) {
			assert_null(strpbrk(errs.v[j].msg, "\n\r\x1b"));
			assert_null(strchr(errs.v[j].file, '\n'));
		}
		f = open_memstream(&out, &len);
		config_errors_print(&errs, f);
		fclose(f);
		for (j = 0, lines = 0; j < len; j++)
			lines += out[j] == '\n';
		assert_int_equal(lines, errs.n);
		free(out);
		config_errors_clear(&errs);
	}
}

static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Loads yaml, which must hold no error, and asserts that it took less
 * than limit seconds of CPU (not wall time: the machine may be busy).
 */
static void
assert_loads_within(const char *what, const char *yaml, double limit)
{
	double start = cpu_seconds(), took;
	struct tend_config *cfg;

	cfg = load_ok(yaml);
	took = cpu_seconds() - start;
	config_free(cfg);
	fprintf(stderr, "%s: %.3f s of CPU\n", what, took);
	if (took > limit)
		fail_msg("%s: %.1f s of CPU, more than %.1f", what, took, limit);
}

/*
 * 50,000 keys took 14 s: each key was compared with every earlier one,
 * and each reference looked its name up in a scan. A quadratic loader
 * takes minutes here; a linear one a fraction of a second.
 */
static void
fifty_thousand_keys_load_in_linear_time(void **state)
{
	size_t cap = 50000 * 100, n = 50000, i;
	char *yaml = malloc(cap), *p;

	p = yaml + sprintf(yaml, "services:\n");
	for (i = 0; i + 1 < n; i++)
		p += sprintf(p, "  s%zu: { run: [/bin/true], depends_on: [s%zu] }\n", i,
		    i + 1);
	sprintf(p, "  s%zu: { run: [/bin/true] }\n", i);
	assert_loads_within("50,000 services, each depending on the next", yaml, 5);

	p = yaml + sprintf(yaml, "services: { a: { run: [/bin/true] } }\nchecks:\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "  c%zu: { type: tcp, port: 1, heal: [{ restart: a }] }\n", i);
	assert_loads_within("50,000 checks, each healing a service", yaml, 5);

	/* Pushed one by one, each push walked the whole list: 150,000 took 6 s. */
	p = yaml + sprintf(yaml, "services:\n  a:\n    run: [/bin/true]\n    env:\n");
	for (i = 0; i < 3 * n; i++)
		p += sprintf(p, "      K%zu: v\n", i);
	assert_loads_within("150,000 variables", yaml, 2);
	free(yaml);
}

/* Writes text to dir/name; the path. */
static const char *
write_config(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

/* tend status -c FILE reads the state dir without the rest of the file. */
static void
the_state_dir_is_peeked_at_the_top_level(void **state)
{
	char *sd, want[160];

	(void)state;
	assert_int_equal(config_peek_state_dir(write_config("a.yaml", "services:\n"
	    "  web: {run: [sleep, '1'], state_dir: /not/this, checks: {c: {type: tcp, "
	    "port: 1}}}\n  db:\n    run: [sleep, '1']\nstate_dir: /var/lib/x\n"
	    "checks: [1, [2, {state_dir: /nor/this}]]\n"), &sd), 0);
	assert_string_equal(sd, "/var/lib/x");
	free(sd);
	/* None named: NULL, the default's. */
	assert_int_equal(config_peek_state_dir(write_config("b.yaml", "services: {}\n"),
	    &sd), 0);
	assert_null(sd);
	/* Relative to the file's folder, as the full load makes it. */
	assert_int_equal(config_peek_state_dir(write_config("c.yaml", "state_dir: st\n"),
	    &sd), 0);
	snprintf(want, sizeof(want), "%s/st", dir);
	assert_string_equal(sd, want);
	free(sd);
	/* What only a full load can say. */
	assert_int_equal(config_peek_state_dir(write_config("d.yaml", "base: &b {state_dir: "
	    "/x}\n<<: *b\n"), &sd), -1);
	assert_null(sd);
	assert_int_equal(config_peek_state_dir(write_config("e.yaml", "d: &d /x\n"
	    "state_dir: *d\n"), &sd), -1);
	assert_int_equal(config_peek_state_dir(write_config("f.yaml", "services: [\n"),
	    &sd), -1);
	assert_int_equal(config_peek_state_dir(write_config("g.yaml", "- a\n"), &sd), -1);
	assert_int_equal(config_peek_state_dir("/nonexistent/tend.yaml", &sd), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(an_empty_config_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(the_state_dir_is_peeked_at_the_top_level, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_second_document_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(alias_expansion_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(aliases_are_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(an_alias_inside_its_own_node_is_an_error,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(nesting_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(a_directory_or_a_device_is_no_config,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_above_4mb_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(a_pipe_is_read_to_its_end, setup, teardown),
		cmocka_unit_test_setup_teardown(fifty_thousand_keys_load_in_linear_time,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(an_error_is_one_line, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
