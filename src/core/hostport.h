/*
 * "HOST", "HOST:PORT", "[V6]" and "[V6]:PORT": an HTTP Host header, an
 * entry of web.allowed_hosts. One strict reading for both, so that what
 * the config accepts is what a request is compared with.
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

#endif
