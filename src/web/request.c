/* Clients, Host names and decoded text of requests (web/request.h). */
#include "web/request.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/hostport.h"
#include "core/mem.h"
#include "core/text.h"

static void
web_client_v4(const unsigned char *a, struct web_client *c)
{
	c->kind = a[0] == 127 ? WEB_CLIENT_LOCAL : WEB_CLIENT_V4;
	if (c->kind == WEB_CLIENT_V4)
		memcpy(c->addr, a, 4);
}

void
web_client_of(const struct sockaddr *sa, struct web_client *c)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
	const struct in6_addr *a6 = &in6->sin6_addr;

	memset(c, 0, sizeof(*c));
	c->kind = WEB_CLIENT_LOCAL;
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		web_client_v4((const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr,
		    c);
	else if (sa->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(a6))
		web_client_v4(a6->s6_addr + 12, c);
	else if (sa->sa_family == AF_INET6 && !IN6_IS_ADDR_LOOPBACK(a6)) {
		c->kind = WEB_CLIENT_V6;
		memcpy(c->addr, a6->s6_addr, 8);
	}
}

bool
web_client_same(const struct web_client *a, const struct web_client *b)
{
	return a->kind == b->kind && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* An IP literal's family and bytes; 0 when s is not one. */
static int
web_ip_of(const char *s, unsigned char *addr)
{
	if (inet_pton(AF_INET, s, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, addr) == 1)
		return AF_INET6;
	return 0;
}

static bool
web_ip_loopback(int family, const unsigned char *addr)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (family == AF_INET)
		return addr[0] == 127;
	if (IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)addr))
		return true;
	return memcmp(addr, mapped, sizeof(mapped)) == 0 && addr[12] == 127;
}

/* Two spellings of one name or address ("::1" and "0::1" are the same). */
static bool
web_host_same(const char *a, const char *b)
{
	unsigned char x[sizeof(struct in6_addr)], y[sizeof(struct in6_addr)];
	int fa = web_ip_of(a, x), fb = web_ip_of(b, y);

	if (fa != 0 || fb != 0)
		return fa == fb && memcmp(x, y, fa == AF_INET ? 4 : 16) == 0;
	return strcasecmp(a, b) == 0;
}

void
web_hosts_init(struct web_hosts *h, const char *listen, int port, char *const *allowed)
{
	unsigned char addr[sizeof(struct in6_addr)];
	static const unsigned char zero[sizeof(struct in6_addr)];
	char name[256];
	size_t i;
	int family, p;

	memset(h, 0, sizeof(*h));
	h->listen = xstrdup(listen);
	atomic_init(&h->port, port);
	family = web_ip_of(listen, addr);
	h->any_address = family != 0 && memcmp(addr, zero, family == AF_INET ? 4 : 16) == 0;
	for (i = 0; allowed != NULL && allowed[i] != NULL; i++)
		;
	h->allowed = xcalloc(i + 1, sizeof(*h->allowed));
	for (i = 0; allowed != NULL && allowed[i] != NULL; i++) {
		if (hostport_split(allowed[i], name, sizeof(name), &p) < 0)
			continue;
		h->allowed[h->n_allowed].name = xstrdup(name);
		h->allowed[h->n_allowed++].port = p;
	}
}

void
web_hosts_set_port(struct web_hosts *h, int port)
{
	atomic_store(&h->port, port);
}

void
web_hosts_free(struct web_hosts *h)
{
	size_t i;

	for (i = 0; i < h->n_allowed; i++)
		free(h->allowed[i].name);
	free(h->allowed);
	free(h->listen);
	memset(h, 0, sizeof(*h));
}

bool
web_host_allowed(const struct web_hosts *h, const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];
	char name[256];
	int port, family, tend_port = atomic_load(&h->port);
	bool own_port;
	size_t i;

	if (host == NULL)
		return true;
	if (hostport_split(host, name, sizeof(name), &port) < 0)
		return false;
	/* A URL without a port is port 80. */
	own_port = port == tend_port || (port == -1 && tend_port == 80);
	family = web_ip_of(name, addr);
	if (strcasecmp(name, "localhost") == 0 || (family != 0 &&
	    (web_ip_loopback(family, addr) || h->any_address)) ||
	    web_host_same(name, h->listen))
		return own_port;
	for (i = 0; i < h->n_allowed; i++) {
		if (!web_host_same(name, h->allowed[i].name))
			continue;
		if (h->allowed[i].port == -1)
			return port == -1 || port == tend_port;
		return port == h->allowed[i].port;
	}
	return false;
}

static int
web_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
web_unescape(char *s)
{
	char *in = s, *out = s;
	int hi, lo;

	while (*in != '\0') {
		if (in[0] == '%' && (hi = web_hex(in[1])) >= 0 && (lo = web_hex(in[2])) >= 0 &&
		    (hi | lo) != 0) {
			*out++ = (char)(hi * 16 + lo);
			in += 3;
		} else
			*out++ = *in++;
	}
	*out = '\0';
	return (size_t)(out - s);
}

bool
web_text_ok(const char *text)
{
	const unsigned char *s;

	for (s = (const unsigned char *)text; *s != '\0'; s++)
		if (*s < 0x20 || *s == 0x7f)
			return false;
	return text_utf8_valid(text, (size_t)(s - (const unsigned char *)text));
}
