/*
 * One download attempt of `tend fetch`: a libcurl transfer from one mirror
 * appended to a part file, hashed as it is written. The part file lives in
 * the cache's tmp dir under the asset's sha256; it is locked while used,
 * and a later attempt (or a later run) asks for the rest with a Range
 * request.
 */
#ifndef TEND_NET_FETCH_TRANSFER_H
#define TEND_NET_FETCH_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dl_curl.h"

#include "net/cache.h"

/* A download in progress: every byte in the file is in the hash. */
struct fetch_part {
	char		*path;
	int		 fd;
	int64_t		 size;
	int64_t		 limit;		/* the most it may hold */
	bool		 exact;		/* limit is the manifest's size, not a cap */
	struct sha256 *hash;
	int		 write_errno;	/* why the last write failed */
	bool		 too_large;	/* the mirror sent more than limit */
};

/*
 * Opens (or creates) the part file and takes its lock, waiting for another
 * tend that holds it; then hashes what it already holds. limit is the
 * manifest's size when exact, else a cap (see fetch_settings.max_size). 0,
 * or -1 with err filled.
 */
int	 fetch_part_open(struct fetch_part *p, const char *path, int64_t limit,
	    bool exact, char *err, size_t errlen);
/* Starts over: empty file, empty hash. 0, or -1 with errno set. */
int	 fetch_part_truncate(struct fetch_part *p);
/* The sha256 of what it holds so far. */
void	 fetch_part_digest(struct fetch_part *p, char hex[SHA256_HEX_LEN + 1]);
/* Closes (and unlocks) it; with remove, deletes the file first. */
void	 fetch_part_close(struct fetch_part *p, bool remove);

/*
 * How long to wait before a mirror is given up on. A mirror that stalls
 * before sending a byte is left for the next one; one that stalls later
 * is resumed.
 */
struct fetch_timeouts {
	long		 connect_ms;
	long		 low_speed_bytes;	/* slower than this per second ... */
	long		 low_speed_s;		/* ... for this long: stalled */
};

enum fetch_verdict {
	FETCH_DONE,		/* the mirror sent all it has */
	FETCH_RETRY,		/* connected, then failed: worth another try */
	FETCH_NEXT_MIRROR,	/* this mirror will not do: 404, unreachable, too large */
	FETCH_RESTART,		/* the part does not fit the mirror's file: start from 0 */
	FETCH_LOCAL_ERROR,	/* writing here failed: no mirror can help */
};

struct fetch_attempt {
	enum fetch_verdict verdict;
	int64_t		 from;		/* the offset asked for */
	int64_t		 received;	/* bytes appended */
	double		 seconds;	/* the whole transfer */
	char		 error[300];	/* why it failed, for logs and reports */
};

/*
 * Downloads url into p from its current size (a Range request when it is
 * not empty). curl is an easy handle, reset and reused so that connections
 * to a mirror are kept between attempts. A file:// URL is read here, not
 * by libcurl, and only when it names a regular file: a FIFO or a device
 * (/dev/zero) is refused rather than read forever.
 */
void	 fetch_transfer(CURL *curl, const char *url, struct fetch_part *p,
	    const struct fetch_timeouts *t, struct fetch_attempt *out);

#endif
