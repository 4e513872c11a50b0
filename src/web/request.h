/*
 * What a request must be before it is routed, apart from libmicrohttpd so
 * that it can be tested alone: the client a connection counts against, the
 * Host names served, and what a path or a query decodes to.
 */
#ifndef TEND_WEB_REQUEST_H
#define TEND_WEB_REQUEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct sockaddr;

/*
 * Who a connection counts against for web.per_ip_connections: all of
 * loopback (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104, and a socket that is
 * not IP) is one local client; an IPv4 address (mapped or not) is one; an
 * IPv6 address counts by its /64, what one host is usually given.
 */
enum web_client_kind { WEB_CLIENT_LOCAL, WEB_CLIENT_V4, WEB_CLIENT_V6 };

struct web_client {
	enum web_client_kind kind;
	unsigned char	 addr[8];	/* V4: 4 bytes; V6: the /64 */
};

void	web_client_of(const struct sockaddr *sa, struct web_client *c);
bool	web_client_same(const struct web_client *a, const struct web_client *b);

/*
 * The Host a request may name, against DNS rebinding: the address tend
 * listens on (any IP address when that is 0.0.0.0 or ::), a loopback
 * address, localhost — with tend's port, or none when that is 80 — and
 * web.allowed_hosts, NAME (no port, or tend's) or NAME:PORT (that one).
 */
struct web_host_name {
	char	*name;
	int	 port;			/* -1: none given */
};

struct web_hosts {
	char	*listen;		/* the configured address */
	bool	 any_address;		/* 0.0.0.0 or :: */
	atomic_int port;		/* the one bound */
	struct web_host_name *allowed;
	size_t	 n_allowed;
};

/* allowed: web.allowed_hosts (may be NULL; entries the config checked). */
void	web_hosts_init(struct web_hosts *h, const char *listen, int port,
	    char *const *allowed);
void	web_hosts_free(struct web_hosts *h);
/* The port bound, once known (listening on port 0), while requests are checked. */
void	web_hosts_set_port(struct web_hosts *h, int port);
/*
 * Whether a request's Host header is served. NULL (an HTTP/1.0 request
 * without one) is: browsers always send Host, and rebinding needs a browser.
 */
bool	web_host_allowed(const struct web_hosts *h, const char *host);

/*
 * Decodes %XX in place, as libmicrohttpd would, except %00, which is left
 * as it is: a decoded path or argument never holds a NUL that would cut it
 * short. Returns the new length.
 */
size_t	web_unescape(char *s);
/* Valid UTF-8 without control characters (U+0000-U+001F, U+007F). */
bool	web_text_ok(const char *s);

#endif
