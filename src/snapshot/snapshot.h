/*
 * Snapshots of file sets: content-addressed objects under
 * STATE/snapshots/objects/ab/<sha256> (0400, shared by every snapshot and
 * set), manifests in the store (store/snapshots.h), a stat cache that
 * spares reading unchanged files, and restores staged beside their
 * targets then renamed into place. docs/snapshots.md tells the whole
 * story: what is atomic, the order of a restore, the failure cases.
 *
 * Everything here is synchronous and runs on the caller's thread (the
 * CLI, or a child of the daemon). Create, restore and prune hold an flock
 * on STATE/snapshots/lock: a second one at the same time is refused.
 * Functions returning int return 0, or -1 with a sentence in err naming
 * the file or snapshot at fault.
 */
#ifndef TEND_SNAPSHOT_SNAPSHOT_H
#define TEND_SNAPSHOT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/snapshots.h"

struct statedir;
struct store;
struct snapshot_engine;

/* One set, as the config gives it. Strings are the caller's. */
struct snapshot_spec {
	const char		*name;
	const char *const	*paths;		/* absolute files or directories */
	size_t			 n_paths;
	const char *const	*exclude;	/* "*.log": a name; "cache/": a directory; "a/b*": a relative path */
	size_t			 n_exclude;
	const char *const	*symlinks;	/* release pointers: recorded as links, swapped atomically */
	size_t			 n_symlinks;
};

/* What a create did. */
struct snapshot_stats {
	int64_t		 files;		/* entries recorded, of every type */
	int64_t		 bytes;		/* the regular files' sizes */
	int64_t		 read_files;	/* files read (the stat cache spared the others) */
	int64_t		 read_bytes;
	int64_t		 new_objects;	/* objects that were not there yet */
	int64_t		 new_bytes;
	int		 warnings;	/* paths missing or of a type not kept (said to warn) */
};

/* A warning (a path that does not exist): the set goes on without it. */
typedef void	(*snapshot_warn_fn)(void *arg, const char *msg);

/*
 * The engine on a verified state dir (sd) and an open store (st), both
 * the caller's and outliving the engine. Makes STATE/snapshots/{objects,tmp}
 * when missing. Warnings go to log_warn unless warn is given.
 */
struct snapshot_engine *snapshot_engine_open(struct statedir *sd, struct store *st,
		    snapshot_warn_fn warn, void *warn_arg, char *err, size_t errlen);
void		 snapshot_engine_close(struct snapshot_engine *eng);

/*
 * Snapshots the set: objects first, then one transaction with the row
 * and its manifest, so it is seen whole or not at all. label and reason
 * may be NULL. *id is the new snapshot's; stats (may be NULL) what it did.
 */
int	snapshot_create(struct snapshot_engine *eng, const struct snapshot_spec *spec,
	    const char *label, const char *reason, int64_t *id, struct snapshot_stats *stats,
	    char *err, size_t errlen);

/* The snapshots of set (NULL: all), newest first; snapshot_infos_free. */
int	snapshot_list(struct snapshot_engine *eng, const char *set,
	    struct snapshot_info **v, size_t *n, char *err, size_t errlen);
/* One snapshot and its manifest sorted by path (entries may be NULL); 1 when missing. */
int	snapshot_get(struct snapshot_engine *eng, int64_t id, struct snapshot_info *info,
	    struct snapshot_entry **entries, size_t *n, char *err, size_t errlen);
/* The newest last-known-good snapshot of set: its id, 0 when none, -1 on error. */
int64_t	snapshot_lkg(struct snapshot_engine *eng, const char *set, char *err, size_t errlen);
/* Marks (or clears) last known good / bad; 1 when missing. */
int	snapshot_mark_lkg(struct snapshot_engine *eng, int64_t id, bool lkg, char *err,
	    size_t errlen);
int	snapshot_mark_bad(struct snapshot_engine *eng, int64_t id, bool bad, char *err,
	    size_t errlen);

/* One difference between two states of a set. */
enum snapshot_change_kind {
	SNAPSHOT_ADDED,		/* in `to` only */
	SNAPSHOT_REMOVED,	/* in `from` only */
	SNAPSHOT_CHANGED,	/* content, type, target, mode or owner */
};

struct snapshot_change {
	char		*path;
	enum snapshot_change_kind kind;
	struct snapshot_entry from;	/* zeroed when added */
	struct snapshot_entry to;	/* zeroed when removed */
	bool		 content;	/* the bytes differ (or the type, or the target) */
	bool		 binary;	/* content differs and is not text: sizes and hashes only */
	char		*unified;	/* diff -u of a changed text file, when asked for */
};

struct snapshot_diff {
	struct snapshot_change *v;	/* path order */
	size_t		 n;
};

/*
 * From snapshot `from` to snapshot `to`, or to the live files when to is
 * 0 (walked as `from` was taken: its paths, excludes and links; nothing
 * written). With unified, each changed text file gets /usr/bin/diff -u's
 * text, labelled "PATH@ID" and "PATH@live" (or "@ID2").
 */
int	snapshot_diff(struct snapshot_engine *eng, int64_t from, int64_t to, bool unified,
	    struct snapshot_diff *out, char *err, size_t errlen);
void	snapshot_diff_free(struct snapshot_diff *d);
/* "added", "removed", "changed". */
const char *snapshot_change_name(enum snapshot_change_kind kind);
/*
 * The diff as JSON: [{path, change, content, binary, diff (the unified
 * text, URL credentials hidden, or null), from, to ({type, mode, size,
 * sha256, target} or null)}].
 */
struct json_t *snapshot_diff_json(const struct snapshot_diff *d);

/* What a restore does to one path. */
enum snapshot_step_kind {
	SNAPSHOT_STEP_WRITE,	/* a file or symlink put back (created or replaced) */
	SNAPSHOT_STEP_MKDIR,	/* a missing directory made */
	SNAPSHOT_STEP_META,	/* mode, owner or mtime put back, the content the same */
	SNAPSHOT_STEP_ADDED,	/* present now, not in the snapshot: listed, kept */
	SNAPSHOT_STEP_DELETE,	/* present now, not in the snapshot: removed (delete_added) */
};

struct snapshot_step {
	char		*path;
	enum snapshot_step_kind kind;
	enum snapshot_type type;
	bool		 done;		/* in place (a failed restore: these were renamed) */
};

struct snapshot_restore_opts {
	bool		 dry_run;	/* the plan only: nothing written, not even a pre-rollback snapshot */
	bool		 delete_added;
};

struct snapshot_restore_result {
	struct snapshot_step *steps;	/* path order */
	size_t		 n;
	int64_t		 pre_id;	/* the "pre-rollback" snapshot of the live set; 0 in a dry run */
};

/*
 * Puts snapshot id back. Before anything is written, every object needed
 * is read and verified (a hash mismatch refuses the restore, naming the
 * file), and the live set is snapshotted (reason "pre-rollback") so the
 * restore can be undone. Files are staged beside their targets, then
 * renamed into place. A failure half way removes what was staged; the
 * steps already done are marked in out (and named in err).
 * out is filled in all cases; snapshot_restore_result_free.
 */
int	snapshot_restore(struct snapshot_engine *eng, int64_t id,
	    const struct snapshot_restore_opts *opts, struct snapshot_restore_result *out,
	    char *err, size_t errlen);
void	snapshot_restore_result_free(struct snapshot_restore_result *r);

/* What a prune removed. */
struct snapshot_prune_stats {
	int64_t		 snapshots;
	int64_t		 objects;
	int64_t		 bytes;
};

/*
 * Keeps the newest `keep` snapshots of set (NULL: of every set, each
 * keeping its own `keep`) and every last-known-good one, deletes the
 * others, then removes the objects no manifest refers to and what a
 * killed snapshot left in tmp.
 */
int	snapshot_prune(struct snapshot_engine *eng, const char *set, int keep,
	    struct snapshot_prune_stats *stats, char *err, size_t errlen);

/*
 * For tests: called after each file is read and before it is looked at
 * again (fstat), with its path — a test changes the file there to prove
 * that a file changing while read is caught — and after a restore staged
 * each file, where a test kills the process half way.
 */
typedef void	(*snapshot_read_hook)(void *arg, const char *path);
void	snapshot_engine_set_read_hook(struct snapshot_engine *eng, snapshot_read_hook fn,
	    void *arg);

#endif
