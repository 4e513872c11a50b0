/*
 * Absolute path patterns, read as glob(3) reads them: components between
 * slashes, each a name (a backslash quotes the next character) or, with
 * * ? [ ], an fnmatch(3) pattern. For the cleanup action's walk, and for
 * the config, which says at file:line:col what the walk would refuse.
 */
#ifndef TEND_CORE_PATHGLOB_H
#define TEND_CORE_PATHGLOB_H

#include <stdbool.h>
#include <stddef.h>

#define PATHGLOB_MAX_DEPTH	64	/* components of one pattern */

/* A component: a name (unquoted), or an fnmatch pattern. */
struct pathglob_comp {
	char		*text;
	bool		 wild;
};

/* The components of a pattern, "." dropped: "/a//./b/x.log" has a, b, x.log. */
struct pathglob_comp *pathglob_split(const char *pattern, size_t *n);
void		 pathglob_free(struct pathglob_comp *v, size_t n);

/*
 * 0, or -1 with err saying what is wrong: empty, relative, ending in '/',
 * a '..' component, more than PATHGLOB_MAX_DEPTH components.
 */
int		 pathglob_check(const char *pattern, char *err, size_t len);

#endif
