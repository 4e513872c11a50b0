/*
 * The content-addressed cache of `tend fetch`:
 *
 *   CACHE/sha256/ab/abcdef…	verified artifacts, named by their sha256
 *				(ab: its first two hex digits), read-only
 *   CACHE/tmp/abcdef….part	downloads in progress, resumed where they stopped
 *   CACHE/tmp/…		other temporary files, renamed into place
 *   CACHE/mirrors.json		remembered mirror speeds (fetch_mirrors.h)
 *
 * An object appears only by rename(2) of a complete, verified file, so no
 * reader ever sees half of one. Each use sets its access time: pruning
 * removes the least recently used first.
 */
#ifndef TEND_NET_CACHE_H
#define TEND_NET_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sha256.h"

/* Creates CACHE, CACHE/sha256 and CACHE/tmp; 0, or -1 with errno set. */
int	 cache_init(const char *dir);
/* CACHE/sha256/ab/abcdef…; free it. */
char	*cache_object_path(const char *dir, const char *sha256);
/* CACHE/tmp/abcdef….part; free it. */
char	*cache_part_path(const char *dir, const char *sha256);

/*
 * Moves a complete, verified file (on the cache's file system: its tmp
 * dir) into the cache as the object for sha256, read-only. 0, or -1 with
 * errno set.
 */
int	 cache_commit(const char *dir, const char *path, const char *sha256);
/*
 * Copies a file into the cache as sha256's object (through a temp file
 * and rename), hashing it on the way: 0; 1 when its content is not
 * sha256's (nothing is kept); -1 with errno set.
 */
int	 cache_ingest(const char *dir, const char *path, const char *sha256);
/* Marks an object used now (its atime), for pruning. 0 or -1. */
int	 cache_touch(const char *path);

enum cache_placement {
	CACHE_PLACED_ALREADY,	/* dest was the object already */
	CACHE_PLACED_LINK,	/* a hard link to the object */
	CACHE_PLACED_COPY,	/* a copy: another file system, or a writable mode */
};
extern const char *const cache_placement_names[];

/*
 * Puts the object at dest with mode (its parents created): a hard link
 * when it shares the cache's file system and mode has no write bit (a
 * writable link would let an edit of dest change the cache), else a copy;
 * either through a temp name in dest's folder and rename, so that dest is
 * always the old file or the new one. 0, or -1 with err filled.
 */
int	 cache_place(const char *object, const char *dest, int mode,
	    enum cache_placement *how, char *err, size_t errlen);

/* One file in the cache: an object, a part or a leftover temp file. */
struct cache_entry {
	char		*path;
	int64_t		 size;
	int64_t		 used_ns;	/* last use: atime (set on use) or mtime */
	bool		 object;	/* under sha256/; else in tmp/ */
};

/* Least recently used first; ties by path, so the order is stable. */
void	 cache_sort_lru(struct cache_entry *v, size_t n);
/*
 * How many entries, from the front of an LRU-sorted list, must go for the
 * rest to fit in limit bytes.
 */
size_t	 cache_prune_count(const struct cache_entry *v, size_t n, int64_t limit);

struct cache_prune_report {
	int64_t		 before;	/* bytes in the cache */
	int64_t		 after;
	struct cache_entry *removed;	/* least recently used first */
	size_t		 n_removed;
};
/*
 * Removes the least recently used files until the cache holds at most
 * limit bytes. A part file another tend is downloading into is left alone
 * (and still counted). 0, or -1 with err filled.
 */
int	 cache_prune(const char *dir, int64_t limit, struct cache_prune_report *r,
	    char *err, size_t errlen);
void	 cache_prune_report_free(struct cache_prune_report *r);

#endif
