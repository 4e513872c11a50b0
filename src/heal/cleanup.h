/*
 * The cleanup healing action: frees disk by deleting old files that glob
 * patterns select. Only regular files are ever deleted; symlinks and
 * directories that match are left alone, so a pattern cannot reach beyond
 * what it names.
 */
#ifndef TEND_HEAL_CLEANUP_H
#define TEND_HEAL_CLEANUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cleanup_spec {
	char		**paths;	/* glob patterns, NULL-terminated */
	int64_t		 older_than_ms;	/* only files whose mtime is at least this old; 0: any age */
	int		 keep_newest;	/* per pattern, keep the N newest matches; 0: none kept */
};

struct cleanup_report {
	size_t		 matched;	/* regular files the globs matched */
	size_t		 removed;	/* files deleted (or that would be, in a dry run) */
	int64_t		 bytes_freed;	/* their sizes (st_size) summed */
	size_t		 errors;	/* unlink failures */
	char		 first_error[256];	/* "PATH: strerror", "" if none */
};

/*
 * Deletes what spec selects (or only counts it when dry_run). now_ms is
 * wall-clock ms since the epoch (tests pass a fixed value). Returns 0, or
 * -1 when a pattern is invalid / glob fails other than GLOB_NOMATCH
 * (message in report->first_error).
 *
 * Each pattern is taken on its own: its matches are sorted newest first,
 * the first keep_newest are kept, and of the rest those with mtime <=
 * now_ms - older_than_ms are deleted. A path an earlier pattern matched is
 * skipped by later ones, whatever was decided about it. A file that
 * cannot be examined or unlinked counts in errors and does not stop the
 * others; one that vanishes meanwhile is neither removed nor an error.
 * An empty pattern makes the spec invalid and nothing is deleted; a
 * pattern glob fails on does not stop the others.
 */
int	cleanup_run(const struct cleanup_spec *spec, int64_t now_ms, bool dry_run,
	    struct cleanup_report *report);

/* "3 files, 12.4 MiB freed" style one-line summary into buf. */
void	cleanup_report_format(const struct cleanup_report *r, bool dry_run,
	    char *buf, size_t len);

#endif
