/* Reading HOST[:PORT] strictly (core/hostport.h). */
#include "core/hostport.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#define HOST_NAME_MAX_LEN	253

/* ":PORT" at p up to end (or nothing at all); the port or -1, -2 when malformed. */
static int
hostport_port(const char *p, const char *end)
{
	int port = 0;
	const char *d;

	if (p == end)
		return -1;
	if (*p != ':' || end - p < 2 || end - p > 6)
		return -2;
	for (d = p + 1; d < end; d++) {
		if (!isdigit((unsigned char)*d))
			return -2;
		port = port * 10 + (*d - '0');
	}
	return port <= 65535 ? port : -2;
}

static int
hostport_bracketed(const char *s, char *host, size_t hostlen, int *port)
{
	const char *close = strchr(s, ']');
	unsigned char addr[sizeof(struct in6_addr)];
	size_t n;

	if (close == NULL || (n = (size_t)(close - s - 1)) == 0 || n >= hostlen)
		return -1;
	memcpy(host, s + 1, n);
	host[n] = '\0';
	if (inet_pton(AF_INET6, host, addr) != 1)
		return -1;
	*port = hostport_port(close + 1, close + strlen(close));
	return *port == -2 ? -1 : 0;
}

int
hostport_split(const char *s, char *host, size_t hostlen, int *port)
{
	size_t n;
	const char *colon, *c;

	if (hostlen == 0)
		return -1;
	host[0] = '\0';
	if (*s == '[')
		return hostport_bracketed(s, host, hostlen, port);
	colon = strchr(s, ':');
	n = colon != NULL ? (size_t)(colon - s) : strlen(s);
	if (n == 0 || n > HOST_NAME_MAX_LEN || n >= hostlen)
		return -1;
	for (c = s; c < s + n; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
			return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	*port = hostport_port(s + n, s + strlen(s));
	return *port == -2 ? -1 : 0;
}

int
hostport_of_url(const char *s, char *host, size_t hostlen, int *port,
    size_t *scheme_len)
{
	const char *sep = strstr(s, "://"), *auth, *end, *at;
	char buf[300];
	size_t n;

	*scheme_len = 0;
	auth = s;
	if (sep != NULL) {
		*scheme_len = (size_t)(sep - s);
		auth = sep + 3;
	}
	end = auth + strcspn(auth, "/?#");
	/* user:password@ is not part of the host; a password may hold '@'. */
	for (at = end; at > auth && at[-1] != '@'; at--)
		;
	n = (size_t)(end - at);
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, at, n);
	buf[n] = '\0';
	return hostport_split(buf, host, hostlen, port);
}
