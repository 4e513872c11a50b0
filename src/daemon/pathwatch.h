/*
 * Noticing that files changed on disk, for the snapshot sets' `watch:`:
 * inotify, polled by the loop. Each root is a file, a symbolic link or a
 * directory tree, and belongs to a group (a set). A file or link root is
 * watched through its directory, so that an editor's or a deploy's
 * rename over it is seen (a watch on the file itself would stay with the
 * old inode); a tree has a watch on every directory in it, added as
 * directories appear. Changes are collected per group and reported once
 * the group has been quiet for quiet_ms (a deploy writes many files), or
 * after max_ms of steady churn at the latest.
 */
#ifndef TEND_DAEMON_PATHWATCH_H
#define TEND_DAEMON_PATHWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#define PATHWATCH_MAX_PATHS	64	/* paths reported by name; the rest counted */
#define PATHWATCH_MAX_WATCHES	65536	/* directories watched, all groups */
#define PATHWATCH_OWN_PREFIX	".tend-"	/* tend's temporary names: never reported */

/*
 * What changed in group: up to PATHWATCH_MAX_PATHS paths, sorted, and how
 * many more there were, since first_ms (monotonic: the first event of
 * them). An overflow of the kernel's queue reports the group's roots:
 * anything in them may have changed.
 */
typedef void	(*pathwatch_fn)(void *arg, size_t group, const char *const *paths,
		    size_t n, size_t more, int64_t first_ms);

struct pathwatch;

/* NULL with err when inotify is not available (or its limits are reached). */
struct pathwatch *pathwatch_new(uv_loop_t *loop, int64_t quiet_ms, int64_t max_ms,
		    pathwatch_fn fn, void *arg, char *err, size_t errlen);
/*
 * Watches path (absolute) for group. A root that does not exist yet is
 * watched for its creation when its directory exists. Names matching one
 * of the group's exclude patterns (pathwatch_exclude) are not reported.
 * 0, or -1 with err (the kernel's watch limit says which sysctl to raise).
 */
int		 pathwatch_add(struct pathwatch *pw, size_t group, const char *path,
		    char *err, size_t errlen);
/*
 * pattern as a snapshot set's exclude: "*.log" matches a name anywhere
 * under the group's roots; "cache/" (a trailing slash) a directory of
 * that name and everything in it.
 */
void		 pathwatch_exclude(struct pathwatch *pw, size_t group, const char *pattern);
/*
 * Reads what the kernel has queued and forgets what group collected: for
 * changes tend made itself (a restore), which are not the operator's.
 */
void		 pathwatch_discard(struct pathwatch *pw, size_t group);
/*
 * Reads what the kernel has queued and reports what the groups collected
 * now, quiet or not: an incident wants to know what changed before it.
 */
void		 pathwatch_flush(struct pathwatch *pw);
/* Directories and names watched (read by the tests; nothing shows it yet). */
size_t		 pathwatch_count(const struct pathwatch *pw);
/* Stops watching; freed once the loop has closed its handles. */
void		 pathwatch_free(struct pathwatch *pw);

#endif
