/*
 * The rows of snapshots (src/snapshot): the snapshots, their manifests and
 * the stat cache. Unlike the rest of the store these writes are not
 * queued: a snapshot needs its id at once and must become visible whole,
 * so its row and every entry go in one synchronous transaction, on the
 * store's own connection (its settings, migrations and reopening kept).
 * Functions returning int return 0, or -1 with a message in err.
 */
#ifndef TEND_STORE_SNAPSHOTS_H
#define TEND_STORE_SNAPSHOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/sha256.h"

struct store;

enum snapshot_type {
	SNAPSHOT_FILE,
	SNAPSHOT_DIR,
	SNAPSHOT_SYMLINK,
};

/* One file, directory or symlink of a snapshot. */
struct snapshot_entry {
	char		*path;		/* absolute */
	enum snapshot_type type;
	mode_t		 mode;		/* permission bits (07777) */
	uid_t		 uid;
	gid_t		 gid;
	int64_t		 mtime_ns;
	int64_t		 size;		/* a file's; a symlink's target length */
	char		 hash[SHA256_HEX_LEN + 1];	/* a file's, "" otherwise */
	char		*target;	/* a symlink's, NULL otherwise */
};

/* A snapshot's row. */
struct snapshot_info {
	int64_t		 id;
	char		*set_name;
	char		*label;		/* may be NULL */
	char		*reason;	/* may be NULL */
	int64_t		 created_at;	/* ms since the epoch */
	int64_t		 files;
	int64_t		 bytes;
	bool		 lkg;
	bool		 bad;
	char		*spec;		/* JSON {"paths":[],"exclude":[],"symlinks":[]} */
};

/* What the stat cache knows of a file: unchanged (dev, ino, size, times) means hash. */
struct snapshot_stat {
	const char	*path;
	int64_t		 dev;
	int64_t		 ino;
	int64_t		 size;
	int64_t		 mtime_ns;
	int64_t		 ctime_ns;
	char		 hash[SHA256_HEX_LEN + 1];
};

const char	*snapshot_type_name(enum snapshot_type t);
void		 snapshot_entry_clear(struct snapshot_entry *e);
void		 snapshot_entries_free(struct snapshot_entry *v, size_t n);
void		 snapshot_info_clear(struct snapshot_info *s);
void		 snapshot_infos_free(struct snapshot_info *v, size_t n);

/*
 * Inserts info (its id ignored, set in *id) and its n entries, and
 * replaces the stat cache rows in cache, in one transaction.
 */
int	store_snapshot_insert(struct store *st, const struct snapshot_info *info,
	    const struct snapshot_entry *e, size_t n, const struct snapshot_stat *cache,
	    size_t n_cache, int64_t *id, char *err, size_t errlen);
/* The snapshots of set_name (NULL: all), newest first. */
int	store_snapshot_list(struct store *st, const char *set_name,
	    struct snapshot_info **v, size_t *n, char *err, size_t errlen);
/* One snapshot and (when e is not NULL) its entries sorted by path; 1 when missing. */
int	store_snapshot_get(struct store *st, int64_t id, struct snapshot_info *info,
	    struct snapshot_entry **e, size_t *n, char *err, size_t errlen);
/* Sets or clears lkg or bad; 1 when there is no such snapshot. */
int	store_snapshot_mark(struct store *st, int64_t id, bool lkg, bool value, char *err,
	    size_t errlen);
/* Deletes snapshots and their entries, and stat cache rows no entry uses. */
int	store_snapshot_delete(struct store *st, const int64_t *ids, size_t n, char *err,
	    size_t errlen);
/* Whether an entry or the stat cache refers to hash: 1 yes, 0 no, -1 error. */
int	store_snapshot_hash_used(struct store *st, const char *hash, char *err, size_t errlen);

/* The stat cache, row by row (path order); fn's row is valid during the call. */
typedef void	(*store_snapshot_stat_fn)(void *arg, const struct snapshot_stat *s);
int	store_snapshot_each_stat(struct store *st, store_snapshot_stat_fn fn, void *arg,
	    char *err, size_t errlen);
/* Every hash in use (entries and the stat cache), each once. */
typedef void	(*store_snapshot_hash_fn)(void *arg, const char *hash);
int	store_snapshot_each_hash(struct store *st, store_snapshot_hash_fn fn, void *arg,
	    char *err, size_t errlen);

#endif
