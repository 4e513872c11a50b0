/* Shared inside src/snapshot: the engine, its objects, walks and paths. */
#ifndef TEND_SNAPSHOT_INTERNAL_H
#define TEND_SNAPSHOT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/fsyncq.h"
#include "snapshot/snapshot.h"

#define SNAPSHOT_READ_TRIES	3	/* a file that keeps changing while read fails */
#define SNAPSHOT_BUF		(128 * 1024)

struct snapshot_engine {
	struct statedir	*sd;
	struct store	*st;
	int		 objfd;		/* STATE/snapshots/objects */
	int		 tmpfd;		/* STATE/snapshots/tmp */
	int		 fanout[256];	/* objects/00 .. objects/ff, -1 until used */
	int		 lockfd;
	int		 locks;		/* nested holds: a restore's pre-rollback create */
	int		 journalfd;	/* tmp/journal: objects a create added, -1 */
	struct fsyncq	 unsynced;	/* the new objects, synced before their snapshot commits */
	dev_t		 state_dev;	/* the state dir, which no set may include */
	ino_t		 state_ino;
	snapshot_warn_fn warn;
	void		*warn_arg;
	snapshot_read_hook hook;
	void		*hook_arg;
	unsigned char	*buf;		/* SNAPSHOT_BUF */
};

/* A set's spec that the engine owns (read back from a snapshot's JSON). */
struct owned_spec {
	struct snapshot_spec spec;
	char		**strings;	/* every string, to free */
	size_t		 n_strings;
};

/* engine.c */
int	engine_lock(struct snapshot_engine *eng, char *err, size_t errlen);
void	engine_unlock(struct snapshot_engine *eng);
void	engine_warn(struct snapshot_engine *eng, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
char	*spec_to_json(const struct snapshot_spec *spec);
int	spec_from_json(const char *name, const char *json, struct owned_spec *out, char *err,
	    size_t errlen);
void	owned_spec_free(struct owned_spec *o);

/* objects.c */
/*
 * Reads fd (path, for messages and the hook) to its end, hashing it and,
 * with keep, storing it as an object (a new one journaled). Caught
 * changing (before and after stats differ) it is read again, up to
 * SNAPSHOT_READ_TRIES times. *after is its stat once read.
 */
int	object_from_fd(struct snapshot_engine *eng, int fd, const char *path, bool keep,
	    char hash[SHA256_HEX_LEN + 1], struct stat *after, bool *added, char *err,
	    size_t errlen);
/* Syncs the objects made since the last sync: before a snapshot using them commits. */
int	objects_sync(struct snapshot_engine *eng, char *err, size_t errlen);
/* Whether the object is there, a regular file of size bytes. */
bool	object_exists(struct snapshot_engine *eng, const char *hash, int64_t size);
/* The object open for reading, or -1 with err. */
int	object_open(struct snapshot_engine *eng, const char *hash, char *err, size_t errlen);
/* Reads the object and checks its hash; err names path (the file it holds). */
int	object_verify(struct snapshot_engine *eng, const char *hash, const char *path,
	    char *err, size_t errlen);
/* Removes the objects a create journaled and no snapshot uses; empties tmp. */
void	objects_recover(struct snapshot_engine *eng);
/* The journal is done with: the snapshot that uses its objects is committed. */
void	objects_journal_end(struct snapshot_engine *eng);
/* Removes every object no manifest uses; counts in *objects, *bytes. */
int	objects_collect(struct snapshot_engine *eng, int64_t *objects, int64_t *bytes,
	    char *err, size_t errlen);

/* restore.c */
/*
 * Removes what a restore killed half way left staged beside its targets
 * (STATE/snapshots/restore.journal names them), under the lock.
 */
void	restore_recover(struct snapshot_engine *eng);

/* fspath.c (paths themselves are reached with core/pathwalk.h's pathwalk_parent) */
/* stat as timespec → ns */
int64_t	fspath_ns(const struct timespec *ts);

/* walk.c */
/* Entries in memory, sorted by path: a manifest, or the live state of a set. */
struct entry_list {
	struct snapshot_entry *v;
	size_t		 n;
};
void	entry_list_free(struct entry_list *l);
/*
 * The set's live state in out: every path walked without following
 * links, files hashed and, with keep, stored as objects. A file whose
 * stat matches its entry in the set's newest manifest is not read: that
 * manifest is read meanwhile and handed back in base.
 */
int	walk_set(struct snapshot_engine *eng, const struct snapshot_spec *spec, bool keep,
	    struct entry_list *base, struct entry_list *out, struct snapshot_stats *stats,
	    char *err, size_t errlen);

/*
 * create.c: a create under a lock already held, handing back the new
 * manifest in live and the one before it (the set's newest until then)
 * in base; either may be NULL.
 */
int	create_locked(struct snapshot_engine *eng, const struct snapshot_spec *spec,
	    const char *label, const char *reason, int64_t *id, struct snapshot_stats *stats,
	    struct entry_list *live, struct entry_list *base, char *err, size_t errlen);

/* diff.c */
/* Whether two entries of the same path differ: content and/or metadata. */
bool	entry_content_differs(const struct snapshot_entry *a, const struct snapshot_entry *b);
bool	entry_meta_differs(const struct snapshot_entry *a, const struct snapshot_entry *b);

#endif
