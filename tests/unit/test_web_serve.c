/*
 * The web server's whole request path without a listening socket, as the
 * HTTP fuzz harness drives it: web_start with port -1, then each request
 * written into one end of a socketpair whose other end web_serve_fd hands
 * to the server, and the answer read back to the end of the stream; and a
 * client that does not read its answers cannot keep the next one out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/fdio.h"
#include "core/statedir.h"
#include "web/web.h"

static uv_loop_t loop;
static struct web_server *ws;
static struct statedir *sd;
static char dir[64];

static int
refuse_action(void *arg, const char *verb, const char *name, const json_t *body,
    json_t **answer)
{
	*answer = json_pack("{s:b}", "ok", 0);
	return 404;
}

static int
setup(void **state)
{
	struct web_conf conf = { .enabled = true, .host = "127.0.0.1", .port = -1,
	    .max_connections = 8, .per_ip_connections = 2, .connection_timeout_ms = 5000,
	    .sse_clients = 2 };
	struct web_ops ops = { .action = refuse_action };
	json_t *status;
	char err[256];

	snprintf(dir, sizeof(dir), "/tmp/tend-web-serve-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(uv_loop_init(&loop), 0);
	if ((sd = statedir_open(dir, err, sizeof(err))) == NULL)
		fail_msg("statedir_open: %s", err);
	ws = web_start(&loop, &conf, sd, &ops, err, sizeof(err));
	if (ws == NULL)
		fail_msg("web_start: %s", err);
	status = json_pack("{s:b, s:s, s:I, s:{s:s, s:i}, s:[], s:[]}", "ok", 1, "state",
	    "healthy", "generated_at", (json_int_t)1764500000000, "tend", "version", "0.1.0",
	    "uptime_ms", 5, "services", "checks");
	web_publish(ws, web_snapshot_build(status, NULL));
	json_decref(status);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	web_stop(ws);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	statedir_close(sd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A request sent on a connection of its own; the client's end. */
static int
send_request(const char *request)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(web_serve_fd(ws, sv[0]), 0);
	assert_int_equal(fd_write_all(sv[1], request, strlen(request)), 0);
	return sv[1];
}

/* Up to cap bytes of what comes back until the end of the stream or 5 s of silence. */
static size_t
read_answer(int fd, char *text, size_t cap)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long long waited = 0;
	size_t len = 0;
	ssize_t n;

	while (len < cap && waited < 5000) {
		if (poll(&p, 1, 100) <= 0) {
			waited += 100;
			continue;
		}
		if ((n = read(fd, text + len, cap - len)) <= 0)
			break;
		len += (size_t)n;
	}
	return len;
}

/* The whole answer to one request on a connection of its own (free it). */
static char *
exchange(const char *request)
{
	char *text = calloc(1, 65536);
	int fd = send_request(request);

	read_answer(fd, text, 65535);
	close(fd);
	return text;
}

static void
expect(const char *request, const char *status_line, const char *body_part)
{
	char *answer = exchange(request);

	if (strncmp(answer, status_line, strlen(status_line)) != 0 ||
	    strstr(answer, body_part) == NULL)
		fail_msg("%s\nanswered:\n%s\nexpected %s ... %s", request, answer, status_line,
		    body_part);
	free(answer);
}

#define REQ(line, host)	line " HTTP/1.1\r\nHost: " host "\r\nConnection: close\r\n\r\n"

static void
test_serve_fd(void **state)
{
	expect(REQ("GET /healthz", "localhost"), "HTTP/1.1 200", "\"ok\":true");
	expect(REQ("GET /api/status", "127.0.0.1"), "HTTP/1.1 200", "\"state\":\"healthy\"");
	expect(REQ("GET /assets/app.js%00.png", "localhost"), "HTTP/1.1 404", "no such page");
	expect(REQ("GET /api/metrics/%ff", "localhost"), "HTTP/1.1 400", "\"status\":400");
	expect(REQ("GET /api/status", "evil.example"), "HTTP/1.1 421", "\"status\":421");
	expect(REQ("POST /api/services/web/restart", "localhost"), "HTTP/1.1 401",
	    "Authorization");
	expect("GET /healthz HTTP/1.0\r\n\r\n", "HTTP/1.", "\"ok\":true");
}

/* A status of many services: an answer far larger than a socket's buffers. */
static void
publish_large_status(void)
{
	json_t *status, *services = json_array();
	char name[32];
	int i;

	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "service-%05d", i);
		json_array_append_new(services, json_pack("{s:s, s:s, s:s}", "name", name,
		    "state", "up", "reason", "ready after 20ms"));
	}
	status = json_pack("{s:b, s:s, s:{s:s}, s:o, s:[]}", "ok", 1, "state", "healthy",
	    "tend", "version", "0.1.0", "services", services, "checks");
	web_publish(ws, web_snapshot_build(status, NULL));
	json_decref(status);
}

/*
 * Two clients (per_ip_connections: 2) ask for a large status and read
 * none of it: their answers stall. Once they have for a second, a third
 * client's /healthz is answered, and one of the stalled ones is closed.
 */
static void
test_stalled_answers_make_way(void **state)
{
	static char drained[4 << 20];
	long long t0;
	int a, b, ends = 0;
	struct pollfd p;

	publish_large_status();
	a = send_request(REQ("GET /api/status", "localhost"));
	b = send_request(REQ("GET /api/status", "localhost"));
	/* Stalled: what came back fills the socket, far short of the answer. */
	p = (struct pollfd){ .fd = a, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 5000), 1);
	t0 = uv_hrtime() / 1000000;
	while (uv_hrtime() / 1000000 - t0 < 1200)
		poll(NULL, 0, 50);
	expect(REQ("GET /healthz", "localhost"), "HTTP/1.1 200", "\"ok\":true");
	/* The one shed ends short of its answer's end; the other is whole. */
	ends += read_answer(a, drained, sizeof(drained)) < 400000;
	ends += read_answer(b, drained, sizeof(drained)) < 400000;
	assert_int_equal(ends, 1);
	close(a);
	close(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_serve_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stalled_answers_make_way, setup, teardown),
	};

	return cmocka_run_group_tests_name("web_serve", tests, NULL, NULL);
}
