/*
 * Log checks' parts: the follower (from the end at first, rotation,
 * truncation, a missing file, a directory, a binary line, a 10 MB line),
 * the windows, the regex set, and their config's errors at file:line:col.
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

#include "checks/check_run.h"
#include "checks/logfollow.h"
#include "checks/logwindow.h"
#include "config_asserts.h"
#include "core/regexset.h"
#include "core/strv.h"

struct seen {
	char		**lines;	/* as read, NULs shown as '0' */
	int		 cut;
};

static void
on_line(void *arg, const char *line, size_t len, unsigned flags)
{
	struct seen *s = arg;
	char *copy = malloc(len + 1);
	size_t i;

	for (i = 0; i < len; i++)
		copy[i] = line[i] == '\0' ? '0' : line[i];
	copy[len] = '\0';
	s->lines = strv_push(s->lines, len > 64 ? "LONG" : copy);
	free(copy);
	if (flags & LOGLINE_CUT)
		s->cut++;
}

static char dir[] = "/tmp/tend-logfollow-XXXXXX";
static char path[64];

static void
append(const char *p, const char *text, size_t len)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

#define APPEND(text)	append(path, text, sizeof(text) - 1)

/* Reads, and returns what was read as one string joined by '|'. */
static char *
read_lines(struct logfollow *f, struct logfollow_report *rep)
{
	static char joined[4096];
	struct seen s = { 0 };
	size_t i;

	logfollow_read(f, 1 << 30, on_line, &s, rep);
	joined[0] = '\0';
	for (i = 0; s.lines != NULL && s.lines[i] != NULL; i++)
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
		    i ? "|" : "", s.lines[i]);
	strv_free(s.lines);
	return joined;
}

static int
setup(void **state)
{
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/app.log", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void
test_from_end_then_new_lines(void **state)
{
	struct logfollow f;
	struct logfollow_report rep;

	unlink(path);
	APPEND("old 1\nold 2\n");
	logfollow_init(&f, path, true, 0);
	assert_string_equal(read_lines(&f, &rep), "");
	assert_true(rep.started);
	APPEND("new 1\nnew 2\r\nhalf");
	assert_string_equal(read_lines(&f, &rep), "new 1|new 2");
	APPEND(" done\n");
	assert_string_equal(read_lines(&f, &rep), "half done");
	assert_string_equal(read_lines(&f, &rep), "");	/* never twice */
	logfollow_close(&f);
}

static void
test_rotation_finishes_the_old_file(void **state)
{
	struct logfollow f;
	struct logfollow_report rep;
	char old[80];

	unlink(path);
	APPEND("a\n");
	logfollow_init(&f, path, true, 0);
	read_lines(&f, &rep);
	APPEND("b\n");
	snprintf(old, sizeof(old), "%s.1", path);
	assert_int_equal(rename(path, old), 0);
	append(old, "c, written late\n", 16);
	APPEND("d\n");
	assert_string_equal(read_lines(&f, &rep), "b|c, written late|d");
	assert_true(rep.rotated);
	APPEND("e\n");
	assert_string_equal(read_lines(&f, &rep), "e");
	logfollow_close(&f);
}

static void
test_truncation_reads_from_zero(void **state)
{
	struct logfollow f;
	struct logfollow_report rep;

	unlink(path);
	APPEND("one long line before\n");
	logfollow_init(&f, path, true, 0);
	read_lines(&f, &rep);
	assert_int_equal(truncate(path, 0), 0);
	APPEND("x\n");
	assert_string_equal(read_lines(&f, &rep), "x");
	assert_true(rep.truncated);
	logfollow_close(&f);
}

static void
test_missing_then_back_from_its_start(void **state)
{
	struct logfollow f;
	struct logfollow_report rep;

	unlink(path);
	logfollow_init(&f, path, true, 0);
	assert_string_equal(read_lines(&f, &rep), "");
	assert_int_equal(rep.status, LOGFOLLOW_MISSING);
	APPEND("first\n");
	assert_string_equal(read_lines(&f, &rep), "first");
	assert_int_equal(rep.status, LOGFOLLOW_OK);
	APPEND("more\n");
	assert_int_equal(unlink(path), 0);
	/* Gone: what it had is still read; then it says so. */
	assert_string_equal(read_lines(&f, &rep), "more");
	assert_int_equal(rep.status, LOGFOLLOW_MISSING);
	APPEND("again\n");
	assert_string_equal(read_lines(&f, &rep), "again");
	assert_int_equal(rep.status, LOGFOLLOW_OK);
	logfollow_close(&f);
}

static void
test_directory_and_symlink(void **state)
{
	struct logfollow f;
	struct logfollow_report rep;

	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0);
	logfollow_init(&f, path, true, 0);
	read_lines(&f, &rep);
	assert_int_equal(rep.status, LOGFOLLOW_NOT_FILE);
	assert_true(S_ISDIR(rep.mode));
	logfollow_close(&f);
	rmdir(path);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	logfollow_init(&f, path, true, 0);
	read_lines(&f, &rep);
	assert_int_equal(rep.status, LOGFOLLOW_NOT_FILE);	/* tend's: no link */
	logfollow_close(&f);
	logfollow_init(&f, path, false, 0);
	read_lines(&f, &rep);
	assert_int_equal(rep.status, LOGFOLLOW_OK);		/* file: followed */
	logfollow_close(&f);
	unlink(path);
}

static void
test_binary_and_huge_lines(void **state)
{
	struct logfollow f;
	struct logfollow_report rep;
	struct seen s = { 0 };
	size_t big = 10 * 1024 * 1024;
	char *line = malloc(big + 1);

	unlink(path);
	APPEND("");
	logfollow_init(&f, path, true, 0);
	read_lines(&f, &rep);
	append(path, "bin\0ary\n", 8);
	assert_string_equal(read_lines(&f, &rep), "bin0ary");
	memset(line, 'A', big);
	line[big] = '\n';
	append(path, line, big + 1);
	APPEND("after\n");
	logfollow_read(&f, 1 << 30, on_line, &s, &rep);
	assert_int_equal(strv_len(s.lines), 2);	/* the 10 MB line counted once */
	assert_string_equal(s.lines[0], "LONG");
	assert_string_equal(s.lines[1], "after");
	assert_int_equal(s.cut, 1);
	strv_free(s.lines);
	free(line);
	logfollow_close(&f);
}

static void
test_budget_bounds_a_read(void **state)
{
	struct logfollow f;
	struct logfollow_report rep;
	struct seen s = { 0 };

	unlink(path);
	APPEND("");
	logfollow_init(&f, path, true, 0);
	read_lines(&f, &rep);
	APPEND("0123456789\n0123456789\n");
	logfollow_read(&f, 11, on_line, &s, &rep);
	assert_int_equal(strv_len(s.lines), 1);
	assert_int_equal(rep.behind, 11);
	assert_string_equal(read_lines(&f, &rep), "0123456789");
	strv_free(s.lines);
	logfollow_close(&f);
}

static void
test_windows(void **state)
{
	struct logwindow w;
	uint64_t m, n;

	logwindow_init(&w, 60000);
	logwindow_add(&w, 1000000, 2, 10);
	logwindow_add(&w, 1030000, 3, 10);
	logwindow_sum(&w, 1030000, &m, &n);
	assert_int_equal(m, 5);
	assert_int_equal(n, 20);
	logwindow_sum(&w, 1061000, &m, &n);	/* the first has left the window */
	assert_int_equal(m, 3);
	logwindow_sum(&w, 1200000, &m, &n);
	assert_int_equal(m + n, 0);
	/* A bucket reused a lap later starts from zero. */
	logwindow_add(&w, 1000000 + 60000 * 5, 1, 1);
	logwindow_sum(&w, 1000000 + 60000 * 5, &m, &n);
	assert_int_equal(m, 1);
}

static void
test_regexset(void **state)
{
	char *pats[] = { "ERROR", "(?i)fatal", NULL }, err[128];
	struct regexset *s = regexset_new(pats, err, sizeof(err));

	assert_non_null(s);
	assert_true(regexset_match(s, "x ERROR y", 9));
	assert_true(regexset_match(s, "FaTaL\0z", 7));
	assert_false(regexset_match(s, "ERR\0OR", 6));
	regexset_free(s);
	pats[1] = "(x";
	assert_null(regexset_new(pats, err, sizeof(err)));
	assert_non_null(strstr(err, "parenthesis"));
}

#define LOG_X	"checks:\n  l:\n    type: log\n    file: /x\n"

static void
test_config_errors(void **state)
{
	struct tend_config *cfg;

	assert_error(LOG_X "    match: ['ok', 'a(b']\n",
	    5, 23, "missing closing parenthesis");
	assert_error(LOG_X "    ignore: '[z-a]'\n",
	    5, 17, "range out of order");
	assert_error(LOG_X "    crit: {count: 1, rate: 2}\n",
	    5, 11, "exactly one of");
	assert_error(LOG_X "    crit: {rate: 2, of: bytes}\n",
	    5, 11, "'of' may only be 'lines'");
	assert_error("checks:\n  l:\n    type: log\n", 2, 3, "needs 'file'");
	assert_error("checks:\n  l:\n    type: log\n    file: ''\n", 4, 11,
	    "'file': expected the path of a log file");
	cfg = load_ok(LOG_X "    warn: {rate: 5%, of: lines, "
	    "within: 2m}\n");
	assert_int_equal(cfg->checks[0].log.warn.rate, true);
	assert_true(cfg->checks[0].log.warn.value == 5);
	assert_int_equal(cfg->checks[0].log.warn.within_ms, 120000);
	assert_true(cfg->checks[0].log.crit.value < 0);
	config_free(cfg);
	cfg = load_ok("checks:\n  l:\n    type: log\n    file: /x\n");
	assert_true(cfg->checks[0].log.crit.value == 1);	/* any line, by default */
	config_free(cfg);
	/* A relative file is the config's folder's, as every other path in it. */
	cfg = load_ok("checks:\n  l:\n    type: log\n    file: logs/app.log\n");
	assert_true(cfg->checks[0].log.file[0] == '/');
	assert_non_null(strstr(cfg->checks[0].log.file, "/logs/app.log"));
	config_free(cfg);
}

static void
test_implicit_error_checks(void **state)
{
	struct tend_config *cfg;
	const struct check_conf *c;

	cfg = load_ok("self_healing:\n  error_detection:\n    threshold_error_rate: 5\n"
	    "services:\n  a:\n    run: [sleep, '9']\n  b:\n    run: [sleep, '9']\n"
	    "    checks:\n      mine:\n        type: log\n        match: x\n"
	    "  c:\n    run: [sleep, '9']\n"
	    "  ext:\n    pidfile: /run/x.pid\n    start: ['true']\n"
	    "checks:\n  c-errors:\n    type: tcp\n    port: 1\n");
	/* a gets one; b reads its output already; c's name is taken; ext has none. */
	assert_non_null(c = config_find_check(cfg, "a-errors"));
	assert_int_equal(c->type, CHECK_LOG);
	assert_true(c->log.crit.rate && c->log.crit.value == 5);
	assert_null(config_find_check(cfg, "b-errors"));
	assert_int_equal(config_find_check(cfg, "c-errors")->type, CHECK_TCP);
	assert_null(config_find_check(cfg, "ext-errors"));
	config_free(cfg);
	cfg = load_ok("services:\n  a:\n    run: [sleep, '9']\n");
	assert_null(config_find_check(cfg, "a-errors"));	/* only when asked */
	config_free(cfg);
}

static struct check_result got;
static int n_got;

static void
on_result(void *arg, const struct check_conf *conf, struct check_result *r)
{
	check_result_clear(&got);
	check_result_move(&got, r);
	n_got++;
}

static void
run_once(uv_loop_t *loop, struct check_env *env, const struct check_conf *c,
    struct check_memory *mem)
{
	int before = n_got;

	check_run_start(env, c, mem, on_result, NULL);
	uv_run(loop, UV_RUN_DEFAULT);
	assert_int_equal(n_got, before + 1);
}

/* Two runs of a check: nothing at first (from the end), then the burst. */
static void
test_check_runs_and_shows_the_line_safely(void **state)
{
	struct check_memory mem = { 0 };
	struct check_env env;
	struct tend_config *cfg;
	char yaml[256];
	uv_loop_t loop;

	unlink(path);
	APPEND("ERROR before tend\n");
	snprintf(yaml, sizeof(yaml), "checks:\n  l:\n    type: log\n    file: %s\n"
	    "    match: ERROR\n    ignore: harmless\n    crit: {count: 2, within: 1m}\n",
	    path);
	cfg = load_ok(yaml);
	uv_loop_init(&loop);
	env = (struct check_env){ .loop = &loop };
	check_result_init(&got);
	run_once(&loop, &env, &cfg->checks[0], &mem);
	assert_int_equal(got.state, HEALTH_HEALTHY);
	assert_non_null(strstr(got.message, "0 matching lines"));
	APPEND("ERROR harmless\nERROR one\n");
	run_once(&loop, &env, &cfg->checks[0], &mem);
	assert_int_equal(got.state, HEALTH_HEALTHY);
	APPEND("ERROR db https://u:pw@h/ \0\x1b[2J\n");
	run_once(&loop, &env, &cfg->checks[0], &mem);
	assert_int_equal(got.state, HEALTH_CRITICAL);
	assert_non_null(strstr(got.message, "2 matching lines in 1m (66.7% of 3)"));
	assert_non_null(strstr(got.message, "; last: ERROR db https://u:***@h/ "
	    "\\x00\\x1b[2J"));
	check_memory_clear(&mem);
	check_result_clear(&got);
	assert_int_equal(uv_loop_close(&loop), 0);
	config_free(cfg);
}

/* A run cancelled, its memory freed at once: the read's end frees the state. */
static void
test_cancelled_run_leaves_no_work_on_freed_state(void **state)
{
	struct check_memory mem = { 0 };
	struct check_env env;
	struct tend_config *cfg;
	struct check_run *run;
	char yaml[256];
	uv_loop_t loop;
	int before = n_got;

	snprintf(yaml, sizeof(yaml), "checks:\n  l:\n    type: log\n    file: %s\n", path);
	cfg = load_ok(yaml);
	uv_loop_init(&loop);
	env = (struct check_env){ .loop = &loop };
	run_once(&loop, &env, &cfg->checks[0], &mem);
	APPEND("more\n");
	run = check_run_start(&env, &cfg->checks[0], &mem, on_result, NULL);
	check_run_cancel(run);
	check_memory_clear(&mem);	/* what scheduler_close does next */
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(n_got, before + 1);	/* the cancelled one never reported */
	assert_int_equal(uv_loop_close(&loop), 0);
	check_result_clear(&got);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_end_then_new_lines),
		cmocka_unit_test(test_rotation_finishes_the_old_file),
		cmocka_unit_test(test_truncation_reads_from_zero),
		cmocka_unit_test(test_missing_then_back_from_its_start),
		cmocka_unit_test(test_directory_and_symlink),
		cmocka_unit_test(test_binary_and_huge_lines),
		cmocka_unit_test(test_budget_bounds_a_read),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_regexset),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_implicit_error_checks),
		cmocka_unit_test(test_check_runs_and_shows_the_line_safely),
		cmocka_unit_test(test_cancelled_run_leaves_no_work_on_freed_state),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
