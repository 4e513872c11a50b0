/*
 * cgroup v2, the kernel's side: where the unified hierarchy is mounted
 * (/proc/self/mountinfo), which cgroup a process is in (/proc/self/cgroup's
 * "0::/path" line), and its directories and files, every one opened
 * relative to a directory verified to be on a cgroup2 file system, with
 * O_NOFOLLOW. The text parsers are pure, for tests with sample text.
 */
#ifndef TEND_CORE_CGROUP_H
#define TEND_CORE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CGROUP_MAX	UINT64_MAX	/* "max" in a limit's file: none */

/*
 * The cgroup2 mount in mountinfo's text: its mount point and the cgroup
 * its root shows (not "/" inside a cgroup namespace's bind mount). 0, or
 * -1 when there is none (no v2, or v1 only).
 */
int	cgroup_find_mount(const char *mountinfo, char *mnt, size_t mnt_len, char *root,
	    size_t root_len);
/* The v2 path in /proc/PID/cgroup's text ("0::/a/b" gives "/a/b"); 0, or -1. */
int	cgroup_find_own(const char *proc_cgroup, char *path, size_t len);
/*
 * The directory of cgroup own under a mount of root at mnt; 0, or -1 when
 * own is not below root (the mount does not show it).
 */
int	cgroup_dir_path(const char *mnt, const char *root, const char *own, char *out,
	    size_t len);
/* Whether a space-separated list (cgroup.controllers) names ctrl. */
bool	cgroup_list_has(const char *list, const char *ctrl);

/*
 * The cgroup directory at the absolute path, walked from / without
 * following a link and checked to be cgroup2: an O_DIRECTORY descriptor,
 * or -1 with errno (EXDEV: not a cgroup2 file system).
 */
int	cgroup_open(const char *path);
/* Its child name, made first when create (mode 0755); -1 with errno. */
int	cgroup_open_child(int dir, const char *name, bool create);
/* Writes text to one of its files; 0, or an errno. */
int	cgroup_write(int dir, const char *file, const char *text);
/* Reads one of its files into buf (NUL-terminated, newline kept); bytes, or -1. */
long	cgroup_read(int dir, const char *file, char *buf, size_t len);
/*
 * A number in one of its files: the whole file (key NULL: memory.current,
 * pids.max, where "max" is CGROUP_MAX), or the value after "key " on one
 * of its lines (cpu.stat's usage_usec). 0, or -1.
 */
int	cgroup_read_u64(int dir, const char *file, const char *key, uint64_t *out);
/* Whether anything runs in it or below (cgroup.events' populated): 1, 0, or -1. */
int	cgroup_populated(int dir);
/* SIGKILL to everything in it and below (cgroup.kill, Linux 5.14); 0, or an errno. */
int	cgroup_kill(int dir);

#endif
