/*
 * "HOST", "HOST:PORT", "[V6]" and "[V6]:PORT": an HTTP Host header, an
 * entry of web.allowed_hosts, web.listen, a URL's authority. One strict
 * reading for all, so that what the config accepts is what a request is
 * compared with, and a mirror or a probe means the host a URL names.
 */
#ifndef TEND_CORE_HOSTPORT_H
#define TEND_CORE_HOSTPORT_H

#include <stddef.h>

/*
 * Splits s into the host (without brackets) and the port (-1 when none is
 * given). A host is a name of letters, digits, '-', '_' and '.' of at most
 * 253 characters, an IPv4 address, or an IPv6 address in brackets; a port
 * is 1 to 5 digits up to 65535. 0, or -1 when s is not of that form.
 */
int	hostport_split(const char *s, char *host, size_t hostlen, int *port);

/*
 * The host and port of a URL ("scheme://[userinfo@]HOST[:PORT]/..."), its
 * userinfo skipped, read as hostport_split reads; the scheme's length in
 * *scheme_len (0 when s has no "://": then s itself is HOST[:PORT]).
 * 0, or -1 when there is no host of that form.
 */
int	hostport_of_url(const char *s, char *host, size_t hostlen, int *port,
	    size_t *scheme_len);

#endif
