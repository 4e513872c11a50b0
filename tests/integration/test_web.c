/*
 * The web server against the real daemon: the JSON API (status, services,
 * checks, incidents, metrics), how often the status is made, /readyz, errors (400/401/404/405/413), actions with
 * and without the token, Server-Sent Events seeing a state change, /metrics
 * (and `promtool check metrics` when Debian's prometheus is installed),
 * the token file's mode, and clients that cannot starve the server: a
 * thousand idle connections, a slow one, too many streams.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dl_curl.h"

/* %s: the rest of web: after listen. */
static const char config[] =
    "state_dir: @DIR@/state\n"
    "web: { listen: '127.0.0.1:0', %s }\n"
    "heal: { cooldown: 0s }\n"
    "alerts: { channels: { note: { command: [/bin/true] } } }\n"
    "actions:\n"
    "  hello: { exec: [/bin/true] }\n"
    "services:\n"
    "  web:\n"
    "    run: [@FAKESVC@, --name, web, --record, @RECORD@, --http, --listen, '@PORT1@']\n"
    "    ready: { tcp: @PORT1@ }\n"
    "    checks:\n"
    "      health: { type: http, url: 'http://127.0.0.1:@PORT1@/', every: 200ms }\n";

/* The raw requests below say "Host: x". */
static const char web_default[] =
    "sse_clients: 3, connection_timeout: 2s, per_ip_connections: 32, allowed_hosts: [x]";

struct reply {
	long	 status;
	char	*body;
	size_t	 len;
	char	 allow[64];
	char	 type[64];	/* Content-Type */
	double	 seconds;	/* the whole exchange */
};

static char base_url[128];
static char token[80];

static size_t
reply_body(char *data, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;

	r->body = realloc(r->body, r->len + size * n + 1);
	memcpy(r->body + r->len, data, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

static size_t
reply_header(char *data, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;

	if (strncasecmp(data, "Allow:", 6) == 0)
		snprintf(r->allow, sizeof(r->allow), "%.*s", (int)(size * n - 8), data + 7);
	if (strncasecmp(data, "Content-Type:", 13) == 0)
		snprintf(r->type, sizeof(r->type), "%.*s", (int)(size * n - 15), data + 14);
	return size * n;
}

/*
 * One request; body_len > 0 sends that many bytes of 'x'; header (or NULL)
 * is one more, or one in place of curl's ("Host: x").
 */
static struct reply
request_with(const char *method, const char *path, const char *bearer, size_t body_len,
    const char *header)
{
	struct reply r = { 0 };
	struct curl_slist *headers = NULL;
	char url[512], auth[160];
	char *body = NULL;
	CURL *c = curl_easy_init();

	snprintf(url, sizeof(url), "%s%s", base_url, path + 1);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, reply_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, reply_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	if (bearer != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
		headers = curl_slist_append(headers, auth);
	}
	if (header != NULL)
		headers = curl_slist_append(headers, header);
	if (body_len > 0) {
		body = malloc(body_len);
		memset(body, 'x', body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	} else if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &r.seconds);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	free(body);
	return r;
}

static struct reply
request(const char *method, const char *path, const char *bearer, size_t body_len)
{
	return request_with(method, path, bearer, body_len, NULL);
}

/* GET path, expecting status; the JSON body (a new reference). */
static json_t *
get_json(const char *path, long status)
{
	struct reply r = request("GET", path, NULL, 0);
	json_t *doc;

	if (r.status != status)
		fail_msg("GET %s: HTTP %ld, expected %ld: %s", path, r.status, status,
		    r.body ? r.body : "");
	doc = json_loads(r.body ? r.body : "", 0, NULL);
	if (doc == NULL)
		fail_msg("GET %s: not JSON: %s", path, r.body ? r.body : "");
	free(r.body);
	return doc;
}

static void
read_file_line(const char *path, char *buf, size_t len, int timeout_ms)
{
	long long deadline = harness_mono_ms() + timeout_ms;
	FILE *f;

	buf[0] = '\0';
	while (harness_mono_ms() < deadline) {
		if ((f = fopen(path, "r")) != NULL) {
			if (fgets(buf, (int)len, f) != NULL)
				buf[strcspn(buf, "\n")] = '\0';
			fclose(f);
			if (buf[0] != '\0')
				return;
		}
		harness_pause_ms(20);
	}
	fail_msg("%s did not appear within %d ms", path, timeout_ms);
}

/* Starts the daemon with the web server (web: settings after listen); reads its URL and token. */
static void
start_with(const char *web)
{
	char path[400], text[sizeof(config) + 512];

	snprintf(text, sizeof(text), config, web);
	t.web = true;
	harness_write_config(&t, text);
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	snprintf(path, sizeof(path), "%s/web.url", t.state);
	read_file_line(path, base_url, sizeof(base_url), 5000);
	snprintf(path, sizeof(path), "%s/token", t.state);
	read_file_line(path, token, sizeof(token), 5000);
}

static void
start(void)
{
	start_with(web_default);
}

/* Polls /api/checks until the web service's check has passed. */
static json_t *
wait_checked(void)
{
	long long deadline = harness_mono_ms() + 5000;
	json_t *doc, *c;

	while (harness_mono_ms() < deadline) {
		doc = get_json("/api/checks", 200);
		c = json_array_get(json_object_get(doc, "checks"), 0);
		if (json_is_integer(json_object_get(c, "checked_at")) &&
		    strcmp(json_string_value(json_object_get(c, "state")), "healthy") == 0)
			return doc;
		json_decref(doc);
		harness_pause_ms(50);
	}
	fail_msg("the check never passed");
	return NULL;
}

static void
test_read_endpoints(void **state)
{
	json_t *doc, *svc, *list;
	struct stat sb;
	char path[400];

	start();
	doc = get_json("/healthz", 200);
	assert_true(json_is_true(json_object_get(doc, "ok")));
	json_decref(doc);

	doc = get_json("/api/status", 200);
	svc = json_array_get(json_object_get(doc, "services"), 0);
	assert_string_equal(json_string_value(json_object_get(svc, "name")), "web");
	assert_int_equal(json_integer_value(json_object_get(svc, "pid")),
	    harness_pid(&t, "web"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(svc, "checks"),
	    0)), "health");
	assert_true(json_is_object(json_object_get(doc, "host")));
	assert_true(json_is_integer(json_object_get(doc, "generated_at")));
	assert_true(json_is_number(json_object_get(json_object_get(doc, "tend"), "rss_bytes")));
	json_decref(doc);

	json_decref(wait_checked());
	doc = get_json("/api/services/web", 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "service"),
	    "name")), "web");
	assert_int_equal(json_array_size(json_object_get(doc, "checks")), 1);
	json_decref(doc);

	doc = get_json("/api/services", 200);
	assert_int_equal(json_array_size(json_object_get(doc, "services")), 1);
	json_decref(doc);

	doc = get_json("/api/incidents?open=1&since=1h&limit=10", 200);
	assert_true(json_is_array(json_object_get(doc, "incidents")));
	json_decref(doc);

	doc = get_json("/api/alerts?limit=5", 200);
	assert_true(json_is_array(json_object_get(doc, "alerts")));
	json_decref(doc);

	doc = get_json("/api/metrics", 200);
	list = json_object_get(doc, "series");
	assert_true(json_array_size(list) >= 2);
	json_decref(doc);

	/* The check's latency reaches the store (flushed every 250 ms). */
	long long deadline = harness_mono_ms() + 5000;
	size_t n = 0;
	while (n == 0 && harness_mono_ms() < deadline) {
		doc = get_json("/api/metrics/check.health.latency_ms?since=10m&step=1s", 200);
		n = json_array_size(json_object_get(doc, "points"));
		json_decref(doc);
		if (n == 0)
			harness_pause_ms(100);
	}
	assert_true(n > 0);

	snprintf(path, sizeof(path), "%s/token", t.state);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal((int)strlen(token), 64);
}

/* r must be a JSON error {"ok": false, "status": status, "error": "..."}; frees its body. */
static void
assert_json_error(struct reply r, const char *method, const char *path, long status)
{
	json_t *doc = json_loads(r.body ? r.body : "", 0, NULL);

	if (r.status != status)
		fail_msg("%s %s: HTTP %ld, expected %ld: %s", method, path, r.status, status,
		    r.body ? r.body : "");
	if (doc == NULL || !json_is_false(json_object_get(doc, "ok")) ||
	    !json_is_string(json_object_get(doc, "error")) ||
	    json_integer_value(json_object_get(doc, "status")) != status ||
	    strncmp(r.type, "application/json", 16) != 0)
		fail_msg("%s %s: not a JSON error (%s): %s", method, path, r.type,
		    r.body ? r.body : "");
	if (status == 405 && r.allow[0] == '\0')
		fail_msg("%s %s: 405 without Allow", method, path);
	json_decref(doc);
	free(r.body);
}

static void
expect_error(const char *method, const char *path, const char *bearer, size_t body,
    long status)
{
	assert_json_error(request(method, path, bearer, body), method, path, status);
}

static void
test_errors(void **state)
{
	start();
	expect_error("GET", "/api/nothing", NULL, 0, 404);
	expect_error("GET", "/api/services/nope", NULL, 0, 404);
	expect_error("GET", "/no/such/page", NULL, 0, 404);
	expect_error("DELETE", "/api/status", NULL, 0, 405);
	expect_error("GET", "/api/services/web/restart", NULL, 0, 405);
	expect_error("POST", "/api/status", token, 0, 405);
	expect_error("GET", "/api/incidents?since=yesterday", NULL, 0, 400);
	expect_error("GET", "/api/incidents?limit=0", NULL, 0, 400);
	expect_error("GET", "/api/incidents?open=maybe", NULL, 0, 400);
	expect_error("GET", "/api/metrics/host.cpu_pct?step=1ms", NULL, 0, 400);
	expect_error("POST", "/api/services/web/restart", NULL, 0, 401);
	expect_error("POST", "/api/services/web/restart", "0000", 0, 401);
	expect_error("POST", "/api/services/web/restart",
	    "0000000000000000000000000000000000000000000000000000000000000000", 0, 401);
	expect_error("POST", "/api/services/nope/restart", token, 0, 404);
	expect_error("POST", "/api/actions/nope", token, 0, 404);
	expect_error("POST", "/api/services/web/restart", token, 200 * 1024, 413);
	/* Still serving after all of that. */
	json_decref(get_json("/healthz", 200));
	assert_true(harness_wait_state(&t, "web", "up", 0, 1000));
}

static void
test_actions(void **state)
{
	struct reply r;
	json_t *doc;
	pid_t before;

	start();
	before = harness_pid(&t, "web");
	r = request("POST", "/api/services/web/restart", token, 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"ok\":true"));
	free(r.body);
	assert_true(harness_wait_state(&t, "web", "up", before, 5000));

	r = request("POST", "/api/services/web/stop", token, 0);
	assert_int_equal(r.status, 200);
	free(r.body);
	assert_true(harness_wait_state(&t, "web", "down", 0, 5000));
	r = request("POST", "/api/services/web/start", token, 0);
	assert_int_equal(r.status, 200);
	free(r.body);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));

	r = request("POST", "/api/actions/hello", token, 0);
	assert_int_equal(r.status, 200);
	doc = json_loads(r.body, 0, NULL);
	assert_true(json_integer_value(json_object_get(doc, "incident")) > 0);
	json_decref(doc);
	free(r.body);
}

/*
 * With nothing changing state, the status is made again each second (not at
 * every 250 ms tick for each of the check's five results a second): over
 * 2.5 s, two to five statuses — a new result each second, nothing more.
 */
static void
test_status_made_each_second_without_changes(void **state)
{
	long long seen[64], at, until;
	json_t *doc;
	size_t n = 0, i;

	start();
	json_decref(wait_checked());
	for (until = harness_mono_ms() + 2500; harness_mono_ms() < until;
	    harness_pause_ms(50)) {
		doc = get_json("/api/status", 200);
		at = json_integer_value(json_object_get(doc, "generated_at"));
		json_decref(doc);
		for (i = 0; i < n && seen[i] != at; i++)
			;
		if (i == n && n < sizeof(seen) / sizeof(seen[0]))
			seen[n++] = at;
	}
	if (n < 2 || n > 5)
		fail_msg("%zu statuses made in 2.5 s; expected two to five", n);
}

/*
 * GET /readyz until it answers status (bounded, 5 s); its body, which must
 * name want among what it waits for (NULL: waits for nothing).
 */
static json_t *
wait_readyz(long status, const char *want)
{
	long long deadline = harness_mono_ms() + 5000;
	struct reply r;
	json_t *doc;
	char *waiting;
	bool named;

	for (;;) {
		r = request("GET", "/readyz", NULL, 0);
		doc = json_loads(r.body != NULL ? r.body : "", 0, NULL);
		waiting = json_dumps(json_object_get(doc, "waiting"), 0);
		named = want == NULL ? json_array_size(json_object_get(doc, "waiting")) == 0 :
		    waiting != NULL && strstr(waiting, want) != NULL;
		if (r.status == status && named && json_is_boolean(json_object_get(doc, "ready")))
			break;
		if (harness_mono_ms() > deadline)
			fail_msg("GET /readyz: HTTP %ld, expected %ld naming '%s': %s", r.status,
			    status, want != NULL ? want : "nothing", r.body ? r.body : "");
		free(waiting);
		free(r.body);
		json_decref(doc);
		harness_pause_ms(50);
	}
	free(waiting);
	free(r.body);
	return doc;
}

/*
 * /readyz is 200 once every service is up and every check healthy, and 503
 * naming what is not while a service is stopped (its check failing too).
 */
static void
test_readyz(void **state)
{
	struct reply r;
	json_t *doc;

	start();
	json_decref(wait_checked());
	doc = wait_readyz(200, NULL);
	assert_true(json_is_true(json_object_get(doc, "ready")));
	json_decref(doc);

	r = request("POST", "/api/services/web/stop", token, 0);
	assert_int_equal(r.status, 200);
	free(r.body);
	doc = wait_readyz(503, "service web: ");
	assert_true(json_is_false(json_object_get(doc, "ready")));
	json_decref(doc);
	json_decref(wait_readyz(503, "check health: "));

	r = request("POST", "/api/services/web/start", token, 0);
	assert_int_equal(r.status, 200);
	free(r.body);
	json_decref(wait_readyz(200, NULL));
}

/* A raw connection to the server, from a source address of our choosing. */
static int
connect_from(const char *source)
{
	struct sockaddr_in sa = { .sin_family = AF_INET }, src = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned port = 0;

	sscanf(base_url, "http://127.0.0.1:%u/", &port);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, source, &src.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
open_stream(void)
{
	static const char req[] = "GET /api/events HTTP/1.1\r\nHost: x\r\n"
	    "Accept: text/event-stream\r\n\r\n";
	int fd = connect_from("127.0.0.1");

	assert_true(fd >= 0);
	assert_int_equal(write(fd, req, sizeof(req) - 1), (ssize_t)(sizeof(req) - 1));
	return fd;
}

static void
test_events(void **state)
{
	static char buf[1 << 20];
	size_t len = 0;
	int fd, extra[3], i;
	struct reply r;
	long long t0;
	char *out;

	start();
	fd = open_stream();
	assert_true(harness_read_until(fd, buf, sizeof(buf), &len, "event: status\ndata: {", 3000));
	len = 0;
	t0 = harness_mono_ms();
	assert_int_equal(harness_cli(&t, &out, "restart", "web", "--state-dir", t.state,
	    NULL), 0);
	free(out);
	assert_true(harness_read_until(fd, buf, sizeof(buf), &len,
	    "\"kind\":\"service\",\"name\":\"web\",\"from\":\"up\"", 3000));
	assert_true(harness_mono_ms() - t0 < 1000);

	/* An operator's action opens an incident: its alert is streamed and listed. */
	len = 0;
	r = request("POST", "/api/actions/hello", token, 0);
	assert_int_equal(r.status, 200);
	free(r.body);
	assert_true(harness_read_until(fd, buf, sizeof(buf), &len, "event: incident\ndata: {", 3000));
	assert_true(harness_read_until(fd, buf, sizeof(buf), &len, "event: action\ndata: {", 5000));
	assert_true(harness_read_until(fd, buf, sizeof(buf), &len,
	    "event: alert\ndata: {\"id\"", 5000));
	/* The store has it after its next flush (every 250 ms). */
	long long deadline = harness_mono_ms() + 3000;
	size_t n = 0;
	while (n == 0 && harness_mono_ms() < deadline) {
		json_t *alerts = get_json("/api/alerts", 200);
		n = json_array_size(json_object_get(alerts, "alerts"));
		json_decref(alerts);
		if (n == 0)
			harness_pause_ms(50);
	}
	assert_true(n >= 1);

	/* sse_clients: 3, one is open: two more, then 503. */
	for (i = 0; i < 2; i++) {
		/* Each one counted before the next: the server's two threads race. */
		extra[i] = open_stream();
		len = 0;
		assert_true(harness_read_until(extra[i], buf, sizeof(buf), &len, "event: status", 3000));
	}
	r = request("GET", "/api/events", NULL, 0);
	assert_int_equal(r.status, 503);
	free(r.body);
	for (i = 0; i < 2; i++)
		close(extra[i]);
	close(fd);
}

static void
assert_contains(const char *body, const char *text)
{
	if (body == NULL || strstr(body, text) == NULL)
		fail_msg("expected '%s' in:\n%s", text, body ? body : "(nothing)");
}

static void
test_metrics(void **state)
{
	struct reply r;
	char path[400], cmd[900];
	FILE *f;

	start();
	json_decref(wait_checked());
	r = request("GET", "/metrics", NULL, 0);
	assert_int_equal(r.status, 200);
	assert_contains(r.body, "# TYPE tend_check_state gauge\n");
	assert_contains(r.body,
	    "tend_check_state{check=\"health\",service=\"web\",state=\"healthy\"} 1\n");
	assert_contains(r.body, "tend_service_up{service=\"web\"} 1\n");
	assert_contains(r.body, "# TYPE tend_service_restarts_total counter\n");
	assert_contains(r.body, "tend_resident_memory_bytes ");
	assert_contains(r.body, "tend_loop_lag_seconds ");
	if (access("/usr/bin/promtool", X_OK) == 0) {
		snprintf(path, sizeof(path), "%s/metrics.txt", t.dir);
		f = fopen(path, "w");
		fputs(r.body, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "/usr/bin/promtool check metrics < %s > %s.out 2>&1",
		    path, path);
		if (system(cmd) != 0) {
			snprintf(cmd, sizeof(cmd), "cat %s.out", path);
			(void)system(cmd);
			fail_msg("promtool check metrics failed");
		}
	} else
		print_message("promtool not installed: format checked by the asserts only\n");
	free(r.body);

	/* export-metrics: the same families as JSON. */
	char *out;
	assert_int_equal(harness_cli(&t, &out, "export-metrics", "--state-dir", t.state,
	    NULL), 0);
	json_t *doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_true(json_array_size(json_object_get(doc, "metrics")) > 5);
	json_decref(doc);
	free(out);
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/*
 * A thousand idle connections from 127.0.0.2 (per-IP limit 32) and one
 * that sends half a request: the dashboard from 127.0.0.1 still answers at
 * once, and the slow one is dropped after connection_timeout (2 s).
 */
static void
test_idle_clients(void **state)
{
	static int idle[1000];
	char buf[256];
	size_t len = 0;
	int slow, i, n = 0;
	long long t0;
	json_t *doc;

	start();
	raise_nofile();
	for (i = 0; i < 1000; i++)
		if ((idle[i] = connect_from("127.0.0.2")) >= 0)
			n++;
	slow = connect_from("127.0.0.3");
	assert_true(slow >= 0);
	assert_int_equal(write(slow, "GET /api/status HTTP/1.1\r\nHo", 28), 28);
	t0 = harness_mono_ms();
	doc = get_json("/api/status", 200);
	json_decref(doc);
	assert_true(harness_mono_ms() - t0 < 1000);
	print_message("%d idle connections open, /api/status answered in %lld ms\n", n,
	    harness_mono_ms() - t0);
	/* The slow client is cut off: EOF within the timeout and a margin. */
	t0 = harness_mono_ms();
	assert_false(harness_read_until(slow, buf, sizeof(buf), &len, "HTTP/1.1 200", 8000));
	assert_true(harness_mono_ms() - t0 < 5000);
	close(slow);
	for (i = 0; i < 1000; i++)
		if (idle[i] >= 0)
			close(idle[i]);
	json_decref(get_json("/healthz", 200));
}

/* Sends raw bytes on a connection of its own and reads whatever comes back. */
static void
send_raw(const char *data, size_t len)
{
	char buf[4096];
	size_t got = 0;
	int fd = connect_from("127.0.0.1");

	assert_true(fd >= 0);
	if (write(fd, data, len) < 0 && errno != EPIPE && errno != ECONNRESET)
		fail_msg("write: %s", strerror(errno));
	shutdown(fd, SHUT_WR);
	harness_read_until(fd, buf, sizeof(buf), &got, "\r\n\r\n", 3000);
	close(fd);
}

#define SEND_LITERAL(text)	send_raw(text, sizeof(text) - 1)

/* Nothing a client sends takes the server (or the daemon) down. */
static void
test_garbage(void **state)
{
	static char big[300 * 1024];
	unsigned seed = 42;
	char noise[2048];
	size_t i, k;

	start();
	SEND_LITERAL("\x00\x01\x02\xff\r\n\r\n");
	SEND_LITERAL("GET\r\n\r\n");
	SEND_LITERAL("GET /api/status HTTP/9.9\r\n\r\n");
	SEND_LITERAL("BREW /api/status HTTP/1.1\r\nHost: x\r\n\r\n");
	SEND_LITERAL("GET /api/services/%00%ff HTTP/1.1\r\nHost: x\r\n\r\n");
	SEND_LITERAL("GET /api/metrics/..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\n\r\n");
	SEND_LITERAL("GET /api/status HTTP/1.1\r\nno colon here\r\n\r\n");
	SEND_LITERAL("POST /api/actions/hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
	    "\r\n\r\nzz\r\n");
	SEND_LITERAL("POST /api/actions/hello HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n");
	/* A URL and a header far over the per-connection memory. */
	memcpy(big, "GET /", 5);
	memset(big + 5, 'a', sizeof(big) - 5);
	send_raw(big, sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 20);
	send_raw(big, sizeof(big));
	/* Random bytes after a plausible start. */
	for (k = 0; k < 50; k++) {
		memcpy(noise, "GET /api/", 9);
		for (i = 9; i < sizeof(noise); i++)
			noise[i] = (char)(rand_r(&seed) & 0xff);
		send_raw(noise, sizeof(noise));
	}
	json_decref(get_json("/healthz", 200));
	json_decref(get_json("/api/status", 200));
	assert_true(harness_wait_state(&t, "web", "up", 0, 1000));
}

/* GET path with "Host: host"; frees the body, returns the status. */
static long
status_with_host(const char *path, const char *host)
{
	char header[300];
	struct reply r;

	snprintf(header, sizeof(header), "Host: %s", host);
	r = request_with("GET", path, NULL, 0, header);
	free(r.body);
	return r.status;
}

static void
expect_host(const char *host, long status)
{
	char header[300];

	snprintf(header, sizeof(header), "Host: %s", host);
	if (status != 200) {
		assert_json_error(request_with("GET", "/api/status", NULL, 0, header), "GET",
		    host, status);
		return;
	}
	if (status_with_host("/api/status", host) != 200)
		fail_msg("Host: %s was refused", host);
}

/*
 * DNS rebinding: a page of evil.example whose name now resolves to
 * 127.0.0.1 sends "Host: evil.example:PORT". Only tend's own address, the
 * loopback addresses, localhost and web.allowed_hosts are served.
 */
static void
test_hosts(void **state)
{
	static const struct {
		const char	*name;
		bool		 with_port;	/* tend's port appended */
		long		 status;
	} hosts[] = {
		/* What a rebinding page sends, and near misses. */
		{ "evil.example", false, 421 }, { "evil.example", true, 421 },
		{ "tend.example.evil.example", true, 421 }, { "proxy.example", true, 421 },
		{ "proxy.example", false, 421 }, { "127.0.0.1:1", false, 421 },
		{ "localhost:1", false, 421 }, { "127.0.0.1:99999", false, 421 },
		{ "127.0.0.1", false, 421 },	/* port 80 is not tend's */
		{ "user@127.0.0.1", true, 421 },
		/* Its own address, loopback, localhost, the names allowed. */
		{ "127.0.0.1", true, 200 }, { "localhost", true, 200 }, { "LocalHost", true, 200 },
		{ "[::1]", true, 200 }, { "127.1.2.3", true, 200 }, { "tend.example", true, 200 },
		{ "TEND.example", true, 200 },
		{ "tend.example", false, 200 },	/* behind a proxy on port 80 or 443 */
		{ "proxy.example:8443", false, 200 }, { "[fd00::1]", false, 200 },
	};
	char host[128], raw[4096];
	unsigned port = 0;
	size_t len = 0, i;
	struct reply r;
	pid_t before;
	int fd;

	start_with("per_ip_connections: 32, "
	    "allowed_hosts: [tend.example, 'proxy.example:8443', '[fd00::1]']");
	sscanf(base_url, "http://127.0.0.1:%u/", &port);
	before = harness_pid(&t, "web");

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		if (hosts[i].with_port)
			snprintf(host, sizeof(host), "%s:%u", hosts[i].name, port);
		else
			snprintf(host, sizeof(host), "%s", hosts[i].name);
		expect_host(host, hosts[i].status);
	}

	/* Every route, the dashboard and the stream too; a POST is not acted on. */
	assert_int_equal(status_with_host("/", "evil.example"), 421);
	assert_int_equal(status_with_host("/healthz", "evil.example"), 421);
	assert_int_equal(status_with_host("/metrics", "evil.example"), 421);
	assert_int_equal(status_with_host("/api/events", "evil.example"), 421);
	r = request_with("POST", "/api/services/web/restart", token, 0, "Host: evil.example");
	assert_json_error(r, "POST", "/api/services/web/restart", 421);
	assert_int_equal(harness_pid(&t, "web"), before);

	/* HTTP/1.0 without Host: not a browser, answered. */
	fd = connect_from("127.0.0.1");
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "GET /healthz HTTP/1.0\r\n\r\n", 25), 25);
	assert_true(harness_read_until(fd, raw, sizeof(raw), &len, "\"ok\":true", 3000));
	assert_non_null(strstr(raw, " 200 "));
	close(fd);
}

/*
 * What a path or a query decodes to is checked before it is used: a %00
 * is never cut short into another name, invalid UTF-8 and control
 * characters are a 400, and a series that does not exist is a 404.
 */
static void
test_bad_paths(void **state)
{
	struct reply r;
	pid_t before;

	start();
	before = harness_pid(&t, "web");
	r = request("GET", "/assets/app.js", NULL, 0);
	assert_int_equal(r.status, 200);
	free(r.body);
	expect_error("GET", "/assets/app.js%00.png", NULL, 0, 404);
	expect_error("GET", "/assets/app.js%00", NULL, 0, 404);
	expect_error("GET", "/%00", NULL, 0, 404);
	expect_error("GET", "/api/services/web%00", NULL, 0, 404);
	expect_error("POST", "/api/services/web%00/restart", token, 0, 404);
	expect_error("POST", "/api/actions/hello%00", token, 0, 404);
	expect_error("GET", "/api/incidents?limit=5%00", NULL, 0, 400);
	expect_error("GET", "/api/metrics/host.cpu_pct?since=1h%00junk", NULL, 0, 400);

	expect_error("GET", "/api/metrics/%ff", NULL, 0, 400);
	expect_error("GET", "/api/metrics/host.cpu_pct%c3%28", NULL, 0, 400);
	expect_error("GET", "/api/services/%ff", NULL, 0, 400);
	expect_error("GET", "/api/services/%0a", NULL, 0, 400);
	expect_error("GET", "/assets/%7f", NULL, 0, 400);
	expect_error("POST", "/api/actions/%c3%28", token, 0, 400);
	expect_error("POST", "/api/services/%ff/stop", token, 0, 400);
	expect_error("GET", "/api/incidents?since=%ff", NULL, 0, 400);
	expect_error("GET", "/api/incidents?%ff=1", NULL, 0, 400);
	expect_error("GET", "/api/alerts?limit=%e2%82", NULL, 0, 400);

	expect_error("GET", "/api/metrics/no.such.series", NULL, 0, 404);
	expect_error("GET", "/api/metrics/check.nope.latency_ms?since=1h", NULL, 0, 404);
	json_decref(get_json("/api/metrics/host.cpu_pct", 200));
	json_decref(get_json("/api/services/web", 200));

	assert_int_equal(harness_pid(&t, "web"), before);
	json_decref(get_json("/healthz", 200));
}

/* True when the server has closed fd: EOF, a reset, or a hang-up. */
static bool
peer_closed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
	char buf[512];
	ssize_t n;

	if (poll(&p, 1, 0) <= 0)
		return false;
	if (p.revents & (POLLHUP | POLLRDHUP | POLLERR))
		return true;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

#define FLOOD_ADDRS	6
#define FLOOD_IDLE	150
#define FLOOD_SLOW	12
#define FLOOD_MS	3000

static int
flood_connect(int i)
{
	char addr[32];

	snprintf(addr, sizeof(addr), "127.0.0.%d", 2 + i % FLOOD_ADDRS);
	return connect_from(addr);
}

/* A slowloris client: the start of a request head, then a byte at a time. */
static int
slow_connect(int i)
{
	static const char start[] = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n";
	int fd = flood_connect(i);

	if (fd >= 0 && send(fd, start, sizeof(start) - 1, MSG_NOSIGNAL) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One more byte of the head; false when the server has closed the connection. */
static bool
slow_trickle(int fd)
{
	if (peer_closed(fd))
		return false;
	return send(fd, "X", 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1 || errno == EAGAIN;
}

/* How many of fds the server has not closed. */
static int
flood_open(const int *fds, int n)
{
	int i, open = 0;

	for (i = 0; i < n; i++)
		open += fds[i] >= 0 && !peer_closed(fds[i]);
	return open;
}

/* /healthz and /api/status answer 200 within 1 s; the slower of the two, in ms. */
static double
flood_probe(void)
{
	static const char *const paths[] = { "/healthz", "/api/status" };
	double worst = 0;
	struct reply r;
	int i;

	for (i = 0; i < 2; i++) {
		r = request("GET", paths[i], NULL, 0);
		if (r.status != 200 || r.seconds > 1.0)
			fail_msg("GET %s under the flood: HTTP %ld after %.0f ms", paths[i],
			    r.status, r.seconds * 1000);
		if (r.seconds * 1000 > worst)
			worst = r.seconds * 1000;
		free(r.body);
	}
	return worst;
}

/*
 * A local user's flood from six 127.x addresses: FLOOD_IDLE idle
 * connections reopened as soon as they are dropped, and slowloris clients,
 * for FLOOD_MS. /healthz and /api/status keep answering within a second, and
 * at the end the server holds no more than `held` of them.
 */
static void
flood(int held)
{
	static int idle[FLOOD_IDLE], slow[FLOOD_SLOW];
	long long t0 = harness_mono_ms();
	int i, opened = 0, open_now = 0, probes = 0;
	double worst = 0, latency;

	raise_nofile();
	for (i = 0; i < FLOOD_IDLE; i++)
		if ((idle[i] = flood_connect(i)) >= 0)
			opened++;
	for (i = 0; i < FLOOD_SLOW; i++)
		slow[i] = slow_connect(i);
	while (harness_mono_ms() - t0 < FLOOD_MS) {
		latency = flood_probe();
		worst = latency > worst ? latency : worst;
		probes++;
		for (i = 0; i < FLOOD_IDLE; i++) {
			if (idle[i] >= 0 && !peer_closed(idle[i]))
				continue;
			if (idle[i] >= 0)
				close(idle[i]);
			if ((idle[i] = flood_connect(i)) >= 0)
				opened++;
		}
		for (i = 0; i < FLOOD_SLOW; i++) {
			if (slow[i] >= 0 && slow_trickle(slow[i]))
				continue;
			if (slow[i] >= 0)
				close(slow[i]);
			slow[i] = slow_connect(i);
		}
		harness_pause_ms(100);
	}
	/*
	 * How many the server holds once it has accepted the last ones made,
	 * well before connection_timeout (2 s) would close them anyway.
	 */
	t0 = harness_mono_ms();
	do {
		harness_pause_ms(50);
		open_now = flood_open(idle, FLOOD_IDLE) + flood_open(slow, FLOOD_SLOW);
	} while (open_now > held && harness_mono_ms() - t0 < 1500);
	print_message("flood: %d idle connections made from %d addresses in %d ms, "
	    "%d held at the end (limit %d); /healthz and /api/status answered %d times, "
	    "slowest %.1f ms\n", opened, FLOOD_ADDRS, FLOOD_MS, open_now, held, probes, worst);
	for (i = 0; i < FLOOD_IDLE; i++)
		if (idle[i] >= 0)
			close(idle[i]);
	for (i = 0; i < FLOOD_SLOW; i++)
		if (slow[i] >= 0)
			close(slow[i]);
	assert_true(open_now <= held);
	json_decref(get_json("/healthz", 200));
}

/*
 * Slowloris alone, nothing shed: each connection trickles a byte of its
 * head every 100 ms, and is closed once connection_timeout (2 s) has passed
 * since it began, however busy it keeps.
 */
static void
slowloris_lifetime(void)
{
	int fd[4], i, open = 4;
	long long since[4], life[4] = { 0 }, t0 = harness_mono_ms(), worst = 0;

	for (i = 0; i < 4; i++) {
		fd[i] = slow_connect(i);
		since[i] = harness_mono_ms();
		assert_true(fd[i] >= 0);
	}
	while (open > 0 && harness_mono_ms() - t0 < 6000) {
		for (i = 0; i < 4; i++) {
			if (life[i] != 0 || slow_trickle(fd[i]))
				continue;
			life[i] = harness_mono_ms() - since[i];
			worst = life[i] > worst ? life[i] : worst;
			open--;
		}
		harness_pause_ms(100);
	}
	for (i = 0; i < 4; i++)
		close(fd[i]);
	print_message("slowloris: %d of 4 still open after %lld ms; the longest lived %lld ms "
	    "(connection_timeout 2000 ms)\n", open, harness_mono_ms() - t0, worst);
	assert_int_equal(open, 0);
	assert_true(worst >= 1500 && worst < 5000);
}

/* All of 127.0.0.0/8 is one client: six addresses share per_ip_connections. */
static void
test_flood_per_client(void **state)
{
	start_with("max_connections: 64, per_ip_connections: 16, connection_timeout: 2s");
	flood(16);
	slowloris_lifetime();
}

/* Over max_connections the oldest idle connection makes way for a new one. */
static void
test_flood_total(void **state)
{
	start_with("max_connections: 24, per_ip_connections: 64, connection_timeout: 2s");
	flood(24);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(test_read_endpoints),
		TEND_TEST(test_errors),
		TEND_TEST(test_actions),
		TEND_TEST(test_readyz),
		TEND_TEST(test_status_made_each_second_without_changes),
		TEND_TEST(test_events),
		TEND_TEST(test_metrics),
		TEND_TEST(test_idle_clients),
		TEND_TEST(test_garbage),
		TEND_TEST(test_hosts),
		TEND_TEST(test_bad_paths),
		TEND_TEST(test_flood_per_client),
		TEND_TEST(test_flood_total),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests_name("web", tests, NULL, NULL);
}
