/*
 * What services print, over the web and by time, with the real daemon:
 * GET /api/logs/NAME (the last lines, grep, credentials hidden, 404 for an
 * unknown service, 400 for a bad regex), its stream (the last lines, then
 * a line printed after it opened; a flood bounded to the rate with the
 * skipped lines said), tend logs --since/--until and the API's since/until
 * found through the time index, and GET /api/jobs listing a run.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"

static const char config[] =
    "state_dir: @DIR@/state\n"
    "web: { listen: '127.0.0.1:0', allowed_hosts: [x] }\n"
    "checks:\n"
    "  backup: { type: heartbeat, period: 1h, heal: [] }\n"
    "services:\n"
    "  app:\n"
    "    run: [/bin/sh, -c, 'echo \"start 1\"; echo \"start 2\";\n"
    "          echo \"{\\\"level\\\":\\\"error\\\",\\\"msg\\\":\\\"boom\\\",\\\"n\\\":3}\";\n"
    "          echo \"fetch https://bob:s3cret@example.org/x\";\n"
    "          while [ ! -e @DIR@/go ]; do sleep 0.02; done; echo \"after go\";\n"
    "          exec sleep 1000']\n"
    "  flood:\n"
    "    run: [/bin/sh, -c, 'while [ ! -e @DIR@/flood ]; do sleep 0.02; done;\n"
    "          yes flood-line | head -n 20000; exec sleep 1000']\n";

static char base_url[128];

/* GET path: its status, the body in *body (free it). */
static long
get(const char *path, char **body)
{
	return harness_http(base_url, "GET", path, NULL, body);
}

/* GET path once it answers 200 (the first status is published within a second). */
static json_t *
get_json(const char *path)
{
	long long deadline = harness_mono_ms() + 5000;
	json_t *doc = NULL;
	char *body;
	long st;

	do {
		st = get(path, &body);
		if (st == 200)
			doc = json_loads(body, 0, NULL);
		else if (st != 503)
			fail_msg("GET %s: HTTP %ld: %s", path, st, body);
		free(body);
		if (doc != NULL)
			return doc;
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	fail_msg("GET %s: no answer", path);
	return NULL;
}

/* The lines of a GET /api/logs answer, joined with '|'. */
static char *
lines_of(json_t *doc)
{
	static char out[8192];
	json_t *v;
	size_t i;

	out[0] = '\0';
	json_array_foreach(json_object_get(doc, "lines"), i, v)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s|",
		    json_string_value(v));
	return out;
}

/* Waits until GET path's lines hold want; the lines. */
static char *
lines_until(const char *path, const char *want)
{
	long long deadline = harness_mono_ms() + 5000;
	char *lines;
	json_t *doc;

	do {
		doc = get_json(path);
		lines = lines_of(doc);
		json_decref(doc);
		if (strstr(lines, want) != NULL)
			return lines;
		harness_pause_ms(50);
	} while (harness_mono_ms() < deadline);
	fail_msg("GET %s: no '%s' in %s", path, want, lines);
	return NULL;
}

static void
start(void)
{
	char token[80];

	t.web = true;
	harness_write_config(&t, config);
	harness_start(&t);
	harness_web(&t, base_url, sizeof(base_url), token, sizeof(token));
}

static void
touch(const char *name)
{
	int fd = open(harness_at(&t, name), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	close(fd);
}

static int
open_stream(const char *path)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned port = 0;
	char req[512];

	sscanf(base_url, "http://127.0.0.1:%u/", &port);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	sa.sin_port = htons((uint16_t)port);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n"
	    "Accept: text/event-stream\r\n\r\n", path);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	return fd;
}

static int
count(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

static void
lines_grep_and_errors(void **state)
{
	char *lines, *body;
	json_t *doc;

	start();
	lines = lines_until("/api/logs/app", "fetch");
	assert_non_null(strstr(lines, "start 1|start 2|{\"level\":\"error\",\"msg\":\"boom\""));
	/* Credentials hidden, as in a check's output. */
	assert_non_null(strstr(lines, "fetch https://bob:***@example.org/x|"));
	assert_null(strstr(lines, "s3cret"));
	doc = get_json("/api/logs/app?grep=start%20[2-9]&n=10");
	assert_string_equal(lines_of(doc), "start 2|");
	json_decref(doc);
	doc = get_json("/api/logs/app?n=1");
	assert_string_equal(lines_of(doc), "fetch https://bob:***@example.org/x|");
	assert_int_equal(json_integer_value(json_object_get(doc, "more")), 3);
	json_decref(doc);
	assert_int_equal(get("/api/logs/nope", &body), 404);
	harness_contains(body, "\"error\"");
	harness_contains(body, "no service named 'nope'");
	free(body);
	assert_int_equal(get("/api/logs/nope/stream", &body), 404);
	free(body);
	assert_int_equal(get("/api/logs/app?grep=(", &body), 400);
	harness_contains(body, "'grep': ");
	free(body);
	assert_int_equal(get("/api/logs/app?n=many", &body), 400);
	free(body);
	assert_int_equal(get("/api/logs/app?since=yesterday-ish", &body), 400);
	free(body);
	assert_int_equal(get("/api/logs/app?since=1h&until=2h", &body), 400);
	harness_contains(body, "'since' is after 'until'");
	free(body);
	assert_int_equal(get("/api/logs/app/other", &body), 404);
	free(body);
}

static void
a_stream_shows_the_tail_then_new_lines(void **state)
{
	static char buf[1 << 16];
	size_t len = 0;
	int fd;

	start();
	lines_until("/api/logs/app", "fetch");
	fd = open_stream("/api/logs/app/stream?n=2");
	assert_true(harness_read_until(fd, buf, sizeof(buf), &len,
	    "event: lines\ndata: {\"lines\":[\"{\\\"level\\\":\\\"error\\\"", 3000));
	assert_non_null(strstr(buf, "bob:***@example.org"));
	assert_null(strstr(buf, "start 2"));
	touch("go");
	assert_true(harness_read_until(fd, buf, sizeof(buf), &len, "\"after go\"", 3000));
	close(fd);
}

static void
a_flood_is_bounded_and_the_skipped_lines_said(void **state)
{
	static char buf[1 << 20];
	long long t0;
	size_t len = 0;
	char *skipped;
	int fd;

	start();
	lines_until("/api/logs/app", "fetch");
	fd = open_stream("/api/logs/flood/stream");
	assert_true(harness_read_until(fd, buf, sizeof(buf), &len, "event: lines", 3000));
	touch("flood");
	t0 = harness_mono_ms();
	assert_true(harness_read_until(fd, buf, sizeof(buf), &len,
	    "event: skipped\ndata: {\"lines\":", 5000));
	/* 20,000 lines at once: a second's worth sent (two, if a second turned). */
	assert_true(count(buf, "\"flood-line\"") <= 2 * 200 * (1 + (harness_mono_ms() - t0) /
	    1000));
	assert_true(count(buf, "\"flood-line\"") >= 1);
	skipped = strstr(buf, "event: skipped\ndata: {\"lines\":") + 30;
	assert_true(atol(skipped) >= 1000);
	print_message("flood: %d lines sent, %ld skipped, in %lld ms\n",
	    count(buf, "\"flood-line\""), atol(skipped), harness_mono_ms() - t0);
	close(fd);
}

/* ms as the ISO 8601 time in UTC that --since reads. */
static void
iso(long long ms, char *buf, size_t len)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
since_and_until_find_the_time(void **state)
{
	char when[64], path[200], *out;
	long long mark;
	json_t *doc;

	start();
	lines_until("/api/logs/app", "fetch");
	/*
	 * A whole second at least a step (1 s) after the first lines' record:
	 * the line printed after it is indexed apart from them.
	 */
	mark = (clock_wall_ms() + 1000) / 1000 * 1000 + 1000;
	while (clock_wall_ms() <= mark + 50)
		harness_pause_ms(20);
	touch("go");
	lines_until("/api/logs/app", "after go");
	iso(mark, when, sizeof(when));
	assert_int_equal(harness_cli(&t, &out, "logs", "app", "--since", when, "-c", t.config,
	    NULL), 0);
	assert_string_equal(out, "after go\n");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "logs", "app", "--until", when, "-c", t.config,
	    NULL), 0);
	harness_contains(out, "start 1\nstart 2\nboom level=error n=3\n");
	assert_null(strstr(out, "after go"));
	free(out);
	/* A duration back from now: everything of the last hour. */
	assert_int_equal(harness_cli(&t, &out, "logs", "app", "--since", "1h", "-c", t.config,
	    NULL), 0);
	harness_contains(out, "start 1\n");
	harness_contains(out, "after go\n");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "logs", "app", "--since", "soon", "-c",
	    t.config, NULL), 2);
	harness_contains(out, "--since 'soon': expected a duration");
	free(out);
	assert_int_equal(harness_cli(&t, &out, "logs", "app", "--since", "1h", "--until", "2h",
	    "-c", t.config, NULL), 2);
	harness_contains(out, "--since '1h' is after --until '2h'");
	free(out);
	/* The API reads the same index: ms since the epoch. */
	snprintf(path, sizeof(path), "/api/logs/app?since=%lld", mark);
	doc = get_json(path);
	assert_string_equal(lines_of(doc), "after go|");
	assert_false(json_is_true(json_object_get(doc, "approximate")));
	json_decref(doc);
	snprintf(path, sizeof(path), "/api/logs/app?until=%lld", mark);
	doc = get_json(path);
	assert_null(strstr(lines_of(doc), "after go"));
	assert_non_null(strstr(lines_of(doc), "start 1|"));
	json_decref(doc);
	/* Without its index, a file is placed by its mtime, and that is said. */
	assert_int_equal(unlink(harness_at(&t, "state/logs/app.log.idx")), 0);
	assert_int_equal(harness_cli(&t, &out, "logs", "app", "--since", when, "-c", t.config,
	    NULL), 0);
	harness_contains(out, "no usable time index");
	harness_contains(out, "start 1\n");
	free(out);
}

static void
jobs_are_listed(void **state)
{
	json_t *doc, *run;
	char *out;

	start();
	assert_int_equal(harness_cli(&t, &out, "job", "backup", "-c", t.config, "--",
	    "sh", "-c", "echo saved 3 files; exit 0", NULL), 0);
	free(out);
	doc = get_json("/api/jobs");
	run = json_array_get(json_object_get(doc, "runs"), 0);
	assert_non_null(run);
	assert_string_equal(harness_str(run, "name"), "backup");
	assert_int_equal(json_integer_value(json_object_get(run, "exit_code")), 0);
	harness_contains(harness_str(run, "output"), "saved 3 files");
	assert_true(json_integer_value(json_object_get(run, "duration_ms")) >= 0);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(lines_grep_and_errors),
		TEND_TEST(a_stream_shows_the_tail_then_new_lines),
		TEND_TEST(a_flood_is_bounded_and_the_skipped_lines_said),
		TEND_TEST(since_and_until_find_the_time),
		TEND_TEST(jobs_are_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
