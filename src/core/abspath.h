/*
 * Absolute paths compared as text: what a config may name for tend to
 * copy, watch or delete as root. Nothing here touches the file system, so
 * a symlink is not followed; callers that act on the paths open them
 * without following links (core/pathwalk.h).
 */
#ifndef TEND_CORE_ABSPATH_H
#define TEND_CORE_ABSPATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * path with "//" and "/./" collapsed and a trailing '/' dropped ("/" stays
 * "/"), into out. 0, or -1 with err: empty, relative, a ".." component
 * (which only the file system can resolve, through symlinks), too long.
 */
int	abspath_normalize(const char *path, char *out, size_t len, char *err,
	    size_t errlen);
/* True when inner is outer or lies below it; both normalized. */
bool	abspath_within(const char *inner, const char *outer);

#endif
