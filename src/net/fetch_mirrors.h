/*
 * What tend remembers about mirrors between runs: per host (scheme, host
 * and port), the throughput of its last download and whether it failed,
 * in CACHE/mirrors.json (written whole, to a temp file then renamed).
 * From that, the order in which an asset's mirrors are tried.
 */
#ifndef TEND_NET_FETCH_MIRRORS_H
#define TEND_NET_FETCH_MIRRORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_t;

struct mirror_book {
	char		*path;		/* CACHE/mirrors.json */
	struct json_t	*hosts;		/* key -> {bytes_per_second, at, error} */
	bool		 dirty;
};

/* "http://host:port" (default ports filled in, host in lower case), "file://" for files; free it. */
char	*mirror_key(const char *url);

/* Reads CACHE/mirrors.json; a missing or unreadable file is an empty book. */
void	 mirror_book_load(struct mirror_book *b, const char *cache_dir);
/* Writes it back if anything changed; 0, or -1 with errno set. */
int	 mirror_book_save(struct mirror_book *b);
void	 mirror_book_free(struct mirror_book *b);

/* What the book says of a URL's host. */
struct mirror_memory {
	bool		 known;
	bool		 failed;	/* its last download failed */
	double		 bytes_per_second; /* of its last good download */
	int64_t		 at_ms;		/* wall clock of that record */
	const char	*error;		/* why it failed (borrowed), or NULL */
};
void	 mirror_book_get(const struct mirror_book *b, const char *url,
	    struct mirror_memory *out);
/* A good download: bytes in seconds. */
void	 mirror_book_good(struct mirror_book *b, const char *url, int64_t bytes,
	    double seconds, int64_t now_ms);
/* A failed one, and why. */
void	 mirror_book_failed(struct mirror_book *b, const char *url, const char *error,
	    int64_t now_ms);

/*
 * The order to try n mirrors in, as indexes into mem[] (order[] has n
 * slots): those that worked last time, fastest first; then those never
 * tried, in the manifest's order; then those that failed last time, the
 * oldest failure first; and last of all those flagged `demoted` (a host
 * the network probe could not reach), in the same order among themselves.
 * demoted may be NULL.
 */
void	 mirror_order(const struct mirror_memory *mem, const bool *demoted, size_t n,
	    size_t *order);

#endif
