/*
 * The proxies of `proxies:`: loopback TCP proxies in front of ports of the
 * config, on the daemon's loop. Each forwards both ways until a chaos
 * experiment sets a fault on it — answer late, reset every connection, or
 * answer HTTP 503 — for a duration, after which it passes again by itself
 * (a chaos run that dies leaves no proxy misbehaving).
 */
#ifndef TEND_DAEMON_PROXY_H
#define TEND_DAEMON_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#define PROXY_FAULT_MAX_MS	(24LL * 3600 * 1000)	/* the longest fault or delay */

struct tend_config;
struct proxy_set;

/* Listens on every proxy's address (one that cannot is logged and left out). */
struct proxy_set *proxy_set_new(uv_loop_t *loop, const struct tend_config *cfg);
/* Closes every proxy and connection; the memory goes once their handles are closed. */
void	proxy_set_free(struct proxy_set *set);
/*
 * Proxy name answers mode (enum proxy_mode) for duration_ms, delaying by
 * delay_ms in latency mode; PROXY_PASS ends a fault. 0, or -1 with err.
 */
int	proxy_set_fault(struct proxy_set *set, const char *name, int mode, int64_t delay_ms,
	    int64_t duration_ms, char *err, size_t errlen);

#endif
