/*
 * What checks print is the world's text, and a URL in the config may hold
 * a password. The daemon must publish neither the password (status JSON,
 * the API, /metrics, tend.db, the log, alerts) nor a terminal escape to a
 * terminal (tend status, check, history, the text log), and a check whose
 * output is not UTF-8 must still be in every view, with U+FFFD.
 */
#include "harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dl_curl.h"

#define PASSWORD	"hunter2pw"
#define TOKEN		"t0psecretq"
#define FFFD		"\xef\xbf\xbd"

/*
 * secret: an http check of a URL with a password and a token, on a port
 * where nothing listens (so that its message names the URL). noisy: a
 * command that clears the screen, prints bytes that are not UTF-8 and
 * perfdata that is unknown (U) or no number (nan).
 */
static const char config[] =
    "web: { listen: '127.0.0.1:0' }\n"
    "auto_heal: false\n"
    "anomaly: { enabled: false }\n"
    "alerts:\n"
    "  channels:\n"
    "    note: { command: [/bin/sh, -c, 'printf \"%s\\n\" \"$TEND_MESSAGE\" >> @DIR@/alerts'] }\n"
    "checks:\n"
    "  secret:\n"
    "    type: http\n"
    "    url: 'http://admin:" PASSWORD "@127.0.0.1:@PORT2@/health?token=" TOKEN "&page=1'\n"
    "    every: 200ms\n"
    "    timeout: 1s\n"
    "  noisy:\n"
    "    type: command\n"
    "    run: [/bin/sh, -c, 'printf \"\\033[2Jcleared \\377\\376 | up=U load=nan ok=1\\n\"; exit 2']\n"
    "    every: 200ms\n";

static char base_url[256];

static size_t
body_append(char *data, size_t size, size_t n, void *arg)
{
	char **body = arg;
	size_t len = strlen(*body);

	*body = realloc(*body, len + size * n + 1);
	memcpy(*body + len, data, size * n);
	(*body)[len + size * n] = '\0';
	return size * n;
}

/* GET path of the web server; the body, "" on failure. */
static char *
web_get(const char *path)
{
	char url[512], *body = calloc(1, 1);
	CURL *c = curl_easy_init();

	snprintf(url, sizeof(url), "%s%s", base_url, path + 1);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_append);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_perform(c);
	curl_easy_cleanup(c);
	return body;
}

/* GET path until its body has needle (the snapshot is published each second). */
static char *
web_wait(const char *path, const char *needle)
{
	long long deadline = harness_mono_ms() + 5000;
	char *body;

	for (;;) {
		body = web_get(path);
		if (strstr(body, needle) != NULL)
			return body;
		if (harness_mono_ms() > deadline)
			fail_msg("GET %s: no '%s' within 5 s: %s", path, needle, body);
		free(body);
		harness_pause_ms(50);
	}
}

/* The check named name in a status document (borrowed), or NULL. */
static json_t *
status_check(json_t *status, const char *name)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(status, "checks"), i, c)
		if (json_is_string(json_object_get(c, "name")) &&
		    strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
			return c;
	return NULL;
}

/* Polls status until the check has failed; the status then. */
static json_t *
wait_critical(const char *name)
{
	long long deadline = harness_mono_ms() + 10000;
	json_t *status, *c;

	while (harness_mono_ms() < deadline) {
		status = harness_status(&t);
		c = status_check(status, name);
		if (c != NULL &&
		    strcmp(json_string_value(json_object_get(c, "state")), "critical") == 0)
			return status;
		json_decref(status);
		harness_pause_ms(50);
	}
	fail_msg("check %s did not turn critical within 10 s (or is missing)", name);
	return NULL;
}

static void
start(void)
{
	char path[400], *url;

	t.web = true;
	harness_write_config(&t, config);
	harness_start(&t);
	snprintf(path, sizeof(path), "%s/web.url", t.state);
	url = harness_read_file(path);
	assert_non_null(url);
	snprintf(base_url, sizeof(base_url), "%.*s", (int)strcspn(url, "\n"), url);
	free(url);
}

static void
assert_hidden(const char *where, const char *text)
{
	if (strstr(text, PASSWORD) != NULL || strstr(text, TOKEN) != NULL)
		fail_msg("%s shows a secret: %s", where, text);
}

static void
assert_no_escape(const char *where, const char *text)
{
	if (strchr(text, '\x1b') != NULL)
		fail_msg("%s has a raw ESC: %s", where, text);
}

/* A file's bytes, NULs and all; NULL when it cannot be read. */
static char *
read_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;

	*len = 0;
	if (f == NULL)
		return NULL;
	do {
		buf = realloc(buf, *len + 65536);
		n = fread(buf + *len, 1, 65536, f);
		*len += n;
	} while (n > 0);
	fclose(f);
	return buf;
}

/* Every file in dir (and depth levels below), the database's included. */
static void
assert_dir_hidden(const char *dir, int depth)
{
	char path[600], *bytes;
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t len;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR && depth > 0)
			assert_dir_hidden(path, depth - 1);
		if (de->d_type != DT_REG || (bytes = read_bytes(path, &len)) == NULL)
			continue;
		if (memmem(bytes, len, PASSWORD, strlen(PASSWORD)) != NULL ||
		    memmem(bytes, len, TOKEN, strlen(TOKEN)) != NULL)
			fail_msg("%s holds a secret", path);
		free(bytes);
	}
	closedir(d);
}

/* Polls until the file at path has needle; its text. */
static char *
wait_file(const char *path, const char *needle)
{
	long long deadline = harness_mono_ms() + 5000;
	char *text;

	for (;;) {
		text = harness_read_file(path);
		if (text != NULL && strstr(text, needle) != NULL)
			return text;
		free(text);
		if (harness_mono_ms() > deadline)
			fail_msg("%s: no '%s' within 5 s", path, needle);
		harness_pause_ms(50);
	}
}

/* Polls until `tend history CHECK` has rows from the store. */
static char *
wait_history(const char *check)
{
	long long deadline = harness_mono_ms() + 10000;
	char *out;

	while (harness_mono_ms() < deadline) {
		harness_cli(&t, &out, "history", check, "--state-dir", t.state, NULL);
		if (strstr(out, "critical") != NULL)
			return out;
		free(out);
		harness_pause_ms(100);
	}
	fail_msg("no history of %s within 10 s", check);
	return NULL;
}

static void
credentials_in_urls_are_never_published(void **state)
{
	json_t *status, *secret;
	char *text, *out, path[400];

	start();
	status = wait_critical("secret");
	secret = status_check(status, "secret");
	/* The message names the URL, without its password or token. */
	assert_non_null(strstr(json_string_value(json_object_get(secret, "message")),
	    "http://admin:***@127.0.0.1:"));
	assert_non_null(strstr(json_string_value(json_object_get(secret, "message")),
	    "token=***&page=1"));
	text = json_dumps(status, 0);
	assert_hidden("status JSON", text);
	free(text);
	json_decref(status);

	text = web_wait("/api/status", "admin:***@");
	assert_hidden("/api/status", text);
	free(text);
	text = web_get("/api/checks");
	assert_hidden("/api/checks", text);
	free(text);
	text = web_wait("/metrics", "check=\"secret\"");
	assert_hidden("/metrics", text);
	free(text);

	out = wait_history("secret");
	assert_hidden("tend history", out);
	free(out);
	assert_int_equal(harness_cli(&t, &out, "status", "--state-dir", t.state, NULL), 0);
	assert_hidden("tend status", out);
	free(out);
	assert_int_equal(harness_cli(&t, &out, "check", "-c", t.config, "--only", "secret",
	    NULL), 2);
	assert_non_null(strstr(out, "admin:***@"));
	assert_hidden("tend check", out);
	free(out);

	/* The alert, once it went out. */
	snprintf(path, sizeof(path), "%s/alerts", t.dir);
	text = wait_file(path, "secret");
	assert_hidden("the alert", text);
	free(text);

	/* The store and everything else in the state dir, and the log. */
	assert_dir_hidden(t.state, 1);
	text = harness_read_file(t.log);
	assert_non_null(strstr(text, "admin:***@"));
	assert_hidden("the log", text);
	free(text);
}

static void
check_output_is_escaped_and_valid_utf8(void **state)
{
	json_t *status, *noisy, *m;
	const char *msg;
	char *out, *text;

	start();
	json_decref(wait_critical("secret"));
	status = wait_critical("noisy");
	/* JSON carries the text as it was, only made valid UTF-8. */
	noisy = status_check(status, "noisy");
	assert_non_null(noisy);
	msg = json_string_value(json_object_get(noisy, "message"));
	assert_string_equal(msg, "\x1b[2Jcleared " FFFD FFFD);
	assert_int_equal(json_array_size(json_object_get(noisy, "metrics")), 2);
	m = json_array_get(json_object_get(noisy, "metrics"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "label")), "up");
	assert_true(json_is_null(json_object_get(m, "value")));
	assert_string_equal(json_string_value(json_object_get(status, "state")), "critical");
	json_decref(status);
	free(web_wait("/metrics", "tend_check_state{check=\"noisy\""));
	free(web_wait("/api/checks", "cleared \ufffd\ufffd"));

	/* Text shows the escape as four characters. */
	assert_int_equal(harness_cli(&t, &out, "status", "--state-dir", t.state, NULL), 0);
	assert_no_escape("tend status", out);
	assert_non_null(strstr(out, "\\x1b[2Jcleared " FFFD FFFD));
	assert_non_null(strstr(out, "tend: critical \xe2\x80\x94 2 of 2 checks critical\n"));
	free(out);
	assert_int_equal(harness_cli(&t, &out, "check", "-c", t.config, "--only", "noisy",
	    "--verbose", NULL), 2);
	assert_no_escape("tend check", out);
	assert_non_null(strstr(out, "\\x1b[2Jcleared " FFFD FFFD));
	assert_non_null(strstr(out, "up=unknown"));
	free(out);
	out = wait_history("noisy");
	assert_no_escape("tend history", out);
	assert_non_null(strstr(out, "\\x1b[2Jcleared"));
	free(out);
	text = harness_read_file(t.log);
	assert_no_escape("the log", text);
	assert_non_null(strstr(text, "check noisy: unknown -> critical: \\x1b[2Jcleared"));
	free(text);
}

/* Command lines with URLs: tend retry's notes and records, tend validate's summary. */
static void
urls_in_command_lines_are_hidden(void **state)
{
	char *out;

	assert_int_equal(harness_cli(&t, &out, "retry", "-v", "--state-dir", t.state,
	    "--", "/bin/sh", "-c", "exit 0", "sh",
	    "http://admin:" PASSWORD "@127.0.0.1/x?token=" TOKEN, NULL), 0);
	assert_non_null(strstr(out, "http://admin:***@127.0.0.1/x?token=***"));
	assert_hidden("tend retry", out);
	free(out);
	assert_dir_hidden(t.state, 1);

	harness_write_config(&t,
	    "services:\n"
	    "  sync:\n"
	    "    run: [/bin/sleep, '1', 'https://bot:" PASSWORD "@git.example/r.git']\n");
	assert_int_equal(harness_cli(&t, &out, "validate", "-v", "-c", t.config, NULL), 0);
	assert_non_null(strstr(out, "https://bot:***@git.example/r.git"));
	assert_hidden("tend validate", out);
	free(out);

	/* A config error quoting a value: one line, escaped, without the password. */
	harness_write_config(&t,
	    "alerts:\n"
	    "  channels:\n"
	    "    ops: { webhook: \"ftp://ops:" PASSWORD "@h/\\e[2J\\nx\" }\n");
	assert_int_equal(harness_cli(&t, &out, "validate", "-c", t.config, NULL), 2);
	assert_non_null(strstr(out, "got 'ftp://ops:***@h/\\x1b[2J\\nx'\n"));
	assert_no_escape("tend validate", out);
	assert_hidden("tend validate", out);
	free(out);
}

/* An exec action's output becomes an attempt's detail: stored, shown, published. */
static void
heal_action_output_is_sanitized_too(void **state)
{
	long long deadline = harness_mono_ms() + 10000;
	const char *detail = NULL;
	json_t *list = NULL;
	char *out;

	harness_write_config(&t,
	    "anomaly: { enabled: false }\n"
	    "heal: { cooldown: 0s }\n"
	    "actions:\n"
	    "  poke: { exec: [/bin/sh, -c, 'printf \"\\033[2Jpoked \\377 http://u:" PASSWORD "@h/\\n\"'] }\n"
	    "checks:\n"
	    "  broken:\n"
	    "    type: command\n"
	    "    run: [/bin/sh, -c, 'echo down; exit 2']\n"
	    "    every: 200ms\n"
	    "    heal: [poke]\n");
	harness_start(&t);
	/* What it did is in the incident's actions_taken, once it ran. */
	while (detail == NULL && harness_mono_ms() < deadline) {
		json_decref(list);
		harness_pause_ms(100);
		harness_cli(&t, &out, "incidents", "--state-dir", t.state, "--format", "json",
		    NULL);
		list = json_loads(out, 0, NULL);
		free(out);
		detail = json_string_value(json_object_get(json_array_get(list, 0),
		    "actions_taken"));
		if (detail != NULL && strstr(detail, "poked") == NULL)
			detail = NULL;
	}
	assert_non_null(detail);
	assert_non_null(strstr(detail, "\\u001B[2Jpoked " FFFD " http://u:***@h/"));
	json_decref(list);
	assert_int_equal(harness_cli(&t, &out, "incidents", "--state-dir", t.state,
	    "--format", "json", NULL), 0);
	assert_hidden("tend incidents", out);
	free(out);
	/* tend heal prints each incident's actions and diagnosis (exit 2: still critical). */
	assert_int_equal(harness_cli(&t, &out, "heal", "-c", t.config, "--state-dir", t.state,
	    NULL), 2);
	assert_non_null(strstr(out, "poke -> ran: exited 0: \\x1b[2Jpoked " FFFD));
	assert_no_escape("tend heal", out);
	assert_hidden("tend heal", out);
	free(out);
	out = harness_read_file(t.log);
	assert_non_null(strstr(out, "poke: done: exited 0: \\x1b[2Jpoked " FFFD));
	assert_no_escape("the log", out);
	assert_hidden("the log", out);
	free(out);
	assert_dir_hidden(t.state, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(credentials_in_urls_are_never_published),
		TEND_TEST(check_output_is_escaped_and_valid_utf8),
		TEND_TEST(urls_in_command_lines_are_hidden),
		TEND_TEST(heal_action_output_is_sanitized_too),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
