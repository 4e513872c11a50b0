/*
 * The cleanup healing action: frees disk by deleting old files that glob
 * patterns select. tend runs as root, and the directories it cleans are
 * often other users' to write (/tmp, /var/tmp, a service's logs), so:
 *   - only regular files are ever deleted, never directories or symlinks;
 *   - no symlink is followed, in any component, except in a pattern's
 *     fixed part (before its first wildcard) where no other user could
 *     have put it (/var/run -> /run, in root's /var);
 *   - a directory owned by another user than root and tend's own, or
 *     writable by everyone without the sticky bit, is not entered: its
 *     owner can rearrange it at any moment, and the files in it are theirs;
 *   - a file is removed with unlinkat in the very directory it was found
 *     in, reopened descriptor by descriptor and checked to be the same, and
 *     only if it is still the regular file that was examined.
 * What was left alone is said ("skipped /var/tmp/app/x: a symlink", "not
 * entering /home/alice/cache: owned by alice (uid 1001)").
 */
#ifndef TEND_HEAL_CLEANUP_H
#define TEND_HEAL_CLEANUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLEANUP_MAX_NAMES	1000000	/* names one run looks at, all patterns together */
#define CLEANUP_SKIPS_KEPT	4	/* skip messages kept in a report */

struct cleanup_spec {
	char		**paths;	/* absolute glob patterns, NULL-terminated */
	int64_t		 older_than_ms;	/* only files whose mtime is at least this old; 0: any age */
	int		 keep_newest;	/* per pattern, keep the N newest matches; 0: none kept */
	int64_t		 timeout_ms;	/* the whole run stops by then; 0: no limit */
	size_t		 max_names;	/* names it looks at; 0: CLEANUP_MAX_NAMES */
};

struct cleanup_report {
	size_t		 matched;	/* regular files the patterns matched */
	size_t		 removed;	/* files deleted (or that would be, in a dry run) */
	int64_t		 bytes_freed;	/* their sizes (st_size) summed */
	size_t		 errors;	/* files or directories that could not be examined or
					   removed, and a run cut short by its limits */
	char		 first_error[256];	/* "PATH: strerror", "" if none */
	size_t		 skipped;	/* symlinks and directories left alone, files replaced */
	char		 skips[CLEANUP_SKIPS_KEPT][256];	/* the first ones, with why */
};

/*
 * Deletes what spec selects (or only counts it when dry_run). now_ms is
 * wall-clock ms since the epoch (tests pass a fixed value). Returns 0, or
 * -1 when a pattern is invalid (message in report->first_error, as
 * pathglob_check says: core/pathglob.h); then nothing is deleted.
 *
 * Each pattern is taken on its own: its matches are sorted newest first,
 * the first keep_newest are kept, and of the rest those with mtime <=
 * now_ms - older_than_ms are deleted. A file (an inode) an earlier pattern
 * matched is skipped by later ones, whatever was decided about it. A file
 * that cannot be examined or unlinked counts in errors and does not stop
 * the others; one that vanishes meanwhile is neither removed nor an error.
 * A run stops looking after max_names names or at its timeout
 * (an error that says so); what it found by then is dealt with, which
 * never deletes a file a whole run would keep.
 */
int	cleanup_run(const struct cleanup_spec *spec, int64_t now_ms, bool dry_run,
	    struct cleanup_report *report);

/*
 * "3 files, 12.4 MiB freed" style one-line summary into buf, then the
 * errors and what was skipped: "; 1 error: ...; 2 skipped, first: ...".
 */
void	cleanup_report_format(const struct cleanup_report *r, bool dry_run,
	    char *buf, size_t len);

#endif
