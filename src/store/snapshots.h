/*
 * The rows of snapshots (src/snapshot): the snapshots and their manifests,
 * shared between the snapshots of a set (store/manifests.c: a path that
 * did not change costs no row). Each row of a set's newest manifest also
 * keeps what the stat cache knows of its file. Unlike the rest of the
 * store these writes are not queued: a snapshot needs its id at once and
 * must become visible whole, so its row and manifest go in one
 * synchronous transaction, on the store's own connection (its settings,
 * migrations and reopening kept).
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
	int64_t		 since;		/* the snapshot this version first appeared in; 0: new */
	/*
	 * The stat cache: a file whose device, inode, size, mtime and ctime
	 * are these still has this hash (git's index trick). ino 0: not known.
	 */
	int64_t		 dev;
	int64_t		 ino;
	int64_t		 ctime_ns;
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

const char	*snapshot_type_name(enum snapshot_type t);
void		 snapshot_entry_clear(struct snapshot_entry *e);
/* dst a copy of src with its own strings. */
void		 snapshot_entry_copy(struct snapshot_entry *dst, const struct snapshot_entry *src);
void		 snapshot_entries_free(struct snapshot_entry *v, size_t n);
void		 snapshot_info_clear(struct snapshot_info *s);
void		 snapshot_infos_free(struct snapshot_info *v, size_t n);

/*
 * Inserts info (its id ignored, set in *id) and its n entries (sorted by
 * path), in one transaction, as the differences from base: the set's
 * newest manifest (store_manifest_newest), read under the same lock.
 */
int	store_snapshot_insert(struct store *st, const struct snapshot_info *info,
	    const struct snapshot_entry *e, size_t n, const struct snapshot_entry *base,
	    size_t n_base, int64_t *id, char *err, size_t errlen);
/* The newest manifest of set_name, sorted by path (none yet: *n 0). */
int	store_manifest_newest(struct store *st, const char *set_name,
	    struct snapshot_entry **e, size_t *n, char *err, size_t errlen);
/*
 * The manifest of snapshot id of set_name from base, its newest manifest
 * when read (*base and *n_base are taken over: emptied), and the versions
 * that ended since: cheaper than store_snapshot_get when base is already
 * read. before: the snapshot taken since base was read, or 0.
 */
int	store_manifest_at(struct store *st, const char *set_name, int64_t id, int64_t before,
	    struct snapshot_entry **base, size_t *n_base, struct snapshot_entry **e,
	    size_t *n, char *err, size_t errlen);
/* The snapshots of set_name (NULL: all), newest first. */
int	store_snapshot_list(struct store *st, const char *set_name,
	    struct snapshot_info **v, size_t *n, char *err, size_t errlen);
/* One snapshot and (when e is not NULL) its entries sorted by path; 1 when missing. */
int	store_snapshot_get(struct store *st, int64_t id, struct snapshot_info *info,
	    struct snapshot_entry **e, size_t *n, char *err, size_t errlen);
/* Sets or clears lkg or bad; 1 when there is no such snapshot. */
int	store_snapshot_mark(struct store *st, int64_t id, bool lkg, bool value, char *err,
	    size_t errlen);
/* Deletes snapshots, and the versions no remaining snapshot has. */
int	store_snapshot_delete(struct store *st, const int64_t *ids, size_t n, char *err,
	    size_t errlen);
/* Whether a manifest refers to hash: 1 yes, 0 no, -1 error. */
int	store_snapshot_hash_used(struct store *st, const char *hash, char *err, size_t errlen);

/* Every hash a manifest refers to, each once. */
typedef void	(*store_snapshot_hash_fn)(void *arg, const char *hash);
int	store_snapshot_each_hash(struct store *st, store_snapshot_hash_fn fn, void *arg,
	    char *err, size_t errlen);

#endif
