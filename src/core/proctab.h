/*
 * One reading of every process in /proc, shared by whoever asks. A
 * process check sums the tree below its service's pids, and finding a
 * tree means knowing every process's parent: a thousand checks a second
 * each reading all of /proc spent both cores of a host running a thousand
 * services. A table is read when a caller asks for one newer than the
 * last; everyone else takes the last, reference counted and read-only once
 * made. Safe from any thread: a reader that finds another thread reading
 * waits for its table instead of reading too.
 */
#ifndef TEND_CORE_PROCTAB_H
#define TEND_CORE_PROCTAB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/procid.h"

struct proctab {
	int64_t		 taken_ms;	/* clock_mono_ms() when the reading began */
	double		 uptime_s;	/* /proc/uptime then */
	size_t		 n;
	struct proc_info *by_pid;	/* sorted by pid */
	size_t		*by_ppid;	/* indexes into by_pid, sorted by parent */
	int		 refs;		/* under the module's lock */
};

/*
 * A table read at or after not_before_ms (clock_mono_ms); the last one if
 * it is that recent, else a new reading. Never NULL (empty when /proc
 * cannot be read). Give it back with proctab_put.
 */
struct proctab	*proctab_get(int64_t not_before_ms);
/*
 * The last table if it was read at or after not_before_ms, else NULL:
 * never reads, so the loop may ask (a check at scale finds one most times).
 */
struct proctab	*proctab_recent(int64_t not_before_ms);
void		 proctab_put(struct proctab *t);

/* pid's entry, or NULL. */
const struct proc_info *proctab_find(const struct proctab *t, pid_t pid);
/*
 * The children of ppid: *first is set to the position in t->by_ppid of
 * the first, and their count returned.
 */
size_t		 proctab_children(const struct proctab *t, pid_t ppid, size_t *first);

/* Frees the last table (at exit, so that leak checkers see nothing held). */
void		 proctab_release(void);

#endif
