/*
 * Files to fsync together. Written one by one and synced at the end, a
 * batch costs about one journal commit (the first fsync forces it; the
 * others find their data already on disk) where syncing each as it is
 * written costs one per file. The queue holds at most FSYNCQ_MAX open
 * descriptors and syncs itself when full.
 */
#ifndef TEND_CORE_FSYNCQ_H
#define TEND_CORE_FSYNCQ_H

#include <stddef.h>

#define FSYNCQ_MAX	64

struct fsyncq {
	int		 fd[FSYNCQ_MAX];
	size_t		 n;
};

void	fsyncq_init(struct fsyncq *q);
/* Takes fd (the queue closes it, also on failure); -1 with errno when a sync failed. */
int	fsyncq_add(struct fsyncq *q, int fd);
/* fsyncs and closes every descriptor: 0, or -1 with the first failure's errno. */
int	fsyncq_flush(struct fsyncq *q);
/* Closes every descriptor without syncing (what they held is being given up). */
void	fsyncq_drop(struct fsyncq *q);

#endif
