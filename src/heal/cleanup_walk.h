/*
 * The walk of one cleanup pattern (internal to the cleanup action,
 * src/heal/cleanup*.c): what it matches, found one directory descriptor
 * at a time, never through a link another user could have made, never
 * into a directory another user owns. cleanup.c decides what of it goes.
 */
#ifndef TEND_HEAL_CLEANUP_WALK_H
#define TEND_HEAL_CLEANUP_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "heal/cleanup.h"

/* A directory the walk entered. dirs[0] is the pattern's fixed part. */
struct cw_dir {
	size_t		 parent;	/* index in dirs; 0 for dirs[0] */
	char		*name;		/* its name in the parent; NULL for dirs[0] */
	char		*path;		/* as the pattern spells it, for messages */
	dev_t		 dev;
	ino_t		 ino;
};

/* A regular file the pattern matches. */
struct cw_file {
	size_t		 dir;		/* index in dirs */
	char		*name;
	dev_t		 dev;
	ino_t		 ino;
	int64_t		 mtime_ms;
	int64_t		 size;
};

struct cw_result {
	int		 base;		/* O_PATH descriptor of dirs[0], or -1 */
	struct cw_dir	*dirs;
	size_t		 ndirs, capdirs;
	struct cw_file	*files;
	size_t		 nfiles, capfiles;
};

/* What one run may spend, shared by its patterns. */
struct cw_budget {
	size_t		 names;		/* names looked at so far */
	size_t		 max_names;
	int64_t		 deadline_ms;	/* monotonic; 0: none */
	bool		 stopped;	/* the limit or the deadline was reached */
};

/* The matches of a checked pattern into res (zeroed, base -1); notes into r. */
void	cleanup_walk(const char *pattern, struct cw_budget *b, struct cw_result *res,
	    struct cleanup_report *r);
/*
 * dirs[dir] again, as an O_PATH descriptor, through the same directories,
 * each checked to be the one the walk entered and still fit to enter; -1
 * (and a note in r) when one was replaced meanwhile.
 */
int	cleanup_walk_reopen(const struct cw_result *res, size_t dir,
	    struct cleanup_report *r);
/* "DIR/NAME" of a file, for messages. */
void	cleanup_walk_path(const struct cw_result *res, const struct cw_file *f, char *buf,
	    size_t len);
void	cleanup_walk_free(struct cw_result *res);
/* False once past the deadline (and then for good). */
bool	cleanup_budget_time_left(struct cw_budget *b);

/* Notes for the report, from cleanup.c: the first error and the first skips are kept. */
void	cleanup_note_error(struct cleanup_report *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	cleanup_note_skip(struct cleanup_report *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
