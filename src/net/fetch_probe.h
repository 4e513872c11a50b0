/*
 * Is the network there? Before downloading, `tend fetch` connects to the
 * mirror hosts it is about to use, all at once, within a short budget:
 * libcurl's connect-only mode on its multi interface, so names are
 * resolved, proxies used and TLS set up as the downloads will do it. From
 * the answers it picks a strategy:
 *
 *   online   every host answered quickly: mirrors in the remembered order;
 *   limited  some did not, or slowly: shorter timeouts, unreachable hosts last;
 *   offline  none did: no network mirror is tried, only the cache (and file://).
 */
#ifndef TEND_NET_FETCH_PROBE_H
#define TEND_NET_FETCH_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fetch_net {
	FETCH_NET_ONLINE,
	FETCH_NET_LIMITED,
	FETCH_NET_OFFLINE,
};
extern const char *const fetch_net_names[];

enum probe_state {
	PROBE_PENDING,
	PROBE_OK,
	PROBE_SLOW,		/* connected, but after slow_ms */
	PROBE_FAILED,		/* not resolved, refused, unreachable, timed out */
};

struct probe_target {
	char		*key;		/* mirror_key() of the URLs it stands for:
					   scheme://host:port, also the URL probed */
	enum probe_state state;
	int64_t		 ms;		/* until connected or failed */
	char		 error[128];
};

struct probe {
	struct probe_target *v;
	size_t		 n;
};

/* Adds the host of url (http/https; file URLs need no network) unless it is there. */
void	 probe_add(struct probe *p, const char *url);
/* The target that stands for url's host, or NULL. */
const struct probe_target *probe_find(const struct probe *p, const char *url);
/*
 * Resolves and connects to every target at once, for at most budget_ms in
 * all; a connection slower than slow_ms counts as slow.
 */
void	 probe_run(struct probe *p, int64_t budget_ms, int64_t slow_ms);
/* Online, limited or offline from the targets' states (online when there are none). */
enum fetch_net probe_strategy(const struct probe *p);
/* "2 of 3 mirror hosts answered (127.0.0.1:9: connection refused)" */
void	 probe_summary(const struct probe *p, char *buf, size_t len);
void	 probe_free(struct probe *p);

#endif
