/*
 * Faults of the host or a path, for chaos/fault.c: a file that fills a
 * path's file system, and processes that keep CPUs busy or grow in
 * memory. Everything made is tend's own and ends: the file is removed by
 * name and inode, and every hog dies after its duration (alarm), with the
 * process that spawned it (PR_SET_PDEATHSIG), or when ended here.
 */
#ifndef TEND_CHAOS_HOG_H
#define TEND_CHAOS_HOG_H

#include <stddef.h>

/* A hog's name (comm): what the daemon asks of a process it is to count as a service's. */
#define CHAOS_HOG_COMM	"tend-chaos-hog"

struct chaos_injected;

/* fill_disk: CHAOS_FILL_NAME in f->path, the rest of its file system but f->leave. */
int	chaos_fill(struct chaos_injected *f, char *err, size_t errlen);
/* Removes the file fill made, if it is still that file; 0, or -1 with err. */
int	chaos_unfill(const struct chaos_injected *f, char *err, size_t errlen);
/* cpu: f->cores busy processes; memory: one that grows f->grow a second to f->max. */
int	chaos_hogs_start(struct chaos_injected *f, char *err, size_t errlen);
/* Ends (SIGKILL) every hog that is still the process spawned. */
void	chaos_hogs_end(const struct chaos_injected *f);

#endif
