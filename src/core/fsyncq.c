#include "core/fsyncq.h"

#include <errno.h>
#include <unistd.h>

void
fsyncq_init(struct fsyncq *q)
{
	q->n = 0;
}

int
fsyncq_add(struct fsyncq *q, int fd)
{
	if (q->n == FSYNCQ_MAX && fsyncq_flush(q) < 0) {
		close(fd);
		return -1;
	}
	q->fd[q->n++] = fd;
	return 0;
}

int
fsyncq_flush(struct fsyncq *q)
{
	int saved = 0;
	size_t i;

	for (i = 0; i < q->n; i++) {
		if (fsync(q->fd[i]) < 0 && saved == 0)
			saved = errno;
		close(q->fd[i]);
	}
	q->n = 0;
	errno = saved;
	return saved == 0 ? 0 : -1;
}

void
fsyncq_drop(struct fsyncq *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		close(q->fd[i]);
	q->n = 0;
}
