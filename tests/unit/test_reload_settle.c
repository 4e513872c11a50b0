/*
 * daemon/reload.c on a loop of its own: the file read until it holds
 * still, configs that would stop every service refused, and the settings
 * only a restart applies named and kept as they run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "config/config.h"
#include "daemon/reload.h"

static char dir[64], path[128], logpath[128];
static struct tend_config *running, *applied;
static int applies, saved_stderr = -1;

static const struct tend_config *
test_running(void *arg)
{
	return running;
}

static void
test_apply(void *arg, struct tend_config *cfg)
{
	config_free(applied);
	applied = cfg;
	applies++;
}

static void
write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static struct tend_config *
load(const char *yaml)
{
	struct config_errors errs = { 0 };
	struct tend_config *cfg = config_load_string("running.yaml", yaml, &errs);

	if (cfg == NULL)
		config_errors_print(&errs, stderr);
	assert_non_null(cfg);
	return cfg;
}

/* What the reload logged (stderr goes to a file during each test). */
static bool
logged(const char *text)
{
	char buf[16384];
	size_t n;
	FILE *f;

	fflush(stderr);
	f = fopen(logpath, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

static int
setup(void **state)
{
	int fd;

	snprintf(dir, sizeof(dir), "/tmp/tend-reload-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tend.yaml", dir);
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	fflush(stderr);
	saved_stderr = dup(2);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	running = applied = NULL;
	applies = 0;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128], *text;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	/* What the reload said, for a test that failed. */
	if ((text = malloc(16384)) != NULL) {
		FILE *f = fopen(logpath, "r");
		size_t n = f ? fread(text, 1, 16383, f) : 0;

		text[n] = '\0';
		if (f != NULL)
			fclose(f);
		fputs(text, stderr);
		free(text);
	}
	config_free(running);
	config_free(applied);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct run {
	uv_loop_t	 loop;
	uv_timer_t	 writer;
	uv_timer_t	 watch;
	uv_timer_t	 deadline;
	struct reload	*reload;
	const char	*later;		/* written 100 ms after the start */
	int		 rewrites;	/* or: the file changed every 100 ms */
};

static void
run_write(uv_timer_t *timer)
{
	struct run *r = timer->data;
	char text[128];

	if (r->later != NULL) {
		write_file(r->later);
		return;
	}
	snprintf(text, sizeof(text), "services: {}\ninterval: %ds\n", ++r->rewrites);
	write_file(text);
	uv_timer_start(timer, run_write, 100, 0);
}

static void
run_stop(uv_timer_t *timer)
{
	uv_stop(timer->loop);
}

/* Done when the reload is: applied or refused. */
static void
run_watch(uv_timer_t *timer)
{
	struct run *r = timer->data;

	if (!reload_busy(r->reload))
		uv_stop(timer->loop);
}

static void
run_close(uv_handle_t *handle, void *arg)
{
	if (!uv_is_closing(handle))
		uv_close(handle, NULL);
}

/*
 * Starts a reload of path, with `later` written 100 ms after (or the file
 * rewritten every 100 ms when rewrite), and runs the loop until it is
 * done, or at most ms.
 */
static void
run_reload(const char *later, bool rewrite, int ms)
{
	struct reload_options opts = { .config_path = path };
	struct reload_ops ops = { .running = test_running, .apply = test_apply };
	struct run r = { .later = later };

	uv_loop_init(&r.loop);
	r.reload = reload_new(&r.loop, &opts, &ops);
	uv_timer_init(&r.loop, &r.writer);
	r.writer.data = &r;
	uv_timer_init(&r.loop, &r.watch);
	r.watch.data = &r;
	uv_timer_init(&r.loop, &r.deadline);
	if (later != NULL || rewrite)
		uv_timer_start(&r.writer, run_write, 100, 0);
	uv_timer_start(&r.watch, run_watch, 10, 10);
	uv_timer_start(&r.deadline, run_stop, (uint64_t)ms, 0);
	reload_start(r.reload);
	uv_run(&r.loop, UV_RUN_DEFAULT);
	assert_false(reload_busy(r.reload));
	reload_close(r.reload);
	uv_walk(&r.loop, run_close, NULL);
	uv_run(&r.loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&r.loop), 0);
}

static const char three[] =
    "services:\n"
    "  a: { run: [/bin/true] }\n"
    "  b: { run: [/bin/true] }\n"
    "  c: { run: [/bin/true] }\n";

/* An editor's truncate-then-write, seen half done, is read again. */
static void
a_file_completed_while_settling_is_read_whole(void **state)
{
	running = load(three);
	write_file("services:\n  a: { run: [/bin/true] }\n");
	run_reload(three, false, 10000);
	assert_int_equal(applies, 1);
	assert_int_equal(applied->n_services, 3);
}

static void
a_file_that_never_holds_still_is_not_loaded(void **state)
{
	running = load(three);
	write_file("services: {}\n");
	run_reload(NULL, true, RELOAD_SETTLE_MS * RELOAD_READS + 10000);
	assert_int_equal(applies, 0);
	assert_true(logged("is still being written"));
	assert_true(logged("keeping the running config"));
}

static void
an_empty_file_changes_nothing(void **state)
{
	running = load(three);
	write_file("");
	run_reload(NULL, false, 10000);
	assert_int_equal(applies, 0);
	assert_true(logged("the config is empty"));
}

/* `services:` left out is not "stop them all"; `services: {}` is. */
static void
stopping_every_service_must_be_written(void **state)
{
	running = load(three);
	write_file("checks: {}\n");
	run_reload(NULL, false, 10000);
	assert_int_equal(applies, 0);
	assert_true(logged("no services: key, so the 3 running services would all stop"));
	write_file("services: {}\n");
	run_reload(NULL, false, 10000);
	assert_int_equal(applies, 1);
	assert_int_equal(applied->n_services, 0);
}

/* A config once loaded is not reloaded with a heal item's NULL name. */
static void
a_malformed_heal_item_is_an_error(void **state)
{
	running = load(three);
	write_file("actions: { x: restart }\n"
	    "services: { a: { run: [/bin/true], heal: [[restart]] } }\n");
	run_reload(NULL, false, 10000);
	assert_int_equal(applies, 0);
	assert_true(logged(":2:43: expected an action"));
}

static void
state_dir_and_web_changes_are_named_and_kept_as_they_run(void **state)
{
	running = load("state_dir: /tmp/tend-a\n"
	    "web: { listen: '127.0.0.1:8090', sse_clients: 4 }\n"
	    "services: {}\n");
	write_file("state_dir: /tmp/tend-b\n"
	    "web: { listen: '[::1]:9000', sse_clients: 4, allowed_hosts: [tend.example] }\n"
	    "interval: 7s\n"
	    "services: {}\n");
	run_reload(NULL, false, 10000);
	assert_int_equal(applies, 1);
	assert_true(logged("reload: state_dir changed from /tmp/tend-a to /tmp/tend-b: "
	    "that takes a restart of tend; running on with /tmp/tend-a"));
	assert_true(logged("reload: web.listen changed from 127.0.0.1:8090 to [::1]:9000"));
	assert_true(logged("reload: web.allowed_hosts changed from [] to [tend.example]"));
	assert_false(logged("web.sse_clients"));
	/* The rest of the new config applies; those keep what runs. */
	assert_int_equal(applied->interval_ms, 7000);
	assert_string_equal(applied->state_dir, "/tmp/tend-a");
	assert_string_equal(applied->web.host, "127.0.0.1");
	assert_int_equal(applied->web.port, 8090);
	assert_null(applied->web.allowed_hosts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_file_completed_while_settling_is_read_whole,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_that_never_holds_still_is_not_loaded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(an_empty_file_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(stopping_every_service_must_be_written,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_malformed_heal_item_is_an_error,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    state_dir_and_web_changes_are_named_and_kept_as_they_run, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
