/*
 * What a request must be before the web server routes it: HOST[:PORT]
 * read strictly, the Host names served (DNS rebinding), web.allowed_hosts
 * in the config, the client a connection counts against, and what paths
 * and queries decode to.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "config_asserts.h"
#include "core/hostport.h"
#include "core/strv.h"
#include "web/request.h"

static void
split_ok(const char *s, const char *host, int port)
{
	char h[256];
	int p;

	if (hostport_split(s, h, sizeof(h), &p) < 0)
		fail_msg("'%s' refused", s);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
}

/* A URL's host: userinfo skipped (a password may hold '@'), the scheme measured. */
static void
test_hostport_of_url(void **state)
{
	char h[256];
	size_t scheme;
	int p;

	assert_int_equal(hostport_of_url("https://u:p@ss@Mirror.example:8443/a@b?c",
	    h, sizeof(h), &p, &scheme), 0);
	assert_string_equal(h, "Mirror.example");
	assert_int_equal(p, 8443);
	assert_int_equal(scheme, 5);
	assert_int_equal(hostport_of_url("http://[::1]/x", h, sizeof(h), &p, &scheme), 0);
	assert_string_equal(h, "::1");
	assert_int_equal(p, -1);
	assert_int_equal(hostport_of_url("db.internal:5432", h, sizeof(h), &p, &scheme), 0);
	assert_string_equal(h, "db.internal");
	assert_int_equal(p, 5432);
	assert_int_equal(scheme, 0);
	assert_int_equal(hostport_of_url("http:///x", h, sizeof(h), &p, &scheme), -1);
	assert_int_equal(hostport_of_url("http://a b/", h, sizeof(h), &p, &scheme), -1);
}

static void
test_hostport_split(void **state)
{
	static const char *const bad[] = { "", ":80", "a:", "a:x", "a:123456", "a:65536",
	    "a b", "a/b", "user@a", "[::1", "[]", "[::1]x", "[::1]:", "[nope]", "::1", "a:8:8",
	    "a\n", NULL };
	char h[8], big[300];
	size_t i;
	int p;

	split_ok("localhost", "localhost", -1);
	split_ok("LocalHost:8090", "LocalHost", 8090);
	split_ok("127.0.0.1:0", "127.0.0.1", 0);
	split_ok("[::1]:65535", "::1", 65535);
	split_ok("[fd00::1]", "fd00::1", -1);
	split_ok("tend.example.", "tend.example.", -1);
	split_ok("my_host-1.example", "my_host-1.example", -1);
	for (i = 0; bad[i] != NULL; i++)
		if (hostport_split(bad[i], big, sizeof(big), &p) == 0)
			fail_msg("'%s' accepted", bad[i]);
	/* Too long for the buffer, or for a name at all. */
	assert_int_equal(hostport_split("tend.example", h, sizeof(h), &p), -1);
	memset(big, 'a', 254);
	big[254] = '\0';
	assert_int_equal(hostport_split(big, big, sizeof(big), &p), -1);
}

static void
test_hosts_served(void **state)
{
	char *allowed[] = { "tend.example", "proxy.example:8443", "[FD00::1]", NULL };
	struct web_hosts h;

	web_hosts_init(&h, "127.0.0.1", 8090, allowed);
	/* What a rebinding page sends, and near misses. */
	assert_false(web_host_allowed(&h, "evil.example"));
	assert_false(web_host_allowed(&h, "evil.example:8090"));
	assert_false(web_host_allowed(&h, "tend.example.evil.example:8090"));
	assert_false(web_host_allowed(&h, "localhost.evil.example:8090"));
	assert_false(web_host_allowed(&h, ""));
	assert_false(web_host_allowed(&h, "127.0.0.1"));	/* port 80 */
	assert_false(web_host_allowed(&h, "127.0.0.1:8091"));
	assert_false(web_host_allowed(&h, "localhost:80"));
	assert_false(web_host_allowed(&h, "10.0.0.1:8090"));
	assert_false(web_host_allowed(&h, "proxy.example"));
	assert_false(web_host_allowed(&h, "proxy.example:8090"));
	assert_false(web_host_allowed(&h, "tend.example:9999"));
	assert_false(web_host_allowed(&h, "127.0.0.1:8090 "));
	/* Its own address, loopback, localhost, the names allowed. */
	assert_true(web_host_allowed(&h, NULL));
	assert_true(web_host_allowed(&h, "127.0.0.1:8090"));
	assert_true(web_host_allowed(&h, "127.9.9.9:8090"));
	assert_true(web_host_allowed(&h, "[::1]:8090"));
	assert_true(web_host_allowed(&h, "[0:0::1]:8090"));
	assert_true(web_host_allowed(&h, "[::ffff:127.0.0.1]:8090"));
	assert_true(web_host_allowed(&h, "localhost:8090"));
	assert_true(web_host_allowed(&h, "LOCALHOST:8090"));
	assert_true(web_host_allowed(&h, "tend.example"));
	assert_true(web_host_allowed(&h, "Tend.Example:8090"));
	assert_true(web_host_allowed(&h, "proxy.example:8443"));
	assert_true(web_host_allowed(&h, "[fd00:0::1]"));
	web_hosts_free(&h);

	/* On port 80 a Host without a port is tend's; on every address, any address literal. */
	web_hosts_init(&h, "0.0.0.0", 80, NULL);
	assert_true(web_host_allowed(&h, "localhost"));
	assert_true(web_host_allowed(&h, "192.0.2.7"));
	assert_true(web_host_allowed(&h, "[2001:db8::7]:80"));
	assert_false(web_host_allowed(&h, "192.0.2.7:8080"));
	assert_false(web_host_allowed(&h, "host.example"));
	web_hosts_free(&h);
	web_hosts_init(&h, "::", 8090, NULL);
	assert_true(web_host_allowed(&h, "192.0.2.7:8090"));
	web_hosts_free(&h);
	web_hosts_init(&h, "192.0.2.7", 8090, NULL);
	assert_true(web_host_allowed(&h, "192.0.2.7:8090"));
	assert_false(web_host_allowed(&h, "192.0.2.8:8090"));
	web_hosts_free(&h);
}

static void
test_allowed_hosts_config(void **state)
{
	struct tend_config *cfg;

	cfg = load_ok("web:\n  allowed_hosts: [tend.example, 'tend.example:8443', '[::1]']\n");
	assert_int_equal(strv_len(cfg->web.allowed_hosts), 3);
	assert_string_equal(cfg->web.allowed_hosts[1], "tend.example:8443");
	config_free(cfg);
	cfg = load_ok("web: { allowed_hosts: tend.example }\n");
	assert_string_equal(cfg->web.allowed_hosts[0], "tend.example");
	config_free(cfg);
	assert_error("web:\n  allowed_hosts: ['*.example']\n", 2, 18, "allowed_hosts");
	assert_error("web:\n  allowed_hosts: [a, 'http://a/']\n", 2, 18, "http://a/");
	assert_error("web:\n  allowed_hosts: ['a:99999']\n", 2, 18, "a:99999");
	assert_error("web:\n  allowed_hosts: {a: 1}\n", 2, 18, "allowed_hosts");
}

/* web.listen: an address literal and a port of digits only. */
static void
test_listen_config(void **state)
{
	struct tend_config *cfg;

	cfg = load_ok("web: { listen: '8091' }\n");
	assert_string_equal(cfg->web.host, "127.0.0.1");
	assert_int_equal(cfg->web.port, 8091);
	config_free(cfg);
	cfg = load_ok("web: { listen: '[::1]:0' }\n");
	assert_string_equal(cfg->web.host, "::1");
	assert_int_equal(cfg->web.port, 0);
	config_free(cfg);
	cfg = load_ok("web: { listen: 'localhost:8092' }\n");
	assert_string_equal(cfg->web.host, "127.0.0.1");
	config_free(cfg);
	assert_error("web: { listen: '127.0.0.1:+8090' }\n", 1, 16, "listen");
	assert_error("web: { listen: '127.0.0.1: 8090' }\n", 1, 16, "listen");
	assert_error("web: { listen: '+8090' }\n", 1, 16, "listen");
	assert_error("web: { listen: '127.0.0.1' }\n", 1, 16, "listen");
	assert_error("web: { listen: 'tend.example:8090' }\n", 1, 16, "listen");
	assert_error("web: { listen: '127.0.0.1:65536' }\n", 1, 16, "listen");
}

static void
client_of(const char *addr, struct web_client *c)
{
	struct sockaddr_in in4 = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };

	if (inet_pton(AF_INET, addr, &in4.sin_addr) == 1)
		web_client_of((struct sockaddr *)&in4, c);
	else if (inet_pton(AF_INET6, addr, &in6.sin6_addr) == 1)
		web_client_of((struct sockaddr *)&in6, c);
	else
		fail_msg("%s is no address", addr);
}

static bool
same_client(const char *a, const char *b)
{
	struct web_client x, y;

	client_of(a, &x);
	client_of(b, &y);
	return web_client_same(&x, &y);
}

static void
test_clients(void **state)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct web_client c;

	/* All of loopback is one local client. */
	assert_true(same_client("127.0.0.1", "127.0.0.2"));
	assert_true(same_client("127.255.1.9", "::1"));
	assert_true(same_client("::ffff:127.0.0.5", "127.0.0.1"));
	client_of("127.3.2.1", &c);
	assert_int_equal(c.kind, WEB_CLIENT_LOCAL);
	web_client_of((struct sockaddr *)&un, &c);
	assert_int_equal(c.kind, WEB_CLIENT_LOCAL);
	/* Others: an IPv4 address each (mapped or not), an IPv6 /64 each. */
	assert_false(same_client("192.0.2.1", "192.0.2.2"));
	assert_false(same_client("192.0.2.1", "127.0.0.1"));
	assert_true(same_client("::ffff:192.0.2.1", "192.0.2.1"));
	assert_true(same_client("2001:db8:1:2::1", "2001:db8:1:2:ffff::9"));
	assert_false(same_client("2001:db8:1:2::1", "2001:db8:1:3::1"));
	client_of("2001:db8::1", &c);
	assert_int_equal(c.kind, WEB_CLIENT_V6);
}

static void
unescaped(const char *in, const char *want)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s", in);
	assert_int_equal(web_unescape(buf), strlen(want));
	assert_string_equal(buf, want);
}

static void
test_unescape(void **state)
{
	unescaped("/assets/app.js", "/assets/app.js");
	unescaped("/a%20b%2Fc%2f", "/a b/c/");
	unescaped("/assets/app.js%00.png", "/assets/app.js%00.png");
	unescaped("%00%41%00", "%00A%00");
	unescaped("%ff%C3%A9", "\xff\xc3\xa9");
	unescaped("%", "%");
	unescaped("%4", "%4");
	unescaped("%zz%4g", "%zz%4g");
	unescaped("100%", "100%");
}

static void
test_text_ok(void **state)
{
	static const char *const good[] = { "", "/api/metrics/check.web.latency_ms",
	    "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "a b", NULL };
	static const char *const bad[] = { "\xff", "\xc3\x28", "\xc0\xaf", "\xe0\x80\xaf",
	    "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xe2\x82", "a\nb",
	    "\t", "\x7f", "\x1b[31m", "ok\xc3", NULL };
	size_t i;

	for (i = 0; good[i] != NULL; i++)
		if (!web_text_ok(good[i]))
			fail_msg("good text %zu refused", i);
	for (i = 0; bad[i] != NULL; i++)
		if (web_text_ok(bad[i]))
			fail_msg("bad text %zu accepted", i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostport_split),
		cmocka_unit_test(test_hostport_of_url),
		cmocka_unit_test(test_hosts_served),
		cmocka_unit_test(test_allowed_hosts_config),
		cmocka_unit_test(test_listen_config),
		cmocka_unit_test(test_clients),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_text_ok),
	};

	return cmocka_run_group_tests_name("web_request", tests, NULL, NULL);
}
