/*
 * libuv's thread pool, its threads' stacks sized for what tend runs there.
 *
 * libuv 1.44 starts its pool at the first work queued (or the first
 * uv_getaddrinfo), and gives each of its four threads a stack as large as
 * RLIMIT_STACK's soft limit: 8 MB reserved apiece, for work — a process
 * check's /proc reads, a file's hash, a log's regexes (PCRE2's JIT takes
 * 32 KB of the stack), a readiness probe's libcurl transfer, a name
 * resolved, a report — that touches less than 32 KB (bench/README.md,
 * `footprint`). workpool_start lowers the limit while libuv makes the
 * threads, then puts it back. A daemon with no such work starts no pool.
 */
#ifndef TEND_CORE_WORKPOOL_H
#define TEND_CORE_WORKPOOL_H

#include <uv.h>

/* Each pool thread's stack: eight times the deepest use measured. */
#define WORKPOOL_STACK	(256 * 1024)

/*
 * Starts the pool now, once, with WORKPOOL_STACK stacks; on the loop's
 * thread only. Before anything of tend's queues work in another way
 * (uv_getaddrinfo, code that calls uv_queue_work itself).
 */
void	workpool_start(uv_loop_t *loop);
/* uv_queue_work, the pool started first. */
int	workpool_queue(uv_loop_t *loop, uv_work_t *req, uv_work_cb work,
	    uv_after_work_cb after);

#endif
