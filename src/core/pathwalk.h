/*
 * A path walked from /, one component at a time, each opened relative to
 * the directory reached so far (openat with O_PATH | O_NOFOLLOW): the
 * caller looks at what each step opened and decides whether to enter it
 * (a directory) or to follow it (a symlink: its target becomes the rest of
 * the walk). Nothing is followed that the caller did not choose to follow.
 * For root reading or deleting where other users write: pidfiles, cleanup.
 */
#ifndef TEND_CORE_PATHWALK_H
#define TEND_CORE_PATHWALK_H

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define PATHWALK_MAX_LINKS	40	/* as the kernel's own limit on one lookup */
#define PATHWALK_OPEN		(O_PATH | O_NOFOLLOW | O_CLOEXEC)	/* a step's openat flags */

struct pathwalk {
	int		 dirfd;		/* O_PATH: the directory reached; -1 before the start */
	struct stat	 dst;		/* its stat */
	char		 dpath[PATH_MAX];	/* its real path, "" for / */
	int		 links;		/* symlinks followed */
	char		 todo[2 * PATH_MAX];	/* the path, then what a link made of its rest */
	const char	*rest;		/* what is left to walk, in todo */
};

/* From / towards path; 0, or -1 with errno (EINVAL: path is not absolute). */
int	pathwalk_start(struct pathwalk *pw, const char *path);
/* The next component into comp; false at the end. *last: nothing follows it. */
bool	pathwalk_next(struct pathwalk *pw, char *comp, size_t len, bool *last);
/* Into the directory fd (its stat st), the entry comp of the current one; ".." goes up. */
void	pathwalk_enter(struct pathwalk *pw, int fd, const struct stat *st, const char *comp);
/*
 * The symlink open as link becomes the rest of the walk: its target, then
 * what was left, from / again when the target is absolute. 0, or -1 with
 * errno: ELOOP after PATHWALK_MAX_LINKS, ENAMETOOLONG, or readlink's.
 */
int	pathwalk_follow(struct pathwalk *pw, int link);
/* Closes the directory, if the caller has not taken it. */
void	pathwalk_end(struct pathwalk *pw);

/*
 * The walk that follows nothing, in one call: the directory holding
 * path's last component, opened from / one component at a time with
 * O_NOFOLLOW (flags: O_PATH, or O_RDONLY for a descriptor to read or
 * fsync); *base points into path. -1 with errno (ENOTDIR for a link on
 * the way). For paths of snapshot sets and what tend watches in them,
 * where no link another user made may send a read, a watch or a restore
 * somewhere else.
 */
int	pathwalk_parent(const char *path, int flags, const char **base);

#endif
