/*
 * Resilient fetching of the artifacts an `assets:` section lists: each is
 * served from the content-addressed cache when it is there and intact,
 * else downloaded from its mirrors — the fastest remembered first, a
 * dropped connection resumed, a failing mirror retried with backoff before
 * the next one is tried, every download verified by sha256 (and size) —
 * then placed at its destination. A network probe first picks the
 * strategy: online, limited or offline (see fetch_probe.h).
 *
 * `tend fetch` is a thin command-line wrapper around these.
 */
#ifndef TEND_NET_FETCH_H
#define TEND_NET_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/model.h"
#include "net/cache.h"
#include "net/fetch_probe.h"
#include "net/fetch_transfer.h"

enum fetch_mode {
	FETCH_PLACE,		/* into the cache, then at dest */
	FETCH_WARMUP,		/* into the cache only, for later offline runs */
};

/* The most a mirror may send for an asset with neither size: nor max_size:. */
#define FETCH_DEFAULT_MAX_SIZE	((int64_t)1 << 30)

struct fetch_settings {
	const char	*cache_dir;
	enum fetch_mode	 mode;
	bool		 offline;	/* the cache only: no mirror is tried */
	int		 attempts;	/* tries of one mirror in a row that get nothing; default 3 */
	int		 max_connections; /* per mirror and asset, however much each brings; default 1000 */
	int64_t		 max_size;	/* assets without size: or max_size:; default 1 GiB */
	struct backoff_conf backoff;	/* between those tries: 250ms doubling to 4s, jitter 0.2 */
	int64_t		 probe_budget_ms; /* default 1500 */
	int64_t		 probe_slow_ms;	/* a connect slower than this makes it "limited"; default 750 */
	struct fetch_timeouts online;	/* connect 10s; stalled below 1 KB/s for 20 s */
	struct fetch_timeouts limited;	/* connect 3s; stalled below 1 KB/s for 8 s */
};

void	 fetch_settings_init(struct fetch_settings *s, const char *cache_dir);

/*
 * The cache dir: option (--cache-dir), else $TEND_CACHE_DIR, else the
 * manifest's `cache_dir:`, else the config's, else STATE_DIR/cache for
 * root or when a state dir was chosen (state_dir_option, $TEND_STATE_DIR
 * or `state_dir:`), else $XDG_CACHE_HOME/tend or ~/.cache/tend. manifest
 * may be NULL. Free it.
 */
char	*fetch_cache_dir(const char *option, const struct tend_config *manifest,
	    const struct tend_config *cfg, const char *state_dir_option);
/*
 * A cache_dir that is STATE_DIR/cache is used only in a state dir tend run
 * would accept (core/statedir.h), and made 0750 there: 0, or -1 with err.
 * Any other cache_dir: 0.
 */
int	 fetch_cache_verify(const char *cache_dir, const struct tend_config *cfg,
	    const char *state_dir_option, char *err, size_t errlen);

enum fetch_source {
	FETCH_FROM_NONE,	/* failed */
	FETCH_FROM_CACHE,	/* the cache had it */
	FETCH_FROM_DEST,	/* dest already held it (and now the cache does too) */
	FETCH_FROM_MIRROR,	/* downloaded */
};

/* A mirror that failed, and its last error. */
struct fetch_mirror_error {
	char		*url;		/* as shown: credentials hidden */
	char		*error;
};

struct fetch_result {
	const struct asset_conf *asset;
	bool		 ok;
	enum fetch_source source;
	char		*url;		/* FETCH_FROM_MIRROR: the mirror, credentials hidden */
	bool		 resumed;	/* the download went on from a part file */
	bool		 placed;	/* at dest (not in warmup) */
	enum cache_placement placement;
	int64_t		 bytes;		/* the artifact's size */
	int64_t		 downloaded;	/* bytes transferred for it in this run */
	double		 seconds;	/* the whole of it: cache, downloads, hashing, placing */
	bool		 sha256_ok;	/* its content was verified */
	char		 sha256[SHA256_HEX_LEN + 1]; /* --verify: what dest holds ("" unread) */
	char		*error;		/* why it failed; NULL when ok */
	struct fetch_mirror_error *mirror_errors;
	size_t		 n_mirror_errors;
};

struct fetch_report {
	bool		 probed;	/* the network was probed */
	enum fetch_net	 net;
	char		 probe_summary[512];
	struct fetch_result *v;		/* one per asset, in the order asked */
	size_t		 n;
	size_t		 failed;
};

/* Fetches (or warms the cache with) n assets; returns how many failed. */
size_t	 fetch_assets(const struct fetch_settings *s,
	    const struct asset_conf *const *assets, size_t n, struct fetch_report *r);
/* Rehashes each asset's dest against its sha256; returns how many do not match. */
size_t	 fetch_verify(const struct asset_conf *const *assets, size_t n,
	    struct fetch_report *r);
void	 fetch_report_free(struct fetch_report *r);

#endif
